"""Strategy registry and expected-metrics files."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from stratmon.domain.records import BacktestExpectation, Strategy
from stratmon.errors import FileRejectedError
from stratmon.ingest import parse_expectations, parse_strategies

Write = Callable[[str, str], Path]


def test_strategies_csv(write: Write) -> None:
    p = write(
        "strategies.csv",
        "Strategy_ID,name,sector,allocated_capital,allocation_date,periods_per_year,calendar,active\n"
        "EQ1,Momentum,Equity,1000000,2023-06-30,,XNYS,true\n"
        "BTC1,,Crypto,,,365,24/7,no\n",
    )
    assert parse_strategies(p) == [
        Strategy(
            "EQ1",
            "Momentum",
            sector="Equity",
            allocated_capital=1e6,
            allocation_date=dt.date(2023, 6, 30),
            calendar="XNYS",
        ),
        Strategy(
            "BTC1", "BTC1", sector="Crypto", periods_per_year=365, calendar="24/7", active=False
        ),
    ]


def test_strategies_yaml_mapping_and_json_list(write: Write) -> None:
    y = write(
        "s.yaml",
        "strategies:\n  EQ1:\n    name: Momentum\n    benchmark: SPY\n"
        "  LON1:\n    calendar: XLON\n",
    )
    assert [(s.strategy_id, s.name, s.benchmark, s.calendar) for s in parse_strategies(y)] == [
        ("EQ1", "Momentum", "SPY", "XNYS"),
        ("LON1", "LON1", None, "XLON"),
    ]
    j = write("s.json", json.dumps([{"strategy_id": "EQ1", "name": "M", "periods_per_year": 252}]))
    assert parse_strategies(j) == [Strategy("EQ1", "M")]


def test_strategies_validation_lists_all(write: Write) -> None:
    p = write(
        "s.csv",
        "strategy_id,name,calendar,periods_per_year,allocated_capital,calender\n"
        "EQ 1,a,XNYS,252,1,\n"
        "EQ2,b,MOON,252,1,\n"
        "EQ3,c,XNYS,0,-5,\n"
        "EQ3,d,XNYS,252,1,\n",
    )
    with pytest.raises(FileRejectedError) as info:
        parse_strategies(p)
    got = {(i.row, i.column, i.rule) for i in info.value.issues}
    assert got == {
        (1, "calender", "unknown_column"),
        (2, "calender", "unknown_column"),
        (3, "calender", "unknown_column"),
        (4, "calender", "unknown_column"),
        (1, "strategy_id", "strategy_id"),
        (2, "calendar", "calendar"),
        (3, "periods_per_year", "periods_per_year"),
        (3, "allocated_capital", "positive"),
        (4, "strategy_id", "duplicate_row"),
    }


def test_expectations_mapping(write: Write) -> None:
    p = write(
        "exp.yaml",
        "EQ1:\n  sharpe_ratio: 1.2\n  max_drawdown: -0.15\n  n_trials: 20\n"
        "BTC1:\n  Win_Rate: 0.55\n",
    )
    assert parse_expectations(p) == [
        BacktestExpectation("EQ1", {"sharpe_ratio": 1.2, "max_drawdown": -0.15}, 20),
        BacktestExpectation("BTC1", {"win_rate": 0.55}, None),
    ]


def test_expectations_list_json(write: Write) -> None:
    p = write(
        "exp.json",
        json.dumps(
            [
                {"strategy_id": "EQ1", "metrics": {"sharpe_ratio": 1.2}, "n_trials": 3},
                {"strategy_id": "EQ2", "sortino_ratio": 2, "source": "mlflow:abc"},
            ]
        ),
    )
    assert parse_expectations(p, known_strategies={"EQ1", "EQ2"}) == [
        BacktestExpectation("EQ1", {"sharpe_ratio": 1.2}, 3),
        BacktestExpectation("EQ2", {"sortino_ratio": 2.0}, None, "mlflow:abc"),
    ]


def test_expectations_validation(write: Write) -> None:
    p = write(
        "exp.yaml",
        "- strategy_id: EQ1\n  sharpe_ratio: high\n  n_trials: 0\n"
        "- strategy_id: EQ1\n  cagr: 0.1\n"
        "- strategy_id: ZZ\n  cagr: .inf\n"
        "- sharpe_ratio: 1\n",
    )
    with pytest.raises(FileRejectedError) as info:
        parse_expectations(p, known_strategies={"EQ1"})
    got = [(i.row, i.column, i.rule) for i in info.value.issues]
    assert got == [
        (1, "n_trials", "n_trials"),
        (1, "sharpe_ratio", "type"),
        (2, "strategy_id", "duplicate_row"),
        (3, "strategy_id", "unknown_strategy"),
        (3, "cagr", "type"),
        (4, "strategy_id", "missing_value"),
    ]
    assert "exp.yaml, row 1, column 'sharpe_ratio', value 'high': [type]" in str(info.value)


@pytest.mark.parametrize(
    ("name", "text", "rule"),
    [
        ("e.yaml", "- [1, 2\n", "unreadable"),
        ("e.yaml", "42\n", "format"),
        ("e.toml", "a = 1\n", "unknown_format"),
    ],
)
def test_expectations_bad_files(write: Write, name: str, text: str, rule: str) -> None:
    with pytest.raises(FileRejectedError) as info:
        parse_expectations(write(name, text))
    assert [i.rule for i in info.value.issues] == [rule]
