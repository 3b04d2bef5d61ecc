"""Drawdown probability and the cone's quantile grids: hand cases, Brownian theory, ties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from stratmon.compare.cone import backtest_cone, cone_percentile
from stratmon.compare.drawdown_probability import (
    HorizonQuantiles,
    default_horizons,
    default_levels,
    drawdown_probability,
    grid_cdf,
    horizon_quantiles,
    running_max_drawdown,
)
from stratmon.compare.evidence import backtest_evidence


def test_running_max_drawdown_hand_path() -> None:
    # wealth 1 -> 1.1 -> 0.99 -> 1.2 -> 0.9: drawdowns 0, -10 %, 0, -25 %
    w = np.array([[1.1, 0.99, 1.2, 0.9]])
    mdd = np.expm1(running_max_drawdown(np.log(w)))
    np.testing.assert_allclose(mdd, [[0.0, -0.1, -0.1, -0.25]], atol=1e-12)
    # a first-day loss counts against the starting wealth of 1.0
    np.testing.assert_allclose(np.expm1(running_max_drawdown(np.log([[0.8]]))), [[-0.2]])


def test_grid_cdf_interpolates_between_levels_and_horizons() -> None:
    table = HorizonQuantiles(
        horizons=np.array([1, 3]),
        levels=np.array([0.1, 0.5, 1.0]),
        values=np.log1p(np.array([[-0.2, -0.1, 0.0], [-0.4, -0.2, 0.0]])),
        n_paths=10,
        statistic="max_drawdown",
    )
    # at horizon 1, log1p(-0.1) is exactly the median
    assert table.cdf(-0.1, 1)[0] == pytest.approx(0.5)
    # halfway between the 10 % and 50 % values in log wealth -> 30 %
    mid = math.expm1(0.5 * (math.log(0.8) + math.log(0.9)))
    assert table.cdf(mid, 1)[0] == pytest.approx(0.3)
    # horizon 2 is the average of the two rows: its median is (log .9 + log .8) / 2
    assert table.cdf(mid, 2)[0] == pytest.approx(0.5)
    # no drawdown: probability 1; beyond the grid: clamped to the last horizon
    assert table.cdf(0.0, 1)[0] == 1.0
    assert table.cdf(-0.2, 50)[0] == pytest.approx(0.5)
    # below the deepest stored quantile: exponential tail, smaller than the first level
    deep = table.cdf(np.array([-0.3, -0.5]), 1)
    assert 0 < deep[1] < deep[0] < 0.1
    # NaN in, NaN out; horizon 0 is undefined
    assert np.isnan(table.cdf(np.nan, 1)[0]) and np.isnan(table.cdf(-0.1, 0)[0])


def test_grid_cdf_one_grid_per_query() -> None:
    v = np.log1p(np.array([[[-0.2, 0.0]], [[-0.4, 0.0]]]))  # two grids, one horizon each
    p = grid_cdf([5], [0.5, 1.0], v, np.array([-0.2, -0.2]), 5)
    # grid 2: linear in log wealth between log(0.6) (level 0.5) and 0 (level 1)
    second = 0.5 + 0.5 * (math.log(0.8) - math.log(0.6)) / -math.log(0.6)
    np.testing.assert_allclose(p, [0.5, second])


def test_gaussian_max_drawdown_matches_brownian_theory() -> None:
    # zero drift: P(MDD_n <= -d) for the running minimum of the drawdown of a driftless
    # random walk. For a short horizon compare with the reflection principle on the
    # running minimum of log wealth, a lower bound (drawdown from peak >= fall from start).
    rng = np.random.default_rng(3)
    sigma, n = 0.01, 250
    lw = np.cumsum(rng.normal(0.0, sigma, (4000, n)), axis=1)
    table = horizon_quantiles(running_max_drawdown(lw), "max_drawdown")
    d = 0.2
    fall = 2.0 * stats.norm.cdf(math.log1p(-d) / (sigma * math.sqrt(n)))  # P(min lw <= log .8)
    p = float(table.cdf(-d, n)[0])
    empirical = float(np.mean(running_max_drawdown(lw)[:, -1] <= math.log1p(-d)))
    assert p == pytest.approx(empirical, abs=0.01)
    assert p > fall  # a drawdown from the peak is at least the fall from the start


def test_drawdown_probability_is_monotone_and_from_evidence() -> None:
    x = np.random.default_rng(0).normal(0.0004, 0.01, 2520)
    ev = backtest_evidence(x, cone_horizon=504, seed_key="s")
    assert ev is not None and ev.drawdown_table is not None
    assert ev.winning_day_rate == pytest.approx(float(np.mean(x > 0)))
    depths = np.array([0.0, -0.02, -0.05, -0.1, -0.2, -0.4])
    p = np.asarray(drawdown_probability(ev, depths, 252))
    assert p[0] == 1.0
    assert np.all(np.diff(p) <= 0) and p[-1] < p[-2] < p[-3] < 1.0  # deeper is rarer
    # the same depth is likelier over a longer period
    assert drawdown_probability(ev, -0.1, 504) > drawdown_probability(ev, -0.1, 60)
    assert drawdown_probability(ev.cone, -0.1, 60) == drawdown_probability(ev, -0.1, 60)
    # a -100 % drawdown is off the grid: the floor
    assert drawdown_probability(ev, -1.0, 60) == pytest.approx(1e-12)
    with pytest.raises(ValueError, match="<= 0"):
        drawdown_probability(ev, 0.1, 60)
    with pytest.raises(ValueError, match="no drawdown table"):
        drawdown_probability(object(), -0.1, 60)


def test_drawdown_grid_is_small() -> None:
    cone = backtest_cone(np.random.default_rng(1).normal(0, 0.01, 500), 2520, n_paths=1000, seed=1)
    assert cone.max_drawdown is not None and cone.cumulative is not None
    assert cone.max_drawdown.nbytes + cone.cumulative.nbytes < 100_000
    assert default_horizons(2520)[[0, -1]].tolist() == [1, 2520]
    lv = default_levels(1000)
    assert lv[0] == pytest.approx(1e-3) and lv[-1] == 1.0
    rt = HorizonQuantiles.from_dict(cone.max_drawdown.to_dict())
    np.testing.assert_array_equal(rt.values, cone.max_drawdown.values)


def test_cone_percentile_is_uniform_for_fresh_backtest_paths() -> None:
    # the percentile of a path drawn from the same law is ~uniform: P(pct <= 0.1) ~ 10 %
    rng = np.random.default_rng(11)
    bt = rng.normal(0.0004, 0.01, 5000)
    cone = backtest_cone(bt, 120, n_paths=2000, seed=2, block_length=1.0)
    live = rng.choice(bt, size=(1000, 120))
    cum = np.expm1(np.log1p(live).sum(axis=1))
    pct = np.asarray(cone_percentile(cone, cum, np.full(1000, 120)))
    assert np.mean(pct <= 0.1) == pytest.approx(0.10, abs=0.03)
    assert np.mean(pct <= 0.5) == pytest.approx(0.50, abs=0.05)
    # the median band sits at the 50th percentile; outside the horizon is NaN
    assert cone_percentile(cone, float(cone.band(50)[59]), 60) == pytest.approx(0.5, abs=0.03)
    assert math.isnan(cone_percentile(cone, 0.0, 121))
