"""Hand-made stored assessments for the API tests (no daily job: the values are chosen here,
so a test can say exactly what the API must serve)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from stratmon.domain.assessment import (
    Assessment,
    FiringAlert,
    HealthComponent,
    Recommendation,
    StatusView,
)
from stratmon.store import Store
from stratmon.store import assessments as sa
from stratmon.store import repositories as repo

WEIGHTS = {"performance": 0.4, "drawdown": 0.3, "win_rate": 0.2, "trade_frequency": 0.1}


def make_assessment(
    strategy_id: str,
    as_of: dt.date,
    *,
    verdict: str = "on_track",
    action: str = "maintain",
    health: float | None = 70.0,
    components: dict[str, float | None] | None = None,
    firing: Sequence[tuple[str, str]] = (),
    decay_alarm: bool = False,
    current_capital: float | None = 1_000_000.0,
    suggested_capital: float | None = 1_000_000.0,
    changes: Sequence[str] = (),
    evidence: dict[str, Any] | None = None,
) -> Assessment:
    values = components or {
        "performance": 72.0,
        "drawdown": 65.0,
        "win_rate": None,
        "trade_frequency": 55.5,
    }
    return Assessment(
        strategy_id=strategy_id,
        as_of=as_of,
        verdict=verdict,  # type: ignore[arg-type]
        action=action,  # type: ignore[arg-type]
        health=health,
        health_trend="stable",
        health_components=tuple(
            HealthComponent(
                name=name,
                value=v,
                p_value=None if v is None else round(v / 200, 4),
                test="no data" if v is None else f"test of {name}",
                reason=f"{name} reason",
                weight=WEIGHTS[name],
            )
            for name, v in values.items()
        ),
        recent_health=None if health is None else health - 5.0,
        status=StatusView("live to date", "on_track", "Sharpe within band"),
        status_recent=StatusView("30 sessions", "underperforming", "Sharpe 0.2 vs 1.0"),
        reasons=(f"{strategy_id} reason one", f"{strategy_id} reason two"),
        recommendation=Recommendation(
            action,  # type: ignore[arg-type]
            current_capital,
            suggested_capital,
            "volatility target x P(intact)",
        ),
        decay_alarm=decay_alarm,
        decay_alarm_date=as_of - dt.timedelta(days=30) if decay_alarm else None,
        firing_alerts=tuple(FiringAlert(r, s) for r, s in firing),  # type: ignore[arg-type]
        changes=tuple(changes),
        n_obs=120,
        verdict_since=as_of - dt.timedelta(days=3),
        evidence=evidence
        if evidence is not None
        else {"live_sharpe_ratio": 0.8, "backtest_sharpe_ratio": 1.1, "current_drawdown": -0.05},
    )


def save(store: Store, assessments: Sequence[Assessment]) -> None:
    """Store the assessments, one finished evaluation per date (as the daily job does)."""
    by_day: dict[dt.date, list[Assessment]] = {}
    for a in assessments:
        by_day.setdefault(a.as_of, []).append(a)
    with store.transaction() as conn:
        for day in sorted(by_day):
            eval_id = repo.start_evaluation(conn, day)
            sa.save_assessments(conn, by_day[day], eval_id)
            repo.finish_evaluation(conn, eval_id, len(by_day[day]))
