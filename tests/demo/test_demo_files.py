"""Inbox files: headers, values, which files exist, backtest returns and registry."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pytest
import yaml

from stratmon.demo.files import (
    EXECUTION_COLUMNS,
    PERFORMANCE_COLUMNS,
    POSITION_COLUMNS,
    write_backtest_files,
    write_day_files,
)
from stratmon.demo.simulate import SimResult
from stratmon.domain.records import Strategy


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def test_first_live_day_files(tmp_path: Path, lives: dict[str, SimResult]) -> None:
    day = dt.date(2013, 1, 2)
    paths = write_day_files(tmp_path, day, lives)
    names = [p.name for p in paths]
    assert names == [
        "performance_data_2013-01-02.csv",
        "executions_2013-01-02.csv",
        "positions_2013-01-02.csv",
    ]
    header, perf = _read(paths[0])
    assert header == list(PERFORMANCE_COLUMNS)
    assert [row["strategy_id"] for row in perf] == list(lives)
    for row in perf:
        r = lives[row["strategy_id"]]
        assert row["date"] == "2013-01-02"
        assert float(row["nav"]) == pytest.approx(r.nav[0], abs=0.005)
        assert float(row["nav"]) == pytest.approx(r.capital + float(row["daily_pnl"]), abs=0.005)
        assert float(row["realized_pnl"]) + float(row["unrealized_pnl"]) == pytest.approx(
            float(row["daily_pnl"]), abs=0.011
        )
        assert int(row["num_trades"]) == r.num_trades[0]
        assert float(row["cash_flow"]) == 0.0

    header, execs = _read(paths[1])
    assert header == list(EXECUTION_COLUMNS)
    assert len(execs) == sum(int(r.num_trades[0]) for r in lives.values())
    for row in execs:
        assert row["side"] in ("BUY", "SELL") and int(row["quantity"]) > 0
        assert dt.datetime.fromisoformat(row["timestamp"]) == dt.datetime(2013, 1, 2, 21, 0)

    header, pos = _read(paths[2])
    assert header == list(POSITION_COLUMNS)
    # every strategy has a snapshot: its open positions, or all its symbols at zero if flat
    assert {row["strategy_id"] for row in pos} == set(lives)
    for row in pos:
        r = lives[row["strategy_id"]]
        k = r.symbols.index(row["symbol"])
        flat = not r.quantity[0].any()
        assert int(row["quantity"]) == r.quantity[0, k]
        assert flat or r.quantity[0, k] != 0
        assert float(row["market_value"]) == pytest.approx(r.market_value[0, k], abs=0.005)
        assert row["asset_class"] == r.strategy.spec.asset_class


def test_quiet_day_has_no_execution_file(tmp_path: Path, lives: dict[str, SimResult]) -> None:
    r = lives["spx_buy_hold"]
    total = sum(x.num_trades for x in lives.values())
    quiet = int(np.flatnonzero(total == 0)[0])
    day = r.dates[quiet]
    names = [p.name for p in write_day_files(tmp_path, day, lives)]
    assert names == [f"performance_data_{day}.csv", f"positions_{day}.csv"]


def test_day_outside_results_writes_nothing(tmp_path: Path, lives: dict[str, SimResult]) -> None:
    assert write_day_files(tmp_path / "x", dt.date(2012, 12, 31), lives) == []
    assert not (tmp_path / "x").exists()


def test_position_files_reconcile_with_performance(
    tmp_path: Path, lives: dict[str, SimResult]
) -> None:
    day = lives["wti_trend"].dates[700]
    perf_path, *rest = write_day_files(tmp_path, day, lives)
    _, perf = _read(perf_path)
    _, pos = _read(next(p for p in rest if p.name.startswith("positions_")))
    for row in perf:
        mine = [p for p in pos if p["strategy_id"] == row["strategy_id"]]
        assert mine  # a snapshot for every strategy, flat or not
        assert sum(float(p["quantity"]) != 0 for p in mine) == int(row["num_positions"])
        net = sum(float(p["market_value"]) for p in mine)
        assert net == pytest.approx(float(row["net_exposure_usd"]), abs=0.01)
        assert float(row["cash_balance"]) + net == pytest.approx(float(row["nav"]), abs=0.01)


def test_backtest_files(tmp_path: Path, backtests: dict[str, SimResult]) -> None:
    paths = write_backtest_files(tmp_path, backtests)
    assert [p.name for p in paths] == ["backtest_returns.csv", "strategies.csv", "strategies.yaml"]
    header, rows = _read(paths[0])
    assert header == ["date", "strategy_id", "return"]
    assert len(rows) == sum(len(r.dates) - 1 for r in backtests.values())
    for sid, r in backtests.items():
        mine = [row for row in rows if row["strategy_id"] == sid]
        assert mine[0]["date"] == "1999-01-05" and mine[-1]["date"] == "2012-12-31"
        wealth = np.prod([1 + float(x["return"]) for x in mine])
        assert wealth == pytest.approx(r.nav[-1] / r.nav[0], rel=1e-10)

    doc = yaml.safe_load(paths[2].read_text(encoding="utf-8"))
    specs = [Strategy(**d) for d in doc["strategies"]]
    assert specs == [r.strategy.spec for r in backtests.values()]
    header, reg = _read(paths[1])
    assert header[:2] == ["strategy_id", "name"]
    assert [row["strategy_id"] for row in reg] == list(backtests)
    assert {row["allocation_date"] for row in reg} == {"2013-01-02"}
