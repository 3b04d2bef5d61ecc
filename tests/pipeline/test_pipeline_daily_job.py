"""The daily job end to end on a real slice: S&P 500 / NASDAQ / WTI prices shipped with
``arch``, demo strategies backtested 1999-2012 and replayed live session by session."""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import empyrical
import numpy as np
import pandas as pd
import pytest
import yaml
from sqlalchemy import func, select

from stratmon.config import Workspace, create_workspace
from stratmon.demo.files import write_backtest_files, write_day_files
from stratmon.demo.market import load_market
from stratmon.demo.run import expected_trade_metrics
from stratmon.demo.simulate import backtest, live
from stratmon.demo.strategies import demo_strategies
from stratmon.ingest import parse_expectations
from stratmon.intake import ingest_paths
from stratmon.metrics import returns_from_nav, summarize
from stratmon.pipeline import DailyJob, RunResult
from stratmon.store import Store, open_store
from stratmon.store import queries as q
from stratmon.store import repositories as repo
from stratmon.store.models import AlertEventRow, HealthScoreRow

CHOSEN = ("spx_trend", "wti_trend", "spx_nasdaq_relative")
N_SESSIONS = 80
MIN_OBS = 30  # DESIGN.md: Sharpe is judged from 30 live returns


@dataclass
class Replay:
    ws: Workspace
    store: Store
    names: dict[str, str]
    days: list[dt.date]
    results: list[RunResult]
    before_rerun: dict[str, Any]
    events_before_rerun: int
    final: RunResult
    seconds: float


def _event_count(store: Store) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(AlertEventRow)).scalar() or 0)


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replay]:
    t0 = time.perf_counter()
    root = tmp_path_factory.mktemp("replay")
    market = load_market()
    chosen = [s for s in demo_strategies() if s.strategy_id in CHOSEN]
    backtests = {s.strategy_id: backtest(s, market) for s in chosen}
    lives = {s.strategy_id: live(s, market) for s in chosen}
    ws = create_workspace(root / "ws")
    store = open_store(ws.database_url)
    with store.transaction() as conn:
        repo.upsert_strategies(conn, [s.spec for s in chosen])
    files = write_backtest_files(root / "bt", backtests)
    (out,) = ingest_paths(ws, store, [files[0]], today=dt.date(2013, 1, 2))
    assert out.outcome == "accepted", out.error
    exp_path = root / "bt" / "expected.yaml"
    exp_path.write_text(
        yaml.safe_dump({sid: expected_trade_metrics(r) for sid, r in backtests.items()}),
        encoding="utf-8",
    )
    with store.transaction() as conn:
        repo.insert_expectations(conn, parse_expectations(exp_path))

    days = list(next(iter(lives.values())).dates[:N_SESSIONS])
    job = DailyJob(ws, store)
    results = []
    for day in days:
        write_day_files(ws.inbox, day, lives)
        res = job.run(day, write_report=False, today=day)
        assert [o.outcome for o in res.ingested if o.outcome != "accepted"] == []
        results.append(res)
    with store.read() as conn:
        before = q.results_on(conn, days[-1])
    n_events = _event_count(store)
    final = job.run(days[-1], today=days[-1])
    yield Replay(
        ws=ws,
        store=store,
        names={s.strategy_id: s.spec.name for s in chosen},
        days=days,
        results=results,
        before_rerun=before,
        events_before_rerun=n_events,
        final=final,
        seconds=time.perf_counter() - t0,
    )
    store.dispose()


def _same(stored: Any, expected: Any, rel: float = 1e-12) -> bool:
    """Stored JSON value (None for NaN) equals a computed float."""
    e = float(expected)
    if stored is None:
        return not math.isfinite(e)
    return math.isclose(float(stored), e, rel_tol=rel, abs_tol=1e-13)


def _stored_returns(store: Store, sid: str, until: dt.date) -> tuple[np.ndarray, pd.DatetimeIndex]:
    with store.read() as conn:
        ds = q.daily_series(conn, [sid], until=until)[sid]
    r = returns_from_nav(ds.nav, ds.cash_flow)[1:]
    return r, pd.DatetimeIndex(pd.to_datetime(ds.dates[1:]))


def _check_window(stored: dict[str, Any], r: np.ndarray, idx: pd.DatetimeIndex) -> int:
    expected = summarize(r, index=idx, periods_per_year=252).iloc[0]
    checked = 0
    for key, value in expected.items():
        if key == "n_obs":
            continue
        assert key in stored, key
        assert _same(stored[key], value), (key, stored[key], value)
        checked += 1
    assert stored["n_obs"] == len(r)
    return checked


