"""Prometheus exposition of the strategies' latest results (a custom collector that reads
the store at scrape time; the per-strategy rows are cached until the store changes)."""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from stratmon.store import Store
from stratmon.store import service_queries as sq

LABELS = ["strategy_id", "sector", "asset_class", "pool"]
SEVERITIES = ("info", "warning", "critical")

# (metric name, help, row field)
_GAUGES: tuple[tuple[str, str, str], ...] = (
    (
        "stratmon_strategy_health_score",
        "Health score 0-100 of the newest evaluation.",
        "health_score",
    ),
    (
        "stratmon_strategy_current_drawdown",
        "Current drawdown (fraction, <= 0).",
        "current_drawdown",
    ),
    (
        "stratmon_strategy_sharpe_ratio_30d",
        "Sharpe ratio of the last 30 sessions (annualised).",
        "sharpe_ratio_30",
    ),
    ("stratmon_strategy_sharpe_ratio_live", "Live Sharpe ratio, whole live period.", "live_sharpe"),
    (
        "stratmon_strategy_sharpe_ratio_backtest",
        "Backtest Sharpe ratio compared with.",
        "backtest_sharpe",
    ),
    ("stratmon_strategy_sharpe_gap", "Live minus backtest Sharpe ratio.", "sharpe_gap"),
    ("stratmon_strategy_psr", "Probabilistic Sharpe ratio of the live record vs SR*=0.", "psr"),
    ("stratmon_strategy_nav", "Newest NAV (strategy currency).", "nav"),
    (
        "stratmon_strategy_days_since_last_data",
        "Calendar days since the newest daily record.",
        "days_since",
    ),
)


def _num(value: Any) -> float | None:
    if value is None:
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


class StrategyCollector(Collector):
    """Per-strategy gauges, firing alerts by severity and the outbox backlog."""

    def __init__(self, store: Store, today: Callable[[], dt.date] | None = None) -> None:
        self.store = store
        self.today = today or dt.date.today
        self._lock = threading.Lock()
        self._stamp: tuple[Any, ...] | None = None
        self._rows: list[dict[str, Any]] = []

    def describe(self) -> list[Metric]:
        return []  # read the store only at scrape time, never at registration

    def _current_rows(self, conn: Any) -> list[dict[str, Any]]:
        stamp = sq.exporter_stamp(conn)
        with self._lock:
            if stamp != self._stamp:
                self._rows = sq.exporter_rows(conn)
                self._stamp = stamp
            return self._rows

    def collect(self) -> Iterator[Metric]:
        with self.store.read() as conn:
            rows = self._current_rows(conn)
            firing = sq.firing_counts(conn)
            backlog = sq.outbox_backlog(conn)
        today = self.today()
        families = {
            field: GaugeMetricFamily(name, doc, labels=LABELS) for name, doc, field in _GAUGES
        }
        alerts = GaugeMetricFamily(
            "stratmon_strategy_firing_alerts",
            "Firing alerts by severity.",
            labels=[*LABELS, "severity"],
        )
        severities: dict[str, set[str]] = {}
        for sid, sev in firing:
            severities.setdefault(sid, set()).add(sev)
        for r in rows:
            labels = [r["strategy_id"], r["sector"], r["asset_class"], r["pool"]]
            live, bt = _num(r["live_sharpe"]), _num(r["backtest_sharpe"])
            values = dict(r)
            values["sharpe_gap"] = None if live is None or bt is None else live - bt
            last = r["last_data_date"]
            values["days_since"] = None if last is None else (today - last).days
            for field, fam in families.items():
                x = _num(values.get(field))
                if x is not None:
                    fam.add_metric(labels, x)
            sevs = severities.get(r["strategy_id"], set()) | set(SEVERITIES)
            for sev in sorted(sevs):
                alerts.add_metric([*labels, sev], float(firing.get((r["strategy_id"], sev), 0)))
        yield from families.values()
        yield alerts
        out = GaugeMetricFamily(
            "stratmon_outbox_backlog", "Alert notifications waiting to be sent."
        )
        out.add_metric([], float(backlog))
        yield out
