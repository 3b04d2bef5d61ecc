"""Bootstrap cone: where the backtest says cumulative live returns should be, day by day.

Whole paths of ``horizon`` days are drawn from the backtest returns by a stationary block
bootstrap (vectorised; see :func:`~stratmon.compare.bootstrap.stationary_bootstrap_indices`)
and compounded: ``cum_t = prod_{s<=t}(1 + r_s) - 1``. For each live day ``t = 1..horizon`` the
cone holds

* percentile bands of ``cum_t`` across the paths (default 5, 25, 50, 75, 95);
* k-sigma bands for k = 1, 1.5, 2, built on **log** wealth, where a mean and standard deviation
  are meaningful: with ``L_t = log(1 + cum_t)`` across paths, the band is
  ``exp(mean(L_t) +/- k * sd(L_t)) - 1`` (reported as a simple cumulative return, so it can be
  compared directly with the live cumulative return and is never below -100 %).

:func:`cone_breaches` then tells, for each live day, which is the outermost band the live
cumulative return falls outside of.

In the same pass the cone keeps two compact quantile grids of the paths
(:class:`~stratmon.compare.drawdown_probability.HorizonQuantiles`, ~25 KB each): the log
wealth itself, for :func:`cone_percentile` (the rank of today's live cumulative return among
the paths at this live day), and the running maximum drawdown, for
:func:`~stratmon.compare.drawdown_probability.drawdown_probability`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from stratmon.compare.bootstrap import politis_white_block_length, stationary_bootstrap_indices
from stratmon.compare.drawdown_probability import (
    HorizonQuantiles,
    drawdown_table,
    horizon_quantiles,
)
from stratmon.compare.significance import InsufficientDataError

__all__ = [
    "DEFAULT_CONE_PATHS",
    "SIGMA_LEVELS",
    "BacktestCone",
    "ConeBreach",
    "backtest_cone",
    "cone_breaches",
    "cone_grids",
    "cone_percentile",
    "day_breaches",
    "volatility_scaled_cumulative",
]

DEFAULT_CONE_PATHS = 2000
SIGMA_LEVELS: tuple[float, ...] = (1.0, 1.5, 2.0)


@dataclass(frozen=True, slots=True)
class BacktestCone:
    """Cone of cumulative simple returns for live days ``1..horizon``.

    Attributes
    ----------
    days : ndarray of int, shape (H,)
        Live day numbers 1..H.
    percentiles : tuple of float
        Percentile levels, ascending.
    bands : ndarray, shape (P, H)
        ``bands[i, t-1]`` is the ``percentiles[i]``-th percentile of cumulative return at day t.
    sigma_levels : tuple of float
        The k of the sigma bands (1, 1.5, 2).
    sigma_lower, sigma_upper : ndarray, shape (K, H)
        ``exp(mean +/- k sd of log wealth) - 1``.
    mean_log : ndarray, shape (H,)
        Mean log wealth across paths (its ``exp - 1`` is the centre of the sigma bands).
    n_paths : int
    block_length : float
    cumulative : HorizonQuantiles or None
        Quantile grid of log wealth by live day (for :func:`cone_percentile`).
    max_drawdown : HorizonQuantiles or None
        Quantile grid of the running maximum drawdown by live day (log-wealth units).
    """

    days: npt.NDArray[np.int64]
    percentiles: tuple[float, ...]
    bands: npt.NDArray[np.float64]
    sigma_levels: tuple[float, ...]
    sigma_lower: npt.NDArray[np.float64]
    sigma_upper: npt.NDArray[np.float64]
    mean_log: npt.NDArray[np.float64]
    n_paths: int
    block_length: float
    cumulative: HorizonQuantiles | None = None
    max_drawdown: HorizonQuantiles | None = None

    @property
    def horizon(self) -> int:
        """Number of live days covered."""
        return int(self.days.size)

    def band(self, percentile: float) -> npt.NDArray[np.float64]:
        """The band of one percentile level, shape (H,)."""
        i = self.percentiles.index(float(percentile))
        out: npt.NDArray[np.float64] = self.bands[i]
        return out


@dataclass(frozen=True, slots=True)
class ConeBreach:
    """The live cumulative return is outside one band of the cone on one live day.

    ``band`` is ``"p5"``, ``"p95"``, ``"sigma_2.0"``... ; ``side`` is ``"below"`` or
    ``"above"``; ``bound`` is the band's value that was crossed.
    """

    day: int
    band: str
    side: str
    live_value: float
    bound: float


def backtest_cone(
    backtest_returns: npt.ArrayLike,
    horizon: int,
    *,
    n_paths: int = DEFAULT_CONE_PATHS,
    percentiles: tuple[float, ...] = (5, 25, 50, 75, 95),
    seed: int | np.random.Generator | None = None,
    block_length: float | None = None,
    estimation_error: bool = True,
) -> BacktestCone:
    """Build the cone of cumulative returns a live period should follow if the backtest holds.

    Parameters
    ----------
    backtest_returns : ndarray, shape (B,)
        Backtest simple returns per period (NaNs dropped, not filled). At least 30.
    horizon : int
        Number of live periods to cover (>= 1).
    n_paths : int, default 2000
        Bootstrap paths. Memory is ``n_paths * horizon`` floats; 2000 x 252 takes ~10 ms.
    percentiles : tuple of float, default (5, 25, 50, 75, 95)
        Percentile levels in [0, 100].
    seed : int or Generator, optional
        Makes the cone reproducible.
    block_length : float, optional
        Mean block length of the stationary bootstrap; default Politis-White on the returns.
    estimation_error : bool, default True
        For the quantile grids only (``cumulative``, ``max_drawdown``; the bands are
        unchanged): shift each path's drift by a normal draw with the standard error of the
        backtest's mean log return (long-run variance from the paths, over the backtest
        length), so the percentile and drawdown probabilities account for the backtest mean
        being an estimate (the bootstrap treatment of estimated parameters; Jones, Champ and
        Rigdon 2004). Measured in ``benchmarks/health.py``: without it the cone percentile is
        <= 0.1 on ~13 % of a healthy strategy's days instead of 10 %.

    Returns
    -------
    BacktestCone

    Raises
    ------
    InsufficientDataError
        Fewer than 30 backtest returns.
    ValueError
        ``horizon < 1``, ``n_paths < 2`` or a percentile outside [0, 100].

    References
    ----------
    Politis and Romano (1994), "The stationary bootstrap"; the cone display follows the
    backtest-vs-live cones of pyfolio/Quantopian (``plot_cones``).
    """
    x = np.asarray(backtest_returns, dtype=float)
    x = x[~np.isnan(x)]
    if x.size < 30:
        raise InsufficientDataError(
            f"the backtest has {x.size} non-missing returns; a cone needs at least 30"
        )
    if horizon < 1 or n_paths < 2:
        raise ValueError("horizon must be >= 1 and n_paths >= 2")
    pct = tuple(sorted(float(p) for p in percentiles))
    if any(p < 0 or p > 100 for p in pct):
        raise ValueError(f"percentiles must lie in [0, 100], got {percentiles}")
    rng = np.random.default_rng(seed)
    b = politis_white_block_length(x) if block_length is None else float(block_length)
    idx = stationary_bootstrap_indices(x.size, n_paths, horizon, b, rng)
    log_wealth = np.cumsum(np.log1p(x)[idx], axis=1)  # (n_paths, H)
    cum = np.expm1(log_wealth)
    cumulative, max_dd = cone_grids(log_wealth, x.size, rng if estimation_error else None)
    bands = np.percentile(cum, pct, axis=0)
    mean_log = log_wealth.mean(axis=0)
    sd_log = log_wealth.std(axis=0, ddof=1)
    k = np.asarray(SIGMA_LEVELS)[:, None]
    return BacktestCone(
        days=np.arange(1, horizon + 1, dtype=np.int64),
        percentiles=pct,
        bands=np.asarray(bands, dtype=float),
        sigma_levels=SIGMA_LEVELS,
        sigma_lower=np.expm1(mean_log - k * sd_log),
        sigma_upper=np.expm1(mean_log + k * sd_log),
        mean_log=mean_log,
        n_paths=n_paths,
        block_length=b,
        cumulative=cumulative,
        max_drawdown=max_dd,
    )


def cone_grids(
    log_wealth: npt.NDArray[np.float64],
    n_backtest: int,
    rng: np.random.Generator | None,
) -> tuple[HorizonQuantiles, HorizonQuantiles]:
    """The cone's two quantile grids (log wealth, running max drawdown) from its paths.

    Parameters
    ----------
    log_wealth : ndarray, shape (M, H)
        Log wealth of the bootstrap paths after live days 1..H.
    n_backtest : int
        Backtest returns behind the paths (the precision of their mean).
    rng : Generator or None
        With a generator, each path's drift is shifted by a normal draw with the standard
        error of the backtest's mean log return (see ``estimation_error`` of
        :func:`backtest_cone`); ``None`` keeps the paths as drawn.

    Returns
    -------
    (cumulative, max_drawdown) : HorizonQuantiles
    """
    lw = log_wealth
    if rng is not None:
        horizon = lw.shape[1]
        lrv = float(np.var(lw[:, -1])) / horizon  # long-run variance per period
        se = np.sqrt(lrv / n_backtest)
        drift = rng.standard_normal(lw.shape[0]) * se
        lw = lw + drift[:, None] * np.arange(1, horizon + 1)
    return horizon_quantiles(lw, "cumulative_return"), drawdown_table(lw)


def volatility_scaled_cumulative(
    cumulative_return: npt.ArrayLike, drift_log: npt.ArrayLike, volatility_ratio: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """The cumulative return at which to read the backtest cone when live volatility is ``k``
    times the backtest's and the drift is unchanged: ``m + (log(1 + c) - m) / k`` in log
    wealth, ``m`` the backtest's expected log wealth at this day.

    Parameters
    ----------
    cumulative_return : float or ndarray, shape (N,)
        Live compounded return (fraction).
    drift_log : float or ndarray, shape (N,)
        The backtest paths' mean log wealth at this live day (``BacktestCone.mean_log``).
    volatility_ratio : float or ndarray, shape (N,)
        Live volatility / backtest volatility, ``> 0``; NaN or <= 0 means 1.

    Returns
    -------
    ndarray, shape (N,)
        A cumulative return (fraction).

    References
    ----------
    Hull, J. and White, A. (1998), "Incorporating volatility updating into the historical
    simulation method for value-at-risk", J. Risk 1 (noise rescaled by the current
    volatility; here the drift is kept, since a decay is a change of drift).
    """
    c, m, k = np.broadcast_arrays(
        *(
            np.atleast_1d(np.asarray(a, dtype=float))
            for a in (cumulative_return, drift_log, volatility_ratio)
        )
    )
    k = np.where(np.isfinite(k) & (k > 0), k, 1.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        y = np.log1p(np.maximum(c, -1.0))
        out = np.expm1(m + (y - m) / k)
    return np.asarray(out, dtype=float)


def cone_percentile(
    cone: BacktestCone,
    cumulative_return: npt.ArrayLike,
    day: npt.ArrayLike,
    *,
    volatility_ratio: npt.ArrayLike = 1.0,
) -> float | npt.NDArray[np.float64]:
    """Rank of a live cumulative return among the cone's paths at a live day.

    ``P(cum_day <= cumulative_return)`` over the bootstrap paths: 0.05 means only 5 % of the
    paths the backtest implies had done as badly or worse by this day. Under "live behaves
    like the backtest" it is close to uniform; low is worse (a one-sided p-value).

    Parameters
    ----------
    cone : BacktestCone
    cumulative_return : float or ndarray, shape (N,)
        Live compounded return after ``day`` live periods (fraction).
    day : int or ndarray, shape (N,)
        Live day, ``1..cone.horizon``.
    volatility_ratio : float or ndarray, shape (N,), default 1
        Live volatility / backtest volatility (realised, from 30 live returns on). With
        ``k != 1`` the cone is read at :func:`volatility_scaled_cumulative`: under
        volatility clustering the live period's volatility regime differs from the
        backtest's by more than any resampling of it reproduces (GARCH(1,1)-t in
        ``benchmarks/health.py``: unscaled, ``P(p <= 0.01)`` is 4.1 % on healthy days,
        scaled 1.4 %).

    Returns
    -------
    float or ndarray, shape (N,)
        In ``[1e-12, 1]`` (below the worst path the tail is extended exponentially, see
        :mod:`stratmon.compare.drawdown_probability`); NaN for a NaN input or a day outside
        ``1..horizon``.

    Raises
    ------
    ValueError
        A cone built without the quantile grid.

    References
    ----------
    Politis and Romano (1994) (the paths); pyfolio ``plot_cones`` (the cone).
    """
    if cone.cumulative is None:
        raise ValueError("this cone has no quantile grid; rebuild it with backtest_cone")
    d = np.asarray(day, dtype=float)
    d = np.where((d >= 1) & (d <= cone.horizon), d, np.nan)
    value = cumulative_return
    if not np.all(np.asarray(volatility_ratio, dtype=float) == 1.0):
        i = np.clip(np.nan_to_num(d, nan=1.0).astype(np.int64) - 1, 0, cone.horizon - 1)
        value = volatility_scaled_cumulative(cumulative_return, cone.mean_log[i], volatility_ratio)
    out = cone.cumulative.cdf(value, d)
    scalar = np.ndim(cumulative_return) == 0 and np.ndim(day) == 0
    if scalar and np.ndim(volatility_ratio) == 0:
        return float(out[0])
    return out


def _fmt(p: float) -> str:
    return f"{p:g}"


def cone_breaches(live_cumulative: npt.ArrayLike, cone: BacktestCone) -> list[ConeBreach]:
    """Days on which the live cumulative return lies outside bands of the cone.

    For each live day the outermost percentile band crossed on the low side (among the
    percentiles below 50) or on the high side (above 50) is one event, and the outermost sigma
    band crossed is another; inner bands crossed the same day are implied and not repeated.

    Parameters
    ----------
    live_cumulative : ndarray, shape (T,)
        Live cumulative simple return after live day 1..T (fraction; ``prod(1+r) - 1``).
        NaN days are skipped. Days beyond the cone's horizon are ignored.
    cone : BacktestCone
        From :func:`backtest_cone`.

    Returns
    -------
    list of ConeBreach
        Ordered by day, percentile events before sigma events.
    """
    live = np.asarray(live_cumulative, dtype=float).ravel()[: cone.horizon]
    return [e for t, v in enumerate(live) if not np.isnan(v) for e in day_breaches(cone, t + 1, v)]


def day_breaches(cone: BacktestCone, day: int, value: float) -> list[ConeBreach]:
    """The events of :func:`cone_breaches` on one live day.

    Parameters
    ----------
    cone : BacktestCone
    day : int
        Live day number, ``1..cone.horizon``.
    value : float
        Live cumulative simple return after that day (fraction, not NaN).

    Returns
    -------
    list of ConeBreach
        At most three: the outermost percentile band crossed below, the one crossed above, and
        the outermost sigma band crossed (on either side).
    """
    t = day - 1
    v = float(value)
    events: list[ConeBreach] = []
    for i, p in enumerate(cone.percentiles):  # ascending: the first one crossed is the outermost
        if p < 50 and v < cone.bands[i, t]:
            events.append(ConeBreach(day, f"p{_fmt(p)}", "below", v, cone.bands[i, t]))
            break
    for i, p in reversed(list(enumerate(cone.percentiles))):
        if p > 50 and v > cone.bands[i, t]:
            events.append(ConeBreach(day, f"p{_fmt(p)}", "above", v, cone.bands[i, t]))
            break
    for j in reversed(range(len(cone.sigma_levels))):
        k = cone.sigma_levels[j]
        if v < cone.sigma_lower[j, t]:
            events.append(ConeBreach(day, f"sigma_{k:g}", "below", v, cone.sigma_lower[j, t]))
            break
        if v > cone.sigma_upper[j, t]:
            events.append(ConeBreach(day, f"sigma_{k:g}", "above", v, cone.sigma_upper[j, t]))
            break
    return events
