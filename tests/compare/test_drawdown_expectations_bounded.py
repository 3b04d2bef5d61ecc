"""Drawdown tiers beyond -100 % are undefined, never printed (issue 14 item 4)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from stratmon.compare.drawdown_expectations import drawdown_expectations

Z95, Z99 = 1.6448536269514722, 2.3263478740408408


def test_small_mean_gives_undefined_tiers_not_minus_several_hundred_percent() -> None:
    # mu 0.0001, sigma 0.02: MaxDD-95 would be -(1.645*0.02)^2/(4e-4) = -270.6 %
    e = drawdown_expectations(0.0001, 0.02)
    assert math.isnan(e.max_drawdown_95) and math.isnan(e.max_drawdown_99)
    assert math.isnan(e.time_under_water_95) and math.isnan(e.time_to_max_drawdown_99)


def test_only_the_level_beyond_minus_100_percent_is_undefined() -> None:
    # mu 0.0005, sigma 0.02: 95 % depth -(Z95*0.02)^2/0.002 = -54.1 %, 99 % -108.2 %
    e = drawdown_expectations(0.0005, 0.02)
    assert e.max_drawdown_95 == pytest.approx(-((Z95 * 0.02) ** 2) / 0.002)
    assert e.time_under_water_95 == pytest.approx((Z95 * 0.02 / 0.0005) ** 2)
    assert math.isnan(e.max_drawdown_99) and math.isnan(e.time_under_water_99)


def test_arrays_keep_defined_columns() -> None:
    e = drawdown_expectations(np.array([0.001, 0.00001]), np.array([0.01, 0.01]))
    d95 = np.asarray(e.max_drawdown_95)
    assert d95[0] == pytest.approx(-((Z95 * 0.01) ** 2) / 0.004)
    assert math.isnan(d95[1])
    assert np.all(d95[np.isfinite(d95)] >= -1.0)
