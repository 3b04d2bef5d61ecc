"""The four health components: one-sided p-values of "live behaves like the backtest", mapped
to 0-100.

Each component is a test. Its p-value is ``p = P(evidence at least this unfavourable | live
behaves like the backtest)`` and its value is ``g(p)``, one fixed monotone map for all four
(:func:`score_from_p`), log-linear in ``p`` between the knots

=========  =====  =====  =====  =====  =====  =====
p           1e-4   1e-3   0.01   0.10   0.50   1
g(p)        0      15     35     60     85     100
=========  =====  =====  =====  =====  =====  =====

so a value reads as a strength of evidence: 60 is "as unusual as one day in ten for a
strategy that is fine", 35 one in a hundred, 0 one in ten thousand. A component without data
has value and p ``None`` and does not move the score (:mod:`stratmon.health.score`).

performance (weight 0.40)
    Three tests of the whole live record, combined by a **weighted Bonferroni** rule
    ``p = min(1, min_i p_i / w_i)`` with weights 1/2 (decay CUSUM), 1/4 (PSR), 1/4 (cone);
    a test without data drops out and the others' weights are renormalised. Weighted
    Bonferroni is valid under any dependence between the tests (they are strongly positively
    dependent: all three read the same returns):

    * **decay CUSUM** (memory of change): the statistic ``S`` of
      :class:`stratmon.decay.DecayDetector` (log-likelihood units) against its calibrated
      threshold ``h``. The stationary law of a CUSUM of log-likelihood ratios has an
      exponential right tail in nats, ``P(S >= s) <= C exp(-theta s)`` (Ville's inequality
      gives ``C = theta = 1`` for the exact likelihood ratio; the estimated model and the
      calibration's estimation-error treatment make it a little heavier), so
      ``p = exp(-theta S)`` with one measured constant ``theta``
      (:data:`CUSUM_TAIL_THETA` = 0.70), just under the smallest tail rate
      ``min_s -log P(S >= s) / s`` measured in ``benchmarks/health.py`` (200 strategies x 12
      scenarios: 0.73 for AR(1) at Sharpe 3, up to 1.26 for t(4) at Sharpe 1). Nats, not
      ``S / h``: the measured tail in nats is about the same for annual Sharpe 1, 2 and 3
      while ``P(S >= h)`` ranges from 0.04 (Sharpe 3) to 0.15 (Sharpe 1), because a
      low-Sharpe strategy's threshold is low. So at the detector's alarm this p is only
      0.03-0.25: the alarm's rarity comes from the run length, which a per-day p-value
      cannot carry.
    * **PSR** of the whole live record against the backtest Sharpe ratio
      (:func:`stratmon.compare.significance.probabilistic_sharpe_ratio`; Bailey and Lopez de
      Prado 2012): ``P(true Sharpe > backtest Sharpe)``, low is worse. The PSR treats the
      backtest Sharpe as known; it is an estimate from ``B`` returns, so its z-score is
      deflated, ``z' = Phi^-1(PSR) / sqrt(1 + (n - 1) / (B - 1))`` (the two Sharpe
      estimators' variances add; Jobson and Korkie 1981, Memmel 2003), and ``p = Phi(z')``
      (:func:`psr_p_value`). Without it the PSR is <= 0.1 on 11-18 % of healthy days after
      five live years. Needs 30 live returns (DESIGN.md minimum for a Sharpe ratio).
    * **cone percentile** of today's live cumulative return among the backtest's
      stationary-bootstrap paths at this live day (:func:`stratmon.compare.cone.
      cone_percentile`): a one-sided p-value by construction.

drawdown (0.30)
    ``p = P(MDD_n <= current drawdown)`` under the backtest's stationary bootstrap, ``n`` the
    live sessions so far (:func:`stratmon.compare.drawdown_probability.drawdown_probability`):
    the probability of a drawdown at least this deep within a live period this long. A
    current drawdown of 0 gives p = 1. (Conservative: the current drawdown is never deeper
    than the period's maximum.)

win_rate (0.20)
    Exact one-sided binomial test ``p = P(X <= wins)``, ``X ~ Binomial(trials, backtest
    rate)``, on closed round trips when there are at least 10 (DESIGN.md), otherwise on
    winning days (sessions with a return > 0) against the backtest's winning-day rate
    (:func:`win_rate_basis` chooses). The basis is named in ``test``. When the number of
    backtest trials ``B`` behind the rate is known, the rate's own sampling error is
    included: ``X`` is beta-binomial, the binomial mixed over the Jeffreys posterior
    ``Beta(B rate + 1/2, B (1 - rate) + 1/2)`` of the backtest rate (the exact predictive law
    of the live count).

trade_frequency (0.10)
    Exact two-sided Poisson test of the live trade count against ``backtest trades per day x
    sessions``: ``p = min(1, 2 min(P(X <= k), P(X >= k)))`` (the doubling rule). Exact, so no
    arbitrary minimum: with 0.5 trades expected, no trade is unremarkable (p = 1). ``None``
    only when the backtest's rate is unknown. Trade counts of real strategies are often
    over-dispersed (clustered entries); the Poisson test then overstates the evidence.

Volatility clustering
---------------------
Under volatility clustering a live period sits in a volatility regime of its own. For the
GARCH(1,1)-t of ``benchmarks/health.py`` (fitted to the S&P 500, persistence 0.9995) the
live/backtest volatility ratio of five live years is 0.46-2.4 between the 5th and 95th
percentiles of strategies that behave exactly like their backtests, and read unscaled the
backtest gave ``P(p <= 0.001)`` of 2.3 % (cone), 3.9 % (drawdown) and 0.3-4 % (PSR, growing
with the Sharpe ratio) on healthy days instead of 0.1 %: the health score was >= 60 on only
89.5-92.9 % of healthy GARCH days. So the cone percentile, the drawdown probability and the
PSR read the backtest at the live volatility (:func:`volatility_ratio`, realised, from 30 live
returns on), with its noise rescaled and its drift -- what a decay changes -- kept
(volatility-updated historical simulation, Hull and White 1998):
:func:`stratmon.compare.cone.volatility_scaled_cumulative`,
:func:`stratmon.compare.drawdown_probability.volatility_scaled_query` (Brownian scaling of
the maximum drawdown) and :func:`volatility_scaled_sharpe` with the backtest counted as
``B k^2`` returns in :func:`psr_p_value`. With IID returns ``k`` stays near 1 and nothing
changes. Measured after the scaling: ``P(p <= 0.001)`` 0.5-0.9 % (cone), 0.4-0.7 % (drawdown),
0.06-0.3 % (PSR). The winning-day test is *not* scaled (see below) and remains over-dispersed
under GARCH (``P(p <= 0.1)`` 11-25 % on healthy days, Sharpe 1-3).

Rejected alternatives
---------------------
* *A longer stationary-bootstrap block* (Politis-White on squared or absolute returns,
  ~95 sessions, or 100) for the cone and drawdown grids under volatility clustering: the
  tails did not move (``P(p <= 0.001)`` 3.0-3.5 % vs 3.9 % for the drawdown at Sharpe 3),
  because a five-year live regime is not in a ten-year backtest's blocks.
* *Scaling the winning-day rate by the volatility ratio* (``1/2 + (rate - 1/2) / k``, with
  ``k`` from the standard deviation or the mean absolute deviation): it made the test worse
  (``P(p <= 0.1)`` 16-40 % instead of 11-25 %), since the share of winning days follows the
  typical day's volatility and the standard deviation follows the few wildest days.
* *A neutral 50 for a component without data* (the previous score): it pulls the score
  towards "unknown" rather than leaving it to the evidence there is; in the demo it kept
  98.6 % of win-rate and trade-frequency values at exactly 50.
* *Ratio maps over the last 30 sessions* (live Sharpe / backtest Sharpe, return z-scores):
  with a standard error near 2.9 on a 30-day Sharpe ratio the score swung with noise; it
  correlated 0.53-0.71 with the trailing 90-day return and ~0 with the next 60 days -- a
  momentum gauge. The 30-session window stays as the "recent" view beside the score.
* *Stouffer's (or Fisher's) combination of the four dimensions into one p-value*: it assumes
  independent tests (the drawdown, PSR and win-rate tests read the same returns) and hides
  which dimension is wrong; the weighted mean of per-dimension values keeps the
  specification's weights and shows each dimension.
* *Simes's combination inside the performance component*: valid only under positive
  regression dependence, and it gains little when one test dominates, as the CUSUM does
  after a change.
* *A p-value for the CUSUM from the run-length law* (``P(max_{t <= n} S_t >= s)``): it grows
  with the length of the record, so a strategy that has been healthy for years would look
  worse every year; the marginal tail answers "how unusual is today's statistic".
* *Mid-p for the discrete tests*: closer to uniform but not a valid p-value.

References
----------
Page (1954) and Basseville and Nikiforov (1993) for the CUSUM and its tail; Bailey and Lopez de
Prado (2012) for the PSR; Politis and Romano (1994) for the bootstrap; Clopper and Pearson
(1934) / ``scipy.stats.binomtest`` for the exact binomial tail; Holm (1979) for weighted
Bonferroni; Garwood (1936) for the exact Poisson test; Hull and White (1998) for the volatility
scaling.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy import stats

from stratmon.decay.alarm import active_alarm_p_value
from stratmon.domain.assessment import HealthComponent

__all__ = [
    "CUSUM_TAIL_THETA",
    "G_LOG10_P",
    "G_VALUES",
    "MIN_PSR_OBS",
    "MIN_ROUND_TRIPS",
    "PERFORMANCE_WEIGHTS",
    "binomial_p_value",
    "cusum_p_value",
    "drawdown_component",
    "performance_component",
    "performance_p_value",
    "poisson_p_value",
    "psr_p_value",
    "score_from_p",
    "trade_frequency_component",
    "volatility_ratio",
    "volatility_scaled_sharpe",
    "weighted_bonferroni",
    "win_rate_basis",
    "win_rate_component",
]

Array = npt.NDArray[np.float64]

G_LOG10_P: tuple[float, ...] = (-4.0, -3.0, -2.0, -1.0, math.log10(0.5), 0.0)
G_VALUES: tuple[float, ...] = (0.0, 15.0, 35.0, 60.0, 85.0, 100.0)
CUSUM_TAIL_THETA = 0.70
PERFORMANCE_WEIGHTS: tuple[float, float, float] = (0.5, 0.25, 0.25)  # cusum, psr, cone
MIN_PSR_OBS = 30
MIN_ROUND_TRIPS = 10
MIN_VOLATILITY_OBS = 30


def volatility_ratio(
    live_volatility: npt.ArrayLike, backtest_volatility: npt.ArrayLike, n_obs: npt.ArrayLike
) -> Array:
    """Live / backtest volatility, the scale at which the backtest is read (1 when unknown).

    Under volatility clustering a live period sits in a volatility regime of its own: for the
    GARCH(1,1)-t of ``benchmarks/health.py`` (fitted to the S&P 500, persistence 0.9995)
    the live/backtest volatility of five live years is 0.46-2.4 between the 5th and 95th
    percentiles of strategies that behave exactly like their backtests. No resampling of the
    backtest reproduces that (a stationary bootstrap with 100-session blocks leaves the
    drawdown and cone tails as they were), so the cone percentile, the drawdown probability,
    the PSR and the winning-day rate read the backtest with its noise rescaled to the live
    volatility and its drift (what a decay changes) kept: volatility-updated historical
    simulation (Hull and White 1998).

    Parameters
    ----------
    live_volatility, backtest_volatility : float or ndarray, shape (N,)
        Sample standard deviations of the live and backtest returns (same units).
    n_obs : int or ndarray, shape (N,)
        Live returns behind ``live_volatility``; under 30 (DESIGN.md minimum) gives 1.

    Returns
    -------
    ndarray, shape (N,)
        ``> 0``; 1 where an input is missing or not positive.

    References
    ----------
    Hull, J. and White, A. (1998), "Incorporating volatility updating into the historical
    simulation method for value-at-risk", J. Risk 1.
    """
    lv, bv, n = np.broadcast_arrays(
        *(
            np.atleast_1d(np.asarray(a, dtype=float))
            for a in (live_volatility, backtest_volatility, n_obs)
        )
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        k = lv / bv
        ok = np.isfinite(k) & (k > 0) & (n >= MIN_VOLATILITY_OBS)
    return np.where(ok, k, 1.0)


def volatility_scaled_sharpe(sharpe: npt.ArrayLike, volatility_ratio: npt.ArrayLike) -> Array:
    """The Sharpe ratio the backtest promises at the live volatility: ``SR / k``.

    The backtest's mean return over the live volatility: the benchmark of the PSR when live
    volatility is ``k`` times the backtest's (:func:`volatility_ratio`), so that the PSR
    tests the mean, which a decay changes, not the volatility regime. Same units as
    ``sharpe``.

    References
    ----------
    Bailey and Lopez de Prado (2012) (PSR); Hull and White (1998) (volatility updating).
    """
    k = np.atleast_1d(np.asarray(volatility_ratio, dtype=float))
    k = np.where(np.isfinite(k) & (k > 0), k, 1.0)
    return np.asarray(np.atleast_1d(np.asarray(sharpe, dtype=float)) / k, dtype=float)


def score_from_p(p: npt.ArrayLike) -> Array:
    """The fixed map ``g``: p-value -> 0-100 (module docstring table), vectorised.

    Parameters
    ----------
    p : float or ndarray, shape (N,)
        One-sided p-values in [0, 1]; NaN passes through.

    Returns
    -------
    ndarray, shape (N,)
        Log-linear interpolation in ``log10 p`` between the knots; 0 at or below ``1e-4``,
        100 at 1.
    """
    x = np.atleast_1d(np.asarray(p, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        lg = np.log10(np.clip(x, 1e-300, 1.0))
    out = np.interp(lg, G_LOG10_P, G_VALUES)
    return np.where(np.isnan(x), np.nan, out)


def cusum_p_value(
    statistic: npt.ArrayLike, threshold: npt.ArrayLike, theta: float = CUSUM_TAIL_THETA
) -> Array:
    """Tail probability of the decay CUSUM's statistic: ``exp(-theta * S)``, S in nats.

    Parameters
    ----------
    statistic : float or ndarray, shape (N,)
        CUSUM statistic ``S >= 0`` (nats of log-likelihood ratio).
    threshold : float or ndarray, shape (N,)
        Its calibrated threshold ``h > 0``: only a statistic from a calibrated detector is
        judged (NaN or ``h <= 0`` gives NaN).
    theta : float
        Tail rate per nat, measured on healthy simulated strategies
        (``benchmarks/health.py``): ``P(S >= s) <= exp(-theta s)`` held in every scenario.

    Returns
    -------
    ndarray, shape (N,)
        In (0, 1]; NaN where either input is NaN or ``h <= 0``.

    References
    ----------
    Basseville and Nikiforov (1993), sec. 5.2 (exponential tail of the CUSUM's stationary
    law); Ville (1939) (the bound ``exp(-s)`` for an exact likelihood ratio).
    """
    s = np.atleast_1d(np.asarray(statistic, dtype=float))
    h = np.atleast_1d(np.asarray(threshold, dtype=float))
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(s) & np.isfinite(h) & (h > 0)
    out = np.exp(-theta * np.maximum(np.where(ok, s, 0.0), 0.0))
    return np.where(ok, out, np.nan)


def psr_p_value(
    psr: npt.ArrayLike,
    n_obs: npt.ArrayLike,
    backtest_n_obs: npt.ArrayLike = 0,
    *,
    volatility_ratio: npt.ArrayLike = 1.0,
) -> Array:
    """One-sided p-value from the PSR against the backtest Sharpe, deflated for the
    backtest Sharpe's own estimation error.

    Parameters
    ----------
    psr : float or ndarray, shape (N,)
        :func:`stratmon.compare.significance.probabilistic_sharpe_ratio` of the live record
        with the backtest's (per-period) Sharpe as benchmark.
    n_obs : int or ndarray, shape (N,)
        Live returns behind it.
    backtest_n_obs : int or ndarray, shape (N,), default 0
        Backtest returns behind the benchmark; ``<= 1`` leaves the PSR unchanged.
    volatility_ratio : float or ndarray, shape (N,), default 1
        Live / backtest volatility ``k`` (:func:`volatility_ratio`) when the PSR's benchmark
        is the volatility-scaled backtest Sharpe (:func:`volatility_scaled_sharpe`): the
        backtest mean's standard error in live-Sharpe units is then ``1 / (k sqrt(B))``,
        i.e. the backtest counts as ``B k^2`` returns.

    Returns
    -------
    ndarray, shape (N,)
        ``Phi(Phi^-1(PSR) / sqrt(1 + (n - 1) / (B k^2 - 1)))``; NaN where the PSR is NaN.

    References
    ----------
    Bailey and Lopez de Prado (2012) (PSR); Jobson and Korkie (1981), Memmel (2003) (the
    variance of a difference of two independent Sharpe ratio estimators).
    """
    p = np.atleast_1d(np.asarray(psr, dtype=float))
    n = np.atleast_1d(np.asarray(n_obs, dtype=float))
    k = np.atleast_1d(np.asarray(volatility_ratio, dtype=float))
    k = np.where(np.isfinite(k) & (k > 0), k, 1.0)
    b = np.atleast_1d(np.asarray(backtest_n_obs, dtype=float)) * k**2
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(b > 1, (n - 1.0) / (b - 1.0), 0.0)
        z = stats.norm.ppf(np.clip(p, 1e-300, 1.0 - 1e-16)) / np.sqrt(1.0 + np.maximum(ratio, 0))
    out = np.asarray(stats.norm.cdf(z), dtype=float)
    return np.where(np.isnan(p), np.nan, out)


def weighted_bonferroni(p_values: npt.ArrayLike, weights: npt.ArrayLike) -> Array:
    """Weighted Bonferroni combination ``min(1, min_i p_i / w_i)``, NaN tests dropped.

    Parameters
    ----------
    p_values : ndarray, shape (K, N)
        K tests for N cases; NaN = test not available.
    weights : ndarray, shape (K,)
        Positive; renormalised over the available tests of each case.

    Returns
    -------
    ndarray, shape (N,)
        Valid under any dependence between the tests; NaN when no test is available.

    References
    ----------
    Holm, S. (1979), "A simple sequentially rejective multiple test procedure", Scand. J.
    Statist. 6 (weighted Bonferroni).
    """
    p = np.atleast_2d(np.asarray(p_values, dtype=float))
    w = np.asarray(weights, dtype=float)[:, None] * np.ones_like(p)
    ok = ~np.isnan(p)
    total = np.sum(np.where(ok, w, 0.0), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(ok, p / np.where(ok, w, 1.0), np.inf) * total
        out = np.minimum(np.min(ratio, axis=0), 1.0)
    return np.where(total > 0, out, np.nan)


def performance_p_value(
    p_cusum: npt.ArrayLike, psr: npt.ArrayLike, cone_percentile: npt.ArrayLike
) -> Array:
    """Combined p-value of the performance component (weights 1/2, 1/4, 1/4), vectorised.

    Parameters
    ----------
    p_cusum, psr, cone_percentile : ndarray, shape (N,)
        The three one-sided p-values (NaN = not available).

    Returns
    -------
    ndarray, shape (N,)
    """
    stacked = np.vstack(
        [np.atleast_1d(np.asarray(a, dtype=float)) for a in (p_cusum, psr, cone_percentile)]
    )
    return weighted_bonferroni(stacked, PERFORMANCE_WEIGHTS)


def binomial_p_value(
    wins: npt.ArrayLike,
    trials: npt.ArrayLike,
    rate: npt.ArrayLike,
    backtest_trials: npt.ArrayLike = 0,
) -> Array:
    """One-sided exact p-value ``P(X <= wins)`` of the live win count.

    ``X ~ Binomial(trials, rate)``; when ``backtest_trials = B > 0`` the rate's sampling
    error is included and ``X ~ BetaBinomial(trials, B rate + 1/2, B (1 - rate) + 1/2)``
    (the binomial mixed over the Jeffreys posterior of the backtest rate).

    Parameters
    ----------
    wins, trials : int or ndarray, shape (N,)
        ``0 <= wins <= trials``.
    rate : float or ndarray, shape (N,)
        Backtest win rate in [0, 1].
    backtest_trials : int or ndarray, shape (N,), default 0
        Trials behind the backtest rate; 0 = treat the rate as known.

    Returns
    -------
    ndarray, shape (N,)
        NaN where ``trials < 1`` or the rate is NaN.

    References
    ----------
    ``scipy.stats.binomtest(wins, trials, rate, alternative="less").pvalue`` (B = 0);
    ``scipy.stats.betabinom`` (B > 0); Jeffreys (1946) for the prior.
    """
    k, n, r, b = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(a, dtype=float)) for a in (wins, trials, rate, backtest_trials))
    )
    ok = (n >= 1) & np.isfinite(r) & (r >= 0) & (r <= 1) & np.isfinite(k)
    n_s = np.where(ok, n, 1.0)
    r_s = np.where(ok, r, 0.5)
    plain = stats.binom.cdf(k, n_s, r_s)
    mixed = b > 0
    if np.any(mixed & ok):
        bb = np.where(mixed, b, 1.0)
        mix = stats.betabinom.cdf(k, n_s, bb * r_s + 0.5, bb * (1.0 - r_s) + 0.5)
        plain = np.where(mixed, mix, plain)
    return np.where(ok, plain, np.nan)


def poisson_p_value(count: npt.ArrayLike, expected: npt.ArrayLike) -> Array:
    """Two-sided exact Poisson p-value by doubling: ``min(1, 2 min(P(X <= k), P(X >= k)))``.

    Parameters
    ----------
    count : int or ndarray, shape (N,)
        Live trades, >= 0.
    expected : float or ndarray, shape (N,)
        Backtest trades per session x live sessions, >= 0.

    Returns
    -------
    ndarray, shape (N,)
        NaN where ``expected`` is NaN or negative.

    References
    ----------
    Garwood, F. (1936), "Fiducial limits for the Poisson distribution", Biometrika 28.
    """
    k = np.atleast_1d(np.asarray(count, dtype=float))
    lam = np.atleast_1d(np.asarray(expected, dtype=float))
    ok = np.isfinite(lam) & (lam >= 0) & np.isfinite(k)
    lam_s = np.where(ok, lam, 1.0)
    lower = stats.poisson.cdf(k, lam_s)
    upper = stats.poisson.sf(k - 1, lam_s)
    out = np.minimum(1.0, 2.0 * np.minimum(lower, upper))
    return np.where(ok, out, np.nan)


def win_rate_basis(
    *,
    round_trip_wins: int,
    round_trips: int,
    backtest_round_trip_win_rate: float,
    winning_days: int,
    sessions: int,
    backtest_winning_day_rate: float,
    min_round_trips: int = MIN_ROUND_TRIPS,
) -> tuple[int, int, str, float]:
    """Choose the win-rate test's basis: round trips when there are enough, else days.

    Round trips are used when there are at least ``min_round_trips`` (DESIGN.md: 10) and the
    backtest's round-trip win rate is known; otherwise winning days (sessions with a return
    > 0) against the backtest's winning-day rate.

    Returns
    -------
    (wins, trials, basis, backtest rate)
        ``basis`` is ``"round_trips"`` or ``"days"``.
    """
    if round_trips >= min_round_trips and math.isfinite(backtest_round_trip_win_rate):
        return round_trip_wins, round_trips, "round_trips", backtest_round_trip_win_rate
    return winning_days, sessions, "days", backtest_winning_day_rate


def _pct(x: float) -> str:
    return f"{100.0 * x:.1f} %"


def _p(x: float) -> str:
    return f"{x:.2g}" if x < 0.01 else f"{x:.2f}"


def _component(
    name: str, weight: float, p: float | None, test: str, reason: str
) -> HealthComponent:
    if p is None or not math.isfinite(p):
        return HealthComponent(name, None, None, test, reason, weight)
    value = float(score_from_p(p)[0])
    return HealthComponent(name, value, float(p), test, reason, weight)


def performance_component(
    *,
    weight: float,
    n_obs: int,
    decay_statistic: float = math.nan,
    decay_threshold: float = math.nan,
    psr_vs_backtest: float = math.nan,
    cone_percentile: float = math.nan,
    live_sharpe_ratio: float = math.nan,
    backtest_sharpe_ratio: float = math.nan,
    backtest_n_obs: int = 0,
    decay_alarm: bool = False,
    volatility_ratio: float = 1.0,
) -> HealthComponent:
    """Performance vs the backtest (module docstring): CUSUM, PSR and cone, weighted
    Bonferroni; while the decay alarm is active, at most the alarm's own p-value.

    Parameters
    ----------
    weight : float
        The component's weight in the score.
    n_obs : int
        Live daily returns in the record.
    decay_statistic, decay_threshold : float
        The decay CUSUM's statistic and threshold (nats); NaN when not available.
    psr_vs_backtest : float
        PSR of the live record against the backtest Sharpe (probability); used from 30
        returns on.
    cone_percentile : float
        Rank of the live cumulative return among the backtest paths (0-1).
    live_sharpe_ratio, backtest_sharpe_ratio : float
        Annualised; only for the reason.
    backtest_n_obs : int
        Backtest returns behind its Sharpe ratio (0 = unknown: the PSR is not deflated).
    decay_alarm : bool
        The detector's alarm is active (:mod:`stratmon.decay.alarm`): p is then at most
        :func:`~stratmon.decay.alarm.active_alarm_p_value` (1.7 % at the defaults), the
        probability of an active alarm on a strategy that behaves like its backtest.
    volatility_ratio : float
        Live / backtest volatility the PSR's benchmark was scaled by
        (:func:`volatility_scaled_sharpe`; 1 = not scaled): passed to :func:`psr_p_value`.

    Returns
    -------
    HealthComponent
        ``value``/``p_value`` None when none of the three tests has data.

    References
    ----------
    Page (1954); Bailey and Lopez de Prado (2012); Holm (1979).
    """
    p_c = float(cusum_p_value(decay_statistic, decay_threshold)[0])
    psr = math.nan
    if n_obs >= MIN_PSR_OBS and math.isfinite(psr_vs_backtest):
        psr = float(
            psr_p_value(psr_vs_backtest, n_obs, backtest_n_obs, volatility_ratio=volatility_ratio)[
                0
            ]
        )
    cone = cone_percentile if math.isfinite(cone_percentile) else math.nan
    parts: list[str] = []
    tests: list[str] = []
    if math.isfinite(p_c):
        tests.append("decay CUSUM tail")
        parts.append(
            f"decay statistic {decay_statistic:.2f} of threshold {decay_threshold:.2f} "
            f"(p {_p(p_c)})"
        )
    if math.isfinite(psr):
        tests.append("PSR vs backtest Sharpe")
        sr = ""
        if math.isfinite(live_sharpe_ratio) and math.isfinite(backtest_sharpe_ratio):
            sr = f"live Sharpe {live_sharpe_ratio:.2f} vs {backtest_sharpe_ratio:.2f} promised, "
        parts.append(f"{sr}PSR {psr_vs_backtest:.2f} (p {_p(psr)})")
    if math.isfinite(cone):
        tests.append("cone percentile")
        parts.append(f"cumulative return above {_pct(cone)} of backtest paths of this length")
    if not tests:
        why = f"{n_obs} live returns" if n_obs < MIN_PSR_OBS else "no decay statistic or cone"
        return _component(
            "performance", weight, None, "no data", f"no performance evidence yet ({why})"
        )
    p = float(performance_p_value(p_c, psr, cone)[0])
    test = "weighted Bonferroni (1/2, 1/4, 1/4) of " + ", ".join(tests)
    reason = "; ".join(parts) + f": combined p {_p(p)}"
    if decay_alarm:
        p_alarm = active_alarm_p_value()
        if p_alarm < p:
            p = p_alarm
            test += "; decay alarm active"
            reason = f"decay alarm active (p {_p(p_alarm)}); " + reason
    return _component("performance", weight, p, test, reason)


def drawdown_component(
    *,
    weight: float,
    n_obs: int,
    current_drawdown: float = math.nan,
    drawdown_probability: float = math.nan,
) -> HealthComponent:
    """Drawdown control: the bootstrap probability of a drawdown this deep this soon.

    Parameters
    ----------
    weight : float
    n_obs : int
        Live sessions so far (the horizon of the probability).
    current_drawdown : float
        Fraction, <= 0.
    drawdown_probability : float
        From :func:`stratmon.compare.drawdown_probability.drawdown_probability` at
        (current drawdown, n_obs). With a drawdown of 0 the probability is 1 whatever is given.

    Returns
    -------
    HealthComponent
    """
    test = "stationary-bootstrap probability of a drawdown this deep within this many sessions"
    if n_obs < 1 or not math.isfinite(current_drawdown):
        return _component("drawdown", weight, None, "no data", "no live drawdown yet")
    if current_drawdown >= 0.0:
        return _component("drawdown", weight, 1.0, test, "at a new high: no drawdown")
    if not math.isfinite(drawdown_probability):
        return _component(
            "drawdown", weight, None, "no data", "no backtest bootstrap to judge the drawdown by"
        )
    p = min(max(drawdown_probability, 0.0), 1.0)
    reason = (
        f"drawdown {_pct(current_drawdown)} is deeper than {_pct(1.0 - p)} of backtest paths "
        f"of {n_obs:,} sessions"
    )
    return _component("drawdown", weight, p, test, reason)


def win_rate_component(
    *,
    weight: float,
    live_wins: int,
    live_trials: int,
    win_basis: str,
    backtest_win_rate: float,
    backtest_win_trials: int = 0,
) -> HealthComponent:
    """Win-rate consistency: exact one-sided binomial test against the backtest's rate.

    Parameters
    ----------
    weight : float
    live_wins, live_trials : int
        Winning round trips and round trips, or winning days and sessions.
    win_basis : str
        ``"round_trips"`` or ``"days"`` (see :func:`win_rate_basis`).
    backtest_win_rate : float
        The backtest's rate on the same basis.
    backtest_win_trials : int
        Trials behind the backtest rate (0 = unknown: the rate is taken as exact).

    Returns
    -------
    HealthComponent
    """
    unit = {"round_trips": "round trips", "days": "winning days"}.get(win_basis, win_basis)
    if live_trials < 1 or not math.isfinite(backtest_win_rate) or win_basis == "":
        return _component("win_rate", weight, None, "no data", "no live wins or backtest rate")
    p = float(binomial_p_value(live_wins, live_trials, backtest_win_rate, backtest_win_trials)[0])
    rate = live_wins / live_trials
    what = "winning days" if win_basis == "days" else "winning round trips"
    total = "sessions" if win_basis == "days" else "round trips"
    kind = "beta-binomial" if backtest_win_trials > 0 else "binomial"
    test = f"{kind} test of {unit} vs {_pct(backtest_win_rate)}"
    reason = (
        f"{_pct(rate)} {what} ({live_wins:,} of {live_trials:,} {total}) vs "
        f"{_pct(backtest_win_rate)} in the backtest: p {_p(p)}"
    )
    return _component("win_rate", weight, p, test, reason)


def trade_frequency_component(
    *,
    weight: float,
    n_obs: int,
    live_trades: int,
    backtest_trades_per_day: float,
) -> HealthComponent:
    """Trade frequency: exact two-sided Poisson test of the live count.

    Parameters
    ----------
    weight : float
    n_obs : int
        Live sessions.
    live_trades : int
        Trades (round trips) in those sessions.
    backtest_trades_per_day : float
        The backtest's rate per session.

    Returns
    -------
    HealthComponent
    """
    if not (math.isfinite(backtest_trades_per_day) and backtest_trades_per_day >= 0):
        return _component("trade_frequency", weight, None, "no data", "backtest trade rate unknown")
    if n_obs < 1:
        return _component("trade_frequency", weight, None, "no data", "no live session yet")
    expected = backtest_trades_per_day * n_obs
    p = float(poisson_p_value(live_trades, expected)[0])
    test = "two-sided exact Poisson test of the trade count"
    reason = (
        f"{live_trades:,} trades vs {expected:,.1f} expected "
        f"({backtest_trades_per_day:.3f}/session x {n_obs:,} sessions): p {_p(p)}"
    )
    return _component("trade_frequency", weight, p, test, reason)
