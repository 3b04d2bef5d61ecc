"""The information ratio is undefined beside a zero tracking error (issue 14 item 4)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from stratmon.metrics._array import Panel
from stratmon.metrics.relative import TRACKING_ERROR_FLOOR, RelativeStats, relative_stats


def _stats(r: np.ndarray, b: np.ndarray) -> RelativeStats:
    return relative_stats(Panel(r.reshape(-1, 1)), b.reshape(-1, 1), 0.0, 252.0)


BENCH = np.array([0.01, -0.02, 0.005, 0.0125, -0.0075, 0.003])


def test_benchmark_plus_a_constant_has_no_information_ratio() -> None:
    # r - b = 0.0001 every day, up to rounding: tracking error is noise, IR undefined
    s = _stats(BENCH + 0.0001, BENCH)
    assert s.tracking_error[0] < TRACKING_ERROR_FLOOR
    assert math.isnan(s.information_ratio[0])


def test_identical_series_has_no_information_ratio() -> None:
    s = _stats(BENCH.copy(), BENCH)
    assert s.tracking_error[0] == 0.0
    assert math.isnan(s.information_ratio[0])


def test_real_tracking_error_gives_the_hand_computed_ratio() -> None:
    active = np.array([0.001, -0.0005, 0.002, 0.0, 0.0015, -0.001])
    s = _stats(BENCH + active, BENCH)
    # hand: mean 0.0005, sample sd of active
    mean = active.sum() / 6
    sd = math.sqrt(((active - mean) ** 2).sum() / 5)
    assert s.tracking_error[0] == pytest.approx(sd * math.sqrt(252))
    assert s.information_ratio[0] == pytest.approx(mean / sd * math.sqrt(252))


def test_tiny_but_real_difference_below_the_floor_is_undefined() -> None:
    active = 1e-9 * np.array([1.0, -1.0, 2.0, 0.0, 1.0, -2.0])  # TE ~ 2.3e-8 a year
    s = _stats(BENCH + active, BENCH)
    assert 0.0 < s.tracking_error[0] < TRACKING_ERROR_FLOOR
    assert math.isnan(s.information_ratio[0])
