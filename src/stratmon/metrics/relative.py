"""Benchmark-relative metrics: alpha, beta, information ratio, tracking error, capture.

Each statistic uses the *paired* days of a column: days where both the strategy and its
benchmark have a return. ``rf`` is the risk-free rate per period.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stratmon.metrics._array import BoolArray, FloatArray, Panel, safe_divide


@dataclass(frozen=True, slots=True)
class RelativeStats:
    """Benchmark-relative statistics per column, each of shape (N,)."""

    alpha: FloatArray
    beta: FloatArray
    information_ratio: FloatArray
    tracking_error: FloatArray
    correlation: FloatArray
    up_capture: FloatArray
    down_capture: FloatArray
    capture_ratio: FloatArray


def _capture(r: FloatArray, b: FloatArray, mask: BoolArray, ppy: float) -> FloatArray:
    count = mask.sum(axis=0).astype(np.float64)
    growth_r = np.prod(np.where(mask, 1.0 + r, 1.0), axis=0)
    growth_b = np.prod(np.where(mask, 1.0 + b, 1.0), axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        cagr_r = np.power(growth_r, ppy / count) - 1.0
        cagr_b = np.power(growth_b, ppy / count) - 1.0
    out = safe_divide(cagr_r, cagr_b)
    out[count < 1] = np.nan
    return out


def relative_stats(
    panel: Panel, benchmark: FloatArray, rf: float, periods_per_year: float
) -> RelativeStats:
    """Alpha, beta, information ratio, tracking error, correlation and capture ratios.

    Parameters
    ----------
    panel : Panel
        ``(T, N)`` strategy returns.
    benchmark : ndarray, shape (T, N) (a broadcast (T, 1) view is fine)
        Benchmark simple returns per period; NaN where missing.
    rf : float
        Risk-free rate per period.
    periods_per_year : float
        Annualisation factor.

    Notes
    -----
    - ``beta = cov(r, b) / var(b)`` (population moments on the paired days, as empyrical; NaN
      when ``var(b) < 1e-30``); ``alpha = (1 + mean(r - rf - beta (b - rf)))**ppy - 1``.
    - ``information_ratio = mean(r - b) / std(r - b, ddof=1) * sqrt(ppy)`` (annualised, unlike
      empyrical's ``excess_sharpe``); ``tracking_error = std(r - b, ddof=1) * sqrt(ppy)``.
      The information ratio is undefined (NaN) beside a tracking error below
      :data:`TRACKING_ERROR_FLOOR` (see :func:`_information_ratio`).
    - ``up_capture`` = CAGR of the strategy over the days the benchmark rose / CAGR of the
      benchmark over those days (each annualised over its own count of days, as empyrical);
      ``down_capture`` likewise for falling days; ``capture_ratio = up / down``.

    References
    ----------
    empyrical-reloaded ``alpha_beta``, ``up_capture``, ``down_capture``,
    ``up_down_capture``; Grinold & Kahn (2000), "Active Portfolio Management" (information
    ratio).
    """
    r = panel.r
    b = np.asarray(benchmark, dtype=np.float64)
    b_nan = np.isnan(b)
    if b_nan.any():
        paired = panel.valid & ~b_nan
        count = paired.sum(axis=0).astype(np.float64)
        mean_r = safe_divide(np.where(paired, r, 0.0).sum(axis=0), count)
        dr = np.where(paired, r - mean_r, 0.0)
    else:  # every benchmark day present: the pairs are the strategy's own days
        paired = panel.valid
        count = panel.n
        mean_r = panel.mean
        dr = panel.dev
    b0 = np.where(paired, b, 0.0)
    mean_b = safe_divide(b0.sum(axis=0), count)
    db = np.where(paired, b - mean_b, 0.0)
    var_b = safe_divide((db * db).sum(axis=0), count)
    var_r = safe_divide((dr * dr).sum(axis=0), count)
    cov = safe_divide((db * dr).sum(axis=0), count)
    var_b_ok = np.where(var_b < 1.0e-30, np.nan, var_b)
    beta = safe_divide(cov, var_b_ok)
    alpha_mean = (mean_r - rf) - beta * (mean_b - rf)
    with np.errstate(invalid="ignore", over="ignore"):
        alpha = np.power(1.0 + alpha_mean, periods_per_year) - 1.0
    alpha[~np.isfinite(alpha)] = np.nan
    corr = safe_divide(cov, np.sqrt(var_b * var_r))

    active_dev = dr - db
    active_mean = mean_r - mean_b
    with np.errstate(invalid="ignore", divide="ignore"):
        active_sd = np.sqrt((active_dev * active_dev).sum(axis=0) / (count - 1.0))
    active_const = _constant_where(r - b, paired)
    active_sd[count < 2] = np.nan
    active_sd[active_const] = 0.0
    tracking_error = active_sd * np.sqrt(periods_per_year)
    information_ratio = _information_ratio(active_mean, active_sd, periods_per_year)

    up = _capture(r, b, paired & (b > 0), periods_per_year)
    down = _capture(r, b, paired & (b < 0), periods_per_year)
    for arr in (alpha, beta, corr):
        arr[count < 2] = np.nan
    return RelativeStats(
        alpha=alpha,
        beta=beta,
        information_ratio=information_ratio,
        tracking_error=tracking_error,
        correlation=corr,
        up_capture=up,
        down_capture=down,
        capture_ratio=safe_divide(up, down),
    )


TRACKING_ERROR_FLOOR = 1.0e-6
"""Annualised tracking error (fraction) below which the information ratio is undefined:
0.0001 % a year, a hundred times tighter than the closest index fund tracks (about 0.01 % a
year), far above the rounding noise of ``r - b`` (about 1e-17 a day)."""


def _information_ratio(
    active_mean: FloatArray, active_sd: FloatArray, periods_per_year: float
) -> FloatArray:
    """Annualised information ratio, NaN beside a zero tracking error.

    Parameters
    ----------
    active_mean, active_sd : ndarray, shape (N,)
        Mean and sample standard deviation (ddof=1) of ``r - b`` per period.
    periods_per_year : float

    Returns
    -------
    ndarray, shape (N,)
        ``active_mean / active_sd * sqrt(ppy)``; undefined (NaN) where the annualised tracking
        error ``active_sd * sqrt(ppy)`` is below :data:`TRACKING_ERROR_FLOOR` or not finite.
        A strategy that is its benchmark plus a constant has an ``active_sd`` of rounding
        noise (1e-17) and would otherwise show an information ratio of 1e15 beside a tracking
        error printed as 0.00 %: a ratio over a zero denominator (DESIGN.md).

    References
    ----------
    Grinold & Kahn (2000), "Active Portfolio Management"; DESIGN.md, "Numbers that cannot be
    true are never shown".
    """
    root = np.sqrt(periods_per_year)
    te = active_sd * root
    den = np.where(np.isfinite(te) & (te >= TRACKING_ERROR_FLOOR), active_sd, np.nan)
    return safe_divide(active_mean, den) * root


def _constant_where(values: FloatArray, mask: BoolArray) -> BoolArray:
    hi = np.where(mask, values, -np.inf).max(axis=0)
    lo = np.where(mask, values, np.inf).min(axis=0)
    return np.asarray(hi == lo)
