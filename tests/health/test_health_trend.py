"""Health-score trend: least-squares slope vs threshold."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stratmon.health import health_slope, health_trend


def test_linear_sequences() -> None:
    up = [50.0 + i for i in range(10)]  # +1 point/day
    assert health_slope(up) == pytest.approx(1.0)
    assert health_trend(up) == "improving"
    assert health_trend(up[::-1]) == "declining"
    assert health_trend([70.0] * 10) == "stable"


def test_threshold_is_strict_and_configurable() -> None:
    slow = [50.0 + 0.3 * i for i in range(10)]  # 0.3 points/day < 0.5 default
    assert health_trend(slow) == "stable"
    assert health_trend(slow, threshold=0.2) == "improving"
    assert health_trend([50.0 - 0.3 * i for i in range(10)], threshold=0.2) == "declining"


def test_only_the_last_window_counts() -> None:
    # a long decline followed by 10 rising days: the default 10-day window sees the rise
    scores = [100.0 - 5 * i for i in range(15)] + [30.0 + 2 * i for i in range(10)]
    assert health_trend(scores) == "improving"
    assert health_trend(scores, window=25) == "declining"


def test_nan_days_keep_their_position() -> None:
    scores = [10.0, math.nan, 12.0, math.nan, 14.0, 15.0, math.nan, 17.0]
    assert health_slope(scores) == pytest.approx(1.0)  # not 7/5 as if the gaps were removed
    assert health_trend(scores) == "improving"


def test_too_few_points_is_stable() -> None:
    assert health_trend([10.0, 90.0]) == "stable"
    assert health_trend([]) == "stable"
    assert health_trend([10.0, math.nan, math.nan, 90.0, math.nan]) == "stable"
    assert math.isnan(health_slope([5.0]))


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        health_trend([1.0] * 10, window=1)
    with pytest.raises(ValueError):
        health_trend([1.0] * 10, threshold=-1)
    with pytest.raises(ValueError):
        health_trend([1.0] * 10, min_points=1)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 100), min_size=2, max_size=30), st.integers(2, 30))
def test_slope_agrees_with_numpy_polyfit(scores: list[float], window: int) -> None:
    y = np.asarray(scores[-window:])
    expected = np.polyfit(np.arange(y.size, dtype=float), y, 1)[0]
    assert health_slope(scores, window=window) == pytest.approx(expected, abs=1e-7)
