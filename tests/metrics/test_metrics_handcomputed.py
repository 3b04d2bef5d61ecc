"""Hand-computed cases for metrics empyrical does not define (or defines differently)."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from stratmon.metrics import (
    METRIC_COLUMNS,
    MetricsInputError,
    monthly_returns,
    returns_from_nav,
    summarize,
    yearly_returns,
)
from stratmon.metrics.regime import RegimeConfig, classify


def _row(returns: list[float], dates: list[str] | None = None, **kw: object) -> pd.Series:
    idx = pd.DatetimeIndex(dates) if dates is not None else None
    return summarize(np.array(returns, dtype=float), index=idx, **kw).iloc[0]  # type: ignore[arg-type]


def test_drawdown_durations_with_gap_and_nan() -> None:
    # wealth 1.1, 0.99, 0.891, (NaN day), 1.1583, 1.100385
    rets = [0.1, -0.1, -0.1, math.nan, 0.3, -0.05]
    dates = ["2024-01-01", "2024-01-02", "2024-01-10", "2024-01-11", "2024-01-20", "2024-01-21"]
    row = _row(rets, dates)
    assert row["max_drawdown"] == pytest.approx(0.891 / 1.1 - 1, abs=1e-12)
    assert row["current_drawdown"] == pytest.approx(1.100385 / 1.1583 - 1, abs=1e-12)
    assert row["max_drawdown_duration"] == 3  # peak obs 0 -> recovery obs 3 (NaN day not counted)
    assert row["max_drawdown_duration_days"] == 19  # Jan 1 -> Jan 20
    assert row["current_drawdown_duration"] == 1
    assert row["longest_recovery"] == 1  # trough obs 2 -> recovery obs 3
    assert row["n_obs"] == 5


def test_drawdown_from_the_anchor_and_unrecovered() -> None:
    row = _row([-0.1, 0.05, 0.06, 0.01], ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"])
    assert row["max_drawdown"] == pytest.approx(-0.1)
    assert row["max_drawdown_duration"] == 3  # anchor (obs -1) -> recovery at obs 2
    assert row["max_drawdown_duration_days"] == 2  # anchor dated at the first observation
    assert row["longest_recovery"] == 2
    assert row["current_drawdown_duration"] == 0
    assert row["current_drawdown"] == 0

    row = _row([-0.1, 0.01])
    assert math.isnan(row["longest_recovery"])
    assert row["max_drawdown_duration"] == 2
    assert row["current_drawdown_duration"] == 2
    assert math.isnan(row["max_drawdown_duration_days"])  # no dates given

    row = _row([0.01, 0.02, 0.03])
    assert row["longest_recovery"] == 0
    assert row["max_drawdown_duration"] == 0
    assert row["max_drawdown"] == 0
    assert math.isnan(row["calmar_ratio"])


def test_months_and_period_ratios() -> None:
    rets = [0.01, 0.02, -0.01, math.nan, math.nan, 0.0]
    dates = ["2024-01-30", "2024-01-31", "2024-02-01", "2024-02-02", "2024-03-01", "2024-04-01"]
    row = _row(rets, dates)
    assert row["winning_months"] == 1
    assert row["losing_months"] == 1  # March has no data, April is 0.0 (neither)
    assert row["best_month"] == pytest.approx(1.01 * 1.02 - 1)
    assert row["worst_month"] == pytest.approx(-0.01)
    assert row["hit_rate"] == pytest.approx(2 / 4)
    assert row["profit_loss_ratio"] == pytest.approx(0.015 / 0.01)

    table = monthly_returns(np.array(rets), pd.DatetimeIndex(dates))
    assert list(table.columns) == list(range(1, 13))
    assert table.loc[2024, 1] == pytest.approx(0.0302)
    assert table.loc[2024, 2] == pytest.approx(-0.01)
    assert math.isnan(table.loc[2024, 3])
    assert table.loc[2024, 4] == 0.0
    assert math.isnan(table.loc[2024, 12])

    two = np.column_stack([rets, [0.05] * 6])
    table2 = monthly_returns(pd.DataFrame(two, index=pd.DatetimeIndex(dates), columns=["a", "b"]))
    assert table2.loc[("b", 2024), 1] == pytest.approx(1.05**2 - 1)
    yearly = yearly_returns(two, pd.DatetimeIndex(dates))
    assert yearly.loc[2024, 1] == pytest.approx(1.05**6 - 1)
    assert yearly.loc[2024, 0] == pytest.approx(1.01 * 1.02 * 0.99 - 1)


def test_calendar_needs_sorted_dates() -> None:
    with pytest.raises(MetricsInputError):
        monthly_returns(np.array([0.01, 0.02]), pd.DatetimeIndex(["2024-02-01", "2024-01-01"]))
    with pytest.raises(MetricsInputError):
        yearly_returns(np.array([0.01, 0.02]))


def test_regime_classification_and_sharpe() -> None:
    b = np.array([0.02, 0.02, 0.02, -0.03, -0.03, -0.03, 0.0, 0.03, 0.03, 0.03])
    codes = classify(b[:, None], RegimeConfig(window=3))[:, 0]
    # trailing 3: -, -, 1.02^3-1=6.1 % bull, 0.9 % sideways, -3.9 % sideways, -8.7 % bear,
    # -5.9 % bear, -0.03 % sideways, 6.1 % bull, 9.3 % bull
    np.testing.assert_array_equal(codes, [-2, -2, 1, 0, 0, -1, -1, 0, 1, 1])
    r = np.array([0.0, 0.0, 0.01, 0.02, -0.01, 0.03, -0.02, 0.005, 0.004, 0.012])
    row = summarize(r, benchmark=b, regime_window=3).iloc[0]
    bull = r[[2, 8, 9]]
    side = r[[3, 4, 7]]
    bear = r[[5, 6]]
    for name, sample in (("bull", bull), ("sideways", side), ("bear", bear)):
        want = sample.mean() / sample.std(ddof=1) * math.sqrt(252)
        assert row[f"{name}_market_sharpe"] == pytest.approx(want, rel=1e-12)
    assert math.isnan(summarize(r).iloc[0]["bull_market_sharpe"])


def test_parametric_value_at_risk() -> None:
    rng = np.random.default_rng(5)
    x = rng.standard_t(4, 500) * 0.01
    row = summarize(x).iloc[0]
    z = scipy.stats.norm.ppf(0.05)
    mu, sd = x.mean(), x.std(ddof=1)
    s, k = scipy.stats.skew(x), scipy.stats.kurtosis(x)
    assert row["value_at_risk_95_gaussian"] == pytest.approx(mu + z * sd, rel=1e-10)
    z_cf = z + (z**2 - 1) * s / 6 + (z**3 - 3 * z) * k / 24 - (2 * z**3 - 5 * z) * s**2 / 36
    assert row["value_at_risk_95_cornish_fisher"] == pytest.approx(mu + z_cf * sd, rel=1e-10)
    assert NormalDist().inv_cdf(0.05) == pytest.approx(z)


def test_undefined_metrics_are_nan_not_inf() -> None:
    r = np.full((50, 4), np.nan)
    r[:, 0] = 0.001  # constant: zero dispersion
    r[0, 1] = 0.01  # one observation
    r[:, 3] = np.r_[[0.01, -0.01] * 25]
    table = summarize(r, benchmark=np.zeros(50), index=pd.bdate_range("2024-01-01", periods=50))
    assert list(table.columns) == list(METRIC_COLUMNS)
    assert not np.isinf(table.to_numpy()).any()
    const = table.iloc[0]
    assert math.isnan(const["sharpe_ratio"]) and const["annual_volatility"] == 0.0
    assert math.isnan(const["sortino_ratio"]) and math.isnan(const["skew"])
    assert math.isnan(const["beta"])  # benchmark has zero variance
    assert math.isnan(table.iloc[1]["sharpe_ratio"]) and table.iloc[1]["n_obs"] == 1
    empty = table.iloc[2]
    assert empty["n_obs"] == 0 and empty.drop("n_obs").isna().all()


def test_risk_free_conversion_and_sharpe() -> None:
    x = np.array([0.01, -0.005, 0.007, 0.002, -0.001])
    rf_pp = 1.05 ** (1 / 252) - 1
    row = summarize(x, risk_free=0.05).iloc[0]
    want = (x - rf_pp).mean() / (x - rf_pp).std(ddof=1) * math.sqrt(252)
    assert row["sharpe_ratio"] == pytest.approx(want, rel=1e-12)
    row365 = summarize(x, periods_per_year=365).iloc[0]
    assert row365["cagr"] == pytest.approx(np.prod(1 + x) ** (365 / 5) - 1, rel=1e-12)


def test_relative_tracking_error_and_names() -> None:
    rng = np.random.default_rng(2)
    b = rng.normal(0, 0.01, 300)
    r = 0.5 * b + rng.normal(0, 0.005, 300)
    row = summarize(pd.Series(r, name="s1"), benchmark=b).loc["s1"]
    active = r - b
    assert row["tracking_error"] == pytest.approx(active.std(ddof=1) * math.sqrt(252), rel=1e-12)
    assert row["information_ratio"] == pytest.approx(
        active.mean() / active.std(ddof=1) * math.sqrt(252), rel=1e-12
    )
    with pytest.raises(MetricsInputError):
        summarize(r, benchmark=b[:-1])
    with pytest.raises(MetricsInputError):
        summarize(r, names=["a", "b"])


def test_returns_from_nav() -> None:
    nav = np.array([100.0, 110.0, 99.0, 150.0, np.nan, 160.0])
    flows = np.array([0.0, 0.0, 0.0, 50.0, 0.0, 0.0])
    got = returns_from_nav(nav, flows)
    want = [math.nan, 0.1, -0.1, 1 / 99, math.nan, math.nan]
    np.testing.assert_allclose(got, want, rtol=1e-12, equal_nan=True)
    two = returns_from_nav(np.column_stack([nav, nav * 2]))
    assert two.shape == (6, 2)
    np.testing.assert_allclose(two[:, 0], two[:, 1], equal_nan=True)
    with pytest.raises(MetricsInputError):
        returns_from_nav(nav, np.zeros(3))


def test_regime_sharpe_per_column_benchmark_matches_shared() -> None:
    rng = np.random.default_rng(8)
    b = rng.normal(0.0, 0.02, 400)
    r = rng.normal(0.0005, 0.01, (400, 3))
    r[rng.random(r.shape) < 0.05] = np.nan
    shared = summarize(r, benchmark=b)
    per_col = summarize(r, benchmark=np.column_stack([b, b, b]))
    cols = ["bull_market_sharpe", "bear_market_sharpe", "sideways_market_sharpe"]
    assert shared[cols].notna().all().all()
    pd.testing.assert_frame_equal(shared[cols], per_col[cols], rtol=1e-9)
