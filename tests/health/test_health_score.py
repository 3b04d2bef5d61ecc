"""Health score: hand-computed components, weights, neutral value, bounds and monotonicity."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stratmon.errors import ConfigError
from stratmon.health import (
    COMPONENTS,
    NEUTRAL,
    HealthInputs,
    HealthWeights,
    health_score,
    piecewise_linear,
    sharpe_standard_error,
)
from stratmon.health.components import (
    drawdown_component,
    performance_component,
    trade_frequency_component,
    win_rate_component,
)

# ppy = 256 and n = 64 make the numbers exact: SE(Sharpe) at a backtest Sharpe of 0 is
# sqrt(256 / 64) = 2, and the window volatility at 1 % a day is 0.01 * sqrt(64) = 0.08.
BASE = HealthInputs(
    n_obs=64,
    periods_per_year=256,
    live_sharpe_ratio=-2.0,  # z = -1 -> 40
    live_total_return=0.04,  # z = +0.5 -> 90
    backtest_sharpe_ratio=0.0,
    backtest_mean_daily_return=0.0,
    backtest_daily_volatility=0.01,
    current_drawdown=-0.10,  # u = 0.5 -> 80
    live_max_drawdown=-0.15,  # u = 0.75 -> 50
    backtest_max_drawdown=-0.20,
    live_win_rate=0.45,  # -10 points -> 60
    live_n_trades=20,
    backtest_win_rate=0.55,
    live_trades_per_day=2.0,  # twice the backtest -> 50
    backtest_trades_per_day=1.0,
)


def test_piecewise_linear_hand_values() -> None:
    xs, ys = (0.0, 1.0, 3.0), (0.0, 10.0, 0.0)
    assert piecewise_linear(0.5, xs, ys) == 5.0
    assert piecewise_linear(2.0, xs, ys) == 5.0
    assert piecewise_linear(-7.0, xs, ys) == 0.0  # clipped
    assert piecewise_linear(math.inf, xs, ys) == 0.0
    with pytest.raises(ValueError, match="NaN"):
        piecewise_linear(math.nan, xs, ys)
    with pytest.raises(ValueError, match="increasing"):
        piecewise_linear(0.0, (0.0, 0.0), (1.0, 2.0))


def test_sharpe_standard_error_lo_2002() -> None:
    # SR = 0, n = one year of data: SE of the annualised Sharpe is exactly 1.
    assert sharpe_standard_error(0.0, 252, 252) == pytest.approx(1.0)
    # per-period SR 1 (annual 16 at ppy 256): variance factor 1 + 1/2; n = 96 -> sqrt(4) = 2
    assert sharpe_standard_error(16.0, 96, 256) == pytest.approx(2.0)


def test_performance_component_hand_computed() -> None:
    value, reason = performance_component(
        live_sharpe_ratio=-2.0,
        live_total_return=0.04,
        backtest_sharpe_ratio=0.0,
        backtest_mean_daily_return=0.0,
        backtest_daily_volatility=0.01,
        n_obs=64,
        periods_per_year=256,
        min_obs=30,
    )
    assert value == pytest.approx((40.0 + 90.0) / 2)
    assert "z -1.00" in reason and "z +0.50" in reason


def test_performance_at_expectation_scores_80_and_uses_compounding() -> None:
    mu, n = 0.001, 64
    value, _ = performance_component(
        live_sharpe_ratio=1.5,
        live_total_return=(1 + mu) ** n - 1,  # exactly the compounded expectation
        backtest_sharpe_ratio=1.5,
        backtest_mean_daily_return=mu,
        backtest_daily_volatility=0.01,
        n_obs=n,
        periods_per_year=252,
        min_obs=30,
    )
    assert value == pytest.approx(80.0)


def test_performance_needs_30_days_and_falls_back_to_one_subscore() -> None:
    v, reason = performance_component(
        live_sharpe_ratio=1.0,
        live_total_return=0.0,
        backtest_sharpe_ratio=1.0,
        backtest_mean_daily_return=0.0,
        backtest_daily_volatility=0.01,
        n_obs=29,
        periods_per_year=252,
        min_obs=30,
    )
    assert v is None and "29 daily returns" in reason
    v, _ = performance_component(
        live_sharpe_ratio=-4.0,  # z = -2 -> 0
        live_total_return=math.nan,
        backtest_sharpe_ratio=0.0,
        backtest_mean_daily_return=0.0,
        backtest_daily_volatility=0.01,
        n_obs=64,
        periods_per_year=256,
        min_obs=30,
    )
    assert v == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("cur", "win_max", "expected"),
    [
        (-0.10, -0.15, (80 + 50) / 2),
        (0.0, 0.0, 100.0),
        (-0.20, -0.20, 25.0),
        (-0.30, -0.40, 0.0),
        (-0.05, -0.05, 90.0),  # u = 0.25, halfway between 100 and 80
        (-0.10, math.nan, 80.0),  # window max unknown: current alone
    ],
)
def test_drawdown_component(cur: float, win_max: float, expected: float) -> None:
    v, _ = drawdown_component(
        current_drawdown=cur, live_max_drawdown=win_max, backtest_max_drawdown=-0.20, n_obs=5
    )
    assert v == pytest.approx(expected)


def test_drawdown_component_needs_a_backtest_scale() -> None:
    for bt in (0.0, math.nan):
        v, reason = drawdown_component(
            current_drawdown=-0.1, live_max_drawdown=-0.1, backtest_max_drawdown=bt, n_obs=5
        )
        assert v is None and "insufficient" in reason


@pytest.mark.parametrize(
    ("live", "expected"),
    [(0.45, 60.0), (0.55, 100.0), (0.70, 100.0), (0.40, 40.0), (0.25, 0.0), (0.10, 0.0)],
)
def test_win_rate_component(live: float, expected: float) -> None:
    v, _ = win_rate_component(
        live_win_rate=live, live_n_trades=10, backtest_win_rate=0.55, min_trades=10
    )
    assert v == pytest.approx(expected)


def test_win_rate_component_needs_10_trades() -> None:
    v, reason = win_rate_component(
        live_win_rate=0.1, live_n_trades=9, backtest_win_rate=0.55, min_trades=10
    )
    assert v is None and "9 closed trades" in reason


@pytest.mark.parametrize(
    ("live", "expected"),
    [(1.0, 100.0), (2.0, 50.0), (0.5, 50.0), (math.sqrt(2), 75.0), (4.0, 0.0), (0.0, 0.0)],
)
def test_trade_frequency_component(live: float, expected: float) -> None:
    v, _ = trade_frequency_component(
        live_trades_per_day=live, backtest_trades_per_day=1.0, n_obs=30, min_expected_trades=5
    )
    assert v == pytest.approx(expected)


def test_trade_frequency_needs_enough_expected_trades() -> None:
    # 0.1 trades/day over 30 days: 3 expected < 5
    v, reason = trade_frequency_component(
        live_trades_per_day=0.0, backtest_trades_per_day=0.1, n_obs=30, min_expected_trades=5
    )
    assert v is None and "3.0 trades expected" in reason


def test_health_score_hand_computed() -> None:
    h = health_score(BASE)
    assert h.components == pytest.approx(
        {"performance": 65.0, "drawdown": 65.0, "win_rate": 60.0, "trade_frequency": 50.0}
    )
    assert h.score == pytest.approx(0.4 * 65 + 0.3 * 65 + 0.2 * 60 + 0.1 * 50)  # 62.5
    assert h.insufficient == frozenset()
    assert h.coverage == pytest.approx(1.0)
    assert set(h.reasons) == set(COMPONENTS)
    row = h.to_dict()
    assert row["score"] == pytest.approx(62.5)
    assert set(row) == {"score", *COMPONENTS, "coverage"}


def test_insufficient_components_take_neutral_value() -> None:
    # 4 days: 4 trades expected < 5, too few to judge frequency
    early = dataclasses.replace(
        BASE, n_obs=4, live_n_trades=3, current_drawdown=0.0, live_max_drawdown=0.0
    )
    h = health_score(early)
    assert h.insufficient == {"performance", "win_rate", "trade_frequency"}
    assert h.components["performance"] == NEUTRAL
    assert h.components["drawdown"] == 100.0
    # 0.3 * 100 + 0.7 * 50
    assert h.score == pytest.approx(65.0)
    assert h.coverage == pytest.approx(0.3)


def test_custom_weights() -> None:
    w = HealthWeights(performance=1.0, drawdown=0.0, win_rate=0.0, trade_frequency=0.0)
    assert health_score(BASE, w).score == pytest.approx(65.0)


def test_weights_sum_to_one_and_validate() -> None:
    assert sum(HealthWeights().as_dict().values()) == pytest.approx(1.0)
    assert HealthWeights().as_dict() == {
        "performance": 0.40,
        "drawdown": 0.30,
        "win_rate": 0.20,
        "trade_frequency": 0.10,
    }
    with pytest.raises(ConfigError, match="sum to 1"):
        HealthWeights(performance=0.5)
    with pytest.raises(ConfigError, match=">= 0"):
        HealthWeights(performance=0.7, drawdown=-0.1, win_rate=0.3, trade_frequency=0.1)


any_float = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.floats(min_value=-5, max_value=5),
)


@settings(max_examples=300, deadline=None)
@given(
    n_obs=st.integers(0, 300),
    n_trades=st.integers(0, 200),
    vals=st.lists(any_float, min_size=12, max_size=12),
)
def test_score_always_within_bounds(n_obs: int, n_trades: int, vals: list[float]) -> None:
    inp = HealthInputs(
        n_obs,
        *vals[:5],
        n_trades,  # type: ignore[arg-type]
        *vals[5:],
    )
    h = health_score(inp)
    assert 0.0 <= h.score <= 100.0
    assert all(0.0 <= v <= 100.0 for v in h.components.values())
    assert 0.0 <= h.coverage <= 1.0 + 1e-12


small = st.floats(min_value=-3, max_value=3, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(a=small, b=small)
def test_score_monotone_in_live_sharpe_and_return(a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    s = [health_score(dataclasses.replace(BASE, live_sharpe_ratio=x)).score for x in (lo, hi)]
    assert s[0] <= s[1] + 1e-9
    r = [health_score(dataclasses.replace(BASE, live_total_return=x / 10)).score for x in (lo, hi)]
    assert r[0] <= r[1] + 1e-9


@settings(max_examples=200, deadline=None)
@given(a=st.floats(0, 1), b=st.floats(0, 1))
def test_score_monotone_in_drawdown_and_win_rate(a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    deeper = [health_score(dataclasses.replace(BASE, current_drawdown=-x)).score for x in (lo, hi)]
    assert deeper[1] <= deeper[0] + 1e-9
    wr = [health_score(dataclasses.replace(BASE, live_win_rate=x)).score for x in (lo, hi)]
    assert wr[0] <= wr[1] + 1e-9


@settings(max_examples=100, deadline=None)
@given(a=st.floats(0, 5), b=st.floats(0, 5))
def test_trade_frequency_monotone_in_distance_from_backtest(a: float, b: float) -> None:
    # further from the backtest frequency (in log ratio) never scores higher
    near, far = sorted((a, b))
    f = [
        trade_frequency_component(
            live_trades_per_day=float(2.0**x),
            backtest_trades_per_day=1.0,
            n_obs=30,
            min_expected_trades=5,
        )[0]
        for x in (near, far)
    ]
    assert f[0] is not None and f[1] is not None
    assert f[1] <= f[0] + 1e-9


def test_healthy_random_strategy_scores_reasonably() -> None:
    # A live window drawn from the backtest's own distribution should score well above 50 on
    # average: performance near 80, small drawdowns, frequency on target.
    rng = np.random.default_rng(7)
    mu, sigma, n = 0.0005, 0.01, 30
    scores = []
    for _ in range(200):
        r = rng.normal(mu, sigma, n)
        wealth = np.cumprod(1 + r)
        dd = wealth / np.maximum.accumulate(np.maximum(wealth, 1.0)) - 1
        inp = HealthInputs(
            n_obs=n,
            live_sharpe_ratio=float(r.mean() / r.std(ddof=1) * math.sqrt(252)),
            live_total_return=float(wealth[-1] - 1),
            current_drawdown=float(dd[-1]),
            live_max_drawdown=float(dd.min()),
            backtest_sharpe_ratio=mu / sigma * math.sqrt(252),
            backtest_mean_daily_return=mu,
            backtest_daily_volatility=sigma,
            backtest_max_drawdown=-0.15,
        )
        scores.append(health_score(inp).score)
    # trade components are neutral (50) here; performance median about 75, drawdown high
    assert 55.0 < float(np.median(scores)) < 80.0
