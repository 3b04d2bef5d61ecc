"""Axis ticks never repeat a label (issue 14 item 4: numbers that cannot be true)."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

from stratmon.dashboard.charts import (
    aggregate_figure,
    distinct_ticks,
    monthly_heatmap,
    underwater_figure,
)
from stratmon.reports.svg import axis_ticks, line_chart, tick_labels


def test_small_percent_range_gets_decimals() -> None:
    # ticks every 0.1 %: ".0f" would print "-0%" four times
    ticks, labels = axis_ticks(-0.004, 0.0, pct=True)
    assert ticks == pytest.approx([-0.004, -0.003, -0.002, -0.001, 0.0])
    assert labels == ["-0.4%", "-0.3%", "-0.2%", "-0.1%", "0.0%"]


def test_wide_percent_range_keeps_whole_percents() -> None:
    assert axis_ticks(0.0, 0.3, pct=True)[1] == ["0%", "10%", "20%", "30%"]


def test_growth_of_one_near_one() -> None:
    labels = tick_labels([1.0001, 1.00015, 1.0002], pct=False)
    assert labels == ["1.00010", "1.00015", "1.00020"]


def test_negative_zero_is_printed_as_zero() -> None:
    assert tick_labels([-0.01, -0.0, 0.01], pct=True) == ["-1%", "0%", "1%"]


def test_svg_line_chart_tick_labels_are_distinct() -> None:
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(5)]
    svg = line_chart("dd", {"s": (days, [0.0, -0.001, -0.002, -0.0015, -0.003])}, pct=True)
    labels = re.findall(r'text-anchor="end">([^<]*%)</text>', svg)
    assert len(labels) >= 3 and len(set(labels)) == len(labels)


def test_dashboard_underwater_ticks_distinct_and_cover_tiers() -> None:
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(4)]
    dd = np.array([0.0, -0.001, -0.003, -0.002])
    fig = underwater_figure(days, dd, {"max_drawdown_95": -0.004})
    text = list(fig.layout.yaxis.ticktext)
    vals = list(fig.layout.yaxis.tickvals)
    assert len(set(text)) == len(text) and "-0.4%" in text
    assert min(vals) == pytest.approx(-0.004) and max(vals) == pytest.approx(0.0)


def test_dashboard_flat_nav_and_heatmap_ticks_distinct() -> None:
    idx = pd.date_range("2024-01-01", periods=3)
    agg = pd.DataFrame({"nav": [1_000_000.0] * 3, "growth": [1.0, 1.00001, 1.00002]}, index=idx)
    fig = aggregate_figure(agg)
    for axis in (fig.layout.yaxis, fig.layout.yaxis2):
        assert len(axis.ticktext) >= 2 and len(set(axis.ticktext)) == len(axis.ticktext)
    table = pd.DataFrame([[0.001, -0.002] + [np.nan] * 10], index=[2024])
    bar = monthly_heatmap(table).data[0].colorbar
    assert len(set(bar.ticktext)) == len(bar.ticktext) >= 3


def test_distinct_ticks_without_data_is_empty() -> None:
    assert distinct_ticks([np.nan], pct=True) == {}
