"""Drawdown expectations (Bailey & Lopez de Prado's triple penance rule)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from stratmon.compare.drawdown_expectations import (
    drawdown_expectations,
    expected_drawdown_from_returns,
)


def test_hand_computed_values() -> None:
    mu, sigma = 0.0005, 0.01
    d = drawdown_expectations(mu, sigma)
    z95, z99 = stats.norm.ppf(0.95), stats.norm.ppf(0.99)
    assert d.max_drawdown_95 == pytest.approx(-((z95 * sigma) ** 2) / (4 * mu))
    assert d.max_drawdown_95 == pytest.approx(-0.1353, abs=1e-4)  # 1.6449^2 * 1e-4 / 0.002
    assert d.max_drawdown_99 == pytest.approx(-((z99 * sigma) ** 2) / (4 * mu))
    assert d.time_to_max_drawdown_95 == pytest.approx((z95 * sigma / (2 * mu)) ** 2)
    assert d.time_under_water_95 == pytest.approx((z95 * sigma / mu) ** 2)


def test_triple_penance_and_quantile_path() -> None:
    d = drawdown_expectations(0.0004, 0.012)
    t_star, tuw = d.time_to_max_drawdown_99, d.time_under_water_99
    assert tuw - t_star == pytest.approx(3 * t_star)  # recovery takes 3x the fall
    # the 99 % quantile path mu t - z sigma sqrt(t) is at its minimum (the MaxDD) at t*
    z = stats.norm.ppf(0.99)
    path = lambda t: 0.0004 * t - z * 0.012 * math.sqrt(t)  # noqa: E731
    assert path(t_star) == pytest.approx(d.max_drawdown_99)
    assert path(tuw) == pytest.approx(0.0, abs=1e-12)
    assert path(t_star * 0.9) > path(t_star) < path(t_star * 1.1)


def test_non_positive_mean_gives_nan_and_arrays_work() -> None:
    d = drawdown_expectations(np.array([0.001, 0.0, -0.001]), np.array([0.01, 0.01, 0.01]))
    dd = np.asarray(d.max_drawdown_95)
    assert dd[0] < 0 and np.isnan(dd[1]) and np.isnan(dd[2])


def test_from_returns_uses_mean_and_sample_sd() -> None:
    rng = np.random.default_rng(0)
    r = rng.normal(0.001, 0.01, (1000, 2))
    d = expected_drawdown_from_returns(r)
    ref = drawdown_expectations(r.mean(axis=0), r.std(axis=0, ddof=1))
    np.testing.assert_allclose(d.time_under_water_95, ref.time_under_water_95)
