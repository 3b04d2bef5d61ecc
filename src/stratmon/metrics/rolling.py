"""Rolling-window metrics in O(T) per column from cumulative sums.

NaN policy: a window is the last ``window`` *rows* (periods of the index). NaN days inside it
are skipped (not treated as 0 %); the statistic uses the valid observations in the window and
is NaN when there are fewer than ``min_periods`` of them (default: ``window``, so a window with
a missing day is NaN unless a smaller ``min_periods`` is given). The first ``window - 1`` rows
are always NaN.

Rolling sums use cumulative sums of values centred on the column mean (shift invariance keeps
the variance free of cancellation). The rolling maximum drawdown is O(T * W): each window's
wealth path is compounded from a strided sliding-window view, processed in row blocks so the
temporary stays under about 32 MB.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from stratmon.metrics._array import (
    FloatArray,
    MetricsInputError,
    as_float_2d,
    periodic_risk_free,
    safe_divide,
)

ROLLING_METRICS = (
    "sharpe_ratio",
    "sortino_ratio",
    "annual_volatility",
    "return",
    "max_drawdown",
    "beta",
)


def _window_sum(values: FloatArray, window: int) -> FloatArray:
    """Sum over the ``window`` rows ending at each row (NaN before a full window), O(T)."""
    t_len = values.shape[0]
    out = np.full(values.shape, np.nan)
    if t_len < window:
        return out
    csum = np.cumsum(values, axis=0)
    out[window - 1] = csum[window - 1]
    out[window:] = csum[window:] - csum[:-window]
    return out


def _rolling_max_drawdown(
    filled: FloatArray, window: int, block_bytes: int = 32 << 20
) -> FloatArray:
    t_len, n_cols = filled.shape
    out = np.full(filled.shape, np.nan)
    if t_len < window:
        return out
    gross = np.ascontiguousarray((1.0 + filled).T)  # (N, T)
    views = sliding_window_view(gross, window, axis=1)  # (N, T - W + 1, W)
    n_win = views.shape[1]
    step = max(1, block_bytes // (8 * window * max(n_cols, 1)))
    for start in range(0, n_win, step):
        stop = min(start + step, n_win)
        wealth = np.cumprod(views[:, start:stop, :], axis=2)
        peak = np.maximum.accumulate(wealth, axis=2)
        np.maximum(peak, 1.0, out=peak)
        np.divide(wealth, peak, out=wealth)
        out[window - 1 + start : window - 1 + stop, :] = (wealth.min(axis=2) - 1.0).T
    return out


def rolling_metrics(
    returns: Any,
    window: int,
    benchmark: Any = None,
    periods_per_year: float = 252,
    risk_free: float = 0.0,
    min_periods: int | None = None,
) -> dict[str, FloatArray]:
    """Rolling Sharpe, Sortino, volatility, compounded return, max drawdown and beta.

    Parameters
    ----------
    returns : array-like, shape (T,) or (T, N)
        Simple returns per period, NaN where a strategy has no data.
    window : int
        Window length in rows (e.g. 30, 60, 90, 126, 252).
    benchmark : array-like, shape (T,) or (T, N), optional
        Benchmark returns for the rolling beta (all-NaN beta without it).
    periods_per_year : float
        Annualisation factor.
    risk_free : float
        Annual risk-free rate, converted per period.
    min_periods : int, optional
        Minimum valid observations in a window (default ``window``); at least 2 for the
        dispersion-based statistics.

    Returns
    -------
    dict[str, ndarray]
        Keys :data:`ROLLING_METRICS`; each array has the shape of ``returns``. The value at row
        t describes the window of rows ``t - window + 1 .. t``. ``return`` is compounded,
        ``max_drawdown`` is measured within the window (wealth anchored at 1.0 at its start),
        ``sharpe_ratio``, ``sortino_ratio`` and ``annual_volatility`` are annualised as in
        :func:`~stratmon.metrics.summarize`, ``beta`` uses the paired days of the window.

    Raises
    ------
    MetricsInputError
        If ``window < 2`` or the benchmark's shape does not match.

    References
    ----------
    empyrical-reloaded ``roll_sharpe_ratio``, ``roll_max_drawdown``, ``roll_beta``
    (same statistics per window, computed there by a loop over windows).
    """
    if window < 2:
        raise MetricsInputError(f"window must be at least 2 periods, got {window!r}.")
    r, was_1d = as_float_2d(returns)
    rf = periodic_risk_free(risk_free, periods_per_year)
    need = float(window if min_periods is None else max(1, min_periods))
    valid = ~np.isnan(r)
    n = _window_sum(valid.astype(np.float64), window)
    short = ~(n >= need)
    mean_all = safe_divide(np.where(valid, r, 0.0).sum(axis=0), valid.sum(axis=0) * 1.0)
    mean_all = np.nan_to_num(mean_all)
    centred = np.where(valid, r - mean_all, 0.0)
    s1 = _window_sum(centred, window)
    s2 = _window_sum(centred * centred, window)
    mean_c = s1 / np.where(n > 0, n, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (s2 - s1 * mean_c) / (n - 1.0)
    var = np.maximum(var, 0.0)
    sd = np.sqrt(var)
    sd[n < 2] = np.nan
    mean = mean_c + mean_all
    sq = np.sqrt(periods_per_year)

    below = np.where(valid, np.minimum(r - rf, 0.0), 0.0)
    down = np.sqrt(safe_divide(_window_sum(below * below, window), n))
    down[n < 1] = np.nan

    # Tiny sd from round-off on a constant window is zero dispersion: NaN, never 1e15.
    tiny = sd <= 1e-14 * np.maximum(np.abs(mean), 1e-300)
    sharpe = safe_divide(mean - rf, np.where(tiny, np.nan, sd)) * sq
    sortino = safe_divide(mean - rf, down) * sq
    vol = np.where(tiny, 0.0, sd) * sq

    with np.errstate(invalid="ignore", divide="ignore"):
        logs = np.log1p(np.where(valid, r, 0.0))
    ret = np.expm1(_window_sum(logs, window))
    filled = np.where(valid, r, 0.0)
    mdd = _rolling_max_drawdown(filled, window)

    beta = np.full(r.shape, np.nan)
    if benchmark is not None:
        b, _ = as_float_2d(benchmark, "benchmark")
        if b.shape[0] != r.shape[0] or b.shape[1] not in (1, r.shape[1]):
            raise MetricsInputError(
                f"benchmark has shape {b.shape}; it must have {r.shape[0]} rows and 1 or "
                f"{r.shape[1]} columns."
            )
        b = np.broadcast_to(b, r.shape)
        paired = valid & ~np.isnan(b)
        mb_all = np.nan_to_num(
            safe_divide(np.where(paired, b, 0.0).sum(axis=0), paired.sum(axis=0) * 1.0)
        )
        mr_all = np.nan_to_num(
            safe_divide(np.where(paired, r, 0.0).sum(axis=0), paired.sum(axis=0) * 1.0)
        )
        bc = np.where(paired, b - mb_all, 0.0)
        rc = np.where(paired, r - mr_all, 0.0)
        np_ = _window_sum(paired.astype(np.float64), window)
        sb = _window_sum(bc, window)
        sr = _window_sum(rc, window)
        sbb = _window_sum(bc * bc, window)
        sbr = _window_sum(bc * rc, window)
        with np.errstate(invalid="ignore", divide="ignore"):
            cov = sbr - sb * sr / np_
            varb = sbb - sb * sb / np_
        varb[varb < 1e-30 * np.maximum(np_, 1.0)] = np.nan
        beta = safe_divide(cov, varb)
        beta[~(np_ >= need) | (np_ < 2)] = np.nan

    out = {
        "sharpe_ratio": sharpe,
        "sortino_ratio": sortino,
        "annual_volatility": vol,
        "return": ret,
        "max_drawdown": mdd,
        "beta": beta,
    }
    for name, arr in out.items():
        arr[short] = np.nan
        if name in ("sharpe_ratio", "sortino_ratio", "annual_volatility"):
            arr[n < 2] = np.nan
        arr[~np.isfinite(arr)] = np.nan
        out[name] = arr[:, 0] if was_1d else arr
    return out
