"""Return metrics: total return, CAGR, volatility, best/worst day, period hit rate.

All functions take a :class:`~stratmon.metrics._array.Panel` of ``(T, N)`` simple returns and
return one value per column, shape ``(N,)``. NaN days are excluded.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from stratmon.metrics._array import FloatArray, MetricsInputError, Panel, as_float_2d, safe_divide


def total_return(panel: Panel) -> FloatArray:
    """Compounded return ``prod(1 + r) - 1`` over the non-NaN periods, shape (N,).

    References
    ----------
    empyrical-reloaded ``cum_returns_final``.
    """
    out = panel.growth - 1.0
    out[panel.n == 0] = np.nan
    return out


def cagr(panel: Panel, periods_per_year: float) -> FloatArray:
    """Compound annual growth rate ``prod(1 + r) ** (ppy / n) - 1``, shape (N,).

    NaN with no observations or a wealth that ends at or below zero.

    References
    ----------
    empyrical-reloaded ``annual_return`` / ``cagr``.
    """
    growth = total_return(panel) + 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.power(growth, periods_per_year / panel.n) - 1.0
    out[~np.isfinite(out) | (growth < 0)] = np.nan
    return out


def annual_volatility(panel: Panel, periods_per_year: float) -> FloatArray:
    """Sample standard deviation (ddof=1) times ``sqrt(ppy)``; NaN below two observations.

    References
    ----------
    empyrical-reloaded ``annual_volatility``.
    """
    return panel.std * np.sqrt(periods_per_year)


def mean_daily_return(panel: Panel) -> FloatArray:
    """Arithmetic mean return per period, shape (N,)."""
    return panel.mean


def hit_rate(panel: Panel) -> FloatArray:
    """Share of periods with a strictly positive return (a period-based, not trade-based, rate)."""
    return safe_divide(panel.sign_sums[1], panel.n)


def profit_loss_ratio(panel: Panel) -> FloatArray:
    """Mean positive period return / |mean negative period return|; NaN without both signs."""
    pos_sum, pos_n, neg_sum, neg_n = panel.sign_sums
    return safe_divide(safe_divide(pos_sum, pos_n), np.abs(safe_divide(neg_sum, neg_n)))


def returns_from_nav(nav: Any, cash_flow: Any = None) -> FloatArray:
    """Time-weighted simple returns from NAV: ``(nav_t - nav_{t-1} - cash_flow_t) / nav_{t-1}``.

    Parameters
    ----------
    nav : array-like, shape (T,) or (T, N)
        End-of-period net asset value, in currency; NaN where a strategy has no NAV.
    cash_flow : array-like, shape (T,) or (T, N), optional
        Capital added (+) or withdrawn (-) during period t, in currency. NaN counts as no flow
        only where the NAV itself is present; default no flows.

    Returns
    -------
    ndarray, shape like ``nav``
        Simple returns (fractions). The first row is NaN (a first day has no return); a row
        whose NAV or previous NAV is NaN, or whose previous NAV is not positive, is NaN.

    Raises
    ------
    MetricsInputError
        If ``cash_flow`` does not have the shape of ``nav``.

    References
    ----------
    GIPS time-weighted return with end-of-day flows (CFA Institute, GIPS 2020, section 2).
    """
    nav2, was_1d = as_float_2d(nav, "nav")
    out = np.full(nav2.shape, np.nan)
    if nav2.shape[0] > 1:
        prev = nav2[:-1]
        change = nav2[1:] - prev
        if cash_flow is not None:
            cf2, _ = as_float_2d(cash_flow, "cash_flow")
            if cf2.shape != nav2.shape:
                if cf2.shape[1] == 1 and cf2.shape[0] == nav2.shape[0]:
                    cf2 = np.broadcast_to(cf2, nav2.shape)
                else:
                    raise MetricsInputError(
                        f"cash_flow has shape {cf2.shape} but nav has shape {nav2.shape}."
                    )
            change = change - np.nan_to_num(cf2[1:], nan=0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            ret = change / prev
        ret[~(prev > 0) | ~np.isfinite(ret)] = np.nan
        out[1:] = ret
    return out[:, 0] if was_1d else out
