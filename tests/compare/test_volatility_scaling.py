"""Reading the backtest at the live volatility (Hull-White scaling of the noise, drift kept):
hand cases, Brownian scaling of the maximum drawdown, uniformity of the scaled percentile."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from stratmon.compare.cone import backtest_cone, cone_percentile, volatility_scaled_cumulative
from stratmon.compare.drawdown_probability import (
    drawdown_probability,
    horizon_quantiles,
    running_max_drawdown,
    volatility_scaled_query,
)
from stratmon.health.components import (
    performance_component,
    psr_p_value,
    volatility_ratio,
    volatility_scaled_sharpe,
)


def test_volatility_scaled_query_hand_cases() -> None:
    # k = 2: a quarter as deep in log wealth, a quarter as long
    d, n = volatility_scaled_query(np.array([-0.19, 0.0]), np.array([100.0, 100.0]), 2.0)
    assert d[0] == pytest.approx(math.expm1(math.log(0.81) / 4.0))
    assert d[1] == 0.0 and n.tolist() == [25.0, 25.0]
    # k = 1 or an unknown ratio leaves the query as is; the horizon never falls below 1
    d1, n1 = volatility_scaled_query(-0.1, 10, np.array([1.0]))
    assert d1[0] == pytest.approx(-0.1) and n1[0] == 10.0
    dn, _ = volatility_scaled_query(-0.1, 10, np.nan)
    assert dn[0] == pytest.approx(-0.1)
    assert volatility_scaled_query(-0.1, 3, 10.0)[1][0] == 1.0
    assert np.isnan(volatility_scaled_query(np.nan, 3, 2.0)[0][0])


def test_scaled_drawdown_probability_matches_paths_twice_as_volatile() -> None:
    # Brownian scaling: the grid of paths with sd sigma, read at (d / k^2, n / k^2), gives the
    # law of the max drawdown of paths with sd k sigma and the same drift
    rng = np.random.default_rng(5)
    mu, sigma, n, k = 0.0004, 0.01, 400, 2.0
    base = np.cumsum(rng.normal(mu, sigma, (6000, n)), axis=1)
    table = horizon_quantiles(running_max_drawdown(base), "max_drawdown")
    wild = np.cumsum(rng.normal(mu, k * sigma, (6000, n)), axis=1)
    mdd = running_max_drawdown(wild)[:, -1]
    for depth in (-0.3, -0.45, -0.6):
        empirical = float(np.mean(mdd <= math.log1p(depth)))  # 0.57, 0.16, 0.019
        scaled = float(drawdown_probability(table, depth, n, volatility_ratio=k))
        unscaled = float(drawdown_probability(table, depth, n))
        # the grid samples the rescaled path 1/k^2 as often: slightly shallower (-10 to -15 %)
        assert 0.75 * empirical < scaled < 1.05 * empirical
        assert unscaled < empirical / 10  # unscaled, the volatile paths look far worse
    # scalar in, float out; k = 1 is the plain lookup
    p1 = drawdown_probability(table, -0.1, 200, volatility_ratio=1.0)
    assert isinstance(p1, float) and p1 == drawdown_probability(table, -0.1, 200)


def test_volatility_scaled_cumulative_hand_case() -> None:
    # log wealth 0.10 around a drift of 0.02 with k = 2: 0.02 + 0.08 / 2 = 0.06
    out = volatility_scaled_cumulative(math.expm1(0.10), 0.02, 2.0)
    assert out[0] == pytest.approx(math.expm1(0.06))
    assert volatility_scaled_cumulative(0.05, 0.02, np.nan)[0] == pytest.approx(0.05)


def test_scaled_cone_percentile_is_uniform_for_more_volatile_paths() -> None:
    rng = np.random.default_rng(8)
    bt = rng.normal(0.0004, 0.01, 5000)
    cone = backtest_cone(bt, 120, n_paths=2000, seed=3, block_length=1.0, estimation_error=False)
    # live: the same drift in log wealth, noise 1.8 times the backtest's
    drift = float(np.log1p(bt).mean())
    live = drift + 1.8 * (np.log1p(rng.choice(bt, size=(2000, 120))) - drift)
    cum = np.expm1(live.sum(axis=1))
    days = np.full(2000, 120)
    scaled = np.asarray(cone_percentile(cone, cum, days, volatility_ratio=1.8))
    plain = np.asarray(cone_percentile(cone, cum, days))
    assert np.mean(scaled <= 0.1) == pytest.approx(0.1, abs=0.025)
    assert np.mean(plain <= 0.1) > 0.2  # unscaled, the volatile record breaches the cone
    # a scalar query gives a float; k = 1 is the plain lookup
    one = cone_percentile(cone, float(cum[0]), 120, volatility_ratio=1.0)
    assert isinstance(one, float) and one == pytest.approx(float(plain[0]))


def test_volatility_ratio_and_scaled_sharpe() -> None:
    k = volatility_ratio([0.02, 0.02, np.nan, 0.02], [0.01, 0.01, 0.01, 0.0], [30, 29, 100, 100])
    assert k.tolist() == [2.0, 1.0, 1.0, 1.0]  # under 30 live returns or unknown: 1
    assert volatility_scaled_sharpe(1.5, 3.0)[0] == pytest.approx(0.5)
    assert volatility_scaled_sharpe(1.5, np.nan)[0] == pytest.approx(1.5)


def test_psr_p_value_counts_the_backtest_as_b_k_squared() -> None:
    # k = 0.5: B = 2520 counts as 630 returns in live-Sharpe units
    z = stats.norm.ppf(0.05) / math.sqrt(1.0 + 251.0 / 629.0)
    got = psr_p_value(0.05, 252, 2520, volatility_ratio=0.5)[0]
    assert got == pytest.approx(float(stats.norm.cdf(z)))
    assert psr_p_value(0.05, 252, 2520, volatility_ratio=1.0)[0] == pytest.approx(
        float(stats.norm.cdf(stats.norm.ppf(0.05) / math.sqrt(1.0 + 251.0 / 2519.0)))
    )
    # the component passes the ratio on
    c = performance_component(
        weight=0.4, n_obs=252, psr_vs_backtest=0.05, backtest_n_obs=2520, volatility_ratio=0.5
    )
    assert c.p_value == pytest.approx(min(1.0, float(stats.norm.cdf(z)) / 1.0))
