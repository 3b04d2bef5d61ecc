"""Significance of a Sharpe ratio, and tests of live against backtest.

Conventions of this module (they follow the papers, not the rest of stratmon):

* every Sharpe ratio, mean and variance is **per period** (per day for daily returns, per
  month for monthly returns) -- never annualised; divide an annual Sharpe ratio by
  ``sqrt(periods_per_year)`` and an annual variance of Sharpe ratios by ``periods_per_year``;
* ``kurtosis`` is the ordinary (non-excess) kurtosis, 3 for a normal distribution;
* results are probabilities in [0, 1] or numbers of periods.

The scalar functions broadcast over NumPy arrays (pass arrays of Sharpe ratios, lengths,
moments...) and return a float for scalar input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

from stratmon.errors import StratmonError

__all__ = [
    "EULER_MASCHERONI",
    "SharpeDifferenceTest",
    "WelchTest",
    "deflated_sharpe_ratio",
    "dsr_from_returns",
    "expected_maximum_sharpe_ratio",
    "mean_return_welch_test",
    "min_trl_from_returns",
    "minimum_track_record_length",
    "probabilistic_sharpe_ratio",
    "psr_from_returns",
    "sharpe_difference_test",
    "sharpe_ratio_variance",
]

EULER_MASCHERONI = float(np.euler_gamma)

ArrayLike = npt.ArrayLike
Alternative = Literal["two-sided", "less", "greater"]


class InsufficientDataError(StratmonError):
    """Too few returns to estimate a Sharpe ratio and its moments."""


def _out(x: npt.NDArray[np.float64]) -> float | npt.NDArray[np.float64]:
    """Return a Python float for a 0-d result, the array otherwise."""
    return float(x) if np.ndim(x) == 0 else x


def _sr_std_numerator(
    sharpe: npt.NDArray[np.float64],
    skew: npt.NDArray[np.float64],
    kurtosis: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """``1 - skew*SR + (kurt - 1)/4 * SR^2`` (equal to Mertens' ``1 + SR^2/2 - ...`` form)."""
    out: npt.NDArray[np.float64] = 1.0 - skew * sharpe + (kurtosis - 1.0) / 4.0 * sharpe**2
    return out


def sharpe_ratio_variance(
    sharpe: ArrayLike, n_obs: ArrayLike, skew: ArrayLike = 0.0, kurtosis: ArrayLike = 3.0
) -> float | npt.NDArray[np.float64]:
    """Asymptotic variance of an estimated Sharpe ratio (Mertens, 2002).

    ``Var(SR) = (1 + SR^2/2 - skew*SR + (kurtosis - 3)/4 * SR^2) / T``.

    Parameters
    ----------
    sharpe : float or ndarray
        Sharpe ratio per period.
    n_obs : int or ndarray
        Number of returns ``T`` the Sharpe ratio was estimated from.
    skew : float or ndarray, default 0
        Skewness of the returns.
    kurtosis : float or ndarray, default 3
        Kurtosis of the returns (non-excess; 3 for normal returns).

    Returns
    -------
    float or ndarray
        Variance of the Sharpe ratio estimate, in (per-period Sharpe)^2.

    References
    ----------
    Mertens, E. (2002), "Comments on variance of the IID estimator in Lo (2002)". Opdyke, J.
    (2007), "Comparing Sharpe ratios: so where are the p-values?", J. Asset Management 8(5).
    """
    sr = np.asarray(sharpe, dtype=float)
    t = np.asarray(n_obs, dtype=float)
    g3 = np.asarray(skew, dtype=float)
    g4 = np.asarray(kurtosis, dtype=float)
    var = (1.0 + sr**2 / 2.0 - g3 * sr + (g4 - 3.0) / 4.0 * sr**2) / t
    return _out(var)


def probabilistic_sharpe_ratio(
    sharpe: ArrayLike,
    n_obs: ArrayLike,
    skew: ArrayLike = 0.0,
    kurtosis: ArrayLike = 3.0,
    benchmark_sharpe: ArrayLike = 0.0,
) -> float | npt.NDArray[np.float64]:
    """Probabilistic Sharpe Ratio: probability that the true Sharpe exceeds a benchmark.

    ``PSR = Phi((SR - SR*) * sqrt(T - 1) / sqrt(1 - skew*SR + (kurtosis - 1)/4 * SR^2))``.

    Parameters
    ----------
    sharpe : float or ndarray
        Observed Sharpe ratio per period (not annualised).
    n_obs : int or ndarray
        Number of returns ``T`` behind ``sharpe``; must be > 1.
    skew : float or ndarray, default 0
        Skewness of the returns.
    kurtosis : float or ndarray, default 3
        Non-excess kurtosis of the returns.
    benchmark_sharpe : float or ndarray, default 0
        Benchmark Sharpe ratio ``SR*`` per period.

    Returns
    -------
    float or ndarray
        Probability in [0, 1]. NaN where the variance term is not positive or ``T <= 1``.

    References
    ----------
    Bailey, D. H. and Lopez de Prado, M. (2012), "The Sharpe ratio efficient frontier",
    Journal of Risk 15(2), eq. (9). Their example (SR 0.458/month, T=24) gives 0.982 for normal
    returns and 0.913 with skew -2.448 and kurtosis 10.164.
    """
    sr = np.asarray(sharpe, dtype=float)
    t = np.asarray(n_obs, dtype=float)
    num = _sr_std_numerator(sr, np.asarray(skew, float), np.asarray(kurtosis, float))
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = (num > 0) & (t > 1)
        z = (sr - np.asarray(benchmark_sharpe, float)) * np.sqrt(np.where(ok, t - 1.0, np.nan))
        z = z / np.sqrt(np.where(ok, num, np.nan))
    return _out(np.asarray(stats.norm.cdf(z), dtype=float))


def minimum_track_record_length(
    sharpe: ArrayLike,
    skew: ArrayLike = 0.0,
    kurtosis: ArrayLike = 3.0,
    benchmark_sharpe: ArrayLike = 0.0,
    confidence: ArrayLike = 0.95,
) -> float | npt.NDArray[np.float64]:
    """Minimum Track Record Length: periods needed for PSR to reach ``confidence``.

    ``MinTRL = 1 + (1 - skew*SR + (kurtosis - 1)/4 * SR^2) * (z_conf / (SR - SR*))^2``.

    The ``1 +`` term is the inverse of the ``sqrt(T - 1)`` of :func:`probabilistic_sharpe_ratio`
    (PSR at ``T = MinTRL`` equals ``confidence`` exactly); it is the convention that reproduces
    the paper's published figures (8.583 and 13.912 months); without it they would be 7.58 and
    12.91.

    Parameters
    ----------
    sharpe : float or ndarray
        Observed Sharpe ratio per period.
    skew, kurtosis : float or ndarray
        Skewness and non-excess kurtosis of the returns.
    benchmark_sharpe : float or ndarray, default 0
        Benchmark Sharpe ratio per period.
    confidence : float or ndarray, default 0.95
        Target probability in (0, 1).

    Returns
    -------
    float or ndarray
        Number of periods (same frequency as ``sharpe``); ``inf`` where ``sharpe`` does not
        exceed ``benchmark_sharpe`` (no track record is long enough), NaN on a non-positive
        variance term.

    References
    ----------
    Bailey, D. H. and Lopez de Prado, M. (2012), "The Sharpe ratio efficient frontier",
    Journal of Risk 15(2), eq. (11) and Table 2.
    """
    sr = np.asarray(sharpe, dtype=float)
    diff = sr - np.asarray(benchmark_sharpe, float)
    num = _sr_std_numerator(sr, np.asarray(skew, float), np.asarray(kurtosis, float))
    z = stats.norm.ppf(np.asarray(confidence, float))
    with np.errstate(invalid="ignore", divide="ignore"):
        trl = 1.0 + num * (z / diff) ** 2
    trl = np.where(diff <= 0, np.inf, trl)
    trl = np.where(num > 0, trl, np.nan)
    return _out(np.asarray(trl, dtype=float))


def expected_maximum_sharpe_ratio(
    n_trials: ArrayLike, sharpe_variance: ArrayLike, mean_sharpe: ArrayLike = 0.0
) -> float | npt.NDArray[np.float64]:
    """Expected maximum of ``n_trials`` Sharpe ratios whose true value is ``mean_sharpe``.

    ``E[max SR] ~ mean + sqrt(V) * ((1 - g) * Phi^-1(1 - 1/N) + g * Phi^-1(1 - 1/(N e)))``,
    with ``g`` the Euler-Mascheroni constant.

    Parameters
    ----------
    n_trials : int or ndarray
        Number of independent trials ``N`` (>= 1).
    sharpe_variance : float or ndarray
        Variance ``V`` across the trials' Sharpe ratios, in the same (per-period) units.
    mean_sharpe : float or ndarray, default 0
        Expected Sharpe ratio of a trial under the null.

    Returns
    -------
    float or ndarray
        Expected maximum Sharpe ratio, same units as ``sqrt(sharpe_variance)``; for
        ``N == 1`` it is ``mean_sharpe``.

    References
    ----------
    Bailey, D. H. and Lopez de Prado, M. (2014), "The deflated Sharpe ratio", Journal of
    Portfolio Management 40(5), eq. (2).
    """
    n = np.asarray(n_trials, dtype=float)
    v = np.asarray(sharpe_variance, dtype=float)
    g = EULER_MASCHERONI
    with np.errstate(divide="ignore", invalid="ignore"):
        core = (1.0 - g) * stats.norm.ppf(1.0 - 1.0 / n) + g * stats.norm.ppf(
            1.0 - 1.0 / (n * np.e)
        )
    core = np.where(n <= 1, 0.0, core)
    return _out(np.asarray(np.asarray(mean_sharpe, float) + np.sqrt(v) * core, dtype=float))


def deflated_sharpe_ratio(
    sharpe: ArrayLike,
    n_obs: ArrayLike,
    n_trials: ArrayLike,
    sharpe_variance: ArrayLike,
    skew: ArrayLike = 0.0,
    kurtosis: ArrayLike = 3.0,
) -> float | npt.NDArray[np.float64]:
    """Deflated Sharpe Ratio: PSR against the Sharpe ratio expected from the best of N trials.

    ``DSR = PSR(SR, T, skew, kurtosis, benchmark = E[max of N trials' SR])``, with the
    expected maximum from :func:`expected_maximum_sharpe_ratio` (null mean 0).

    Everything is per period. For the paper's example -- daily data, ``T = 1250``, annualised
    SR 2.5, 100 trials whose *annualised* Sharpe ratios have variance 0.5, skew -3, kurtosis 10
    -- pass ``sharpe = 2.5 / sqrt(250)`` and ``sharpe_variance = 0.5 / 250`` (a variance scales
    with the annualisation factor, not its square root). The expected maximum is then
    1.789 annualised (0.1132 per day) and the DSR 0.9004, as published (the paper annualises
    with 250 days; with 252 the DSR is 0.8997).

    Parameters
    ----------
    sharpe : float or ndarray
        Observed (best) Sharpe ratio per period.
    n_obs : int or ndarray
        Number of returns ``T`` behind ``sharpe``.
    n_trials : int or ndarray
        Number of independent strategy configurations tried.
    sharpe_variance : float or ndarray
        Variance of the trials' Sharpe ratios, per-period units.
    skew, kurtosis : float or ndarray
        Skewness and non-excess kurtosis of the selected strategy's returns.

    Returns
    -------
    float or ndarray
        Probability in [0, 1] that the true Sharpe ratio is positive after the selection bias.

    References
    ----------
    Bailey, D. H. and Lopez de Prado, M. (2014), "The deflated Sharpe ratio: correcting for
    selection bias, backtest overfitting and non-normality", JPM 40(5), eq. (2)-(3).
    """
    sr0 = expected_maximum_sharpe_ratio(n_trials, sharpe_variance)
    return probabilistic_sharpe_ratio(sharpe, n_obs, skew, kurtosis, benchmark_sharpe=sr0)


# --- returns-based conveniences -------------------------------------------------------------


def _moments(returns: ArrayLike) -> tuple[npt.NDArray[np.float64], ...]:
    """Per-column Sharpe (ddof=1), skew, non-excess kurtosis and count, NaNs dropped."""
    r = np.asarray(returns, dtype=float)
    if r.ndim not in (1, 2):
        raise InsufficientDataError(f"returns must be 1-D or 2-D, got shape {r.shape}")
    cols = r[:, None] if r.ndim == 1 else r
    out = np.full((4, cols.shape[1]), np.nan)
    for j in range(cols.shape[1]):
        x = cols[:, j][~np.isnan(cols[:, j])]
        out[3, j] = x.size
        if x.size < 3:
            continue
        sd = x.std(ddof=1)
        if sd == 0:
            continue
        out[0, j] = x.mean() / sd
        out[1, j] = stats.skew(x, bias=True)
        out[2, j] = stats.kurtosis(x, fisher=False, bias=True)
    if r.ndim == 1:
        return tuple(np.asarray(v[0]) for v in out)
    return tuple(out)


def psr_from_returns(
    returns: ArrayLike, benchmark_sharpe: ArrayLike = 0.0
) -> float | npt.NDArray[np.float64]:
    """Probabilistic Sharpe Ratio of a return series.

    Parameters
    ----------
    returns : ndarray, shape (T,) or (T, N)
        Simple (excess) returns per period; NaNs are dropped per column, not filled.
    benchmark_sharpe : float or ndarray, default 0
        Benchmark Sharpe ratio **per period**.

    Returns
    -------
    float or ndarray, shape (N,)
        PSR; NaN where fewer than 3 returns or zero volatility. Moments are the sample skew
        and non-excess kurtosis (biased estimators, as in the paper); Sharpe uses ``ddof=1``.

    References
    ----------
    Bailey and Lopez de Prado (2012), "The Sharpe ratio efficient frontier".
    """
    sr, g3, g4, n = _moments(returns)
    return probabilistic_sharpe_ratio(sr, n, g3, g4, benchmark_sharpe)


def min_trl_from_returns(
    returns: ArrayLike, benchmark_sharpe: ArrayLike = 0.0, confidence: float = 0.95
) -> float | npt.NDArray[np.float64]:
    """Minimum Track Record Length (in periods) implied by a return series.

    Parameters
    ----------
    returns : ndarray, shape (T,) or (T, N)
        Simple returns per period.
    benchmark_sharpe : float or ndarray, default 0
        Benchmark Sharpe ratio per period.
    confidence : float, default 0.95
        Target PSR.

    Returns
    -------
    float or ndarray, shape (N,)
        Periods; ``inf`` when the observed Sharpe does not beat the benchmark.

    References
    ----------
    Bailey and Lopez de Prado (2012), "The Sharpe ratio efficient frontier".
    """
    sr, g3, g4, _ = _moments(returns)
    return minimum_track_record_length(sr, g3, g4, benchmark_sharpe, confidence)


def dsr_from_returns(
    returns: ArrayLike, n_trials: ArrayLike, sharpe_variance: ArrayLike
) -> float | npt.NDArray[np.float64]:
    """Deflated Sharpe Ratio of a return series.

    Parameters
    ----------
    returns : ndarray, shape (T,) or (T, N)
        Simple returns per period of the selected strategy.
    n_trials : int
        Number of independent trials behind the selection.
    sharpe_variance : float
        Variance of the trials' Sharpe ratios, **per-period** units.

    Returns
    -------
    float or ndarray, shape (N,)
        DSR probability.

    References
    ----------
    Bailey and Lopez de Prado (2014), "The deflated Sharpe ratio".
    """
    sr, g3, g4, n = _moments(returns)
    return deflated_sharpe_ratio(sr, n, n_trials, sharpe_variance, g3, g4)


# --- two-sample tests ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SharpeDifferenceTest:
    """Result of :func:`sharpe_difference_test` (Sharpe ratios per period)."""

    live_sharpe: float
    backtest_sharpe: float
    live_variance: float
    backtest_variance: float
    statistic: float
    p_value: float
    alternative: str


@dataclass(frozen=True, slots=True)
class WelchTest:
    """Result of :func:`mean_return_welch_test` (means per period)."""

    live_mean: float
    backtest_mean: float
    statistic: float
    p_value: float
    df: float
    alternative: str


def _p_value(z: float, alternative: Alternative) -> float:
    if alternative == "two-sided":
        return float(2.0 * stats.norm.sf(abs(z)))
    if alternative == "less":
        return float(stats.norm.cdf(z))
    if alternative == "greater":
        return float(stats.norm.sf(z))
    raise ValueError(f"alternative must be 'two-sided', 'less' or 'greater', got {alternative!r}")


def _clean_1d(x: ArrayLike, name: str, minimum: int) -> npt.NDArray[np.float64]:
    a = np.asarray(x, dtype=float)
    if a.ndim != 1:
        raise InsufficientDataError(f"{name} must be 1-D, got shape {a.shape}")
    a = a[~np.isnan(a)]
    if a.size < minimum:
        raise InsufficientDataError(
            f"{name} has {a.size} non-missing returns; at least {minimum} are needed"
        )
    return a


def sharpe_difference_test(
    live_returns: ArrayLike,
    backtest_returns: ArrayLike,
    alternative: Alternative = "two-sided",
) -> SharpeDifferenceTest:
    """Two-sample z-test of live Sharpe against backtest Sharpe on non-overlapping periods.

    ``z = (SR_live - SR_bt) / sqrt(Var_live + Var_bt)``, each variance from Mertens' formula
    (see :func:`sharpe_ratio_variance`) with that sample's own skew and kurtosis; the two
    samples are independent because the periods do not overlap.

    Parameters
    ----------
    live_returns : ndarray, shape (T,)
        Live simple returns per period (NaNs dropped).
    backtest_returns : ndarray, shape (B,)
        Backtest simple returns, same frequency.
    alternative : {"two-sided", "less", "greater"}
        ``"less"`` tests whether the live Sharpe is below the backtest's.

    Returns
    -------
    SharpeDifferenceTest
        Per-period Sharpe ratios, their variances, ``z`` and p-value.

    Raises
    ------
    InsufficientDataError
        Fewer than 3 returns in either sample or zero volatility.

    References
    ----------
    Mertens (2002); Opdyke (2007), "Comparing Sharpe ratios: so where are the p-values?".
    """
    live = _clean_1d(live_returns, "live_returns", 3)
    bt = _clean_1d(backtest_returns, "backtest_returns", 3)
    sr_l, g3_l, g4_l, n_l = (float(v) for v in _moments(live))
    sr_b, g3_b, g4_b, n_b = (float(v) for v in _moments(bt))
    if np.isnan(sr_l) or np.isnan(sr_b):
        raise InsufficientDataError("a return series has zero volatility; Sharpe is undefined")
    v_l = float(sharpe_ratio_variance(sr_l, n_l, g3_l, g4_l))
    v_b = float(sharpe_ratio_variance(sr_b, n_b, g3_b, g4_b))
    z = (sr_l - sr_b) / np.sqrt(v_l + v_b)
    return SharpeDifferenceTest(
        sr_l, sr_b, v_l, v_b, float(z), _p_value(z, alternative), alternative
    )


def mean_return_welch_test(
    live_returns: ArrayLike,
    backtest_returns: ArrayLike,
    alternative: Alternative = "two-sided",
) -> WelchTest:
    """Welch's unequal-variance t-test of the mean live return against the backtest's.

    Parameters
    ----------
    live_returns : ndarray, shape (T,)
        Live simple returns per period (NaNs dropped).
    backtest_returns : ndarray, shape (B,)
        Backtest simple returns.
    alternative : {"two-sided", "less", "greater"}
        ``"less"`` tests whether the live mean is below the backtest mean.

    Returns
    -------
    WelchTest
        Means per period, t statistic, p-value and Welch-Satterthwaite degrees of freedom.

    Raises
    ------
    InsufficientDataError
        Fewer than 2 returns in either sample.

    References
    ----------
    Welch (1947); agrees with ``scipy.stats.ttest_ind(equal_var=False)``.
    """
    live = _clean_1d(live_returns, "live_returns", 2)
    bt = _clean_1d(backtest_returns, "backtest_returns", 2)
    res = stats.ttest_ind(live, bt, equal_var=False, alternative=alternative)
    return WelchTest(
        float(live.mean()),
        float(bt.mean()),
        float(res.statistic),
        float(res.pvalue),
        float(res.df),
        alternative,
    )
