"""One-sided p-values of the significance gates of the judgement rules (pure scalar functions).

A rule that compares live with the backtest fires only when its parameter's condition holds
AND the difference is significant over the rule's window: ``p < significance`` (the rule's
configured level), the null hypothesis being "live is drawn from the backtest's process".
Each function returns a p-value in ``[0, 1]``, or NaN when an input is missing (the rule is
then not evaluated). Levels and their measured false-alarm rates: ``benchmarks/alerts.py``
and docs/alerts.md.
"""

from __future__ import annotations

import math

from scipy import special, stats

from stratmon.compare.significance import sharpe_ratio_variance


def _finite(*xs: float) -> bool:
    return all(math.isfinite(x) for x in xs)


def mean_shortfall_p_value(
    n_obs: int,
    live_mean: float,
    live_sd: float,
    backtest_mean: float,
    backtest_sd: float,
    backtest_n_obs: int | None = None,
) -> float:
    """P(a window mean this low | backtest): one-sided Welch t-test of the live mean return.

    The live window's own standard deviation scales the test, so that a window in a calm or a
    stormy volatility regime (GARCH clustering) is judged on its own noise.

    Parameters
    ----------
    n_obs : int
        Live returns in the window (>= 2).
    live_mean, live_sd : float
        Mean and standard deviation (ddof=1) of the window's daily simple returns.
    backtest_mean, backtest_sd : float
        Mean and standard deviation (ddof=1) of the backtest's daily returns.
    backtest_n_obs : int, optional
        The backtest's length (its mean's standard error is added); ``None``: known mean.

    Returns
    -------
    float
        ``t_cdf((live_mean - backtest_mean) / se, df)`` with ``se^2 = s_l^2/n + s_b^2/n_b``
        and the Welch-Satterthwaite ``df``; NaN when an input is missing, ``n_obs < 2`` or a
        standard deviation is not positive.

    References
    ----------
    Welch, B. L. (1947), "The generalization of 'Student's' problem when several different
    population variances are involved"; scipy.stats.ttest_ind(equal_var=False).
    """
    if n_obs < 2 or not _finite(live_mean, live_sd, backtest_mean, backtest_sd):
        return math.nan
    if live_sd <= 0 or backtest_sd <= 0:
        return math.nan
    se2_l = live_sd**2 / n_obs
    n_b = backtest_n_obs if backtest_n_obs is not None and backtest_n_obs >= 2 else 0
    se2_b = backtest_sd**2 / n_b if n_b else 0.0
    df = (se2_l + se2_b) ** 2 / (se2_l**2 / (n_obs - 1) + (se2_b**2 / (n_b - 1) if n_b else 0.0))
    t = (live_mean - backtest_mean) / math.sqrt(se2_l + se2_b)
    return float(special.stdtr(df, t))


def sharpe_shortfall_p_value(
    n_obs: int,
    live_sharpe: float,
    backtest_sharpe: float,
    skew: float = 0.0,
    kurtosis: float = 3.0,
    backtest_n_obs: int | None = None,
) -> float:
    """P(a window Sharpe ratio this low | backtest): one-sided Mertens z-test.

    Parameters
    ----------
    n_obs : int
        Live returns in the window (>= 2).
    live_sharpe, backtest_sharpe : float
        Sharpe ratios **per period** (annual / sqrt(periods per year)).
    skew, kurtosis : float
        Of the backtest's returns (kurtosis non-excess, 3 for normal): the null's moments.
    backtest_n_obs : int, optional
        The backtest's length: its estimation variance is added (the backtest Sharpe is an
        estimate too). ``None`` treats it as known.

    Returns
    -------
    float
        ``Phi((SR_live - SR_bt) / sqrt(V(SR_bt, n) + V(SR_bt, n_bt)))`` with Mertens' variance
        ``V``; NaN when an input is missing or ``n_obs < 2``.

    References
    ----------
    Mertens, E. (2002), "Comments on variance of the IID estimator in Lo (2002)"; Opdyke, J.
    (2007), "Comparing Sharpe ratios: so where are the p-values?".
    """
    if n_obs < 2 or not _finite(live_sharpe, backtest_sharpe, skew, kurtosis):
        return math.nan
    var = float(sharpe_ratio_variance(backtest_sharpe, n_obs, skew, kurtosis))
    if backtest_n_obs is not None and backtest_n_obs >= 2:
        var += float(sharpe_ratio_variance(backtest_sharpe, backtest_n_obs, skew, kurtosis))
    if not var > 0:
        return math.nan
    return float(special.ndtr((live_sharpe - backtest_sharpe) / math.sqrt(var)))


def volatility_excess_p_value(
    n_obs: int, live_sd: float, backtest_sd: float, excess_kurtosis: float = 0.0
) -> float:
    """P(a window volatility this high | backtest): one-sided chi-square test of the variance.

    ``nu * s^2 / sigma^2 ~ chi2(nu)`` with ``nu = n - 1`` for normal returns; for fat tails
    ``nu`` is the Satterthwaite effective degrees of freedom ``2 / (2/(n-1) + k/n)`` matching
    ``Var(s^2) = sigma^4 (2/(n-1) + k/n)`` (``k`` the excess kurtosis, clipped at 0).

    Parameters
    ----------
    n_obs : int
        Live returns in the window (>= 2).
    live_sd, backtest_sd : float
        Standard deviations of daily returns (any common scale: annualised both is fine).
    excess_kurtosis : float
        Of the backtest's returns.

    Returns
    -------
    float
        ``chi2.sf(nu * (live_sd / backtest_sd)^2, nu)``; NaN when an input is missing,
        ``n_obs < 2`` or ``backtest_sd <= 0``.

    References
    ----------
    Satterthwaite, F. E. (1946), "An approximate distribution of estimates of variance
    components"; the variance of the sample variance, e.g. Cramer (1946) 27.4.
    """
    if n_obs < 2 or not _finite(live_sd, backtest_sd, excess_kurtosis) or backtest_sd <= 0:
        return math.nan
    k = max(excess_kurtosis, 0.0)
    nu = 2.0 / (2.0 / (n_obs - 1) + k / n_obs)
    return float(stats.chi2.sf(nu * (live_sd / backtest_sd) ** 2, nu))


def win_rate_p_value(wins: int, n_trades: int, backtest_win_rate: float) -> float:
    """P(this few wins or fewer | backtest win rate): one-sided exact binomial test.

    Parameters
    ----------
    wins, n_trades : int
        Winning trades among ``n_trades`` closed trades (>= 1).
    backtest_win_rate : float
        In [0, 1].

    Returns
    -------
    float
        ``binom.cdf(wins, n_trades, backtest_win_rate)``; NaN when ``n_trades < 1`` or the
        rate is not in [0, 1].

    References
    ----------
    scipy.stats.binomtest (alternative="less") gives the same p-value.
    """
    p = backtest_win_rate
    if n_trades < 1 or not (math.isfinite(p) and 0.0 <= p <= 1.0):
        return math.nan
    return float(stats.binom.cdf(wins, n_trades, p))


def significant(p: float, level: float) -> bool:
    """The gate: ``p < level``; a level of 1 switches the test off (always passes)."""
    return level >= 1.0 or p < level


def fmt_p(p: float) -> str:
    """``p = 0.0031`` -> ``"p = 0.003"``; tiny values as ``"p < 0.001"``."""
    if not math.isfinite(p):
        return "p n/a"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
