"""Risk-adjusted ratios and return-distribution moments.

Each function takes a :class:`~stratmon.metrics._array.Panel` of ``(T, N)`` simple returns and
returns shape ``(N,)``; ``rf`` is the risk-free rate *per period* (see
:func:`~stratmon.metrics._array.periodic_risk_free`). Zero dispersion or too few observations
give NaN, never inf.
"""

from __future__ import annotations

import numpy as np

from stratmon.metrics._array import (
    BoolArray,
    FloatArray,
    Panel,
    safe_divide,
    stacked_column_sums,
)
from stratmon.metrics.returns import cagr


def sharpe_ratio(panel: Panel, rf: float, periods_per_year: float) -> FloatArray:
    """``mean(r - rf) / std(r - rf, ddof=1) * sqrt(ppy)``; NaN below 2 obs or zero dispersion.

    References
    ----------
    Sharpe (1994), "The Sharpe Ratio", J. Portfolio Management; empyrical-reloaded
    ``sharpe_ratio``.
    """
    return safe_divide(panel.mean - rf, panel.std) * np.sqrt(periods_per_year)


def downside_deviation_per_period(panel: Panel, target: float) -> FloatArray:
    """``sqrt(mean(min(r - target, 0)**2))`` over all non-NaN observations, shape (N,)."""
    below = panel.filled - target
    np.minimum(below, 0.0, out=below)
    if target != 0.0 and not panel.all_valid:  # with target 0 a NaN day (0 here) is 0
        np.copyto(below, 0.0, where=~panel.valid)
    np.multiply(below, below, out=below)
    return np.sqrt(safe_divide(below.sum(axis=0), panel.n))


def downside_deviation(panel: Panel, target: float, periods_per_year: float) -> FloatArray:
    """Annualised downside deviation below ``target`` (per period): per-period value * sqrt(ppy).

    References
    ----------
    Sortino & Price (1994); empyrical-reloaded ``downside_risk``.
    """
    return downside_deviation_per_period(panel, target) * np.sqrt(periods_per_year)


def sortino_ratio(
    panel: Panel, rf: float, periods_per_year: float, downside: FloatArray | None = None
) -> FloatArray:
    """``mean(r - rf) / downside_deviation(target=rf) * sqrt(ppy)``; NaN below 2 obs or 0 risk.

    References
    ----------
    Sortino & Price (1994), "Performance measurement in a downside risk framework";
    empyrical-reloaded ``sortino_ratio`` with ``required_return=rf``.
    """
    dd = downside_deviation_per_period(panel, rf) if downside is None else downside
    out = safe_divide(panel.mean - rf, dd) * np.sqrt(periods_per_year)
    out[panel.n < 2] = np.nan
    return out


def calmar_ratio(panel: Panel, max_drawdown: FloatArray, periods_per_year: float) -> FloatArray:
    """CAGR / |max drawdown|; NaN when there was no drawdown.

    References
    ----------
    Young (1991), "Calmar Ratio: A Smoother Tool", Futures; empyrical-reloaded ``calmar_ratio``.
    """
    out = safe_divide(cagr(panel, periods_per_year), np.abs(max_drawdown))
    out[~(max_drawdown < 0)] = np.nan
    return out


def omega_ratio(panel: Panel, threshold: float) -> FloatArray:
    """Sum of gains above ``threshold`` / sum of losses below it (per-period threshold).

    NaN below two observations or without any loss.

    References
    ----------
    Keating & Shadwick (2002), "A Universal Performance Measure"; empyrical-reloaded
    ``omega_ratio`` with ``risk_free=threshold``, ``required_return=0``.
    """
    if threshold == 0.0:
        gains, _, neg_sum, _ = panel.sign_sums
        losses = -neg_sum
    else:
        excess = panel.filled - threshold
        excess[~panel.valid] = 0.0
        gains = np.where(excess > 0, excess, 0.0).sum(axis=0)
        losses = -np.where(excess < 0, excess, 0.0).sum(axis=0)
    out = safe_divide(gains, losses)
    out[(panel.n < 2) | ~(losses > 0)] = np.nan
    return out


def skew(panel: Panel) -> FloatArray:
    """Sample skewness (biased, ``m3 / m2**1.5``); NaN for (near-)constant data.

    References
    ----------
    ``scipy.stats.skew(bias=True)`` as used by empyrical-reloaded.
    """
    return skew_from_sums(panel.n, panel.mean, panel.m2_sum, panel.moment_sums[1], panel.constant)


