"""The daily job stores live-vs-backtest evidence that agrees with the reference functions."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from stratmon.compare.significance import psr_from_returns
from stratmon.config import create_workspace
from stratmon.decay import first_alarm
from stratmon.domain import Strategy
from stratmon.ingest.calendar import sessions_between
from stratmon.intake import ingest_paths
from stratmon.pipeline import DailyJob
from stratmon.store import open_store
from stratmon.store import queries as q
from stratmon.store import repositories as repo

SID = "syn"


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("stats")
    ws = create_workspace(root / "ws")
    store = open_store(ws.database_url)
    with store.transaction() as conn:
        repo.upsert_strategies(conn, [Strategy(strategy_id=SID, name="Synthetic")])
    rng = np.random.default_rng(11)
    bt_days = sessions_between("XNYS", dt.date(2015, 1, 2), dt.date(2019, 12, 31))
    bt = rng.normal(0.0008, 0.01, len(bt_days))  # annual Sharpe ~1.3
    _write(
        root / "bt.csv",
        ["date", "strategy_id", "return"],
        [[d.isoformat(), SID, f"{r:.12f}"] for d, r in zip(bt_days, bt, strict=True)],
    )
    # Live re-run overlaps the backtest's last 30 sessions (same-date comparison).
    live_days = sessions_between("XNYS", dt.date(2019, 11, 15), dt.date(2020, 4, 30))
    live = np.concatenate([rng.normal(0.0008, 0.01, 40), rng.normal(-0.003, 0.012, 200)])
    live = live[: len(live_days) - 1]
    nav = [1e6]
    for r in live:
        nav.append(nav[-1] * (1 + r))
    nav_c = [round(x, 2) for x in nav]
    ingest_paths(ws, store, [root / "bt.csv"])
    job = DailyJob(ws, store)
    for i, day in enumerate(live_days):
        pnl = 0.0 if i == 0 else nav_c[i] - nav_c[i - 1]
        _write(
            ws.inbox / f"performance_data_{day}.csv",
            ["date", "strategy_id", "nav", "daily_pnl"],
            [[day.isoformat(), SID, f"{nav_c[i]:.2f}", f"{pnl:.2f}"]],
        )
        job.run(day, write_report=False, today=day)
    return {
        "store": store,
        "days": live_days,
        "nav": np.array(nav_c),
        "bt": bt,
        "bt_days": bt_days,
    }


def test_psr_matches_reference_on_stored_returns(replay: dict[str, object]) -> None:
    store, days, nav = replay["store"], replay["days"], replay["nav"]
    assert isinstance(nav, np.ndarray)
    day = days[100]  # type: ignore[index]
    with store.read() as conn:  # type: ignore[attr-defined]
        stats = q.statistics_on(conn, day)[SID]
    returns = nav[1:101] / nav[:100] - 1
    assert stats["psr_vs_zero"] == pytest.approx(float(psr_from_returns(returns)), rel=1e-9)
    bt = replay["bt"]
    assert isinstance(bt, np.ndarray)
    bt_sr = bt.mean() / bt.std(ddof=1)
    assert stats["psr_vs_backtest"] == pytest.approx(
        float(psr_from_returns(returns, bt_sr)), rel=1e-9
    )
    assert 0.0 <= stats["psr_vs_backtest"] <= stats["psr_vs_zero"] <= 1.0


def test_same_date_comparison_is_stored_when_backtest_covers_live(
    replay: dict[str, object],
) -> None:
    store, days = replay["store"], replay["days"]
    with store.read() as conn:  # type: ignore[attr-defined]
        stats = q.statistics_on(conn, days[-1])[SID]  # type: ignore[index]
    same = stats["same_dates"]
    assert same["n_days"] == 30  # live returns 2019-11-18 .. 2019-12-31 inside the backtest
    assert same["end"] == "2019-12-31"
    assert same["tracking_error"] > 0


def test_decay_alarm_matches_batch_first_alarm(replay: dict[str, object]) -> None:
    store, days, nav, bt = replay["store"], replay["days"], replay["nav"], replay["bt"]
    assert isinstance(nav, np.ndarray) and isinstance(bt, np.ndarray)
    returns = nav[1:] / nav[:-1] - 1
    expected = int(first_alarm(returns, bt))
    assert expected >= 40  # the decay starts at live return 40: no alarm before it
    with store.read() as conn:  # type: ignore[attr-defined]
        alerts = [a for a in q.alerts(conn, strategy_id=SID) if a["rule"] == "decay"]
        events = q.alert_events(conn, alerts[0]["id"])
    # The first decay evaluation that holds is the pending transition on the alarm's day.
    first_true = next(e for e in events if e["to_state"] == "pending")
    assert first_true["at"] == days[expected + 1]  # type: ignore[index]


def test_cone_breach_events_match_stored_cone(replay: dict[str, object]) -> None:
    store = replay["store"]
    with store.read() as conn:  # type: ignore[attr-defined]
        breaches = q.cone_breaches(conn, SID)
        history = dict(q.cone_history(conn, SID, dt.date(2100, 1, 1)))
    assert breaches, "a 25 % loss after a Sharpe-1.3 backtest must leave the cone"
    for b in breaches:
        cone = history[b["as_of"]]
        bound = cone["bands"][b["band"]] if b["band"].startswith("p") else None
        if bound is not None:
            assert b["bound"] == pytest.approx(bound)
            if b["side"] == "below":
                assert cone["cumulative_return"] < bound
