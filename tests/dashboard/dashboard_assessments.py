"""Hand-made stored assessments for the dashboard tests (the daily job is not run: every value
the pages must show is written here, so a test can look for it).

Strategy ``i`` follows template ``i % 3`` on the last evaluation day:

* template 0 (``strat_000``): **investigate**, maintain; health 38 (recent 31), the win-rate
  component has no data; live to date underperforming, 30 sessions on track; firing
  ``underperformance`` at warning; two change lines (its verdict moved from watch today).
* template 1 (``strat_001``): **act: reduce**; decay alarm; health 18 (recent 12), the
  trade-frequency component has no data; capital 2,000,000 -> 1,000,000; firing ``decay``
  at critical.
* template 2 (``strat_002``): **on track: increase**; health 82 (recent 77); capital
  3,000,000 -> 3,500,000; nothing firing, nothing changed.

Before the last day every strategy holds its template's previous verdict (template 0: watch)
and a health that drifts linearly towards the last value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import Connection

from stratmon.domain.assessment import (
    Assessment,
    FiringAlert,
    HealthComponent,
    Recommendation,
    StatusView,
)
from stratmon.store.assessments import save_assessments, save_book_changes

WEIGHTS = {"performance": 0.4, "drawdown": 0.3, "win_rate": 0.2, "trade_frequency": 0.1}
BOOK_CHANGES = ("file performance_data_bad.csv rejected (row 3, nav: NAV must be > 0)",)
REASON_0 = "live Sharpe 0.50 vs 1.00 promised (PSR vs backtest 0.4 %)"
REASON_1 = "decay detector alarmed {alarm}, 3 sessions ago"
CHANGE_0 = "verdict watch -> investigate"
CHANGE_1 = "alert decay escalated to critical"


def _components(values: dict[str, float | None]) -> tuple[HealthComponent, ...]:
    out = []
    for name, value in values.items():
        out.append(
            HealthComponent(
                name=name,
                value=value,
                p_value=None if value is None else round(value / 200.0, 4),
                test=f"seeded test of {name}",
                reason=f"no {name} data in the seed" if value is None else f"seeded {name}",
                weight=WEIGHTS[name],
            )
        )
    return tuple(out)


def make_assessment(
    i: int,
    strategy_id: str,
    as_of: dt.date,
    capital: float,
    *,
    last: bool,
    health_offset: float,
    alarm_date: dt.date,
) -> Assessment:
    """Strategy ``i``'s assessment of ``as_of`` (``last``: the newest evaluation day)."""
    t = i % 3
    if t == 0:
        health = 38.0 if last else 49.0 + health_offset
        return Assessment(
            strategy_id=strategy_id,
            as_of=as_of,
            verdict="investigate" if last else "watch",
            action="maintain",
            health=health,
            health_trend="declining",
            health_components=_components(
                {"performance": 22.0, "drawdown": 71.0, "win_rate": None, "trade_frequency": 55.0}
            ),
            recent_health=31.0 if last else 45.0,
            status=StatusView("live to date", "underperforming", "Sharpe 0.50 vs 1.00, p 0.004"),
            status_recent=StatusView("30 sessions", "on_track", "within the bands"),
            reasons=(REASON_0, "alert underperformance firing (warning)")
            if last
            else ("health 49 below 60",),
            recommendation=Recommendation("maintain", capital, capital, "maintain: unchanged"),
            firing_alerts=(FiringAlert("underperformance", "warning"),),
            changes=(CHANGE_0, "health 49 -> 38 (-11)") if last else (),
            n_obs=60,
            evidence={
                "live_sharpe_ratio": 0.5,
                "backtest_sharpe_ratio": 1.0,
                "current_drawdown": -0.02,
                "psr_vs_backtest": 0.004,
                "psr_vs_zero": 0.5,
            },
        )
    if t == 1:
        return Assessment(
            strategy_id=strategy_id,
            as_of=as_of,
            verdict="act",
            action="reduce",
            health=18.0 if last else 25.0 + health_offset,
            health_trend="declining",
            health_components=_components(
                {"performance": 10.0, "drawdown": 30.0, "win_rate": 40.0, "trade_frequency": None}
            ),
            recent_health=12.0,
            status=StatusView("live to date", "underperforming", "Sharpe 0.75 vs 1.00"),
            status_recent=StatusView("30 sessions", "underperforming", "Sharpe -1.2 vs 1.00"),
            reasons=(REASON_1.format(alarm=alarm_date.isoformat()),),
            recommendation=Recommendation("reduce", capital, capital / 2, "reduce x p_intact"),
            decay_alarm=True,
            decay_alarm_date=alarm_date,
            firing_alerts=(FiringAlert("decay", "critical"),),
            changes=(CHANGE_1,) if last else (),
            n_obs=60,
            evidence={
                "live_sharpe_ratio": 0.75,
                "backtest_sharpe_ratio": 1.0,
                "current_drawdown": -0.04,
            },
        )
    return Assessment(
        strategy_id=strategy_id,
        as_of=as_of,
        verdict="on_track",
        action="increase",
        health=82.0 if last else 80.0 + health_offset / 10,
        health_trend="stable",
        health_components=_components(
            {"performance": 85.0, "drawdown": 80.0, "win_rate": 78.0, "trade_frequency": 84.0}
        ),
        recent_health=77.0,
        status=StatusView("live to date", "outperforming", "Sharpe 1.50 vs 1.00, p 0.01"),
        status_recent=StatusView("30 sessions", "on_track", ""),
        reasons=("live Sharpe 1.50 vs 1.00 promised",),
        recommendation=Recommendation("increase", capital, capital * 7 / 6, "funded by freed"),
        n_obs=60,
        evidence={
            "live_sharpe_ratio": 1.5,
            "backtest_sharpe_ratio": 1.0,
            "current_drawdown": -0.06,
        },
    )


def seed_assessments(
    conn: Connection,
    strategy_ids: Sequence[str],
    capitals: Sequence[float],
    eval_days: Sequence[dt.date],
    eval_ids: dict[dt.date, int],
    *,
    quiet: bool = False,
) -> None:
    """Save one assessment per strategy per evaluation day and the book changes of the last
    day (``quiet``: no change line anywhere, so the pages must say it was a quiet day)."""
    n = len(eval_days)
    alarm = eval_days[-4] if n >= 4 else eval_days[0]
    for k, day in enumerate(eval_days):
        last = k == n - 1
        batch = []
        for i, sid in enumerate(strategy_ids):
            a = make_assessment(
                i,
                sid,
                day,
                capitals[i],
                last=last,
                health_offset=6.0 * (n - 1 - k) / max(n - 1, 1),
                alarm_date=alarm,
            )
            if quiet:
                a = replace(a, changes=())
            batch.append(a)
        save_assessments(conn, batch, eval_ids[day])
    if not quiet:
        save_book_changes(conn, eval_ids[eval_days[-1]], list(BOOK_CHANGES))
