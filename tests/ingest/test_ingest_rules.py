"""Every validation rule: a small bad file is rejected whole, naming file/row/column/value/rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from ingest_checks import find_issue, rejected

from stratmon.errors import FileRejectedError
from stratmon.ingest import IngestContext, parse_file

Write = Callable[[str, str], Path]

DAILY_HEAD = "date,strategy_id,nav,daily_pnl,cash_flow\n"


def test_required_column_missing(write: Write, ctx: IngestContext) -> None:
    p = write(
        "performance_data_EQ1_2024-01-03.csv", "date,strategy_id,daily_pnl\n2024-01-02,EQ1,5\n"
    )
    err = rejected(p, ctx)
    find_issue(err, "required_column", None, "nav", None)


def test_required_columns_of_executions_all_listed(write: Write, ctx: IngestContext) -> None:
    p = write("fills.csv", "execution_id,strategy_id,symbol,side\nE1,EQ1,AAPL,BUY\n")
    err = rejected(p, ctx)
    missing = sorted(i.column or "" for i in err.issues if i.rule == "required_column")
    assert missing == ["price", "quantity", "timestamp"]


@pytest.mark.parametrize(
    ("cell", "column", "line"),
    [
        ("abc", "nav", "2024-01-03,EQ1,abc,0,0"),
        ("1,000.5", "nav", '2024-01-03,EQ1,"1,000.5",0,0'),
        ("inf", "nav", "2024-01-03,EQ1,inf,0,0"),
        ("01/03/2024", "date", "01/03/2024,EQ1,100,0,0"),
        ("2024-02-30", "date", "2024-02-30,EQ1,100,0,0"),
        ("20240103", "date", "20240103,EQ1,100,0,0"),
        ("x", "daily_pnl", "2024-01-03,EQ1,100,x,0"),
    ],
)
def test_type(write: Write, ctx: IngestContext, cell: str, column: str, line: str) -> None:
    p = write("d.csv", DAILY_HEAD + "2024-01-02,EQ1,100,0,0\n" + line + "\n")
    err = rejected(p, ctx)
    find_issue(err, "type", 2, column, cell)


def test_int_column_rejects_fraction(write: Write, ctx: IngestContext) -> None:
    p = write(
        "d.csv", "date,strategy_id,nav,num_trades\n2024-01-02,EQ1,100,3.0\n2024-01-03,EQ1,100,2.5\n"
    )
    err = rejected(p, ctx)
    find_issue(err, "type", 2, "num_trades", "2.5")
    assert len(err.issues) == 1  # 3.0 is a whole number


def test_missing_value(write: Write, ctx: IngestContext) -> None:
    p = write("d.csv", DAILY_HEAD + "2024-01-02,EQ1,100,0,0\n2024-01-03,,100,0,0\n")
    err = rejected(p, ctx)
    find_issue(err, "missing_value", 2, "strategy_id", "")


def test_nav_positive(write: Write, ctx: IngestContext) -> None:
    p = write("d.csv", DAILY_HEAD + "2024-01-02,EQ1,0,0,0\n2024-01-03,EQ1,-5,0,0\n")
    err = rejected(p, ctx)
    find_issue(err, "nav_positive", 1, "nav", 0.0)
    find_issue(err, "nav_positive", 2, "nav", -5.0)


EXEC_HEAD = "execution_id,strategy_id,timestamp,symbol,side,quantity,price\n"


def test_execution_quantity_price_side(write: Write, ctx: IngestContext) -> None:
    p = write(
        "fills.csv",
        EXEC_HEAD
        + "E1,EQ1,2024-01-02T15:00:00,AAPL,BUY,0,100\n"
        + "E2,EQ1,2024-01-02T15:01:00,AAPL,SELL,10,-1\n"
        + "E3,EQ1,2024-01-02T15:02:00,AAPL,HOLD,10,100\n",
    )
    err = rejected(p, ctx)
    find_issue(err, "quantity_positive", 1, "quantity", 0.0)
    find_issue(err, "price_positive", 2, "price", -1.0)
    find_issue(err, "side", 3, "side", "HOLD")
    assert len(err.issues) == 3


def test_trading_session_weekend_and_holiday(write: Write, ctx: IngestContext) -> None:
    # 2024-01-06 is a Saturday, 2024-01-15 Martin Luther King Jr. Day (NYSE closed)
    p = write(
        "d.csv",
        DAILY_HEAD + "2024-01-05,EQ1,100,0,0\n2024-01-06,EQ1,100,0,0\n2024-01-15,EQ1,100,0,0\n",
    )
    err = rejected(p, ctx)
    find_issue(err, "trading_session", 2, "date", "2024-01-06")
    find_issue(err, "trading_session", 3, "date", "2024-01-15")
    assert len(err.issues) == 2


def test_trading_session_24_7_accepts_weekend(write: Write, ctx: IngestContext) -> None:
    p = write("d.csv", DAILY_HEAD + "2024-01-06,BTC1,100,0,0\n2024-01-07,BTC1,100,0,0\n")
    assert len(parse_file(p, ctx).daily) == 2


def test_trading_session_before_calendar_range(write: Write, ctx: IngestContext) -> None:
    p = write("d.csv", DAILY_HEAD + "1965-01-04,EQ1,100,0,0\n")
    issue = find_issue(rejected(p, ctx), "trading_session", 1, "date", "1965-01-04")
    assert "outside the range" in issue.message


def test_duplicate_daily_row(write: Write, ctx: IngestContext) -> None:
    p = write(
        "d.csv",
        DAILY_HEAD + "2024-01-02,EQ1,100,0,0\n2024-01-02,EQ2,100,0,0\n2024-01-02,EQ1,101,1,0\n",
    )
    issue = find_issue(rejected(p, ctx), "duplicate_row", 3, "date", "EQ1, 2024-01-02")
    assert "row 1" in issue.message


def test_duplicate_execution_id(write: Write, ctx: IngestContext) -> None:
    p = write(
        "fills.csv",
        EXEC_HEAD
        + "E1,EQ1,2024-01-02T15:00:00,AAPL,BUY,1,100\nE1,EQ1,2024-01-02T15:05:00,AAPL,SELL,1,101\n",
    )
    find_issue(rejected(p, ctx), "duplicate_row", 2, "execution_id", "E1")


def test_duplicate_position(write: Write, ctx: IngestContext) -> None:
    p = write(
        "pos.csv",
        "date,strategy_id,symbol,quantity,market_value,unrealized_pnl\n"
        "2024-01-02,EQ1,AAPL,10,1850,5\n2024-01-02,EQ1,MSFT,5,1850,5\n2024-01-02,EQ1,AAPL,10,1850,5\n",
    )
    find_issue(rejected(p, ctx), "duplicate_row", 3, "symbol", "EQ1, 2024-01-02, AAPL")


def test_future_date(write: Write, ctx: IngestContext) -> None:
    # ctx.today is 2024-03-01 (a Friday); 2024-03-04 is a Monday session but in the future
    p = write("d.csv", DAILY_HEAD + "2024-03-01,EQ1,100,0,0\n2024-03-04,EQ1,100,0,0\n")
    find_issue(rejected(p, ctx), "future_date", 2, "date", "2024-03-04")


def test_future_execution_timestamp(write: Write, ctx: IngestContext) -> None:
    p = write("fills.csv", EXEC_HEAD + "E1,EQ1,2024-03-02T01:00:00,AAPL,BUY,1,100\n")
    find_issue(rejected(p, ctx), "future_date", 1, "timestamp", "2024-03-02T01:00:00")


def test_unknown_strategy(write: Write, ctx: IngestContext) -> None:
    p = write("d.csv", DAILY_HEAD + "2024-01-02,NOPE,100,0,0\n")
    find_issue(rejected(p, ctx), "unknown_strategy", 1, "strategy_id", "NOPE")


def test_trades_rules(write: Write, ctx: IngestContext) -> None:
    head = (
        "trade_id,strategy_id,symbol,entry_time,exit_time,entry_price,exit_price,"
        "quantity,side,pnl,commission\n"
    )
    p = write(
        "trades.csv",
        head
        + "T1,EQ1,AAPL,2024-01-02T15:00,2024-01-03T15:00,100,101,10,FLAT,10,0\n"
        + "T2,EQ1,AAPL,2024-01-04T15:00,2024-01-03T15:00,100,101,10,LONG,10,0\n"
        + "T3,EQ1,AAPL,2024-01-02T15:00,2024-01-03T15:00,0,101,-1,SHORT,10,0\n",
    )
    err = rejected(p, ctx)
    find_issue(err, "side", 1, "side", "FLAT")
    find_issue(err, "time_order", 2, "exit_time", dt.datetime(2024, 1, 3, 15, 0))
    find_issue(err, "price_positive", 3, "entry_price", 0.0)
    find_issue(err, "quantity_positive", 3, "quantity", -1.0)


def test_backtest_return_range(write: Write, ctx: IngestContext) -> None:
    p = write("bt.csv", "date,strategy_id,return\n2024-01-02,EQ1,0.01\n2024-01-03,EQ1,-1.5\n")
    find_issue(rejected(p, ctx), "return_range", 2, "return", -1.5)


def test_all_issues_listed_not_only_first(write: Write, ctx: IngestContext) -> None:
    p = write(
        "d.csv",
        DAILY_HEAD
        + "2024-01-02,EQ1,abc,0,0\n"
        + "2024-01-03,ZZZ,100,0,0\n"
        + "2024-01-06,EQ1,100,0,0\n"
        + "2024-01-08,EQ1,-1,0,0\n",
    )
    err = rejected(p, ctx)
    assert [(i.row, i.rule) for i in err.issues] == [
        (1, "type"),
        (2, "unknown_strategy"),
        (3, "trading_session"),
        (4, "nav_positive"),
    ]


def test_issue_cap(write: Write, ctx: IngestContext) -> None:
    rows = "".join(f"2024-01-02,EQ1,bad{i},0,0\n" for i in range(600))
    err = rejected(write("d.csv", DAILY_HEAD + rows), ctx)
    assert len(err.issues) == 501
    assert err.issues[-1].rule == "too_many_issues"
    assert "and 451 more" in str(err)


@pytest.mark.parametrize(
    ("name", "content", "rule"),
    [
        ("empty.csv", "", "empty_file"),
        ("header_only.csv", DAILY_HEAD, "empty_file"),
        ("notes.txt", "hello", "unknown_format"),
        ("what.csv", "a,b\n1,2\n", "unknown_kind"),
        ("bad.json", "[{", "unreadable"),
        ("obj.json", '{"nav": 1}', "format"),
    ],
)
def test_file_level_rejections(
    write: Write, ctx: IngestContext, name: str, content: str, rule: str
) -> None:
    p = write(name, content)
    err = rejected(p, ctx)
    assert [i.rule for i in err.issues] == [rule]
    assert name in str(err) and f"[{rule}]" in str(err)


def test_not_utf8(tmp_path: Path, ctx: IngestContext) -> None:
    p = tmp_path / "latin.csv"
    p.write_bytes((DAILY_HEAD + "2024-01-02,EQ1,100,0,0 \xe9\n").encode("latin-1"))
    err = rejected(p, ctx)
    assert err.issues[0].rule == "encoding"


def test_missing_file(tmp_path: Path, ctx: IngestContext) -> None:
    with pytest.raises(FileRejectedError) as info:
        parse_file(tmp_path / "gone.csv", ctx)
    assert info.value.issues[0].rule == "unreadable"


def test_row_shape_and_duplicate_column(write: Write, ctx: IngestContext) -> None:
    p = write("d.csv", "date,strategy_id,nav,NAV\n2024-01-02,EQ1,100,100\n2024-01-03,EQ1,100\n")
    err = rejected(p, ctx)
    assert any(i.rule == "duplicate_column" and i.column == "nav" for i in err.issues)
    find_issue(err, "row_shape", 2, None, 3)


def test_unknown_calendar(write: Write, make_ctx: Callable[..., IngestContext]) -> None:
    from stratmon.domain.records import Strategy

    ctx = make_ctx(strategies={"X": Strategy("X", "x", calendar="MOON")})
    p = write("d.csv", DAILY_HEAD + "2024-01-02,X,100,0,0\n2024-01-03,X,100,0,0\n")
    err = rejected(p, ctx)
    assert [i.rule for i in err.issues] == ["unknown_calendar"]
