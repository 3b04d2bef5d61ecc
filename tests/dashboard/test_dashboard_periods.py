"""Period returns, drawdown, monthly table and the aggregate NAV: hand-computed cases and
agreement with empyrical."""

from __future__ import annotations

import datetime as dt
import math

import empyrical
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from stratmon.dashboard.periods import (
    aggregate_nav,
    daily_returns,
    drawdown_series,
    monthly_returns,
    period_returns,
    rolling_sharpe,
)

D = dt.date


def test_period_returns_hand_computed() -> None:
    dates = [D(2023, 12, 29), D(2024, 1, 31), D(2024, 2, 1), D(2024, 2, 2)]
    nav = np.array([100.0, 110.0, 121.0 + 50.0, 171.0 * 0.9])
    cf = np.array([0.0, 0.0, 50.0, 0.0])  # +50 capital on 1 Feb is not a return
    pr = period_returns(dates, nav, cf, D(2024, 2, 2))
    assert pr.today == pytest.approx(-0.1)
    assert pr.month_to_date == pytest.approx(1.1 * 0.9 - 1)  # 1 Feb +10 %, 2 Feb -10 %
    assert pr.year_to_date == pytest.approx(1.1 * 1.1 * 0.9 - 1)
    assert pr.since_deployment == pytest.approx(1.1 * 1.1 * 0.9 - 1)


def test_period_returns_missing_periods_are_nan_not_zero() -> None:
    dates = [D(2024, 1, 30), D(2024, 1, 31)]
    nav = np.array([100.0, 101.0])
    pr = period_returns(dates, nav, np.zeros(2), D(2024, 2, 5))
    assert math.isnan(pr.today) and math.isnan(pr.month_to_date)
    assert pr.year_to_date == pytest.approx(0.01)
    first_day = period_returns(dates[:1], nav[:1], np.zeros(1), D(2024, 1, 30))
    assert math.isnan(first_day.since_deployment)


def test_daily_returns_first_day_has_none() -> None:
    r = daily_returns(np.array([100.0, 105.0, 100.0]), np.array([0.0, 0.0, -5.0]))
    assert math.isnan(r[0])
    assert r[1:] == pytest.approx([0.05, 0.0])


@settings(max_examples=40, deadline=None)
@given(hs.lists(hs.floats(-0.2, 0.2), min_size=2, max_size=300))
def test_drawdown_agrees_with_empyrical(rets: list[float]) -> None:
    r = np.array(rets)
    assert drawdown_series(r).min() == pytest.approx(min(0.0, empyrical.max_drawdown(r)), abs=1e-12)


def test_monthly_returns_table() -> None:
    dates = [D(2024, 1, 2), D(2024, 1, 3), D(2024, 3, 1)]
    table = monthly_returns(dates, np.array([np.nan, 0.1, -0.05]))
    assert table.loc[2024, 1] == pytest.approx(0.1)
    assert math.isnan(table.loc[2024, 2])  # no return in February: not 0
    assert table.loc[2024, 3] == pytest.approx(-0.05)
    assert list(table.columns) == list(range(1, 13))


def test_rolling_sharpe_agrees_with_empyrical() -> None:
    r = np.random.default_rng(1).normal(0.001, 0.01, 120)
    ours = rolling_sharpe(r, 30, 252)
    ref = empyrical.roll_sharpe_ratio(pd.Series(r), window=30)
    assert ours[29:] == pytest.approx(np.asarray(ref)[-len(ours[29:]) :], rel=1e-9)
    assert np.isnan(ours[:29]).all()


def test_aggregate_nav_new_strategy_is_capital_not_gain() -> None:
    a = (
        [D(2024, 1, 2), D(2024, 1, 3), D(2024, 1, 4)],
        np.array([100.0, 110.0, 121.0]),
        np.zeros(3),
    )
    b = ([D(2024, 1, 3), D(2024, 1, 4)], np.array([50.0, 45.0]), np.zeros(2))
    agg = aggregate_nav({"a": a, "b": b})
    assert list(agg["nav"]) == [100.0, 160.0, 166.0]
    assert agg["return"].iloc[1] == pytest.approx(0.10)  # b's 50 entered as capital
    assert agg["return"].iloc[2] == pytest.approx(6.0 / 160.0)
    assert list(agg["n_reporting"]) == [1, 2, 2]
    # a strategy that skips a day is carried at its last NAV
    c = ([D(2024, 1, 2), D(2024, 1, 4)], np.array([10.0, 11.0]), np.zeros(2))
    agg2 = aggregate_nav({"a": a, "c": c})
    assert list(agg2["nav"]) == [110.0, 120.0, 132.0]
    assert list(agg2["n_reporting"]) == [2, 1, 2]
