"""``summarize``: the whole metric catalogue, one row per strategy.

The columns are processed in blocks of :data:`CHUNK` so every temporary stays small (peak extra
memory a few times one block, not the whole input) and in cache. Every metric is written into
one ``(M, N)`` float array, and the DataFrame is built from it in one step: a call on a small
input costs little more than its numpy work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from stratmon.metrics import drawdown, relative, returns, risk, tail
from stratmon.metrics._array import (
    FloatArray,
    MetricsInputError,
    Panel,
    as_float_2d,
    coerce_dates,
    column_names,
    periodic_risk_free,
)
from stratmon.metrics.calendar import month_stats
from stratmon.metrics.regime import (
    BEAR,
    BULL,
    SIDEWAYS,
    RegimeConfig,
    classify,
    regime_sharpe,
    regime_sharpe_shared,
)

CHUNK = 64

RETURN_METRICS = (
    "total_return",
    "cagr",
    "annual_volatility",
    "best_day",
    "worst_day",
    "mean_daily_return",
)
RISK_ADJUSTED_METRICS = (
    "sharpe_ratio",
    "sortino_ratio",
    "calmar_ratio",
    "omega_ratio",
    "tail_ratio",
    "stability",
    "downside_deviation",
    "skew",
    "kurtosis",
)
DRAWDOWN_METRICS = (
    "max_drawdown",
    "current_drawdown",
    "max_drawdown_duration",
    "max_drawdown_duration_days",
    "current_drawdown_duration",
    "longest_recovery",
)
TAIL_METRICS = (
    "value_at_risk_95",
    "value_at_risk_99",
    "conditional_value_at_risk_95",
    "conditional_value_at_risk_99",
    "value_at_risk_95_gaussian",
    "value_at_risk_95_cornish_fisher",
)
RELATIVE_METRICS = (
    "alpha",
    "beta",
    "information_ratio",
    "tracking_error",
    "correlation",
    "up_capture",
    "down_capture",
    "capture_ratio",
)
CALENDAR_METRICS = ("winning_months", "losing_months", "best_month", "worst_month")
REGIME_METRICS = ("bull_market_sharpe", "bear_market_sharpe", "sideways_market_sharpe")
PERIOD_METRICS = ("hit_rate", "profit_loss_ratio")

METRIC_COLUMNS: tuple[str, ...] = (
    *RETURN_METRICS,
    *RISK_ADJUSTED_METRICS,
    *DRAWDOWN_METRICS,
    *TAIL_METRICS,
    *RELATIVE_METRICS,
    *CALENDAR_METRICS,
    *REGIME_METRICS,
    *PERIOD_METRICS,
    "n_obs",
)
"""The columns of :func:`summarize`, in order."""

_ROW: dict[str, int] = {name: i for i, name in enumerate(METRIC_COLUMNS)}
_COLUMNS_INDEX = pd.Index(list(METRIC_COLUMNS))
_NAN_ROWS: dict[tuple[str, ...], list[int]] = {
    group: [_ROW[name] for name in group]
    for group in (RELATIVE_METRICS, CALENDAR_METRICS, REGIME_METRICS)
}


def _block(
    out: FloatArray,
    r: FloatArray,
    bench: FloatArray | None,
    regimes: FloatArray | None,
    days: FloatArray | None,
    months: Any,
    rf: float,
    ppy: float,
) -> None:
    """Write every metric of the block ``r`` (T, n) into ``out`` (M, n), rows as ``_ROW``."""
    p = Panel(r)
    row = _ROW
    _ = p.tail_sorted_t  # first: the sorted tails also give the best and worst day
    dd = drawdown.drawdown_stats(p, days)  # first: its wealth also gives the total return

    out[row["total_return"]] = returns.total_return(p)
    out[row["cagr"]] = returns.cagr(p, ppy)
    out[row["annual_volatility"]] = returns.annual_volatility(p, ppy)
    out[row["best_day"]] = p.best
    out[row["worst_day"]] = p.worst
    out[row["mean_daily_return"]] = returns.mean_daily_return(p)

    down_pp = risk.downside_deviation_per_period(p, rf)
    out[row["sharpe_ratio"]] = risk.sharpe_ratio(p, rf, ppy)
    out[row["sortino_ratio"]] = risk.sortino_ratio(p, rf, ppy, down_pp)
    out[row["calmar_ratio"]] = risk.calmar_ratio(p, dd.max_drawdown, ppy)
    out[row["omega_ratio"]] = risk.omega_ratio(p, rf)
    out[row["tail_ratio"]] = tail.tail_ratio(p)
    out[row["stability"]] = risk.stability(p)
    out[row["downside_deviation"]] = down_pp * np.sqrt(ppy)
    sk = risk.skew(p)
    ku = risk.kurtosis(p)
    out[row["skew"]] = sk
    out[row["kurtosis"]] = ku

    out[row["max_drawdown"]] = dd.max_drawdown
    out[row["current_drawdown"]] = dd.current_drawdown
    out[row["max_drawdown_duration"]] = dd.max_drawdown_duration
    out[row["max_drawdown_duration_days"]] = dd.max_drawdown_duration_days
    out[row["current_drawdown_duration"]] = dd.current_drawdown_duration
    out[row["longest_recovery"]] = dd.longest_recovery

    out[row["value_at_risk_95"]] = tail.value_at_risk(p, 0.05)
    out[row["value_at_risk_99"]] = tail.value_at_risk(p, 0.01)
    out[row["conditional_value_at_risk_95"]] = tail.conditional_value_at_risk(p, 0.05)
    out[row["conditional_value_at_risk_99"]] = tail.conditional_value_at_risk(p, 0.01)
    out[row["value_at_risk_95_gaussian"]] = tail.value_at_risk_gaussian(p, 0.05)
    out[row["value_at_risk_95_cornish_fisher"]] = tail.value_at_risk_cornish_fisher(p, 0.05, sk, ku)

    if bench is not None:
        rel = relative.relative_stats(p, bench, rf, ppy)
        for name in RELATIVE_METRICS:
            out[row[name]] = getattr(rel, name)
    else:
        out[_NAN_ROWS[RELATIVE_METRICS]] = np.nan

    if months is not None:
        ms = month_stats(p, months)
        for name in CALENDAR_METRICS:
            out[row[name]] = getattr(ms, name)
    else:
        out[_NAN_ROWS[CALENDAR_METRICS]] = np.nan

    if regimes is not None and regimes.shape[1] == 1:
        shared = regime_sharpe_shared(p, regimes, rf, ppy)
        out[row["bull_market_sharpe"]] = shared[BULL]
        out[row["bear_market_sharpe"]] = shared[BEAR]
        out[row["sideways_market_sharpe"]] = shared[SIDEWAYS]
    elif regimes is not None:
        out[row["bull_market_sharpe"]] = regime_sharpe(p, regimes, BULL, rf, ppy)
        out[row["bear_market_sharpe"]] = regime_sharpe(p, regimes, BEAR, rf, ppy)
        out[row["sideways_market_sharpe"]] = regime_sharpe(p, regimes, SIDEWAYS, rf, ppy)
    else:
        out[_NAN_ROWS[REGIME_METRICS]] = np.nan

    out[row["hit_rate"]] = returns.hit_rate(p)
    out[row["profit_loss_ratio"]] = returns.profit_loss_ratio(p)
    out[row["n_obs"]] = p.n


def _metric_matrix(
    r2: FloatArray,
    benchmark: Any,
    risk_free: float,
    periods_per_year: float,
    dates: Any,
    config: RegimeConfig,
) -> FloatArray:
    """All metrics of the (T, N) returns ``r2`` as an (M, N) array (NaN for non-finite)."""
    t_len, n_cols = r2.shape
    rf = periodic_risk_free(risk_free, periods_per_year)
    days: FloatArray | None = None
    months = None
    if dates is not None:
        days = dates.astype("datetime64[D]").astype(np.int64).astype(np.float64)
        months = dates.astype("datetime64[M]").astype(np.int64)

    b2: FloatArray | None = None
    if benchmark is not None:
        b2, _ = as_float_2d(benchmark, "benchmark")
        if b2.shape[0] != t_len or b2.shape[1] not in (1, n_cols):
            raise MetricsInputError(
                f"benchmark has shape {b2.shape}; it must be ({t_len},) or ({t_len}, {n_cols})."
            )
    shared_regimes = classify(b2, config) if b2 is not None and b2.shape[1] == 1 else None

    out = np.empty((len(METRIC_COLUMNS), n_cols))
    ppy = float(periods_per_year)
    for start in range(0, n_cols, CHUNK):
        stop = min(start + CHUNK, n_cols)
        whole = start == 0 and stop == n_cols
        r = r2 if whole and r2.flags.c_contiguous else np.ascontiguousarray(r2[:, start:stop])
        bench = None
        regimes = None
        if b2 is not None:
            if b2.shape[1] == 1:
                bench = np.broadcast_to(b2, r.shape)
                regimes = shared_regimes
            else:
                bench = np.ascontiguousarray(b2[:, start:stop])
                regimes = classify(bench, config)
        block = out if whole else np.empty((len(METRIC_COLUMNS), stop - start))
        _block(block, r, bench, regimes, days, months, rf, ppy)
        if not whole:
            out[:, start:stop] = block
    out[~np.isfinite(out)] = np.nan
    return out


def summarize_arrays(
    returns: Any,
    benchmark: Any = None,
    risk_free: float = 0.0,
    periods_per_year: float = 252,
    index: Any = None,
    *,
    regime_window: int = 63,
    bull_threshold: float = 0.05,
    bear_threshold: float = -0.05,
) -> tuple[list[str], FloatArray]:
    """The metric catalogue of :func:`summarize` as a bare array, without pandas output.

    Parameters
    ----------
    returns, benchmark, risk_free, periods_per_year, index, regime_window, bull_threshold, \
