"""StrategyInputs.evolve keeps the computed returns only while NAV and cash flows are the same."""

from __future__ import annotations

import datetime as dt

import numpy as np

from stratmon.domain import Strategy
from stratmon.engine import StrategyInputs


def _inputs() -> StrategyInputs:
    days = [dt.date(2024, 1, d) for d in (2, 3, 4, 5)]
    return StrategyInputs(
        strategy=Strategy("S1", "one"),
        nav_dates=days,
        nav=np.array([100.0, 110.0, 99.0, 109.0]),
        cash_flow=np.array([0.0, 0.0, 0.0, 10.0]),
        round_trips=[],
        backtest=None,
    )


def test_evolve_keeps_returns_and_recomputes_when_nav_changes() -> None:
    it = _inputs()
    # Hand-computed time-weighted returns: 110/100-1, 99/110-1, (109-10)/99-1.
    np.testing.assert_allclose(it.returns, [0.1, -0.1, 0.0], atol=1e-15)
    later = it.evolve(previous_scores=[50.0])
    assert later.previous_scores == [50.0]
    assert later.returns is it.returns  # not recomputed
    changed = it.evolve(nav=np.array([100.0, 120.0, 108.0, 118.8]), cash_flow=np.zeros(4))
    np.testing.assert_allclose(changed.returns, [0.2, -0.1, 0.1], atol=1e-12)
    fresh = _inputs().evolve(previous_scores=[1.0])  # nothing cached yet: computed on demand
    np.testing.assert_allclose(fresh.returns, [0.1, -0.1, 0.0], atol=1e-15)
