"""Volatility-standardised scores: the observations the decay CUSUM accumulates.

A return is divided by its one-step-ahead EWMA volatility forecast,
``z_t = r_t / sqrt(v_t)`` with ``v_{t+1} = lam * v_t + (1 - lam) * r_t^2`` (RiskMetrics,
``lam = 0.94`` by default) started from the backtest's sample variance. Why:

* GARCH-type clustering makes raw returns heteroskedastic; a CUSUM on raw returns then runs
  away in calm-to-storm transitions (false alarms) and is slow in calm periods. ``z_t`` is
  close to homoskedastic, so a bootstrap of the backtest's ``z`` with short blocks reproduces
  its behaviour, and a mean shift is seen with the weight ``1/sigma_t`` it deserves (the
  optimal Gaussian weight for a Sharpe-ratio shift).
* A floor ``v_t >= (vol_floor * sigma_bt)^2`` keeps a run of flat (zero-return) days from
  collapsing the forecast and turning the next small return into a huge score.
* Missing returns (NaN) give a NaN score and leave the forecast unchanged: nothing is filled.

References
----------
J.P. Morgan/Reuters (1996), RiskMetrics Technical Document, 4th ed. (EWMA, lambda = 0.94).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["DEFAULT_EWMA_LAMBDA", "DEFAULT_VOL_FLOOR", "ewma_variance"]

DEFAULT_EWMA_LAMBDA = 0.94
DEFAULT_VOL_FLOOR = 0.2


def ewma_variance(
    returns: npt.NDArray[np.float64],
    variance: npt.NDArray[np.float64],
    floor_variance: npt.NDArray[np.float64],
    lam: float = DEFAULT_EWMA_LAMBDA,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """One-step-ahead EWMA variance forecasts.

    Parameters
    ----------
    returns : ndarray, shape (T, N)
        Simple returns per period; NaN = missing (forecast carried unchanged).
    variance : ndarray, shape (N,)
        Forecast for the first row (per period squared).
    floor_variance : ndarray, shape (N,)
        Lower bound applied to every forecast.
    lam : float, default 0.94
        EWMA decay.

    Returns
    -------
    forecasts : ndarray, shape (T, N)
        ``v_t = max(lam * v_{t-1} + (1 - lam) * r_{t-1}^2, floor)``, the forecast used for
        row ``t`` (made before seeing it).
    next_variance : ndarray, shape (N,)
        The forecast for the period after the last row (to continue incrementally).

    References
    ----------
    RiskMetrics Technical Document (1996).
    """
    r = np.asarray(returns, dtype=float)
    v = np.array(variance, dtype=float, copy=True)
    fl = np.asarray(floor_variance, dtype=float)
    out = np.empty_like(r)
    for t in range(r.shape[0]):
        x = r[t]
        vv = np.maximum(v, fl)
        out[t] = vv
        ok = ~np.isnan(x)
        v = np.where(ok, lam * vv + (1.0 - lam) * np.where(ok, x, 0.0) ** 2, v)
    return out, v
