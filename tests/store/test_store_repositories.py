"""The store: migrations, connection settings, and a round trip of every record type."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import inspect, text

from stratmon.domain import (
    BacktestExpectation,
    BacktestReturn,
    DailyRecord,
    Execution,
    Finding,
    Position,
    RoundTrip,
    Strategy,
)
from stratmon.ingest import InMemoryView
from stratmon.store import Store, open_store
from stratmon.store import queries as q
from stratmon.store import repositories as repo
from stratmon.store.db import is_current
from stratmon.store.models import Base
from stratmon.store.view import SqlStoredView

D1, D2, D3 = dt.date(2024, 1, 2), dt.date(2024, 1, 3), dt.date(2024, 1, 4)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    yield s
    s.dispose()


def _strategies() -> list[Strategy]:
    return [
        Strategy("EQ1", "Equity one", sector="US", allocated_capital=1e6, allocation_date=D1),
        Strategy("BTC", "Bitcoin", calendar="24/7", periods_per_year=365, benchmark="BTCUSD"),
    ]


def test_migrations_create_every_table(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    assert not path.exists()
    store = open_store(f"sqlite:///{path}")
    tables = set(inspect(store.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert tables - set(Base.metadata.tables) == {"alembic_version"}
    for name, table in Base.metadata.tables.items():
        cols = {c["name"] for c in inspect(store.engine).get_columns(name)}
        assert cols == {c.name for c in table.columns}, name
    assert is_current(store.engine)
    store.dispose()


def test_unmigrated_database_is_not_current(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'raw.db'}", migrate=False)
    assert not is_current(store.engine)
    assert inspect(store.engine).get_table_names() == []
    store.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(store: Store) -> None:
    with store.read() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_open_store_twice_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    first = open_store(url)
    with first.transaction() as conn:
        repo.upsert_strategies(conn, _strategies())
    first.dispose()
    second = open_store(url)
    assert is_current(second.engine)
    with second.read() as conn:
        assert [s.strategy_id for s in q.strategies(conn)] == ["BTC", "EQ1"]
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    second.dispose()


def test_strategies_upsert(store: Store) -> None:
    with store.transaction() as conn:
        assert repo.upsert_strategies(conn, _strategies()) == 2
    with store.read() as conn:
        assert q.strategies(conn) == sorted(_strategies(), key=lambda s: s.strategy_id)
    changed = Strategy("EQ1", "Equity one (v2)", pool="core", active=False)
    with store.transaction() as conn:
        repo.upsert_strategies(conn, [changed])
    with store.read() as conn:
        got = {s.strategy_id: s for s in q.strategies(conn)}
        assert got["EQ1"] == changed
        assert [s.strategy_id for s in q.strategies(conn, active_only=True)] == ["BTC"]


def _file(conn: object, name: str = "f.csv") -> int:
    return repo.record_file(
        conn,  # type: ignore[arg-type]
        name=name,
        path=f"/x/{name}",
        sha256=name.ljust(64, "0"),
        kind="daily",
        outcome="accepted",
    )


def test_daily_executions_round_trips_positions_round_trip(store: Store) -> None:
    daily = [
        DailyRecord("EQ1", D1, 1_000_000.0, daily_pnl=None, cash_flow=0.0, extras={"x": 1}),
        DailyRecord(
            "EQ1",
            D2,
            1_010_000.0,
            daily_pnl=10_000.0,
            realized_pnl=2_000.0,
            unrealized_pnl=8_000.0,
            cash_flow=5_000.0,
            num_positions=3,
            gross_exposure_usd=9e5,
            net_exposure_usd=4e5,
            num_trades=2,
            trade_volume_usd=1e5,
            cash_balance=1e5,
            margin_used=0.0,
        ),
    ]
    ex = [
        Execution("e1", "EQ1", dt.datetime(2024, 1, 2, 15), "AAPL", "BUY", 10, 100.0, 1.0, 0.5),
        Execution("e2", "EQ1", dt.datetime(2024, 1, 3, 15), "AAPL", "SELL", 10, 110.0),
    ]
    trip = RoundTrip(
        "t1", "EQ1", "AAPL", "LONG", ex[0].timestamp, ex[1].timestamp, 100.0, 110.0, 10, 98.5, 1.5
    )
    pos = [
        Position(D2, "EQ1", "MSFT", 5, 2000.0, 50.0, "tech", "equity"),
        Position(D1, "EQ1", "MSFT", 4, 1500.0),
    ]
    with store.transaction() as conn:
        repo.upsert_strategies(conn, _strategies())
        fid = _file(conn)
        repo.insert_daily(conn, daily, fid)
        repo.insert_executions(conn, ex, fid)
        repo.insert_round_trips(conn, [trip], fid, "executions")
        repo.insert_positions(conn, pos, fid)
    with store.read() as conn:
        view = SqlStoredView(conn)
        assert view.daily_records([("EQ1", D1), ("EQ1", D2), ("EQ1", D3)]) == {
            ("EQ1", D1): daily[0],
            ("EQ1", D2): daily[1],
        }
        assert q.executions(conn, "EQ1") == ex
        assert q.round_trips(conn, "EQ1") == [trip]
        assert q.round_trips(conn, "EQ1", until=dt.datetime(2024, 1, 3)) == []
        assert q.positions_on(conn, "EQ1", D3) == [
            {
                "date": D2,
                "symbol": "MSFT",
                "quantity": 5,
                "market_value": 2000.0,
                "unrealized_pnl": 50.0,
            }
        ]
        series = q.daily_series(conn, ["EQ1", "BTC"])
        assert series["EQ1"].dates == [D1, D2]
        assert series["EQ1"].nav.tolist() == [1_000_000.0, 1_010_000.0]
        assert series["EQ1"].cash_flow.tolist() == [0.0, 5_000.0]
        assert math.isnan(series["EQ1"].daily_pnl[0])
        assert series["BTC"].dates == []
        assert q.table_counts(conn)["daily_records"] == 2
    # replacements overwrite by key and leave the rest
    new_day2 = DailyRecord("EQ1", D2, 1_020_000.0, cash_flow=0.0)
    new_ex = Execution("e2", "EQ1", dt.datetime(2024, 1, 3, 16), "AAPL", "SELL", 10, 111.0)
    with store.transaction() as conn:
        fid2 = _file(conn, "g.csv")
        repo.replace_daily(conn, [new_day2], fid2)
        repo.replace_executions(conn, [new_ex], fid2)
        repo.replace_positions(conn, [Position(D2, "EQ1", "MSFT", 6, 2400.0)], fid2)
    with store.read() as conn:
        assert SqlStoredView(conn).daily_records([("EQ1", D2)]) == {("EQ1", D2): new_day2}
        assert q.executions(conn, "EQ1") == [ex[0], new_ex]
        assert q.positions_on(conn, "EQ1", D2)[0]["quantity"] == 6
        assert q.table_counts(conn)["daily_records"] == 2
        assert q.table_counts(conn)["executions"] == 2


def test_backtest_returns_expectations_findings(store: Store) -> None:
    with store.transaction() as conn:
        repo.upsert_strategies(conn, _strategies())
        fid = _file(conn, "bt.csv")
        repo.insert_backtest_returns(
            conn, [BacktestReturn("EQ1", D2, 0.01), BacktestReturn("EQ1", D1, -0.02)], fid
        )
        repo.insert_backtest_returns(conn, [BacktestReturn("EQ1", D1, 0.5)], fid, version=2)
        repo.insert_expectations(
            conn,
            [BacktestExpectation("EQ1", {"sharpe_ratio": 1.2, "win_rate": math.nan}, 7, "yaml")],
        )
        repo.insert_findings(
            conn,
            [Finding("missing_data", "EQ1", D2, "f.csv", 3, "date", D2, "Day missing")],
            fid,
        )
    with store.read() as conn:
        assert q.backtest_version(conn, "EQ1") == 2
        dates, rets = q.backtest_returns(conn, "EQ1", version=1)
        assert dates == [D1, D2] and rets.tolist() == [-0.02, 0.01]
        assert q.backtest_returns(conn, "EQ1")[1].tolist() == [0.5]
        assert q.backtest_returns(conn, "BTC")[0] == []
        exp = q.backtest_expectation(conn, "EQ1")
        assert exp == {
            "metrics": {"sharpe_ratio": 1.2, "win_rate": None},
            "n_trials": 7,
            "source": "yaml",
        }
        assert q.backtest_expectation(conn, "BTC") is None
        (f,) = q.findings(conn, strategy_id="EQ1")
        assert (f["kind"], f["date"], f["row"], f["column"], f["value"]) == (
            "missing_data",
            D2,
            3,
            "date",
            str(D2),
        )
        assert f["message"] == "Day missing"


def test_results_json_stores_nan_as_null(store: Store) -> None:
    with store.transaction() as conn:
        repo.upsert_strategies(conn, _strategies())
        eid = repo.start_evaluation(conn, D2)
        repo.save_snapshots(
            conn,
            [
                {
                    "strategy_id": "EQ1",
                    "as_of": D2,
                    "window": "all",
                    "evaluation_id": eid,
                    "n_obs": 1,
                    "metrics": {
                        "sharpe_ratio": math.nan,
                        "total_return": 0.01,
                        "sortino_ratio": math.inf,
                    },
                }
            ],
        )
        repo.save_comparisons(
            conn,
            [
                {
                    "strategy_id": "EQ1",
                    "as_of": D2,
                    "evaluation_id": eid,
                    "status": "insufficient_data",
                    "backtest_version": 1,
                    "details": [{"metric": "sharpe_ratio", "live": math.nan, "backtest": 1.0}],
                }
            ],
        )
        repo.save_health(
            conn,
            [
                {
                    "strategy_id": "EQ1",
                    "as_of": D2,
                    "evaluation_id": eid,
                    "score": 55.0,
                    "trend": "stable",
                    "components": {"sharpe": math.nan, "drawdown": 80.0},
                    "reasons": {"sharpe": "too few days"},
                }
            ],
        )
        repo.finish_evaluation(conn, eid, 1)
    with store.read() as conn:
        raw = [
            conn.execute(text(f"SELECT {col} FROM {table}")).scalar_one()
            for table, col in (
                ("metric_snapshots", "metrics"),
                ("comparisons", "details"),
                ("health_scores", "components"),
            )
        ]
        for doc in raw:
            assert "NaN" not in doc and "Infinity" not in doc
            json.loads(doc)  # strict JSON
        res = q.results_on(conn, D2)["EQ1"]
        assert res["metrics"]["all"] == {
            "sharpe_ratio": None,
            "total_return": 0.01,
            "sortino_ratio": None,
            "n_obs": 1,
        }
        assert res["status"] == "insufficient_data"
        assert res["comparison"] == [{"metric": "sharpe_ratio", "live": None, "backtest": 1.0}]
        assert res["health"] == {
            "score": 55.0,
            "trend": "stable",
            "components": {"sharpe": None, "drawdown": 80.0},
            "reasons": {"sharpe": "too few days"},
        }
        assert q.latest_evaluation_date(conn) == D2
        assert q.health_history(conn, "EQ1")[0]["score"] == 55.0
        # clear_results removes a date's results so a re-run replaces them
    with store.transaction() as conn:
        repo.clear_results(conn, D2, ["EQ1"])
    with store.read() as conn:
        assert q.results_on(conn, D2) == {}


def test_alert_event_is_not_duplicated(store: Store) -> None:
    with store.transaction() as conn:
        repo.upsert_strategies(conn, _strategies())
        aid = repo.save_alert_state(
            conn,
            None,
            {
                "rule": "drawdown",
                "strategy_id": "EQ1",
                "tier": "warning",
                "state": "firing",
                "last_value": math.nan,
            },
            D2,
        )
        event = {
            "at": D2,
            "from_state": "pending",
            "to_state": "firing",
            "value": -0.1,
            "threshold": -0.05,
            "message": "m",
        }
        repo.save_alert_event(conn, aid, event)
        repo.save_alert_event(conn, aid, event)
    with store.read() as conn:
        assert [e["to_state"] for e in q.alert_events(conn, aid)] == ["firing"]
        (a,) = q.firing_alerts(conn, "EQ1")
        assert a["last_value"] is None and a["rule"] == "drawdown"


# --- SqlStoredView agrees with the ingest layer's InMemoryView ------------------------------


def _records() -> list[object]:
    days = [dt.date(2024, 1, d) for d in (2, 3, 4, 5, 8, 9, 10)]
    out: list[object] = []
    for k, d in enumerate(days):
        out.append(DailyRecord("EQ1", d, 100.0 + k, daily_pnl=1.0))
        if k % 2 == 0:
            out.append(DailyRecord("BTC", d, 50.0 - k, cash_flow=float(k)))
        out.append(BacktestReturn("EQ1", d, 0.001 * k))
        out.append(Position(d, "EQ1", "AAPL", k + 1, 10.0 * (k + 1)))
    out.append(Execution("x1", "EQ1", dt.datetime(2024, 1, 2, 15), "AAPL", "BUY", 1, 10.0))
    out.append(
        RoundTrip(
            "rt1",
            "EQ1",
            "AAPL",
            "LONG",
            dt.datetime(2024, 1, 2),
            dt.datetime(2024, 1, 3),
            10.0,
            11.0,
            1,
            1.0,
        )
    )
    return out


def test_sql_view_answers_like_in_memory_view(store: Store) -> None:
    recs = _records()
    mem = InMemoryView(recs)  # type: ignore[arg-type]
    with store.transaction() as conn:
        repo.upsert_strategies(conn, _strategies())
        fid = _file(conn)
        repo.insert_daily(conn, [r for r in recs if isinstance(r, DailyRecord)], fid)
        repo.insert_backtest_returns(conn, [r for r in recs if isinstance(r, BacktestReturn)], fid)
        repo.insert_positions(conn, [r for r in recs if isinstance(r, Position)], fid)
        repo.insert_executions(conn, [r for r in recs if isinstance(r, Execution)], fid)
        repo.insert_round_trips(conn, [r for r in recs if isinstance(r, RoundTrip)], fid, "file")
    keys = [
        ("EQ1", dt.date(2024, 1, 3)),
        ("BTC", dt.date(2024, 1, 3)),
        ("BTC", D3),
        ("EQ1", dt.date(2024, 1, 6)),
        ("ZZZ", D3),
    ]
    with store.read() as conn:
        sql = SqlStoredView(conn)
        assert sql.daily_records(keys) == mem.daily_records(keys)
        assert set(sql.daily_records(keys)) == {("EQ1", dt.date(2024, 1, 3)), ("BTC", D3)}
        assert sql.daily_records([]) == mem.daily_records([]) == {}
        for sid in ("EQ1", "BTC", "ZZZ"):
            for day in range(1, 13):
                before = dt.date(2024, 1, day)
                assert sql.last_daily_before(sid, before) == mem.last_daily_before(sid, before), (
                    sid,
                    before,
                )
        # a fresh view, asked in another order, answers the same
        fresh = SqlStoredView(conn)
        assert fresh.last_daily_before("BTC", dt.date(2024, 1, 9)) == DailyRecord(
            "BTC", dt.date(2024, 1, 8), 46.0, cash_flow=4.0
        )
        assert sql.executions(["x1", "nope"]) == mem.executions(["x1", "nope"])
        assert sql.round_trips(["rt1", "nope"]) == mem.round_trips(["rt1", "nope"])
        pkeys = [("EQ1", D3, "AAPL"), ("EQ1", D3, "MSFT"), ("BTC", D3, "AAPL")]
        assert sql.positions(pkeys) == mem.positions(pkeys)
        bkeys = [("EQ1", D1), ("EQ1", D3), ("EQ1", dt.date(2024, 1, 10)), ("BTC", D3)]
        assert sql.backtest_returns(bkeys) == mem.backtest_returns(bkeys)
        assert sql.backtest_returns(bkeys) == {
            ("EQ1", D1): 0.0,
            ("EQ1", D3): 0.002,
            ("EQ1", dt.date(2024, 1, 10)): 0.006,
        }


def test_daily_cost_fractions_from_store_or_given_nav(store: Store) -> None:
    navs = [1_000_000.0, 1_010_000.0, 1_005_000.0]
    daily = [DailyRecord("EQ1", d, v) for d, v in zip((D1, D2, D3), navs, strict=True)]
    ex = [
        Execution("c1", "EQ1", dt.datetime(2024, 1, 2, 15), "A", "BUY", 1, 1.0, 1.0, 0.5),
        Execution("c2", "EQ1", dt.datetime(2024, 1, 3, 10), "A", "SELL", 1, 1.0, 2.0, 1.0),
        Execution("c3", "EQ1", dt.datetime(2024, 1, 3, 11), "A", "BUY", 1, 1.0, 3.0),
        Execution("c4", "EQ1", dt.datetime(2024, 1, 4, 11), "A", "SELL", 1, 1.0, 10.0),
    ]
    with store.transaction() as conn:
        repo.upsert_strategies(conn, _strategies())
        fid = _file(conn)
        repo.insert_daily(conn, daily, fid)
        repo.insert_executions(conn, ex, fid)
    # a day's costs over the previous day's NAV; the first day over its own NAV
    expected = {"EQ1": {D1: 1.5 / 1_000_000, D2: 6.0 / 1_000_000}, "BTC": {}}
    with store.read() as conn:
        read = q.daily_cost_fractions(conn, ["EQ1", "BTC"], D2)
        given = q.daily_cost_fractions(
            conn,
            ["EQ1", "BTC"],
            D2,
            navs={"EQ1": ([D1, D2], np.array(navs[:2])), "BTC": ([], np.empty(0))},
        )
        whole = q.daily_cost_fractions(conn, ["EQ1"], D3)
    for got in (read, given):
        assert got.keys() == expected.keys()
        for sid, by_day in expected.items():
            assert got[sid] == pytest.approx(by_day)
    assert whole["EQ1"][D3] == pytest.approx(10.0 / 1_010_000)
