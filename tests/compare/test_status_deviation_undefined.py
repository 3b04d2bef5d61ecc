"""A percentage deviation from a baseline near zero is undefined (issue 14 item 4)."""

from __future__ import annotations

import math

import pytest

from stratmon.compare.status import compare_metric, deviation


def test_deviation_within_ten_times_the_baseline_is_reported() -> None:
    # live 1.0 vs backtest 0.1: (1.0 - 0.1) / 0.1 = 9 (+900 %), 9 <= 10 -> shown
    assert deviation(1.0, 0.1) == pytest.approx(9.0)
    # exactly at the limit: |diff| = 10 |b| is still reported
    assert deviation(-0.9, 0.1) == pytest.approx(-10.0)


def test_deviation_from_a_near_zero_baseline_is_undefined() -> None:
    # backtest Sharpe 0.01, live 1.0: "+9,900 %" says nothing -> NaN
    assert math.isnan(deviation(1.0, 0.01))
    assert math.isnan(deviation(-0.5, 0.001))
    assert math.isnan(deviation(0.3, -1e-9))
    # a tighter limit of the caller's choosing
    assert math.isnan(deviation(0.5, 0.1, max_ratio=2.0))
    assert deviation(0.3, 0.1, max_ratio=2.0) == pytest.approx(2.0)


def test_infinite_live_value_has_no_deviation() -> None:
    assert math.isnan(deviation(math.inf, 1.8))
    c = compare_metric("profit_factor", math.inf, 1.8, n_obs=100, n_trades=50)
    assert c.status == "outperforming" and math.isnan(c.deviation)


def test_comparison_keeps_both_values_for_the_absolute_difference() -> None:
    c = compare_metric("sharpe_ratio", 1.2, 0.02, n_obs=250, n_trades=0)
    assert math.isnan(c.deviation)
    assert c.live - c.backtest == pytest.approx(1.18)
    assert c.status == "outperforming"
