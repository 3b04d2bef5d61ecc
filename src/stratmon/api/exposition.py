"""Prometheus exposition of the strategies' latest results (a custom collector that reads
the store at scrape time; the per-strategy rows are cached until the store changes).

The judgement series (verdict, recommended action, health score and components, capital,
decay alarm, firing alerts) render the stored :class:`~stratmon.domain.assessment.Assessment`
of the newest assessed date, read in one statement: ``/metrics`` never derives a judgement of
its own, so it cannot disagree with ``stratmon status --json`` or the API. A strategy without
an assessment on that date has no judgement samples; a value the record leaves undefined
(``None``: no health, a component with no data, no allocated capital) has no sample.

The market series (NAV, drawdown, Sharpe ratios, PSR, data age) come from the newest metric
snapshots, as before.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from stratmon.domain.assessment import ACTIONS, SEVERITIES, VERDICTS, Assessment
from stratmon.store import Store
from stratmon.store import service_queries as sq

LABELS = ["strategy_id", "sector", "asset_class", "pool"]

# (metric name, help, row field) of the market series (stored metric snapshots)
_GAUGES: tuple[tuple[str, str, str], ...] = (
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


@dataclass(frozen=True, slots=True)
class _Snapshot:
    rows: list[dict[str, Any]]
    assessments: dict[str, Assessment]


def _judgement_families() -> dict[str, GaugeMetricFamily]:
    return {
        "verdict": GaugeMetricFamily(
            "stratmon_verdict",
            "Verdict of the newest assessment: 1 for the current verdict, 0 for the others "
            "(on_track, watch, investigate, act).",
            labels=[*LABELS, "verdict"],
        ),
        "action": GaugeMetricFamily(
            "stratmon_recommended_action",
            "Recommended rotation action of the newest assessment, one-hot (increase, "
            "maintain, reduce, suspend, retire_review).",
            labels=[*LABELS, "action"],
        ),
        "health": GaugeMetricFamily(
            "stratmon_health_score",
            "Evidence-based health score 0-100 of the newest assessment (no sample when the "
            "assessment has none).",
            labels=LABELS,
        ),
        "health_alias": GaugeMetricFamily(
            "stratmon_strategy_health_score",
            "Health score 0-100 of the newest assessment (the same value as "
            "stratmon_health_score, kept for existing dashboards and rules).",
            labels=LABELS,
        ),
        "component": GaugeMetricFamily(
            "stratmon_health_component",
            "Health score component 0-100 (performance, drawdown, win_rate, "
            "trade_frequency); no sample for a component with no data.",
            labels=[*LABELS, "component"],
        ),
        "current_capital": GaugeMetricFamily(
            "stratmon_current_capital",
            "Capital allocated now (strategy currency), from the recommendation.",
            labels=LABELS,
        ),
        "suggested_capital": GaugeMetricFamily(
            "stratmon_suggested_capital",
            "Capital the recommendation's sizing rule suggests (strategy currency).",
            labels=LABELS,
        ),
        "decay": GaugeMetricFamily(
            "stratmon_decay_alarm",
            "1 while the decay detector's alarm is active, else 0.",
            labels=LABELS,
        ),
        "firing": GaugeMetricFamily(
            "stratmon_strategy_firing_alerts",
            "Firing alerts of the newest assessment by current severity.",
            labels=[*LABELS, "severity"],
        ),
    }


def _add_judgement(fams: dict[str, GaugeMetricFamily], labels: list[str], a: Assessment) -> None:
    """The samples of one stored assessment (rendering only: every value is the record's)."""
    for v in VERDICTS:
        fams["verdict"].add_metric([*labels, v], 1.0 if a.verdict == v else 0.0)
    for act in ACTIONS:
        fams["action"].add_metric([*labels, act], 1.0 if a.action == act else 0.0)
    health = _num(a.health)
    if health is not None:
        fams["health"].add_metric(labels, health)
        fams["health_alias"].add_metric(labels, health)
    for c in a.health_components:
        value = _num(c.value)
        if value is not None:
            fams["component"].add_metric([*labels, c.name], value)
    for key, x in (
        ("current_capital", a.recommendation.current_capital),
        ("suggested_capital", a.recommendation.suggested_capital),
    ):
        value = _num(x)
        if value is not None:
            fams[key].add_metric(labels, value)
    fams["decay"].add_metric(labels, 1.0 if a.decay_alarm else 0.0)
    counts = dict.fromkeys(SEVERITIES, 0)
    for f in a.firing_alerts:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    for sev, n in counts.items():
        fams["firing"].add_metric([*labels, sev], float(n))


class StrategyCollector(Collector):
    """Per-strategy judgement and market gauges, and the outbox backlog."""

    def __init__(self, store: Store, today: Callable[[], dt.date] | None = None) -> None:
        self.store = store
        self.today = today or dt.date.today
        self._lock = threading.Lock()
        self._stamp: tuple[Any, ...] | None = None
        self._snapshot = _Snapshot([], {})

    def describe(self) -> list[Metric]:
        return []  # read the store only at scrape time, never at registration

    def _current(self, conn: Any) -> _Snapshot:
        stamp = sq.exporter_stamp(conn)  # a new evaluation (hence new assessments) moves it
        with self._lock:
            if stamp != self._stamp:
                assessed = sq.newest_day_assessments(conn)
                self._snapshot = _Snapshot(
                    sq.exporter_rows(conn), {a.strategy_id: a for a in assessed}
                )
                self._stamp = stamp
            return self._snapshot

    def collect(self) -> Iterator[Metric]:
        with self.store.read() as conn:
            snap = self._current(conn)
            backlog = sq.outbox_backlog(conn)
        today = self.today()
        families = {
            field: GaugeMetricFamily(name, doc, labels=LABELS) for name, doc, field in _GAUGES
        }
        judgement = _judgement_families()
        for r in snap.rows:
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
            a = snap.assessments.get(r["strategy_id"])
            if a is not None:
                _add_judgement(judgement, labels, a)
        yield from judgement.values()
        yield from families.values()
        out = GaugeMetricFamily(
            "stratmon_outbox_backlog", "Alert notifications waiting to be sent."
        )
        out.add_metric([], float(backlog))
        yield out
