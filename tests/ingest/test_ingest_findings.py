"""Findings: the file loads, and outliers / NAV disconnects / missing sessions are reported."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from stratmon.domain.records import DailyRecord, Finding
from stratmon.ingest import IngestContext, InMemoryView, parse_file

Write = Callable[[str, str], Path]
HEAD = "date,strategy_id,nav,daily_pnl,cash_flow\n"


def kinds(findings: list[Finding]) -> list[tuple[str, int | None]]:
    return [(f.kind, f.row) for f in findings]


def test_consistent_file_has_no_findings(write: Write, ctx: IngestContext) -> None:
    p = write(
        "d.csv",
        HEAD
        + "2024-01-02,EQ1,100000,0,0\n"
        + "2024-01-03,EQ1,101000,1000,0\n"
        + "2024-01-04,EQ1,150500,-500,50000\n"  # a deposit of 50,000 explains the jump
        + "2024-01-05,EQ1,150000.005,-500,0\n",  # 0.005 off: inside the 0.01 absolute slack
    )
    batch = parse_file(p, ctx)
    assert batch.findings == []
    assert [r.nav for r in batch.daily] == [100000, 101000, 150500, 150000.005]


def test_outlier(write: Write, ctx: IngestContext) -> None:
    # the NAVs imply (160,000 - 100,000) / 100,000 = +60 % > 50 %: an outlier that
    # quarantines the day (the rows are stored, held out of the statistics)
    p = write("d.csv", HEAD + "2024-01-02,EQ1,100000,0,0\n2024-01-03,EQ1,160000,60000,0\n")
    batch = parse_file(p, ctx)
    assert kinds(batch.findings) == [("outlier", 2)]
    f = batch.findings[0]
    assert (f.strategy_id, f.date, f.column, f.value) == (
        "EQ1",
        dt.date(2024, 1, 3),
        "nav",
        160000,
    )
    assert "+60.0%" in f.message and "--confirm d.csv" in f.message
    assert batch.quarantined == {("EQ1", dt.date(2024, 1, 3)): "outlier"}
    assert batch.quarantine_findings == [f]
    assert len(batch.daily) == 2


def test_outlier_threshold_is_configurable(
    write: Write, make_ctx: Callable[..., IngestContext]
) -> None:
    p = write("d.csv", HEAD + "2024-01-02,EQ1,100000,0,0\n2024-01-03,EQ1,120000,20000,0\n")
    assert parse_file(p, make_ctx()).findings == []
    assert kinds(parse_file(p, make_ctx(outlier_pnl_fraction=0.1)).findings) == [("outlier", 2)]


@pytest.mark.parametrize(
    ("nav", "flagged"), [(101010.005, False), (101010.02, True), (100989.98, True)]
)
def test_nav_disconnect_tolerance(
    write: Write, ctx: IngestContext, nav: float, flagged: bool
) -> None:
    # expected 100000 + 1000 + 0 = 101000; slack = 1e-4 * 100000 + 0.01 = 10.01
    p = write("d.csv", HEAD + f"2024-01-02,EQ1,100000,0,0\n2024-01-03,EQ1,{nav},1000,0\n")
    batch = parse_file(p, ctx)
    assert kinds(batch.findings) == ([("nav_disconnect", 2)] if flagged else [])
    if flagged:
        assert "101,000.00" in batch.findings[0].message


def test_nav_disconnect_against_stored_previous_day(
    write: Write, view: InMemoryView, ctx: IngestContext
) -> None:
    view.add_records([DailyRecord("EQ1", dt.date(2024, 1, 2), 100000.0)])
    p = write("d.csv", HEAD + "2024-01-03,EQ1,100500,1000,0\n")
    batch = parse_file(p, ctx)
    assert kinds(batch.findings) == [("nav_disconnect", 1)]


def test_missing_sessions_within_file(write: Write, ctx: IngestContext) -> None:
    # 2024-01-12 (Fri) -> 2024-01-19 (Fri): missing 16, 17, 18 (15th is a holiday)
    p = write("d.csv", HEAD + "2024-01-12,EQ1,100,0,0\n2024-01-19,EQ1,100,0,0\n")
    batch = parse_file(p, ctx)
    assert kinds(batch.findings) == [("missing_data", 2)]
    f = batch.findings[0]
    assert f.value == {"count": 3, "first": ["2024-01-16", "2024-01-17", "2024-01-18"]}
    assert "3 XNYS session(s)" in f.message and "2024-01-16" in f.message


def test_missing_sessions_against_store_and_many(
    write: Write, view: InMemoryView, ctx: IngestContext
) -> None:
    view.add_records([DailyRecord("BTC1", dt.date(2024, 1, 1), 100.0)])
    p = write("d.csv", HEAD + "2024-01-11,BTC1,100,0,0\n")
    batch = parse_file(p, ctx)
    (f,) = batch.findings
    assert f.kind == "missing_data"
    assert f.value == {
        "count": 9,
        "first": ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-06"],
    }
    assert "and 4 more" in f.message


def test_weekend_is_not_a_gap_on_xnys(write: Write, ctx: IngestContext) -> None:
    p = write("d.csv", HEAD + "2024-01-05,EQ1,100,0,0\n2024-01-08,EQ1,100,0,0\n")
    assert parse_file(p, ctx).findings == []


def test_rows_out_of_order_are_checked_in_date_order(write: Write, ctx: IngestContext) -> None:
    p = write(
        "d.csv",
        HEAD + "2024-01-04,EQ1,102,1,0\n2024-01-02,EQ1,100,0,0\n2024-01-03,EQ1,101,1,0\n",
    )
    assert parse_file(p, ctx).findings == []


def test_unknown_columns_kept_as_extras(write: Write, ctx: IngestContext) -> None:
    p = write(
        "d.csv",
        "date,strategy_id,nav,Desk,leverage\n2024-01-02,EQ1,100,NY,1.5\n2024-01-03,EQ1,100,,2\n",
    )
    batch = parse_file(p, ctx)
    assert [r.extras for r in batch.daily] == [
        {"desk": "NY", "leverage": 1.5},
        {"desk": None, "leverage": 2},
    ]
    assert [(f.kind, f.column) for f in batch.findings] == [
        ("unknown_column", "desk"),
        ("unknown_column", "leverage"),
    ]


def test_unknown_column_in_executions_reported(write: Write, ctx: IngestContext) -> None:
    p = write(
        "fills.csv",
        "execution_id,strategy_id,timestamp,symbol,side,quantity,price,venue\n"
        "E1,EQ1,2024-01-02T15:00:00Z,AAPL,buy,10,185.5,XNAS\n",
    )
    batch = parse_file(p, ctx)
    assert [(f.kind, f.column) for f in batch.findings] == [("unknown_column", "venue")]
    assert batch.executions[0].side == "BUY"
