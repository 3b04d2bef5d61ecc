"""Helpers of the backtest tests (importable; fixtures live in conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stratmon.domain import Strategy
from stratmon.store import Store
from stratmon.store import repositories as repo


@dataclass
class Tracking:
    """The shared MLflow tracking store: URI, client, artifact root, scratch folder."""

    uri: str
    client: Any
    artifacts: Path
    files: Path


LogRun = Callable[..., str]


def register(store: Store, strategy_id: str, backtest_source: str | None) -> Strategy:
    s = Strategy(strategy_id, strategy_id, backtest_source=backtest_source)
    with store.transaction() as conn:
        repo.upsert_strategies(conn, [s])
    return s


RETURNS_3 = """
date,return
2024-01-03,-0.005
2024-01-02,0.01
2024-01-04,0.0025
"""
