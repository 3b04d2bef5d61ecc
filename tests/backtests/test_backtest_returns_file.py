"""Validation of a daily backtest-returns artifact."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from stratmon.backtests.returns_file import parse_returns_file
from stratmon.domain import BacktestReturn
from stratmon.errors import FileRejectedError


def _write(tmp_path: Path, text: str, name: str = "r.csv") -> Path:
    p = tmp_path / name
    p.write_text(text.lstrip("\n"), encoding="utf-8")
    return p


def test_sorted_and_typed(tmp_path: Path) -> None:
    p = _write(tmp_path, "\nDate,Return,note\n2024-01-03,-0.5,x\n2024-01-02,0.01,y\n")
    rows, notes = parse_returns_file(p, "S1")
    assert rows == [
        BacktestReturn("S1", dt.date(2024, 1, 2), 0.01),
        BacktestReturn("S1", dt.date(2024, 1, 3), -0.5),
    ]
    assert notes == ["r.csv: column(s) note ignored"]


def test_strategy_column_filters(tmp_path: Path) -> None:
    p = _write(tmp_path, "date,strategy_id,return\n2024-01-02,A,0.01\n2024-01-02,B,0.02\n")
    rows, notes = parse_returns_file(p, "B")
    assert [r.ret for r in rows] == [0.02]
    assert "rows of other strategies skipped (A)" in notes[0]
    with pytest.raises(FileRejectedError, match="no row for strategy 'C'"):
        parse_returns_file(p, "C")


def test_parquet(tmp_path: Path) -> None:
    p = tmp_path / "r.parquet"
    pd.DataFrame({"date": ["2024-02-01", "2024-02-02"], "return": [0.001, -0.002]}).to_parquet(p)
    rows, _ = parse_returns_file(p, "S")
    assert [(r.date.day, r.ret) for r in rows] == [(1, 0.001), (2, -0.002)]


def test_every_problem_is_listed(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        "date,return\n2024-01-02,0.01\n2024-01-02,0.02\n2024-13-01,0.0\n2024-01-05,\n"
        "2024-01-06,-1.5\n2024-01-07,abc\n",
    )
    with pytest.raises(FileRejectedError) as info:
        parse_returns_file(p, "S", display_name="run x: r.csv")
    got = {(i.row, i.column, i.rule) for i in info.value.issues}
    assert got == {
        (2, "date", "duplicate_row"),
        (3, "date", "type"),
        (4, "return", "missing_value"),
        (5, "return", "return_range"),
        (6, "return", "type"),
    }
    assert all(i.file == "run x: r.csv" for i in info.value.issues)


def test_missing_column(tmp_path: Path) -> None:
    p = _write(tmp_path, "day,ret\n2024-01-02,0.01\n")
    with pytest.raises(FileRejectedError) as info:
        parse_returns_file(p, "S")
    assert [(i.column, i.rule) for i in info.value.issues] == [
        ("date", "missing_column"),
        ("return", "missing_column"),
    ]
