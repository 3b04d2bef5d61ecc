"""growth_of_one, cumulative_returns and underwater against empyrical and by hand."""

from __future__ import annotations

import empyrical as ep
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stratmon.metrics import cumulative_returns, growth_of_one, underwater


def test_hand_computed() -> None:
    r = np.array([0.10, -0.20, 0.05, np.nan, 0.25])
    np.testing.assert_allclose(growth_of_one(r), [1.1, 0.88, 0.924, 0.924, 1.155])
    # peak 1.1 until wealth 1.155 tops it
    np.testing.assert_allclose(underwater(r), [0.0, -0.2, -0.16, -0.16, 0.0], atol=1e-15)


def test_anchored_at_one_before_the_first_return() -> None:
    assert underwater(np.array([-0.1]))[0] == pytest.approx(-0.1)


@given(st.lists(st.floats(-0.5, 0.5), min_size=1, max_size=60))
def test_agrees_with_empyrical(values: list[float]) -> None:
    r = np.array(values)
    np.testing.assert_allclose(cumulative_returns(r), ep.cum_returns(r), rtol=1e-9, atol=1e-12)
    assert underwater(r).min() == pytest.approx(min(ep.max_drawdown(r), 0.0), abs=1e-12)


def test_two_dimensional_columns_are_independent() -> None:
    rng = np.random.default_rng(3)
    r = rng.normal(0.0, 0.01, (200, 3))
    both = underwater(r)
    for j in range(3):
        np.testing.assert_allclose(both[:, j], underwater(r[:, j]))
