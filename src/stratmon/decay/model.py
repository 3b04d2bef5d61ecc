"""The backtest's return model for the decay CUSUM: constant mean, GARCH(1,1), Student-t.

The detector needs, per strategy, a one-step-ahead volatility forecast, the shape of the
standardised residuals and an efficient estimate of the mean return. All three are fitted once,
at calibration time, on the strategy's backtest, for many strategies at once (vectorised over
columns; no per-strategy optimiser loop):

    r_t = mu + sigma_t * eps_t,   eps_t ~ standardised Student-t(nu) (unit variance),
    sigma_t^2 = omega + alpha * (r_{t-1} - mu)^2 + beta * sigma_{t-1}^2.

1. **Volatility** (``alpha``, ``beta``): Gaussian quasi-maximum likelihood with variance
   targeting (``omega = (1 - alpha - beta) * s^2``, ``s^2`` the backtest's sample variance,
   filter started at ``s^2``), maximised on a coarse grid of (alpha, persistence) and refined
   twice on finer local grids. Gaussian QML is consistent for GARCH parameters whatever the
   innovations' law (Bollerslev and Wooldridge 1992; Francq and Zakoian 2004); variance
   targeting is Engle and Mezrich (1996). IID returns give ``alpha ~ 0`` (constant variance),
   and the RiskMetrics EWMA is the special case ``omega = 0, alpha + beta = 1``.
2. **Tails** (``nu``): maximum likelihood of the standardised Student-t on the standardised
   residuals ``eps_t`` (two-step QML estimation), on a grid of ``nu`` from 2.5 to 100 (100 is
   indistinguishable from Gaussian for the detector).
3. **Mean** (``mu``): the Student-t maximum-likelihood location given ``sigma_t`` and ``nu``
   (iteratively reweighted least squares: the weights ``(nu + 1) / ((nu - 2) sigma_t^2 + e_t^2)``
   down-weight stormy days and outliers). Under heavy tails and volatility clustering it is far
   more precise than the sample mean (for IID Gaussian returns it is the sample mean), which
   is what lets the detector place its reference close to the truth. Its standard error is
   the heteroskedasticity-robust sandwich ``sqrt(sum g_t^2) / sum(-dg_t/dmu)`` of the score
   ``g_t`` (Huber 1967), so it stays honest when the t model is only approximate.

A missing return (NaN) contributes nothing to any likelihood and leaves the filter unchanged.

References
----------
Bollerslev, T. (1986), "Generalized autoregressive conditional heteroskedasticity", J.
Econometrics 31. Bollerslev, T. (1987), "A conditionally heteroskedastic time series model for
speculative prices and rates of return", Rev. Econ. Statist. 69 (GARCH-t). Bollerslev, T. and
Wooldridge, J. M. (1992), Econometric Reviews 11 (QML). Engle, R. F. and Mezrich, J. (1996),
"GARCH for groups", Risk 9 (variance targeting). Francq, C. and Zakoian, J.-M. (2004),
Bernoulli 10. Huber, P. J. (1967), "The behavior of maximum likelihood estimates under
nonstandard conditions", Proc. 5th Berkeley Symp. Agrees with ``arch.arch_model(...,
vol="GARCH", dist="t")`` to grid precision (see tests).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import gammaln

__all__ = ["MAX_NU", "MIN_NU", "VOL_FLOOR", "BacktestModel", "fit_backtest_model", "garch_filter"]

Array = npt.NDArray[np.float64]

VOL_FLOOR = 0.2  # forecasts never below (0.2 * backtest sd)^2: flat days cannot blow up weights
MIN_NU = 2.5
MAX_NU = 100.0
_MAX_PERSISTENCE = 0.9999
_ALPHAS = (0.0, 0.02, 0.05, 0.08, 0.12, 0.17, 0.25)
_ONE_MINUS_P = (0.1, 0.03, 0.01, 0.003, 0.001, 0.0003)
_IRLS_STEPS = 30
_REFINE = ((0.016, 0.6), (0.008, 0.3), (0.004, 0.15), (0.002, 0.075))


@dataclass(frozen=True, slots=True)
class BacktestModel:
    """Fitted model per strategy (arrays of shape (N,)), in units of the backtest sd.

    ``x = r / sd`` is the scaled return, ``sd`` the backtest's sample sd (``ddof=1``), so the
    scaled variance is ``q = sigma^2 / sd^2`` and ``omega = (1 - alpha - beta) * s2``.
    """

    sd: Array  # backtest sample sd (ddof=1), per period, return units
    mean: Array  # sample mean of x (per-period Sharpe ratio)
    location: Array  # t-ML location of x
    location_se: Array  # its sandwich standard error
    alpha: Array
    beta: Array
    s2: Array  # variance target of x (sample variance of x, ~1)
    nu: Array
    variance: Array  # shape (B, N): filtered one-step forecasts q_t of x (NaN rows kept)


def garch_filter(
    x: Array,
    center: Array,
    omega: Array,
    alpha: Array,
    beta: Array,
    start: Array,
    floor: Array,
) -> tuple[Array, Array]:
    """One-step-ahead GARCH(1,1) variance forecasts, NaN-aware (broadcasting over columns).

    Parameters
    ----------
    x : ndarray, shape (T, N)
        Returns; NaN = missing (forecast carried unchanged).
    center, omega, alpha, beta, start, floor : ndarray, shape (N,) or broadcastable
        Mean subtracted before squaring, GARCH parameters, first forecast, lower bound.

    Returns
    -------
    forecasts : ndarray, shape (T, N)
        ``q_t = max(omega + alpha * (x_{t-1} - center)^2 + beta * q_{t-1}, floor)``, the
        forecast used for row ``t``.
    next_forecast : ndarray, shape (N,)
        Forecast for the period after the last row (before the floor).

    References
    ----------
    Bollerslev (1986).
    """
    q = np.array(np.broadcast_to(start, np.broadcast(x[0], start).shape), dtype=float)
    out = np.empty(x.shape[:1] + q.shape)
    for t in range(x.shape[0]):
        qq = np.maximum(q, floor)
        out[t] = qq
        e = x[t] - center
        q = np.where(np.isnan(e), q, omega + alpha * np.nan_to_num(e) ** 2 + beta * qq)
    return out, q


def _qlike(x: Array, center: Array, alpha: Array, beta: Array, s2: Array, floor: Array) -> Array:
    """Mean Gaussian negative quasi-log-likelihood (up to constants) per parameter set.

    ``x`` (B, N); parameters (G, N). Returns (G, N).
    """
    e = x - center
    ok = ~np.isnan(e)
    e2 = np.where(ok, e, 0.0) ** 2
    any_missing = not bool(ok.all())
    omega = np.broadcast_to((1.0 - alpha - beta) * s2, alpha.shape)
    fl = np.broadcast_to(floor, alpha.shape)
    q = np.broadcast_to(s2, alpha.shape).copy()
    log_sum = np.zeros(alpha.shape)
    ratio_sum = np.zeros(alpha.shape)
    qq, tmp = np.empty(alpha.shape), np.empty(alpha.shape)
    for t in range(x.shape[0]):
        np.maximum(q, fl, out=qq)
        np.log(qq, out=tmp)
        if any_missing:
            tmp *= ok[t]
        log_sum += tmp
        np.divide(e2[t], qq, out=tmp)
        ratio_sum += tmp  # e2 is 0 on a missing day
        np.multiply(alpha, e2[t], out=tmp)
        tmp += omega
        qq *= beta
        tmp += qq
        if any_missing:
            np.copyto(q, tmp, where=ok[t])
        else:
            q, tmp = tmp, q
    out: Array = (log_sum + ratio_sum) / np.maximum(ok.sum(axis=0), 1)
    return out


def _grid_search(
    x: Array, center: Array, s2: Array, floor: Array, a: Array, v: Array
) -> tuple[Array, Array]:
    """Best (alpha, log(1 - persistence)) among candidate rows a, v of shape (G, N)."""
    a = np.clip(a, 0.0, 0.5)
    p = 1.0 - np.exp(v)
    p = np.clip(p, a, _MAX_PERSISTENCE)
    obj = _qlike(x, center, a, p - a, s2, floor)
    best = np.argmin(obj, axis=0)
    cols = np.arange(x.shape[1])
    return a[best, cols], np.log(1.0 - p[best, cols])


def _fit_garch(x: Array, center: Array, s2: Array, floor: Array) -> tuple[Array, Array]:
    n = x.shape[1]
    pairs = [(0.0, np.log(0.5))] + [
        (al, np.log(om)) for al in _ALPHAS[1:] for om in _ONE_MINUS_P if 1.0 - om >= al
    ]
    a0 = np.array([p[0] for p in pairs])[:, None] * np.ones(n)
    v0 = np.array([p[1] for p in pairs])[:, None] * np.ones(n)
    a, v = _grid_search(x, center, s2, floor, a0, v0)
    steps = np.array([-1.0, 0.0, 1.0])
    for da, dv in _REFINE:
        ga = (a[None, :] + da * steps[:, None])[:, None, :] * np.ones((1, 3, 1))
        gv = (v[None, :] + dv * steps[:, None])[None, :, :] * np.ones((3, 1, 1))
        a, v = _grid_search(x, center, s2, floor, ga.reshape(9, n), gv.reshape(9, n))
    p = 1.0 - np.exp(v)
    return a, p - a


def _t_loglik(z2: Array, ok: Array, count: Array, nu: Array) -> Array:
    """Standardised Student-t log-likelihood of each column for ``nu`` of shape (N,)."""
    const = gammaln((nu + 1) / 2) - gammaln(nu / 2) - 0.5 * np.log(np.pi * (nu - 2))
    s = np.sum(np.log1p(z2 / (nu - 2)) * ok, axis=0)
    out: Array = count * const - (nu + 1) / 2 * s
    return out


def _fit_nu(z: Array) -> Array:
    """ML degrees of freedom of the standardised Student-t, per column.

    A grid in ``log(nu - 2)`` from 2.5 to 100, then two local refinements.
    """
    ok = ~np.isnan(z)
    z2 = np.where(ok, z, 0.0) ** 2
    count = ok.sum(axis=0)
    lo, hi = np.log(MIN_NU - 2.0), np.log(MAX_NU - 2.0)
    grid = np.linspace(lo, hi, 14)
    step = grid[1] - grid[0]
    cand = [np.full(z.shape[1], g) for g in grid]
    for _ in range(3):
        lls = np.array([_t_loglik(z2, ok, count, 2.0 + np.exp(c)) for c in cand])
        best = np.array(cand)[np.argmax(lls, axis=0), np.arange(z.shape[1])]
        step /= 3.0
        cand = [np.clip(best + k * step, lo, hi) for k in (-1.0, 0.0, 1.0)]
    out: Array = 2.0 + np.exp(best)
    return out


def _t_location(x: Array, q: Array, nu: Array, start: Array) -> tuple[Array, Array]:
    """Student-t ML location by IRLS and its sandwich standard error."""
    ok = ~np.isnan(x)
    x0 = np.where(ok, x, 0.0)
    aq = (nu - 2.0) * q
    mu = start.copy()
    for _ in range(_IRLS_STEPS):
        e = x0 - mu
        w = np.where(ok, (nu + 1.0) / (aq + e * e), 0.0)
        new = np.sum(w * x0, axis=0) / np.sum(w, axis=0)
        done = bool(np.all(np.abs(new - mu) < 1e-9))
        mu = new
        if done:
            break
    e = x0 - mu
    den = aq + e * e
    g = np.where(ok, (nu + 1.0) * e / den, 0.0)
    info = np.sum(np.where(ok, (nu + 1.0) * (aq - e * e) / (den * den), 0.0), axis=0)
    # the model's Fisher information guards against a non-positive observed curvature
    fisher = np.sum(np.where(ok, (nu + 1.0) / ((nu + 3.0) * q), 0.0), axis=0)
    info = np.where(info > 0.25 * fisher, info, fisher)
    se = np.sqrt(np.sum(g * g, axis=0)) / info
    return mu, se


def fit_backtest_model(returns: Array) -> BacktestModel:
    """Fit the constant-mean GARCH(1,1)-t model to each backtest column.

    Parameters
    ----------
    returns : ndarray, shape (B, N)
        Backtest simple returns per period; NaN = missing. Each column needs non-zero
        variance (checked by the caller).

    Returns
    -------
    BacktestModel

    References
    ----------
    Bollerslev (1986, 1987); Engle and Mezrich (1996); Francq and Zakoian (2004); Huber (1967).
    """
    r = np.asarray(returns, dtype=float)
    sd = np.nanstd(r, axis=0, ddof=1)
    x = r / sd
    mean = np.nanmean(x, axis=0)
    s2 = np.nanvar(x, axis=0, ddof=1)
    floor = VOL_FLOOR**2 * s2
    alpha, beta = _fit_garch(x, mean, s2, floor)
    omega = (1.0 - alpha - beta) * s2
    q, _ = garch_filter(x, mean, omega, alpha, beta, s2, floor)
    nu = _fit_nu((x - mean) / np.sqrt(q))
    mu, _ = _t_location(x, q, nu, mean)
    # re-filter around the t location (the centre the live recursion uses) and re-solve
    q, _ = garch_filter(x, mu, omega, alpha, beta, s2, floor)
    mu, se = _t_location(x, q, nu, mu)
    return BacktestModel(
        sd=sd,
        mean=mean,
        location=mu,
        location_se=se,
        alpha=alpha,
        beta=beta,
        s2=s2,
        nu=nu,
        variance=q,
    )
