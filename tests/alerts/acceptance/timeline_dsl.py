"""An Alertmanager-style time-line DSL for acceptance tests of the alert system.

    tl = Timeline(tmp_path, config, strategies=["MOM"])
    tl.at(0, dd("MOM", -0.11))             # at session 0 the conditions are ...
    tl.at(1, dd("MOM", -0.16), ...)
    tl.expect(0, 1, [("MOM", "immediate", "[stratmon] WARNING FIRING: ...")])  # between 0 and 1

Sessions are day offsets from ``D0``; ``at`` runs the real processor on a real (SQLite) store
in one transaction, as the daily job does; ``notifications(t1, t2)`` reads what the outbox
holds for evaluation dates t1..t2 (inclusive) as ``(strategy, channel, mode, subject)``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from stratmon.alerts.config import AlertConfig, alert_config_from_dict
from stratmon.alerts.processor import process_conditions
from stratmon.alerts.rules import Condition
from stratmon.domain import Strategy
from stratmon.store import Store, open_store
from stratmon.store import alerts_queries as aq
from stratmon.store import repositories as repo

D0 = dt.date(2024, 1, 1)
NOW = dt.datetime(2024, 6, 1, 12, 0)


def day(t: int) -> dt.date:
    return D0 + dt.timedelta(days=t)


class Timeline:
    """A store, a configuration and a clock of sessions."""

    def __init__(self, tmp: Path, config: dict[str, Any], strategies: list[str]) -> None:
        self.store: Store = open_store(f"sqlite:///{tmp / 'timeline.db'}")
        self.config: AlertConfig = alert_config_from_dict(config)
        with self.store.transaction() as conn:
            repo.upsert_strategies(conn, [Strategy(s, s) for s in strategies])

    def at(self, t: int, *conditions: Condition) -> None:
        """At session ``t`` the conditions are these (one per rule and strategy)."""
        with self.store.transaction() as conn:
            process_conditions(conn, list(conditions), day(t), self.config, now=NOW)

    def notifications(self, t1: int, t2: int) -> list[tuple[str, str, str, str]]:
        """``(strategy, channel, mode, subject)`` queued for sessions t1..t2, in order."""
        with self.store.read() as conn:
            rows = aq.outbox(conn)
        out = []
        for m in rows:
            if m["kind"] == "digest" or not (day(t1) <= m["eval_date"] <= day(t2)):
                continue
            mode = "immediate" if m["period"] is None else f"digest:{m['period']}"
            out.append((str(m["strategy_id"]), str(m["channel"]), mode, str(m["subject"])))
        return out

    def expect(self, t1: int, t2: int, expected: list[tuple[str, str, str, str]]) -> None:
        """Between sessions t1 and t2 exactly these notifications arrive."""
        got = self.notifications(t1, t2)
        assert got == expected, f"sessions {t1}..{t2}: got {got}"

    def alerts(self, **kw: Any) -> list[dict[str, Any]]:
        """The open concern alerts (``stratmon alerts list --json``)."""
        with self.store.read() as conn:
            return aq.concern_alerts(conn, config=self.config, **kw)

    def firing(self) -> dict[str, list[tuple[str, str, str]]]:
        """What the verdict reads: ``alerts_queries.firing_by_strategy``."""
        with self.store.read() as conn:
            return aq.firing_by_strategy(conn)

    def close(self) -> None:
        self.store.dispose()


def c(
    rule: str,
    sid: str,
    active: bool | None,
    *,
    value: float = -0.1,
    threshold: float = -0.05,
    severity: str = "",
    tier: str = "warning",
    message: str = "",
    metrics: dict[str, float] | None = None,
) -> Condition:
    """A condition of ``rule`` on ``sid``; ``active=None``: cannot be evaluated."""
    return Condition(
        rule,
        sid,
        tier,  # type: ignore[arg-type]
        active,
        value,
        threshold,
        message
        or f"{rule} on {sid}: {'true' if active else 'clear' if active is False else 'n/a'}",
        severity=severity,
        metrics=metrics or {},
    )
