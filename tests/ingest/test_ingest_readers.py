"""Readers: CSV, JSON array, JSON Lines and Parquet give the same records; kind detection."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from stratmon.errors import FileRejectedError
from stratmon.ingest import IngestContext, detect_kind, parse_file, read_table

Write = Callable[[str, str], Path]

ROWS = [
    {
        "Date": "2024-01-02",
        "Strategy_ID": "EQ1",
        "NAV": 100000.0,
        "Daily_PnL": 0.0,
        "num_trades": 3,
    },
    {
        "Date": "2024-01-03",
        "Strategy_ID": "EQ1",
        "NAV": 100250.5,
        "Daily_PnL": 250.5,
        "num_trades": 0,
    },
]


def _expected() -> list[tuple[str, dt.date, float, float | None, int | None]]:
    return [
        ("EQ1", dt.date(2024, 1, 2), 100000.0, 0.0, 3),
        ("EQ1", dt.date(2024, 1, 3), 100250.5, 250.5, 0),
    ]


def _summary(
    path: Path, ctx: IngestContext
) -> list[tuple[str, dt.date, float, float | None, int | None]]:
    batch = parse_file(path, ctx)
    assert batch.kind == "daily" and batch.findings == []
    return [(r.strategy_id, r.date, r.nav, r.daily_pnl, r.num_trades) for r in batch.daily]


def test_csv_case_insensitive_and_spaced_headers(write: Write, ctx: IngestContext) -> None:
    p = write(
        "d.csv",
        " Date ,STRATEGY_ID,Nav , daily_PNL,Num_Trades\n"
        "2024-01-02,EQ1,100000,0,3\n"
        "2024-01-03, EQ1 ,100250.5,250.5,0\n",
    )
    assert _summary(p, ctx) == _expected()


def test_csv_with_bom_crlf_and_trailing_blank_line(tmp_path: Path, ctx: IngestContext) -> None:
    p = tmp_path / "d.csv"
    text = (
        "date,strategy_id,nav,daily_pnl,num_trades\r\n"
        "2024-01-02,EQ1,100000,0,3\r\n"
        "2024-01-03,EQ1,100250.5,250.5,0\r\n\r\n"
    )
    p.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert _summary(p, ctx) == _expected()


def test_json_array(tmp_path: Path, ctx: IngestContext) -> None:
    p = tmp_path / "d.json"
    p.write_text(json.dumps(ROWS))
    assert _summary(p, ctx) == _expected()


@pytest.mark.parametrize("name", ["d.jsonl", "d.ndjson", "lines.json"])
def test_json_lines(tmp_path: Path, ctx: IngestContext, name: str) -> None:
    p = tmp_path / name
    p.write_text("\n".join(json.dumps(r) for r in ROWS) + "\n")
    assert _summary(p, ctx) == _expected()


def test_json_rows_with_different_keys(tmp_path: Path, ctx: IngestContext) -> None:
    p = tmp_path / "d.json"
    p.write_text(
        json.dumps(
            [
                {"date": "2024-01-02", "strategy_id": "EQ1", "nav": 1},
                {"DATE": "2024-01-03", "Strategy_Id": "EQ1", "nav": 1, "cash_flow": 5},
            ]
        )
    )
    batch = parse_file(p, ctx)
    assert [r.cash_flow for r in batch.daily] == [0.0, 5.0]


def test_json_non_object_row(tmp_path: Path, ctx: IngestContext) -> None:
    p = tmp_path / "d.json"
    p.write_text(json.dumps([{"date": "2024-01-02", "strategy_id": "EQ1", "nav": 1}, 5]))
    with pytest.raises(FileRejectedError) as info:
        parse_file(p, ctx)
    assert [(i.rule, i.row) for i in info.value.issues] == [("format", 2)]


def test_json_bool_is_not_a_number(tmp_path: Path, ctx: IngestContext) -> None:
    p = tmp_path / "d.json"
    p.write_text(json.dumps([{"date": "2024-01-02", "strategy_id": "EQ1", "nav": True}]))
    with pytest.raises(FileRejectedError) as info:
        parse_file(p, ctx)
    assert [(i.rule, i.column, i.value) for i in info.value.issues] == [("type", "nav", True)]


def test_parquet_from_pandas(tmp_path: Path, ctx: IngestContext) -> None:
    df = pd.DataFrame(ROWS)
    df["Date"] = pd.to_datetime(df["Date"])  # datetime64 column: midnight timestamps are dates
    p = tmp_path / "d.parquet"
    df.to_parquet(p)
    assert _summary(p, ctx) == _expected()


def test_parquet_date32_and_missing_values(tmp_path: Path, ctx: IngestContext) -> None:
    table = pa.table(
        {
            "DATE": pa.array([dt.date(2024, 1, 2), dt.date(2024, 1, 3)], pa.date32()),
            "strategy_id": ["EQ1", "EQ1"],
            "nav": [100000.0, 100250.5],
            "daily_pnl": [0.0, 250.5],
            "num_trades": pa.array([3, None], pa.int64()),
            "cash_flow": [float("nan"), 0.0],
        }
    )
    p = tmp_path / "d.pq"
    pq.write_table(table, p)
    batch = parse_file(p, ctx)
    assert [(r.date, r.num_trades, r.cash_flow) for r in batch.daily] == [
        (dt.date(2024, 1, 2), 3, 0.0),
        (dt.date(2024, 1, 3), None, 0.0),
    ]


def test_parquet_tz_aware_timestamps_become_naive_utc(tmp_path: Path, ctx: IngestContext) -> None:
    ts = pd.to_datetime(["2024-01-02 09:30", "2024-01-02 15:59"]).tz_localize("America/New_York")
    df = pd.DataFrame(
        {
            "execution_id": ["E1", "E2"],
            "strategy_id": ["EQ1", "EQ1"],
            "timestamp": ts,
            "symbol": ["AAPL", "AAPL"],
            "side": ["BUY", "SELL"],
            "quantity": [10, 10],
            "price": [185.0, 186.0],
        }
    )
    p = tmp_path / "fills.parquet"
    df.to_parquet(p, index=False)
    batch = parse_file(p, ctx)
    assert [e.timestamp for e in batch.executions] == [
        dt.datetime(2024, 1, 2, 14, 30),
        dt.datetime(2024, 1, 2, 20, 59),
    ]


def test_csv_timestamp_offsets(write: Write, ctx: IngestContext) -> None:
    p = write(
        "fills.csv",
        "execution_id,strategy_id,timestamp,symbol,side,quantity,price,fees\n"
        "E1,EQ1,2024-01-02T14:30:00+01:00,AAPL,BUY,10,185,0.5\n"
        "E2,EQ1,2024-01-02T14:30:00Z,AAPL,SELL,10,186,\n"
        "E3,EQ1,2024-01-02 14:31:00,AAPL,BUY,1,186,\n",
    )
    batch = parse_file(p, ctx)
    assert [(e.timestamp, e.fees, e.currency) for e in batch.executions] == [
        (dt.datetime(2024, 1, 2, 13, 30), 0.5, "USD"),
        (dt.datetime(2024, 1, 2, 14, 30), 0.0, "USD"),
        (dt.datetime(2024, 1, 2, 14, 31), 0.0, "USD"),
    ]


def test_read_table(tmp_path: Path) -> None:
    p = tmp_path / "d.json"
    p.write_text(json.dumps(ROWS))
    df = read_table(p)
    assert list(df.columns) == ["date", "strategy_id", "nav", "daily_pnl", "num_trades"]
    assert df["nav"].tolist() == [100000.0, 100250.5]
    with pytest.raises(FileRejectedError):
        read_table(tmp_path / "missing.csv")
    (tmp_path / "h.csv").write_text("a,b\n")
    with pytest.raises(FileRejectedError) as info:
        read_table(tmp_path / "h.csv")
    assert info.value.issues[0].rule == "empty_file"


@pytest.mark.parametrize(
    ("columns", "name", "kind"),
    [
        (["date", "strategy_id", "nav"], "x.csv", "daily"),
        (["Date", "Strategy_ID", "daily_pnl"], "performance_data_EQ1_2024-01-02.csv", "daily"),
        (["execution_id", "strategy_id", "timestamp"], "x.csv", "executions"),
        (["TRADE_ID", "pnl"], "x.csv", "trades"),
        (
            ["date", "strategy_id", "symbol", "quantity", "market_value", "unrealized_pnl"],
            "x.csv",
            "positions",
        ),
        (["date", "strategy_id", "return"], "x.csv", "backtest_returns"),
        (["entry_time", "exit_time", "pnl"], "x.csv", "trades"),
        (["timestamp", "side", "price"], "x.csv", "executions"),
    ],
)
def test_detect_kind(columns: list[str], name: str, kind: str) -> None:
    assert detect_kind(columns, name) == kind


def test_detect_kind_unknown() -> None:
    with pytest.raises(FileRejectedError) as info:
        detect_kind(["foo", "bar"], "/some/where/x.csv")
    (issue,) = info.value.issues
    assert (issue.file, issue.rule) == ("x.csv", "unknown_kind")
    assert "date, strategy_id, nav" in issue.message


def test_positions_and_backtest_records(write: Write, ctx: IngestContext) -> None:
    pos = parse_file(
        write(
            "pos.csv",
            "date,strategy_id,symbol,quantity,market_value,unrealized_pnl,sector,asset_class\n"
            "2024-01-02,EQ1,AAPL,-10,-1855,5,Tech,\n",
        ),
        ctx,
    )
    p = pos.positions[0]
    assert (p.quantity, p.market_value, p.unrealized_pnl, p.sector, p.asset_class) == (
        -10,
        -1855,
        5,
        "Tech",
        None,
    )
    bt = parse_file(write("bt.csv", "date,strategy_id,Return\n2024-01-02,EQ1,-0.0125\n"), ctx)
    assert (bt.kind, bt.backtest_returns[0].ret) == ("backtest_returns", -0.0125)


def test_pandas_csv_with_index_column(tmp_path: Path, ctx: IngestContext) -> None:
    p = tmp_path / "d.csv"
    pd.DataFrame({"date": ["2024-01-02"], "strategy_id": ["EQ1"], "nav": [5.0]}).to_csv(p)
    batch = parse_file(p, ctx)
    assert batch.daily[0].extras == {"unnamed_1": 0}
    assert [(f.kind, f.column) for f in batch.findings] == [("unknown_column", "unnamed_1")]
