"""Agreement with empyrical-reloaded to 1e-9 for every metric it defines the same way.

2-D inputs are compared per column with empyrical on that column's non-NaN values (and, for
benchmark metrics, on the days where both series are present), which is empyrical's 1-D
semantics; empyrical pools columns for VaR/CVaR/omega/tail ratio/stability and stratmon does
not.
"""

from __future__ import annotations

from collections.abc import Callable

import empyrical as ep
import numpy as np
import pandas as pd
import pytest
import scipy.stats

from stratmon.metrics import summarize

RTOL = 1e-9
ATOL = 1e-12

PPY = 252


def _expected(r: np.ndarray, b: np.ndarray | None, rf_pp: float) -> dict[str, float]:
    """empyrical's value of each shared metric on one column's non-NaN values."""
    x = r[~np.isnan(r)]
    out = {
        "total_return": ep.cum_returns_final(x),
        "cagr": ep.cagr(x, annualization=PPY),
        "annual_volatility": ep.annual_volatility(x, annualization=PPY),
        "sharpe_ratio": ep.sharpe_ratio(x, risk_free=rf_pp, annualization=PPY),
        "sortino_ratio": ep.sortino_ratio(x, required_return=rf_pp, annualization=PPY),
        "downside_deviation": ep.downside_risk(x, required_return=rf_pp, annualization=PPY),
        "calmar_ratio": ep.calmar_ratio(x, annualization=PPY),
        "omega_ratio": ep.omega_ratio(x, risk_free=rf_pp),
        "tail_ratio": ep.tail_ratio(x),
        "stability": ep.stability_of_timeseries(x),
        "skew": scipy.stats.skew(x),
        "kurtosis": scipy.stats.kurtosis(x),
        "max_drawdown": ep.max_drawdown(x),
        "value_at_risk_95": ep.value_at_risk(x, 0.05),
        "value_at_risk_99": ep.value_at_risk(x, 0.01),
        "conditional_value_at_risk_95": ep.conditional_value_at_risk(x, 0.05),
        "conditional_value_at_risk_99": ep.conditional_value_at_risk(x, 0.01),
        "best_day": x.max(),
        "worst_day": x.min(),
        "mean_daily_return": x.mean(),
    }
    if b is not None:
        both = ~np.isnan(r) & ~np.isnan(b)
        rs, bs = pd.Series(r[both]), pd.Series(b[both])
        alpha, beta = ep.alpha_beta(rs, bs, risk_free=rf_pp, annualization=PPY)
        out["alpha"] = alpha
        out["beta"] = beta
        # empyrical's excess_sharpe is the information ratio not annualised.
        out["information_ratio"] = ep.excess_sharpe(rs.to_numpy(), bs.to_numpy()) * np.sqrt(PPY)
        out["up_capture"] = ep.up_capture(rs, bs)
        out["down_capture"] = ep.down_capture(rs, bs)
        out["capture_ratio"] = ep.up_down_capture(rs, bs)
        out["correlation"] = np.corrcoef(rs, bs)[0, 1]
    return out


def _check(table: pd.DataFrame, row: int, expected: dict[str, float]) -> None:
    for name, value in expected.items():
        got = table.iloc[row][name]
        np.testing.assert_allclose(got, value, rtol=RTOL, atol=ATOL, err_msg=name)


@pytest.mark.parametrize("risk_free", [0.0, 0.03])
def test_real_index_returns_agree_with_empyrical(
    real_returns: pd.DataFrame, risk_free: float
) -> None:
    table = summarize(real_returns["nasdaq"], benchmark=real_returns["sp500"], risk_free=risk_free)
    rf_pp = (1 + risk_free) ** (1 / PPY) - 1
    _check(
        table,
        0,
        _expected(real_returns["nasdaq"].to_numpy(), real_returns["sp500"].to_numpy(), rf_pp),
    )
    assert table.iloc[0]["n_obs"] == len(real_returns)


def test_real_2d_without_benchmark(real_returns: pd.DataFrame) -> None:
    table = summarize(real_returns)
    assert list(table.index) == ["sp500", "nasdaq"]
    for j, col in enumerate(real_returns.columns):
        _check(table, j, _expected(real_returns[col].to_numpy(), None, 0.0))
    assert table[["alpha", "beta", "information_ratio"]].isna().all().all()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_2d_with_nans_per_column(seed: int, make_panel: Callable) -> None:
    r, bench, idx = make_panel(seed)
    table = summarize(r, benchmark=bench, risk_free=0.02, index=idx)
    rf_pp = 1.02 ** (1 / PPY) - 1
    for j in range(r.shape[1]):
        _check(table, j, _expected(r[:, j], bench, rf_pp))
        assert table.iloc[j]["n_obs"] == np.isfinite(r[:, j]).sum()


def test_random_2d_benchmark_per_column(make_panel: Callable) -> None:
    r, bench, _ = make_panel(7, n_cols=4)
    rng = np.random.default_rng(70)
    b2 = bench[:, None] + rng.normal(0, 0.002, (len(bench), 4))
    b2[rng.random(b2.shape) < 0.03] = np.nan
    table = summarize(r, benchmark=b2)
    for j in range(4):
        _check(table, j, _expected(r[:, j], b2[:, j], 0.0))


def test_one_dimensional_equals_column_of_two_dimensional(make_panel: Callable) -> None:
    r, bench, idx = make_panel(11)
    full = summarize(r, benchmark=bench, index=idx)
    single = summarize(r[:, 2], benchmark=bench, index=idx)
    pd.testing.assert_series_equal(
        single.iloc[0], full.iloc[2], check_names=False, rtol=1e-12, atol=1e-15
    )
