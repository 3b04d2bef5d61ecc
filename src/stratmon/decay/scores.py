"""EWMA volatility forecasts that weight each live return in the decay CUSUM.

The forecast is ``v_{t+1} = lam * v_t + (1 - lam) * r_t^2`` (RiskMetrics, ``lam = 0.94`` by
default), started from the backtest's sample variance. The CUSUM uses it as the conditional
variance of a Gaussian mean-shift model, so a day counts with weight ``1 / v_t``:

* under GARCH-type clustering the expected log-likelihood increment of a healthy strategy is
  negative in every volatility regime (a storm slows the statistic down instead of pushing it
  up), and its drift-to-variance ratio -- which sets the false-alarm rate -- does not depend on
  the regime; a CUSUM on raw returns, or on ``r / sigma`` with a fixed reference, runs away in
  regimes whose volatility differs from the backtest's average;
* calm days carry more information about a mean shift than stormy ones, as in the exact
  likelihood ratio, so the detector comes close to an oracle that knows the true volatility.

A floor ``v_t >= (vol_floor * sigma_bt)^2`` keeps a run of flat (zero-return) days from
collapsing the forecast and giving the next return a huge weight. Missing returns (NaN) leave
the forecast unchanged: nothing is filled.

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
