"""Hand-made stored assessments for the report tests (the daily job is not run): a tiny
workspace of three strategies with ten sessions of NAV, and one assessment per strategy on
the last two sessions. Every judgement a report must show is written here, so a test can look
for it in the HTML, Markdown and JSON.

On the last session (``DAY``):

* ``alpha`` -- **act: reduce**; decay alarm since ``ALARM``; health 18 (recent 12); the
  trade-frequency component has no data; capital 2,000,000 -> 1,000,000; firing ``decay`` at
  critical and ``drawdown`` at warning; live to date underperforming, 30 sessions
  underperforming; one change line.
* ``beta`` -- **investigate**, maintain; health 41 (recent 33); live to date underperforming,
  30 sessions on track (the two windows disagree); firing ``underperformance`` at warning;
  capital 1,500,000 kept; one change line.
* ``gamma`` -- **on track: increase**; health 82 (recent 77); capital 3,000,000 ->
  3,400,000; nothing firing, nothing changed.

The book: 6,500,000 allocated, 5,900,000 suggested (1,000,000 released, 400,000 reassigned,
600,000 unallocated), and one book-level change line (a rejected file).

``delta`` has NAV data but no stored assessment: reports must say so, not judge it.

The previous session (``PREVIOUS``) carries different verdicts and reasons, so a report that
read the wrong date would show them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from stratmon.config import Workspace, create_workspace
from stratmon.domain import DailyRecord, Strategy
from stratmon.domain.assessment import (
    Assessment,
    FiringAlert,
    HealthComponent,
    Recommendation,
    StatusView,
)
from stratmon.store import Store, open_store
from stratmon.store import repositories as repo
from stratmon.store.assessments import save_assessments, save_book_changes

DAYS = [dt.date(2024, 3, 1) + dt.timedelta(days=i) for i in range(14)]
DAYS = [d for d in DAYS if d.weekday() < 5][:10]
DAY, PREVIOUS = DAYS[-1], DAYS[-2]
ALARM = DAYS[-4]
CAPITAL = {"alpha": 2_000_000.0, "beta": 1_500_000.0, "gamma": 3_000_000.0}
SUGGESTED = {"alpha": 1_000_000.0, "beta": 1_500_000.0, "gamma": 3_400_000.0}
NAMES = {"alpha": "Alpha trend", "beta": "Beta carry", "gamma": "Gamma value", "delta": "Delta new"}
WEIGHTS = {"performance": 0.4, "drawdown": 0.3, "win_rate": 0.2, "trade_frequency": 0.1}
BOOK_CHANGE = "file performance_data_bad.csv rejected (row 3, nav: NAV must be > 0)"
REASON_ALPHA = f"decay detector alarmed {ALARM.isoformat()}, 3 sessions ago"
REASON_ALPHA_2 = "drawdown 15.0 % is deeper than 93 % of backtest paths of this length"
REASON_BETA = "live Sharpe 0.12 vs 0.37 promised (PSR vs backtest 4.0 %)"
REASON_GAMMA = "live Sharpe 1.50 vs 1.00 promised; nothing firing"
CHANGE_ALPHA = "verdict investigate -> act (reduce)"
CHANGE_BETA = "alert underperformance raised (warning)"
OLD_REASON = "previous-session reason that must not be shown"
TEST_PERFORMANCE = "PSR of the live Sharpe vs the backtest Sharpe"
# NAV paths (daily simple returns), every strategy starts at its capital
RETURNS = {
    "alpha": [0.0, -0.01, -0.02, 0.005, -0.03, -0.01, 0.0, -0.02, 0.01, -0.015],
    "beta": [0.0, 0.002, -0.001, 0.003, -0.004, 0.001, 0.0, -0.002, 0.001, 0.002],
    "gamma": [0.0, 0.01, 0.004, -0.002, 0.006, 0.003, 0.005, -0.001, 0.004, 0.002],
    "delta": [0.0, 0.001, 0.001, 0.0, -0.001, 0.002, 0.0, 0.001, 0.0, 0.001],
}
UNASSESSED_CAPITAL = 500_000.0


def _components(values: dict[str, float | None]) -> tuple[HealthComponent, ...]:
    return tuple(
        HealthComponent(
            name=name,
            value=value,
            p_value=None if value is None else round(value / 200.0, 4),
            test=TEST_PERFORMANCE if name == "performance" else f"hand-made test of {name}",
            reason=f"no {name} data" if value is None else f"hand-made {name}",
            weight=WEIGHTS[name],
        )
        for name, value in values.items()
    )


def last_day_assessments() -> list[Assessment]:
    """The three records of ``DAY`` (see the module docstring)."""
    alpha = Assessment(
        strategy_id="alpha",
        as_of=DAY,
        verdict="act",
        action="reduce",
        health=18.0,
        health_trend="declining",
        health_components=_components(
            {"performance": 10.0, "drawdown": 30.0, "win_rate": 40.0, "trade_frequency": None}
        ),
        recent_health=12.0,
        status=StatusView("live to date", "underperforming", "Sharpe 0.75 vs 1.00, p 0.01"),
        status_recent=StatusView("30 sessions", "underperforming", "Sharpe -1.2 vs 1.00"),
        reasons=(REASON_ALPHA, REASON_ALPHA_2),
        recommendation=Recommendation(
            "reduce", CAPITAL["alpha"], SUGGESTED["alpha"], "volatility target x p_intact"
        ),
        decay_alarm=True,
        decay_alarm_date=ALARM,
        firing_alerts=(FiringAlert("drawdown", "warning"), FiringAlert("decay", "critical")),
        changes=(CHANGE_ALPHA,),
        n_obs=9,
        verdict_since=DAY,
        evidence={
            "live_sharpe_ratio": 0.75,
            "backtest_sharpe_ratio": 1.0,
            "current_drawdown": -0.15,
            "drawdown_probability": 0.07,
            "status_states": {"all": "underperforming"},
        },
    )
    beta = Assessment(
        strategy_id="beta",
        as_of=DAY,
        verdict="investigate",
        action="maintain",
        health=41.0,
        health_trend="declining",
        health_components=_components(
            {"performance": 22.0, "drawdown": 71.0, "win_rate": 50.0, "trade_frequency": 55.0}
        ),
        recent_health=33.0,
        status=StatusView("live to date", "underperforming", "Sharpe 0.12 vs 0.37, p 0.04"),
        status_recent=StatusView("30 sessions", "on_track", "within the bands"),
        reasons=(REASON_BETA,),
        recommendation=Recommendation(
            "maintain", CAPITAL["beta"], SUGGESTED["beta"], "volatility target x p_intact"
        ),
        firing_alerts=(FiringAlert("underperformance", "warning"),),
        changes=(CHANGE_BETA,),
        n_obs=9,
        evidence={"live_sharpe_ratio": 0.12, "backtest_sharpe_ratio": 0.37},
    )
    gamma = Assessment(
        strategy_id="gamma",
        as_of=DAY,
        verdict="on_track",
        action="increase",
        health=82.0,
        health_trend="stable",
        health_components=_components(
            {"performance": 85.0, "drawdown": 80.0, "win_rate": 78.0, "trade_frequency": 84.0}
        ),
        recent_health=77.0,
        status=StatusView("live to date", "outperforming", "Sharpe 1.50 vs 1.00, p 0.01"),
        status_recent=StatusView("30 sessions", "on_track", ""),
        reasons=(REASON_GAMMA,),
        recommendation=Recommendation(
            "increase", CAPITAL["gamma"], SUGGESTED["gamma"], "volatility target x p_intact"
        ),
        n_obs=9,
        evidence={"live_sharpe_ratio": 1.5, "backtest_sharpe_ratio": 1.0},
    )
    return [alpha, beta, gamma]


def previous_day_assessments() -> list[Assessment]:
    """``PREVIOUS``: every strategy on track with an old reason (must not be rendered)."""
    return [
        replace(
            a,
            as_of=PREVIOUS,
            verdict="on_track",
            action="maintain",
            health=90.0,
            reasons=(OLD_REASON,),
            changes=(),
            firing_alerts=(),
            recommendation=Recommendation("maintain", CAPITAL[a.strategy_id], None, ""),
        )
        for a in last_day_assessments()
    ]


@dataclass
class AssessedWorkspace:
    ws: Workspace
    store: Store


def build_assessed_workspace(root: Path, *, quiet: bool = False) -> AssessedWorkspace:
    """The tiny workspace (``quiet``: no change line anywhere, no book change)."""
    ws = create_workspace(root / "ws")
    store = open_store(ws.database_url)
    strategies = [
        Strategy(
            sid,
            NAMES[sid],
            sector="macro",
            pool="core",
            allocated_capital=CAPITAL.get(sid, UNASSESSED_CAPITAL),
            allocation_date=DAYS[0],
        )
        for sid in NAMES
    ]
    with store.transaction() as conn:
        repo.upsert_strategies(conn, strategies)
        rows = []
        for sid, rets in RETURNS.items():
            nav = CAPITAL.get(sid, UNASSESSED_CAPITAL)
            for day, r in zip(DAYS, rets, strict=True):
                pnl = nav * r
                nav = nav + pnl
                rows.append(DailyRecord(sid, day, nav, daily_pnl=pnl, gross_exposure_usd=0.8 * nav))
        repo.insert_daily(conn, rows, None)
        for day, batch in ((PREVIOUS, previous_day_assessments()), (DAY, last_day_assessments())):
            eid = repo.start_evaluation(conn, day)
            if quiet:
                batch = [replace(a, changes=()) for a in batch]
            save_assessments(conn, batch, eid)
            repo.finish_evaluation(conn, eid, len(batch))
            if day == DAY and not quiet:
                save_book_changes(conn, eid, [BOOK_CHANGE])
    return AssessedWorkspace(ws, store)