def test_replay_stored_every_session(replay: Replay) -> None:
    with replay.store.read() as conn:
        ds = q.daily_series(conn, list(replay.names))
        counts = q.table_counts(conn)
    for sid in replay.names:
        assert ds[sid].dates == replay.days
    assert counts["daily_records"] == len(replay.names) * len(replay.days)
    assert counts["executions"] > 0
    assert replay.final.report is not None


def test_snapshot_all_window_equals_summarize_and_empyrical(replay: Replay) -> None:
    last = replay.days[-1]
    with replay.store.read() as conn:
        res = q.results_on(conn, last)
    for sid in replay.names:
        r, idx = _stored_returns(replay.store, sid, last)
        assert len(r) == N_SESSIONS - 1
        stored = res[sid]["metrics"]["all"]
        assert _check_window(stored, r, idx) > 20
        assert stored["sharpe_ratio"] == pytest.approx(
            empyrical.sharpe_ratio(r, period=empyrical.DAILY), rel=1e-9, abs=1e-9
        )
        assert stored["max_drawdown"] == pytest.approx(
            empyrical.max_drawdown(r), rel=1e-9, abs=1e-9
        )
        # and an earlier day: only the data up to that day counts
        mid = replay.days[45]
        with replay.store.read() as conn:
            stored_mid = q.results_on(conn, mid)[sid]["metrics"]["all"]
        r_mid, idx_mid = _stored_returns(replay.store, sid, mid)
        assert len(r_mid) == 45
        _check_window(stored_mid, r_mid, idx_mid)


@pytest.mark.parametrize("window", [30, 90])
def test_snapshot_trailing_windows_equal_summarize(replay: Replay, window: int) -> None:
    last = replay.days[-1]
    with replay.store.read() as conn:
        res = q.results_on(conn, last)
    for sid in replay.names:
        r, idx = _stored_returns(replay.store, sid, last)
        _check_window(res[sid]["metrics"][str(window)], r[-window:], idx[-window:])


def test_one_health_score_per_strategy_per_day(replay: Replay) -> None:
    with replay.store.read() as conn:
        rows = conn.execute(
            select(
                HealthScoreRow.strategy_id,
                HealthScoreRow.as_of,
                HealthScoreRow.score,
                HealthScoreRow.components,
            )
        ).all()
    assert sorted((r[0], r[1]) for r in rows) == sorted(
        (sid, d) for sid in replay.names for d in replay.days
    )
    for _, _, score, components in rows:
        assert 0.0 <= score <= 100.0
        assert components
        for v in components.values():
            assert v is not None and 0.0 <= v <= 100.0


def test_sharpe_comparison_insufficient_until_30_returns(replay: Replay) -> None:
    with replay.store.read() as conn:
        for i, day in enumerate(replay.days):
            res = q.results_on(conn, day)
            for sid in replay.names:
                (cmp,) = [c for c in res[sid]["comparison"] if c["metric"] == "sharpe_ratio"]
                n_returns = res[sid]["metrics"]["all"]["n_obs"] if i else 0
                assert n_returns == i
                if i < MIN_OBS:
                    assert cmp["status"] == "insufficient_data", (sid, day)
                else:
                    assert cmp["status"] in {
                        "on_track",
                        "outperforming",
                        "underperforming",
                        "alert",
                    }, (sid, day, cmp)
                    assert cmp["backtest"] is not None and cmp["live"] is not None


def test_rerun_same_date_is_identical_and_adds_no_event(replay: Replay) -> None:
    with replay.store.read() as conn:
        after = q.results_on(conn, replay.days[-1])
    assert after == replay.before_rerun
    assert _event_count(replay.store) == replay.events_before_rerun
    assert replay.final.events == []


def test_report_is_self_contained_and_names_every_strategy(replay: Replay) -> None:
    path = replay.final.report
    assert path is not None and path.exists()
    assert path.parent == replay.ws.reports_dir
    html = path.read_text(encoding="utf-8")
    for name in replay.names.values():
        assert name in html or name.replace("&", "&amp;") in html
    assert not re.search(r"<script[^>]+src=[\"']?https?:", html, re.IGNORECASE)
    assert not re.search(r"<link[^>]+href=[\"']?https?:", html, re.IGNORECASE)
