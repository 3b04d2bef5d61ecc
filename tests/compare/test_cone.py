"""Bootstrap cone: band ordering, centre, reproducibility, breaches."""

from __future__ import annotations

import numpy as np
import pytest

from stratmon.compare.cone import backtest_cone, cone_breaches


@pytest.fixture(scope="module")
def backtest() -> np.ndarray:
    return np.random.default_rng(42).normal(0.0005, 0.01, 2520)


def test_bands_are_monotone_and_widen(backtest: np.ndarray) -> None:
    cone = backtest_cone(backtest, 252, n_paths=1000, seed=1)
    assert cone.bands.shape == (5, 252)
    assert np.all(np.diff(cone.bands, axis=0) >= 0)  # p5 <= p25 <= ... <= p95 every day
    width = cone.band(95) - cone.band(5)
    assert width[-1] > width[20] > width[0] > 0
    assert np.all(cone.sigma_lower[2] <= cone.sigma_lower[0])
    assert np.all(cone.sigma_upper[0] <= cone.sigma_upper[2])


def test_median_near_compounded_mean_on_long_horizon(backtest: np.ndarray) -> None:
    cone = backtest_cone(backtest, 504, n_paths=2000, seed=3)
    log_mean = np.log1p(backtest).mean()
    expected = np.expm1(504 * log_mean)  # median of wealth = exp(median log wealth)
    sd = np.log1p(backtest).std() * np.sqrt(504)
    assert cone.band(50)[-1] == pytest.approx(expected, abs=0.1 * sd)
    assert np.expm1(cone.mean_log[-1]) == pytest.approx(expected, abs=0.1 * sd)


def test_p95_width_matches_normal_theory_for_iid(backtest: np.ndarray) -> None:
    cone = backtest_cone(backtest, 100, n_paths=4000, seed=5, block_length=1)
    sd = np.log1p(backtest).std() * 10
    spread = np.log1p(cone.band(95)[-1]) - np.log1p(cone.band(5)[-1])
    assert spread == pytest.approx(2 * 1.6449 * sd, rel=0.08)


def test_seed_reproducibility(backtest: np.ndarray) -> None:
    a = backtest_cone(backtest, 60, n_paths=300, seed=7)
    b = backtest_cone(backtest, 60, n_paths=300, seed=7)
    c = backtest_cone(backtest, 60, n_paths=300, seed=8)
    np.testing.assert_array_equal(a.bands, b.bands)
    assert not np.array_equal(a.bands, c.bands)


def test_breaches_report_outermost_band(backtest: np.ndarray) -> None:
    cone = backtest_cone(backtest, 30, n_paths=500, seed=2)
    live = cone.band(50).copy()
    live[9] = cone.band(5)[9] - 0.01  # below p5 on day 10
    live[19] = (cone.band(75)[19] + cone.band(95)[19]) / 2  # above p75 only, day 20
    live[24] = np.nan
    events = cone_breaches(live, cone)
    pct = [(e.day, e.band, e.side) for e in events if e.band.startswith("p")]
    assert pct == [(10, "p5", "below"), (20, "p75", "above")]
    day10_sigma = [e for e in events if e.day == 10 and e.band.startswith("sigma")]
    assert len(day10_sigma) == 1 and day10_sigma[0].side == "below"
    assert all(e.day != 25 for e in events)
    assert cone_breaches(cone.band(50), cone) == []  # the median path is inside every band
