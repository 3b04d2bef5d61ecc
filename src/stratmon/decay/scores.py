"""Per-period scores of the decay CUSUM: the Student-t log-likelihood ratio of a mean drop.

With the backtest's model (:mod:`stratmon.decay.model`), a live return ``r_t`` with
one-step-ahead volatility forecast ``sigma_t`` is scored by the exact log-likelihood ratio of
"mean ``mu1``" (decayed) against "mean ``mu0``" (the backtest's) under standardised
Student-t(``nu``) innovations::

    z_t = (r_t - mu0) / sigma_t,   d_t = (mu0 - mu1) / sigma_t,
    llr_t = (nu + 1) / 2 * [log(1 + z_t^2 / (nu - 2)) - log(1 + (z_t + d_t)^2 / (nu - 2))].

This is the increment of the oracle CUSUM with the true law replaced by the fitted one, which
is what makes the detector efficient under fat tails and volatility clustering:

* each day counts with the information it carries: ``d_t`` is large on calm days and small
  in storms, and under GARCH the drift-to-variance ratio of the healthy statistic (which sets
  the false-alarm rate) does not depend on the volatility regime;
* the t score ``(nu + 1) z / (nu - 2 + z^2)`` *redescends*: a single extreme day -- a crash or
  a bad data point -- moves the statistic by a bounded amount, and moderate outliers count
  less than under a Gaussian ratio, exactly as much as the fitted tails say they should (for
  ``nu = 6.6``, as fitted to the S&P 500, a mean shift carries 13 % more Fisher information
  than a Gaussian score extracts). No separate clip constant is needed; as ``nu`` grows the
  ratio tends to the Gaussian ``-d (z + d / 2)``.

:func:`ewma_variance` is the RiskMetrics forecast of version-1 detectors (see
:mod:`stratmon.decay.legacy`).

References
----------
Page, E. S. (1954), Biometrika 41 (CUSUM of the likelihood ratio). Lange, K. L., Little, R. J.
A. and Taylor, J. M. G. (1989), "Robust statistical modeling using the t distribution", JASA 84
(t score, information). Bollerslev, T. (1987), Rev. Econ. Statist. 69 (GARCH-t). J.P.
Morgan/Reuters (1996), RiskMetrics Technical Document (EWMA, lambda = 0.94).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["DEFAULT_EWMA_LAMBDA", "DEFAULT_VOL_FLOOR", "ewma_variance", "student_t_llr"]

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


def student_t_llr(
    z: npt.NDArray[np.floating[Any]],
    d: npt.NDArray[np.floating[Any]],
    nu: npt.NDArray[np.floating[Any]],
) -> npt.NDArray[np.floating[Any]]:
    """Log-likelihood ratio of a mean drop under standardised Student-t innovations.

    Parameters
    ----------
    z : ndarray
        Standardised residual under the healthy mean, ``(r - mu0) / sigma`` (any shape).
    d : ndarray
        Size of the drop in conditional standard deviations, ``(mu0 - mu1) / sigma``.
    nu : ndarray
        Degrees of freedom (> 2) of the unit-variance Student-t (broadcasting).

    Returns
    -------
    ndarray
        ``log f(z + d) - log f(z)``: positive when the return is more likely under the
        decayed mean. Same dtype as the inputs (float32 in the calibration).

    References
    ----------
    Page (1954); Lange, Little and Taylor (1989).
    """
    a = nu - 2
    out: npt.NDArray[np.floating[Any]] = (
        (nu + 1) / 2 * (np.log1p(z * z / a) - np.log1p((z + d) * (z + d) / a))
    )
    return out
