"""The deviation column: a percentage where it is defined, the absolute difference where the
baseline is near zero (the percentage is undefined), '–' where neither exists."""

from __future__ import annotations

import math

from stratmon.compare.status import deviation
from stratmon.reports.format import deviation as show


def test_defined_deviation_prints_as_a_percentage() -> None:
    # live Sharpe 0.9 vs 1.2 promised: (0.9 - 1.2) / 1.2 = -25 %
    assert show(deviation(0.9, 1.2), 0.9, 1.2) == "-25.0 %"


def test_near_zero_baseline_prints_the_absolute_difference() -> None:
    # a backtest Sharpe of 0.01 against a live 1.0 would read "+9,900 %": undefined instead
    dev = deviation(1.0, 0.01)
    assert math.isnan(dev)
    assert show(dev, 1.0, 0.01) == "Δ +0.99"
    assert show(math.nan, 0.0, 0.0) == "Δ +0"


def test_nothing_to_show_without_both_values() -> None:
    assert show(math.nan, None, 0.2) == "–"
    assert show(None, 0.1, math.inf) == "–"
