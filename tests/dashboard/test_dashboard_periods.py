"""Period returns, rolling Sharpe and the aggregate NAV: hand-computed cases and agreement
with empyrical. (Growth of one, the underwater curve and the monthly table are
``stratmon.metrics``'s, tested in tests/metrics; the drill-down's use of them is tested in
test_dashboard_app.)"""

from __future__ import annotations

import datetime as dt
import math

import empyrical
import numpy as np
import pandas as pd
import pytest

from stratmon.dashboard.periods import aggregate_nav, daily_returns, period_returns, rolling_sharpe

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


@pytest.mark.parametrize("periods_per_year", [252, 365])
def test_rolling_sharpe_agrees_with_empyrical(periods_per_year: int) -> None:
    """The strategy's own annualisation is used (365 for a crypto strategy), never 252."""
    r = np.random.default_rng(1).normal(0.001, 0.01, 120)
    ours = rolling_sharpe(r, 30, periods_per_year)
    ref = empyrical.roll_sharpe_ratio(pd.Series(r), window=30, annualization=periods_per_year)
    assert ours[29:] == pytest.approx(np.asarray(ref)[-len(ours[29:]) :], rel=1e-9)
    assert np.isnan(ours[:29]).all()
    assert ours[-1] == pytest.approx(
        r[-30:].mean() / r[-30:].std(ddof=1) * math.sqrt(periods_per_year), rel=1e-9
    )


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