bear_threshold
        As in :func:`summarize`.

    Returns
    -------
    (list of str, ndarray of shape (N, M))
        The metric names (:data:`METRIC_COLUMNS`) and one row of values per strategy, in the
        column order of ``returns``; exactly the values of ``summarize(...).to_numpy()``.

    Raises
    ------
    MetricsInputError
        As :func:`summarize`.

    References
    ----------
    As :func:`summarize`.
    """
    r2, _ = as_float_2d(returns)
    dates = coerce_dates(returns, index, r2.shape[0])
    config = RegimeConfig(regime_window, bull_threshold, bear_threshold)
    values = _metric_matrix(r2, benchmark, risk_free, periods_per_year, dates, config)
    return list(METRIC_COLUMNS), values.T


def summarize(
    returns: Any,
    benchmark: Any = None,
    risk_free: float = 0.0,
    periods_per_year: float = 252,
    index: Any = None,
    names: Sequence[Any] | None = None,
    *,
    regime_window: int = 63,
    bull_threshold: float = 0.05,
    bear_threshold: float = -0.05,
) -> pd.DataFrame:
    """Compute the full metric catalogue for one or many strategies.

    Parameters
    ----------
    returns : ndarray, Series or DataFrame, shape (T,) or (T, N)
        Simple returns per period (fractions), NaN where a strategy has no data that day. A
        NaN day is excluded from every statistic (never treated as 0 %).
    benchmark : ndarray, Series or DataFrame, shape (T,) or (T, N), optional
        Benchmark simple returns on the same rows. Without it the benchmark-relative and
        regime metrics are NaN.
    risk_free : float
        Annual risk-free rate (fraction), converted per period as ``(1 + rf)**(1/ppy) - 1``.
        It is the excess-return offset of the Sharpe, Sortino, regime Sharpe and alpha, the
        target of the downside deviation, and the threshold of the Omega ratio.
    periods_per_year : float
        Periods per year (252 trading days, 365 for crypto, 12 for monthly data).
    index : dates, shape (T,), optional
        Dates of the rows, sorted; taken from ``returns`` when it has a DatetimeIndex. Needed
        for ``max_drawdown_duration_days`` and the monthly metrics (NaN without).
    names : sequence, length N, optional
        Row labels of the result (default: DataFrame columns, else 0..N-1).
    regime_window, bull_threshold, bear_threshold
        Regime definition, see :mod:`stratmon.metrics.regime` (63 periods, +5 %, -5 %).

    Returns
    -------
    pandas.DataFrame
        One row per strategy, columns :data:`METRIC_COLUMNS` (fractions; ratios annualised
        where their name says so in the docs of each module). A metric that cannot be computed
        is NaN, never inf. ``n_obs`` counts the non-NaN returns used.

    Raises
    ------
    MetricsInputError
        On a shape mismatch, unsorted or wrong-length dates, or a bad ``periods_per_year`` /
        ``risk_free``.

    References
    ----------
    Definitions agree with empyrical-reloaded 0.7 (see each module); Bacon (2008),
    "Practical Portfolio Performance Measurement and Attribution".
    """
    r2, _ = as_float_2d(returns)
    labels = column_names(returns, r2.shape[1], names)
    dates = coerce_dates(returns, index, r2.shape[0])
    config = RegimeConfig(regime_window, bull_threshold, bear_threshold)
    values = _metric_matrix(r2, benchmark, risk_free, periods_per_year, dates, config)
    return pd.DataFrame(values.T, index=pd.Index(labels), columns=_COLUMNS_INDEX, copy=False)
