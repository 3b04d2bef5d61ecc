"""What drawdowns a backtest's mean and volatility lead one to expect.

Under IID normal returns with mean ``mu > 0`` and volatility ``sigma`` per period, the
cumulative PnL after ``t`` periods is ``mu*t + sigma*sqrt(t)*Z``. Its ``alpha``-quantile
(the "worst plausible" level at confidence ``alpha``) is ``mu*t - z_alpha*sigma*sqrt(t)``;
minimised over ``t``:

* ``t* = (z_alpha * sigma / (2 mu))^2``  -- periods to the deepest drawdown,
* ``MaxDD_alpha = (z_alpha * sigma)^2 / (4 mu)`` -- its depth,
* ``TuW_alpha = (z_alpha * sigma / mu)^2 = 4 t*`` -- periods until the quantile path is back
  at zero, i.e. the time under water.

The recovery after the trough lasts ``TuW - t* = 3 t*``: the "triple penance rule".

Units and conventions: depths are in the units of the returns (fractions of capital,
additive PnL, not compounded), reported **negative** like every drawdown in stratmon; times are
in periods. ``z_alpha = Phi^-1(alpha)`` (1.645 at 95 %, 2.326 at 99 %). When ``mu <= 0`` the
quantile path never recovers and the maximum drawdown is unbounded, so all outputs are NaN.
A depth beyond -100 % (a mean small against the volatility: ``(z sigma)^2 > 4 mu``) is a loss
of more than the whole capital, a number that cannot be true of a drawdown; that confidence
level's depth, time to it and time under water are NaN too (undefined: "the backtest's mean
is too small for its volatility to bound the drawdown"), never printed as a tier.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

__all__ = ["DrawdownExpectations", "drawdown_expectations", "expected_drawdown_from_returns"]


@dataclass(frozen=True, slots=True)
class DrawdownExpectations:
    """Drawdown quantiles implied by a mean and volatility (scalars or arrays of shape (N,)).

    ``max_drawdown_95``/``_99`` are negative fractions; ``time_to_max_drawdown_*`` and
    ``time_under_water_*`` are in periods.
    """

    max_drawdown_95: float | npt.NDArray[np.float64]
    max_drawdown_99: float | npt.NDArray[np.float64]
    time_to_max_drawdown_95: float | npt.NDArray[np.float64]
    time_to_max_drawdown_99: float | npt.NDArray[np.float64]
    time_under_water_95: float | npt.NDArray[np.float64]
    time_under_water_99: float | npt.NDArray[np.float64]


def _one(
    mu: npt.NDArray[np.float64], sigma: npt.NDArray[np.float64], confidence: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    z = float(stats.norm.ppf(confidence))
    ok = (mu > 0) & (sigma >= 0) & np.isfinite(mu) & np.isfinite(sigma)
    safe_mu = np.where(ok, mu, np.nan)
    with np.errstate(over="ignore", invalid="ignore"):
        raw = -((z * sigma) ** 2) / (4.0 * safe_mu)
    ok &= raw >= -1.0  # beyond -100 %: undefined, not a tier (module docstring)
    depth = np.where(ok, raw, np.nan)
    t_star = np.where(ok, (z * sigma / (2.0 * np.where(ok, safe_mu, np.nan))) ** 2, np.nan)
    return depth, t_star, 4.0 * t_star


def _out(x: npt.NDArray[np.float64]) -> float | npt.NDArray[np.float64]:
    return float(x) if np.ndim(x) == 0 else x


def drawdown_expectations(
    mean_return: npt.ArrayLike, volatility: npt.ArrayLike
) -> DrawdownExpectations:
    """Maximum drawdown and time under water at 95 % and 99 % confidence.

    Parameters
    ----------
    mean_return : float or ndarray, shape (N,)
        Mean simple return per period ``mu`` (fraction).
    volatility : float or ndarray, shape (N,)
        Standard deviation of returns per period ``sigma`` (fraction).

    Returns
    -------
    DrawdownExpectations
        ``max_drawdown_95 = -(1.645 sigma)^2 / (4 mu)`` (and 99 % with 2.326), the periods to
        reach it ``(z sigma / 2 mu)^2`` and the time under water ``(z sigma / mu)^2`` (four
        times the former: the triple penance rule). NaN where ``mu <= 0`` or inputs are not
        finite, and NaN at a confidence level whose depth would be beyond -100 % (undefined:
        the mean is too small for its volatility to bound the drawdown).

    References
    ----------
    Bailey, D. H. and Lopez de Prado, M. (2015), "Stop-outs under serial correlation and 'the
    triple penance rule'", Journal of Risk 18(2) (SSRN 2201302, 2014), Propositions 1-4 with
    no serial correlation (phi = 0).
    """
    mu = np.asarray(mean_return, dtype=float)
    sigma = np.asarray(volatility, dtype=float)
    d95, t95, u95 = _one(mu, sigma, 0.95)
    d99, t99, u99 = _one(mu, sigma, 0.99)
    return DrawdownExpectations(_out(d95), _out(d99), _out(t95), _out(t99), _out(u95), _out(u99))


def expected_drawdown_from_returns(returns: npt.ArrayLike) -> DrawdownExpectations:
    """:func:`drawdown_expectations` from a backtest's return series.

    Parameters
    ----------
    returns : ndarray, shape (T,) or (T, N)
        Backtest simple returns per period; NaNs are ignored (not filled). Volatility uses
        ``ddof=1``.

    Returns
    -------
    DrawdownExpectations
        Scalars for 1-D input, arrays of shape (N,) for 2-D input.

    References
    ----------
    Bailey and Lopez de Prado (2015), "the triple penance rule".
    """
    r = np.asarray(returns, dtype=float)
    with np.errstate(invalid="ignore"):
        mu = np.nanmean(r, axis=0)
        sigma = np.nanstd(r, axis=0, ddof=1)
    return drawdown_expectations(mu, sigma)
