"""The daily job end to end on a real slice: S&P 500 / NASDAQ / WTI prices shipped with
``arch``, demo strategies backtested 1999-2012 and replayed live session by session."""

from __future__ import annotations

import datetime as dt
import itertools
import json
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
from stratmon.domain.assessment import ACT_ACTIONS, SEVERITY_RANK, Assessment
from stratmon.ingest import parse_expectations
from stratmon.intake import ingest_paths
from stratmon.metrics import returns_from_nav, summarize
from stratmon.pipeline import DailyJob, RunResult
from stratmon.store import Store, open_store
from stratmon.store import assessments as sa
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
    first = replay.days[0]
    for _, day, score, components in rows:
        assert set(components) == {"performance", "drawdown", "win_rate", "trade_frequency"}
        if day == first:  # no return yet: nothing is judged, and the score says so
            assert score is None
            continue
        assert score is not None and 0.0 <= score <= 100.0
        # a backtest with returns always judges performance and drawdown from day 2 on
        assert components["performance"] is not None and components["drawdown"] is not None
        for v in components.values():
            assert v is None or 0.0 <= v <= 100.0


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


def _history(replay: Replay, sid: str) -> list[Assessment]:
    with replay.store.read() as conn:
        return sa.assessment_history(conn, sid)


def test_one_assessment_per_strategy_per_day_and_health_agrees(replay: Replay) -> None:
    with replay.store.read() as conn:
        health = {
            (r[0], r[1]): r[2]
            for r in conn.execute(
                select(HealthScoreRow.strategy_id, HealthScoreRow.as_of, HealthScoreRow.score)
            )
        }
    for sid in replay.names:
        hist = _history(replay, sid)
        assert [a.as_of for a in hist] == replay.days
        for a in hist:
            assert health[(sid, a.as_of)] == a.health  # one score, stored once, read twice
            assert a.action == a.recommendation.action


def test_assessment_invariants_hold_on_every_stored_day(replay: Replay) -> None:
    for sid in replay.names:
        for a in _history(replay, sid):
            worst = max(
                (SEVERITY_RANK[f.severity] for f in a.firing_alerts if f.concern != "milestone"),
                default=-1,
            )
            if a.verdict == "on_track":
                assert worst < SEVERITY_RANK["critical"] and not a.decay_alarm, a
            assert (a.verdict == "act") == (a.action in ACT_ACTIONS), a
            if a.action == "increase":
                assert not any(
                    f.concern in ("performance", "drawdown", "risk") and f.severity != "info"
                    for f in a.firing_alerts
                ), a
            if a.status.status == "outperforming":
                assert not any(
                    f.concern == "performance" and f.severity != "info" for f in a.firing_alerts
                ), a
            assert 2 <= len(a.reasons) <= 3 or a.verdict == "on_track", a


def test_changes_report_verdict_moves_and_alerts(replay: Replay) -> None:
    for sid in replay.names:
        hist = _history(replay, sid)
        assert hist[0].changes[0].startswith("first assessment")
        for prev, today in itertools.pairwise(hist):
            moved = (prev.verdict, prev.action) != (today.verdict, today.action)
            line = f"verdict {prev.verdict} ({prev.action}) -> {today.verdict} ({today.action})"
            assert (line in today.changes) == moved, (today.as_of, today.changes)
            if prev.health is not None and today.health is not None:
                big = abs(today.health - prev.health) > 10
                assert any(c.startswith("health ") for c in today.changes) == big


def test_status_json_is_the_stored_record(replay: Replay) -> None:
    from typer.testing import CliRunner

    from stratmon.cli import app

    w = ("--workspace", str(replay.ws.root))
    out = CliRunner().invoke(app, ["status", "--json", *w])
    assert out.exit_code == 0, out.output
    items = json.loads(out.output)
    with replay.store.read() as conn:
        stored = {a.strategy_id: a.to_dict() for a in sa.latest_assessments(conn)}
    assert {i["strategy_id"] for i in items} == set(replay.names)
    for item in items:
        assert item == json.loads(json.dumps(stored[item["strategy_id"]], default=str))
        for key in (
            "strategy_id",
            "as_of",
            "verdict",
            "action",
            "health",
            "health_components",
            "status",
            "reasons",
            "recommendation",
            "decay_alarm",
            "firing_alerts",
            "changes",
        ):
            assert key in item
        assert set(item["recommendation"]) >= {"action", "current_capital", "suggested_capital"}
        assert all(set(f) >= {"rule", "severity"} for f in item["firing_alerts"])
        assert item["evidence"]["current_drawdown"] <= 0.0  # fractions, not percent
        assert item["evidence"]["current_drawdown"] > -1.0
    one = CliRunner().invoke(app, ["status", "spx_trend", "--json", *w])
    assert one.exit_code == 0
    assert json.loads(one.output)["strategy_id"] == "spx_trend"


def test_recommend_conserves_the_book(replay: Replay) -> None:
    from typer.testing import CliRunner

    from stratmon.cli import app

    out = CliRunner().invoke(app, ["recommend", "--json", "--workspace", str(replay.ws.root)])
    assert out.exit_code == 0, out.output
    book = json.loads(out.output)
    suggested = sum(r["suggested_capital"] for r in book["strategies"])
    assert suggested + book["unallocated_after"] == pytest.approx(book["total_current_capital"])
    for r in book["strategies"]:
        if r["action"] in ("reduce", "suspend", "retire_review"):
            assert r["suggested_capital"] <= r["current_capital"]
        if r["action"] == "increase":
            assert r["suggested_capital"] >= r["current_capital"]
