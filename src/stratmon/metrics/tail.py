"""Tail risk: historical and parametric value at risk, conditional VaR, tail ratio.

Every statistic is per column on that column's own non-NaN values (empyrical pools the columns
of a 2-D input for these; stratmon never does). One sort per column serves all quantiles.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

from stratmon.metrics._array import TAIL_Q, BoolArray, FloatArray, Panel, safe_divide


def percentile_sorted(sorted_t: FloatArray, n: FloatArray, q: float) -> FloatArray:
    """The ``q``-th percentile (numpy 'linear' method) of rows of ``sorted_t`` (N, T).

    ``n`` (N,) is the number of leading non-NaN values in each row; NaN where ``n == 0``.
    """
    n_cols = sorted_t.shape[0]
    out = np.full(n_cols, np.nan)
    ok = n > 0
    if not ok.any():
        return out
    virtual = (n[ok] - 1.0) * (q / 100.0)
    lo = np.floor(virtual)
    hi = np.minimum(lo + 1.0, n[ok] - 1.0)
    gamma = virtual - lo
    rows = np.flatnonzero(ok)
    a = sorted_t[rows, lo.astype(np.int64)]
    b = sorted_t[rows, hi.astype(np.int64)]
    diff = b - a
    # numpy's _lerp: a + diff * t, or b - diff * (1 - t) when t >= 0.5 (same rounding).
    val = np.where(gamma >= 0.5, b - diff * (1.0 - gamma), a + diff * gamma)
    out[ok] = val
    return out


def _sorted_for(panel: Panel, q: float) -> FloatArray:
    """Sorted values good for the ``q``-th percentile: the cheap tail sort when it covers it."""
    if q <= 100.0 * TAIL_Q or q >= 100.0 * (1.0 - TAIL_Q):
        return panel.tail_sorted_t
    return panel.sorted_t


def value_at_risk(panel: Panel, cutoff: float) -> FloatArray:
    """Historical VaR: the ``100 * cutoff`` percentile of returns (negative for a loss).

    References
    ----------
    empyrical-reloaded ``value_at_risk`` (numpy linear percentile).
    """
    return percentile_sorted(_sorted_for(panel, 100.0 * cutoff), panel.n, 100.0 * cutoff)


def conditional_value_at_risk(panel: Panel, cutoff: float) -> FloatArray:
    """Historical CVaR: mean of the ``int((n - 1) * cutoff) + 1`` lowest returns.

    References
    ----------
    empyrical-reloaded ``conditional_value_at_risk``.
    """
    n = panel.n
    out = np.full(n.shape, np.nan)
    ok = n > 0
    if not ok.any():
        return out
    k = np.floor((n - 1.0) * cutoff).astype(np.int64)  # cutoff index, >= 0
    k_max = int(k[ok].max())
    head = _sorted_for(panel, 100.0 * cutoff)[:, : k_max + 1]
    take = np.arange(k_max + 1)[None, :] <= k[:, None]
    sums = np.where(take, head, 0.0).sum(axis=1)
    out[ok] = sums[ok] / (k[ok] + 1.0)
    return out


def tail_ratio(panel: Panel) -> FloatArray:
    """|95th percentile| / |5th percentile|; NaN when the 5th percentile is 0.

    References
    ----------
    empyrical-reloaded ``tail_ratio``.
    """
    p95 = percentile_sorted(_sorted_for(panel, 95.0), panel.n, 95.0)
    p5 = percentile_sorted(_sorted_for(panel, 5.0), panel.n, 5.0)
    return safe_divide(np.abs(p95), np.abs(p5))


def value_at_risk_gaussian(panel: Panel, cutoff: float) -> FloatArray:
    """Parametric normal VaR: ``mean + z_cutoff * std`` (ddof=1), z the normal quantile.

    References
    ----------
    Jorion (2006), "Value at Risk", ch. 5 (delta-normal VaR).
    """
    z = NormalDist().inv_cdf(cutoff)
    return panel.mean + z * panel.std


def value_at_risk_cornish_fisher(
    panel: Panel, cutoff: float, skewness: FloatArray, excess_kurtosis: FloatArray
) -> FloatArray:
    """Modified VaR: ``mean + z_cf * std`` with the Cornish-Fisher expanded quantile.

    ``z_cf = z + (z**2 - 1) S / 6 + (z**3 - 3 z) K / 24 - (2 z**3 - 5 z) S**2 / 36`` with the
    biased sample skewness S and excess kurtosis K. A constant column (S, K undefined) falls
    back to the normal quantile, so its VaR is its constant return.

    References
    ----------
    Favre & Galeano (2002), "Mean-modified value-at-risk optimization with hedge funds",
    J. Alternative Investments; Zangari (1996), RiskMetrics Monitor.
    """
    z_cf = cornish_fisher_quantile(cutoff, skewness, excess_kurtosis, panel.constant)
    return panel.mean + z_cf * panel.std


def cornish_fisher_quantile(
    cutoff: float, skewness: FloatArray, excess_kurtosis: FloatArray, constant: BoolArray
) -> FloatArray:
    """The Cornish-Fisher quantile ``z_cf`` of :func:`value_at_risk_cornish_fisher`, shape (N,).

    Shared with the running metrics; a ``constant`` column gets the normal quantile.

    References
    ----------
    Favre & Galeano (2002); Zangari (1996).
    """
    z = NormalDist().inv_cdf(cutoff)
    s = np.where(constant, 0.0, skewness)
    k = np.where(constant, 0.0, excess_kurtosis)
    z_cf: FloatArray = (
        z
        + (z * z - 1.0) * s / 6.0
        + (z**3 - 3.0 * z) * k / 24.0
        - (2.0 * z**3 - 5.0 * z) * s * s / 36.0
    )
    return z_cf


ORDER_STATISTICS = (
    "value_at_risk_95",
    "value_at_risk_99",
    "conditional_value_at_risk_95",
    "conditional_value_at_risk_99",
    "tail_ratio",
)


def order_statistics(returns: FloatArray) -> dict[str, FloatArray]:
    """The historical order statistics of ``summarize`` for a ``(T, N)`` block (NaN = no data):
    the metrics :class:`~stratmon.metrics.RunningMetrics` cannot keep in O(1) state.

    Returns
    -------
    dict of name -> ndarray, shape (N,)
        ``value_at_risk_95/99``, ``conditional_value_at_risk_95/99``, ``tail_ratio``, exactly as
        ``summarize`` computes them.

    References
    ----------
    empyrical-reloaded ``value_at_risk``, ``conditional_value_at_risk``, ``tail_ratio``.
    """
    panel = Panel(np.asarray(returns, dtype=float).reshape(len(returns), -1))
    return {
        "value_at_risk_95": value_at_risk(panel, 0.05),
        "value_at_risk_99": value_at_risk(panel, 0.01),
        "conditional_value_at_risk_95": conditional_value_at_risk(panel, 0.05),
        "conditional_value_at_risk_99": conditional_value_at_risk(panel, 0.01),
        "tail_ratio": tail_ratio(panel),
    }