def kurtosis(panel: Panel) -> FloatArray:
    """Excess kurtosis (biased, Fisher: ``m4 / m2**2 - 3``); NaN for (near-)constant data.

    References
    ----------
    ``scipy.stats.kurtosis(fisher=True, bias=True)`` as used by empyrical-reloaded.
    """
    return kurtosis_from_sums(
        panel.n, panel.mean, panel.m2_sum, panel.moment_sums[2], panel.constant
    )


def skew_from_sums(
    n: FloatArray, mean: FloatArray, m2_sum: FloatArray, m3_sum: FloatArray, constant: BoolArray
) -> FloatArray:
    """:func:`skew` from the count, mean and sums of squared / cubed deviations, shape (N,).

    Shared with the running metrics, which keep these sums instead of the returns.

    References
    ----------
    ``scipy.stats.skew(bias=True)``.
    """
    m2 = safe_divide(m2_sum, n)
    out = safe_divide(safe_divide(m3_sum, n), m2**1.5)
    out[_near_constant(n, mean, constant, m2)] = np.nan
    return out


def kurtosis_from_sums(
    n: FloatArray, mean: FloatArray, m2_sum: FloatArray, m4_sum: FloatArray, constant: BoolArray
) -> FloatArray:
    """:func:`kurtosis` from the count, mean and sums of squared / 4th-power deviations.

    References
    ----------
    ``scipy.stats.kurtosis(fisher=True, bias=True)``.
    """
    m2 = safe_divide(m2_sum, n)
    out = safe_divide(safe_divide(m4_sum, n), m2 * m2) - 3.0
    out[_near_constant(n, mean, constant, m2)] = np.nan
    return out


def _near_constant(
    n: FloatArray, mean: FloatArray, constant: BoolArray, m2: FloatArray
) -> BoolArray:
    # scipy's rule: m2 <= (resolution * mean)**2 means the data are constant to precision.
    res = float(np.finfo(np.float64).resolution)
    return np.asarray((m2 <= (res * mean) ** 2) | constant | (n < 1))


def stability(panel: Panel) -> FloatArray:
    """R-squared of an OLS fit of cumulative log returns on the observation number.

    NaN below two observations or when the cumulative log return is constant (empyrical returns
    0 there; a ratio of zero variances is undefined here).

    References
    ----------
    empyrical-reloaded ``stability_of_timeseries``.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.log1p(panel.filled)
    np.cumsum(y, axis=0, out=y)
    n = panel.n
    mx = (n - 1.0) / 2.0
    buf = panel.stack_buffer(2)
    if panel.all_valid:  # same values, without the masking passes (and in place)
        my = safe_divide(y.sum(axis=0), n)
        steps = np.arange(panel.shape[0], dtype=np.float64)[:, None]
        dx = steps - mx[:1]  # every column has the same observation numbers
        sxx = np.broadcast_to((dx * dx).sum(axis=0), n.shape)
        scale = np.abs(y, out=buf[:, 1, :]).max(axis=0, initial=0.0)
        dy = np.subtract(y, my, out=y)
    else:
        x = panel.obs_index
        my = safe_divide(np.where(panel.valid, y, 0.0).sum(axis=0), n)
        dx = np.where(panel.valid, x - mx, 0.0)
        dy = np.where(panel.valid, y - my, 0.0)
        sxx = (dx * dx).sum(axis=0)
        # a NaN day repeats the previous cumulative value (or 0 before the first): same max
        scale = np.abs(y).max(axis=0, initial=0.0)
    # both cross sums in one row-by-row reduction (same bits as two separate sums)
    np.multiply(dx, dy, out=buf[:, 0, :])
    np.multiply(dy, dy, out=buf[:, 1, :])
    sxy, syy = stacked_column_sums(buf)
    out = safe_divide(sxy * sxy, sxx * syy)
    out[(n < 2) | stability_undefined(n, syy, scale)] = np.nan
    return np.minimum(out, 1.0)


def stability_undefined(n: FloatArray, syy: FloatArray, scale: FloatArray) -> BoolArray:
    """True where the cumulative log return is constant to rounding (its R-squared is 0/0).

    ``syy`` is the sum of squared deviations of the cumulative log return, ``scale`` its
    largest absolute value. Deviations below ``1e-6 * scale`` (rms) are treated as none: the
    fit of such a flat line is dominated by rounding and the R-squared is reported as NaN.
    """
    return np.asarray(~(syy > n * (1e-6 * scale) ** 2))
