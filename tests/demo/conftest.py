"""Shared fixtures of the demo tests: the real market data and all simulated results."""

from __future__ import annotations

import pytest

from stratmon.demo.market import MarketData, load_market
from stratmon.demo.simulate import SimResult, backtest, live
from stratmon.demo.strategies import DemoStrategy, demo_strategies


@pytest.fixture(scope="session")
def market() -> MarketData:
    return load_market()


@pytest.fixture(scope="session")
def strategies() -> list[DemoStrategy]:
    return demo_strategies()


@pytest.fixture(scope="session")
def backtests(market: MarketData, strategies: list[DemoStrategy]) -> dict[str, SimResult]:
    return {s.strategy_id: backtest(s, market) for s in strategies}


@pytest.fixture(scope="session")
def lives(market: MarketData, strategies: list[DemoStrategy]) -> dict[str, SimResult]:
    return {s.strategy_id: live(s, market) for s in strategies}
