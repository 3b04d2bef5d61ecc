"""Interaction with stored rows: identical re-ingest is a no-op, conflicts, replacements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from ingest_checks import find_issue, rejected

from stratmon.domain.records import DailyRecord
from stratmon.ingest import IngestContext, InMemoryView, file_sha256, parse_file

Write = Callable[[str, str], Path]
DAILY = (
    "date,strategy_id,nav,daily_pnl,cash_flow\n"
    "2024-01-02,EQ1,100000,0,0\n"
    "2024-01-03,EQ1,101000,1000,0\n"
    "2024-01-03,EQ2,50000,0,0\n"
)


def test_identical_reingest_changes_nothing(
    write: Write, view: InMemoryView, ctx: IngestContext
) -> None:
    p = write("d.csv", DAILY)
    first = parse_file(p, ctx)
    assert (first.n_rows, first.n_identical, len(first.daily)) == (3, 0, 3)
    assert first.sha256 == file_sha256(p)
    view.add(first)
    assert len(view) == 3
    again = parse_file(p, ctx)
    assert (again.n_rows, again.n_identical) == (3, 3)
    assert again.new_records == [] and again.replacements == [] and again.findings == []
    view.add(again)
    assert len(view) == 3


def test_partly_new_file(write: Write, view: InMemoryView, ctx: IngestContext) -> None:
    view.add(parse_file(write("a.csv", DAILY), ctx))
    b = parse_file(write("b.csv", DAILY + "2024-01-04,EQ1,101500,500,0\n"), ctx)
    assert b.n_identical == 3
    assert [(r.strategy_id, r.date) for r in b.daily] == [("EQ1", dt.date(2024, 1, 4))]


def test_conflict_rejected(write: Write, view: InMemoryView, ctx: IngestContext) -> None:
    view.add(parse_file(write("a.csv", DAILY), ctx))
    p = write("b.csv", DAILY.replace("101000,1000", "101200,1200"))
    issue = find_issue(rejected(p, ctx), "conflict", 2, "nav", 101200.0)
    assert "stored 101000.0, file 101200.0" in issue.message
    assert "daily_pnl: stored 1000.0, file 1200.0" in issue.message
    assert "replace" in issue.message
    assert (
        view.daily_records([("EQ1", dt.date(2024, 1, 3))])[("EQ1", dt.date(2024, 1, 3))].nav
        == 101000
    )


def test_conflict_replaced_when_asked(
    write: Write, view: InMemoryView, make_ctx: Callable[..., IngestContext]
) -> None:
    view.add(parse_file(write("a.csv", DAILY), make_ctx()))
    p = write("b.csv", DAILY.replace("101000,1000", "101200,1200"))
    batch = parse_file(p, make_ctx(replace=True))
    assert batch.n_identical == 2 and batch.daily == []
    (new,) = batch.replacements
    assert isinstance(new, DailyRecord) and new.nav == 101200
    (f,) = batch.findings
    assert (f.kind, f.row, f.column, f.date) == ("replaced_row", 2, "nav", dt.date(2024, 1, 3))
    assert f.value == {
        "old": {"nav": 101000.0, "daily_pnl": 1000.0},
        "new": {"nav": 101200.0, "daily_pnl": 1200.0},
    }
    view.add(batch)
    assert (
        view.daily_records([("EQ1", dt.date(2024, 1, 3))])[("EQ1", dt.date(2024, 1, 3))].nav
        == 101200
    )
    assert len(view) == 3


def test_float_noise_from_a_database_is_identical(
    write: Write, view: InMemoryView, ctx: IngestContext
) -> None:
    view.add_records([DailyRecord("EQ1", dt.date(2024, 1, 2), 0.1 + 0.2)])
    assert (
        parse_file(write("d.csv", "date,strategy_id,nav\n2024-01-02,EQ1,0.3\n"), ctx).n_identical
        == 1
    )


EXECS = (
    "execution_id,strategy_id,timestamp,symbol,side,quantity,price,commission\n"
    "E1,EQ1,2024-01-02T15:00:00,AAPL,BUY,10,185.5,1\n"
    "E2,EQ1,2024-01-03T15:00:00,AAPL,SELL,10,187,1\n"
)


def test_executions_identical_and_conflict(
    write: Write, view: InMemoryView, make_ctx: Callable[..., IngestContext]
) -> None:
    view.add(parse_file(write("a.csv", EXECS), make_ctx()))
    assert parse_file(write("b.csv", EXECS), make_ctx()).n_identical == 2
    p = write("c.csv", EXECS.replace("SELL,10,187,1", "SELL,10,188,1"))
    find_issue(rejected(p, make_ctx()), "conflict", 2, "price", 188.0)
    batch = parse_file(p, make_ctx(replace=True))
    assert [r.execution_id for r in batch.replacements] == ["E2"]  # type: ignore[union-attr]


def test_backtest_conflict_names_the_return_column(
    write: Write, view: InMemoryView, ctx: IngestContext
) -> None:
    view.add(parse_file(write("a.csv", "date,strategy_id,return\n2024-01-02,EQ1,0.01\n"), ctx))
    p = write("b.csv", "date,strategy_id,return\n2024-01-02,EQ1,0.02\n")
    find_issue(rejected(p, ctx), "conflict", 1, "return", 0.02)


def test_positions_and_trades_identical(
    write: Write, view: InMemoryView, ctx: IngestContext
) -> None:
    pos = write(
        "pos.csv",
        "date,strategy_id,symbol,quantity,market_value,unrealized_pnl,sector\n"
        "2024-01-02,EQ1,AAPL,-10,-1855,5,Tech\n",
    )
    trades = write(
        "trades.csv",
        "trade_id,strategy_id,symbol,entry_time,exit_time,entry_price,exit_price,quantity,side,pnl,commission\n"
        "T1,EQ1,AAPL,2024-01-02T15:00,2024-01-03T15:00,100,101,10,SELL,-12,2\n",
    )
    view.add(parse_file(pos, ctx))
    view.add(parse_file(trades, ctx))
    assert parse_file(pos, ctx).n_identical == 1
    assert parse_file(trades, ctx).n_identical == 1
    (trip,) = view.round_trips(["T1"]).values()
    assert (trip.direction, trip.pnl, trip.commission) == ("SHORT", -12.0, 2.0)
