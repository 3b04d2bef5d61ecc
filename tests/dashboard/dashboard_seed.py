"""A seeded workspace for the dashboard tests and the page-load measurement, written directly
through ``stratmon.store.repositories`` (no daily job: fast, and every value is known)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
from dashboard_assessments import seed_assessments

from stratmon.config import Workspace, create_workspace
from stratmon.domain import DailyRecord, Finding, Position, RoundTrip, Strategy
from stratmon.ingest import sessions_between
from stratmon.store import Store, open_store
from stratmon.store import repositories as repo

SECTORS = ("US equity index", "Commodities", "Rates")
POOLS = ("core", "satellite")


def strategy_ids(n: int) -> list[str]:
    return [f"strat_{i:03d}" for i in range(n)]


def seed(
    root: Path,
    n_strategies: int = 3,
    start: dt.date = dt.date(2024, 1, 2),
    end: dt.date = dt.date(2024, 3, 28),
    health_days: int = 90,
    seed_value: int = 7,
    quiet: bool = False,
) -> tuple[Workspace, Store, list[dt.date]]:
    """Create a workspace at ``root`` holding ``n_strategies`` strategies with NAV on every
    NYSE session from ``start`` to ``end``, one evaluation per day for the last
    ``health_days`` sessions (the hand-made assessments of :mod:`dashboard_assessments` on
    each; metric snapshots, comparison and statistics on the last day), alerts in each state,
    round trips, positions, a rejected file and findings (``quiet``: no change line).

    Strategy i has NAV 1,000,000 * (1 + i) on the first day and daily returns drawn from
    N(0.0005, 0.01); strategy 0 gets +100,000 cash on the 5th session (a cash flow that is
    not a return).
    """
    ws = create_workspace(root)
    store = open_store(ws.database_url)
    days = sessions_between("XNYS", start, end)
    rng = np.random.default_rng(seed_value)
    ids = strategy_ids(n_strategies)
    strategies = [
        Strategy(
            strategy_id=sid,
            name=f"Strategy {i}",
            sector=SECTORS[i % len(SECTORS)],
            asset_class="equity" if i % 2 == 0 else "futures",
            researcher=f"R{i % 4}",
            pool=POOLS[i % 2],
            allocated_capital=1e6 * (1 + i),
            allocation_date=days[0],
        )
        for i, sid in enumerate(ids)
    ]
    last = days[-1]
    eval_days = days[-health_days:]
    with store.transaction() as conn:
        repo.upsert_strategies(conn, strategies)
        daily = []
        for i, sid in enumerate(ids):
            r = rng.normal(0.0005, 0.01, len(days))
            nav = 1e6 * (1 + i)
            for k, d in enumerate(days):
                cf = 100_000.0 if (i == 0 and k == 4) else 0.0
                if k:
                    nav = nav * (1 + r[k]) + cf
                daily.append(DailyRecord(strategy_id=sid, date=d, nav=nav, cash_flow=cf))
        repo.insert_daily(conn, daily, None)
        eval_ids = {d: repo.start_evaluation(conn, d) for d in eval_days}
        snaps, comps, stats = [], [], []
        for i, sid in enumerate(ids):
            metrics = {
                "sharpe_ratio": 0.5 + 0.25 * i,
                "total_return": 0.01 * i,
                "current_drawdown": -0.02 * (i + 1),
                "max_drawdown": -0.05 * (i + 1),
                "win_rate": 0.5,
            }
            for w in ("all", "30", "90"):
                snaps.append(
                    {
                        "strategy_id": sid,
                        "as_of": last,
                        "window": w,
                        "evaluation_id": eval_ids[last],
                        "n_obs": len(days) - 1 if w == "all" else int(w),
                        "metrics": metrics,
                    }
                )
            comps.append(
                {
                    "strategy_id": sid,
                    "as_of": last,
                    "evaluation_id": eval_ids[last],
                    "status": "underperforming" if i == 0 else "on_track",
                    "backtest_version": 1,
                    "details": [
                        {
                            "metric": "sharpe_ratio",
                            "live": 0.5 + 0.25 * i,
                            "backtest": 1.0,
                            "deviation": (0.5 + 0.25 * i) - 1.0,
                            "status": "underperforming" if i == 0 else "on_track",
                            "higher_is_better": True,
                            "reason": "seeded",
                        },
                        {
                            "metric": "max_drawdown",
                            "live": -0.05 * (i + 1),
                            "backtest": -0.2,
                            "deviation": 0.0,
                            "status": "on_track",
                            "higher_is_better": True,
                            "reason": "seeded",
                        },
                    ],
                }
            )
            stats.append(
                {
                    "strategy_id": sid,
                    "as_of": last,
                    "evaluation_id": eval_ids[last],
                    "backtest_version": 1,
                    "statistics": {
                        "psr_vs_zero": 0.99 if i else 0.5,
                        "psr_vs_backtest": 0.6,
                        "drawdown": {"max_drawdown_95": -0.25, "max_drawdown_99": -0.40},
                        "decay": {
                            "available": True,
                            "alarm": i == 1,
                            "statistic": 1.0,
                            "threshold": 10.0,
                        },
                        "sharpe_test": {"z": -1.0, "p_value": 0.3173},
                        "welch": {"t": -1.0, "df": 100.0, "p_value": 0.32},
                        "rolling": {
                            "30": {
                                "sharpe_ratio": {
                                    "backtest_p5": -2.0,
                                    "backtest_p50": 1.0,
                                    "backtest_p95": 4.0,
                                }
                            }
                        },
                        "cone": {
                            "day": len(days) - 1,
                            "cumulative_return": 0.0,
                            "bands": {
                                "p5": -0.1,
                                "p25": -0.03,
                                "p50": 0.01,
                                "p75": 0.05,
                                "p95": 0.12,
                            },
                            "breaches": [],
                        },
                    },
                }
            )
        repo.save_snapshots(conn, snaps)
        repo.save_comparisons(conn, comps)
        repo.save_statistics(conn, stats)
        for d in eval_days:
            repo.finish_evaluation(conn, eval_ids[d], n_strategies)
        seed_assessments(
            conn,
            ids,
            [s.allocated_capital or 0.0 for s in strategies],
            eval_days,
            eval_ids,
            quiet=quiet,
        )
        # alerts: firing, pending and resolved on strategy 0; firing on strategy 1.
        base = {
            "consecutive_true": 0,
            "consecutive_false": 0,
            "last_value": -0.1,
            "threshold": -0.05,
        }
        for sid, rule, state, fired, resolved in (
            (ids[0], "underperformance", "firing", days[-5], None),
            (ids[0], "win_rate", "pending", None, None),
            (ids[0], "drawdown", "resolved", days[-30], days[-20]),
            (ids[min(1, n_strategies - 1)], "decay", "firing", days[-3], None),
        ):
            aid = repo.save_alert_state(
                conn,
                None,
                {
                    **base,
                    "rule": rule,
                    "strategy_id": sid,
                    "tier": "critical" if rule == "decay" else "warning",
                    "state": state,
                    "started_at": days[-40],
                    "fired_at": fired,
                    "resolved_at": resolved,
                    "message": f"seeded {rule} alert",
                },
                last,
            )
            repo.save_alert_event(
                conn,
                aid,
                {
                    "at": days[-40],
                    "from_state": "inactive",
                    "to_state": "pending",
                    "value": -0.1,
                    "threshold": -0.05,
                    "message": "seeded",
                },
            )
        t0 = dt.datetime.combine(days[-10], dt.time(15, 30))
        repo.insert_round_trips(
            conn,
            [
                RoundTrip(
                    trade_id=f"{ids[0]}-T{k}",
                    strategy_id=ids[0],
                    symbol="SPX",
                    direction="LONG",
                    entry_time=t0 + dt.timedelta(days=k),
                    exit_time=t0 + dt.timedelta(days=k + 1),
                    entry_price=4000.0,
                    exit_price=4000.0 + 10 * (k - 1),
                    quantity=10.0,
                    pnl=100.0 * (k - 1),
                    commission=5.0,
                )
                for k in range(3)
            ],
            None,
            "file",
        )
        repo.insert_positions(
            conn,
            [
                Position(
                    strategy_id=ids[0],
                    date=last,
                    symbol="SPX",
                    quantity=250.0,
                    market_value=1_234_567.0,
                    unrealized_pnl=12_345.0,
                )
            ],
            None,
        )
        bad = repo.record_file(
            conn,
            name="performance_data_bad.csv",
            path=str(ws.inbox / "rejected" / "performance_data_bad.csv"),
            sha256="0" * 64,
            kind="daily",
            outcome="rejected",
            error="performance_data_bad.csv row 3 column nav value -5: NAV must be > 0",
        )
        repo.insert_findings(
            conn,
            [
                Finding(
                    kind="missing_data",
                    strategy_id=ids[0],
                    date=days[10],
                    file="performance_data_bad.csv",
                    row=None,
                    column=None,
                    value=None,
                    message="gap of 2 sessions before this date",
                )
            ],
            bad,
        )
    return ws, store, days
