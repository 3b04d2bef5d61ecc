"""How likely is a drawdown this deep within a live period this long, if the backtest holds?

The backtest cone (:func:`stratmon.compare.cone.backtest_cone`) draws whole stationary-
bootstrap paths of the backtest returns. In the same pass it records, per path and horizon
``n``, the running maximum drawdown ``MDD_n = min_{t <= n} (W_t / max(1, max_{s <= t} W_s) -
1)`` of the path's wealth ``W`` (anchored at 1.0 before the first return, as
``stratmon.metrics.max_drawdown``). Keeping every path would cost ``paths x horizon`` floats
(20 MB for 1,000 paths of ten years), so the distribution is kept as a
:class:`HorizonQuantiles` grid: quantiles of ``log(1 + MDD_n)`` at ~40 probability levels
(log-spaced from ``1 / paths`` to 5 % for a fine left tail, then every 5 %) and ~70 horizons
(every session up to 20, then log-spaced), i.e. ~25 KB per backtest version.

:func:`drawdown_probability` answers ``P(MDD_n <= depth)`` -- the probability, under the
backtest's bootstrap, of a drawdown at least as deep as ``depth`` within ``n`` sessions:

* between horizons of the grid the quantile functions are interpolated linearly in ``n``
  (a mixture of two monotone quantile functions is monotone);
* between probability levels the CDF is interpolated linearly in log wealth;
* beyond the deepest stored quantile (level ``1 / paths``) the tail is extended
  exponentially in log-wealth depth, ``log p`` linear in depth with the slope of the first
  decade of levels (drawdowns of a random walk with drift have an exponential tail: Taylor
  1975, Magdon-Ismail et al. 2004), floored at ``1e-12``;
* a horizon beyond the grid's last is clamped to it (the engine rebuilds the cone longer when
  a live record outgrows it); clamping is conservative in the sense that it overstates how
  unusual a drawdown is.

The same grid type serves the cone's percentile lookup (:func:`stratmon.compare.cone.
cone_percentile`), which stores quantiles of log wealth itself.

References
----------
Politis, D. N. and Romano, J. P. (1994), "The stationary bootstrap", JASA 89. Magdon-Ismail,
M., Atiya, A., Pratap, A. and Abu-Mostafa, Y. (2004), "On the maximum drawdown of a Brownian
motion", J. Appl. Probab. 41(1). Taylor, H. M. (1975), "A stopped Brownian motion formula",
Ann. Probab. 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "HorizonQuantiles",
    "default_horizons",
    "default_levels",
    "drawdown_probability",
    "drawdown_table",
    "horizon_quantiles",
    "running_max_drawdown",
    "volatility_scaled_query",
]

Array = npt.NDArray[np.float64]
P_FLOOR = 1e-12


def default_horizons(max_horizon: int) -> npt.NDArray[np.int64]:
    """Horizons of the grid: every session up to 20, then ~50 log-spaced up to the last.

    Parameters
    ----------
    max_horizon : int
        Last horizon (>= 1), in sessions.

    Returns
    -------
    ndarray of int, shape (H,)
        Strictly increasing, starting at 1 and ending at ``max_horizon``.
    """
    if max_horizon < 1:
        raise ValueError("max_horizon must be >= 1")
    head = np.arange(1, min(20, max_horizon) + 1)
    tail = np.geomspace(20, max_horizon, 50) if max_horizon > 20 else np.array([])
    h = np.unique(np.concatenate([head, np.rint(tail), [max_horizon]]).astype(np.int64))
    return h


def default_levels(n_paths: int) -> Array:
    """Probability levels of the grid: 20 log-spaced from ``1 / n_paths`` to 5 %, then 5 %
    steps to 1.

    Parameters
    ----------
    n_paths : int
        Number of bootstrap paths behind the grid (>= 2).

    Returns
    -------
    ndarray, shape (P,)
        Strictly increasing, in ``(0, 1]``.
    """
    lo = 1.0 / max(int(n_paths), 2)
    tail = np.geomspace(lo, 0.05, 20) if lo < 0.05 else np.array([])
    body = np.linspace(0.05, 1.0, 20)
    return np.unique(np.concatenate([tail, body]))


@dataclass(frozen=True, slots=True)
class HorizonQuantiles:
    """Quantiles of a path statistic by horizon, with a CDF lookup.

    Attributes
    ----------
    horizons : ndarray of int, shape (H,)
        Sessions, strictly increasing, >= 1.
    levels : ndarray, shape (P,)
        Probability levels, strictly increasing in (0, 1].
    values : ndarray, shape (H, P)
        ``values[j, k]`` is the ``levels[k]`` quantile of the statistic at ``horizons[j]``, in
        log-wealth units (``log(1 + x)``); non-decreasing along ``k``.
    n_paths : int
        Bootstrap paths behind the quantiles.
    statistic : str
        ``"cumulative_return"`` or ``"max_drawdown"``.
    """

    horizons: npt.NDArray[np.int64]
    levels: Array
    values: Array
    n_paths: int
    statistic: str

    @property
    def nbytes(self) -> int:
        """Memory of the arrays, in bytes."""
        return int(self.horizons.nbytes + self.levels.nbytes + self.values.nbytes)

    @property
    def max_horizon(self) -> int:
        """Last horizon of the grid."""
        return int(self.horizons[-1])

    def cdf(self, value: npt.ArrayLike, horizon: npt.ArrayLike) -> Array:
        """``P(statistic_n <= value)`` (see the module docstring for the interpolation).

        Parameters
        ----------
        value : float or ndarray, shape (N,)
            In simple-return units (fraction; ``-0.15`` is -15 %); ``<= -1`` gives the floor.
        horizon : int or ndarray, shape (N,)
            Sessions (>= 1); NaN or < 1 gives NaN.

        Returns
        -------
        ndarray, shape (N,)
            Probabilities in ``[1e-12, 1]``; NaN where ``value`` or ``horizon`` is NaN.
        """
        return grid_cdf(self.horizons, self.levels, self.values, value, horizon)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (lists)."""
        return {
            "horizons": self.horizons.tolist(),
            "levels": self.levels.tolist(),
            "values": self.values.tolist(),
            "n_paths": self.n_paths,
            "statistic": self.statistic,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HorizonQuantiles:
        """Inverse of :meth:`to_dict`."""
        return cls(
            horizons=np.asarray(data["horizons"], dtype=np.int64),
            levels=np.asarray(data["levels"], dtype=float),
            values=np.asarray(data["values"], dtype=float),
            n_paths=int(data["n_paths"]),
            statistic=str(data["statistic"]),
        )


def grid_cdf(
    horizons: npt.ArrayLike,
    levels: npt.ArrayLike,
    values: npt.ArrayLike,
    value: npt.ArrayLike,
    horizon: npt.ArrayLike,
) -> Array:
    """CDF lookup in one grid (values shape (H, P)) or one grid per query (shape (N, H, P)).

    Parameters
    ----------
    horizons : ndarray of int, shape (H,)
    levels : ndarray, shape (P,)
    values : ndarray, shape (H, P) or (N, H, P)
        Log-wealth quantiles (see :class:`HorizonQuantiles`); with a leading axis, query ``i``
        reads grid ``i`` (the benchmark's many strategies at once).
    value : float or ndarray, shape (N,)
        Simple-return units.
    horizon : float or ndarray, shape (N,)
        Sessions.

    Returns
    -------
    ndarray, shape (N,)
        ``P(statistic_horizon <= value)``.
    """
    hz = np.asarray(horizons, dtype=float)
    q = np.asarray(levels, dtype=float)
    v = np.asarray(values, dtype=float)
    x_in, n_in = np.broadcast_arrays(
        np.atleast_1d(np.asarray(value, dtype=float)),
        np.atleast_1d(np.asarray(horizon, dtype=float)),
    )
    x_in, n_in = x_in.ravel(), n_in.ravel()
    m = x_in.size
    bad = np.isnan(x_in) | np.isnan(n_in) | (n_in < 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        x = np.log1p(np.maximum(x_in, -1.0))  # -1 -> -inf: the floor
    n = np.clip(np.where(bad, hz[0], n_in), hz[0], hz[-1])
    if hz.size == 1:
        j = np.zeros(m, dtype=np.intp)
        w = np.zeros(m)
    else:
        j = np.clip(np.searchsorted(hz, n, side="right") - 1, 0, hz.size - 2)
        w = np.clip((n - hz[j]) / (hz[j + 1] - hz[j]), 0.0, 1.0)
    if v.ndim == 2:
        lo_row, hi_row = v[j], v[np.minimum(j + 1, hz.size - 1)]
    else:
        if v.shape[0] != m:
            raise ValueError(f"{v.shape[0]} grids for {m} queries")
        idx = np.arange(m)
        lo_row, hi_row = v[idx, j], v[idx, np.minimum(j + 1, hz.size - 1)]
    row = (1.0 - w)[:, None] * lo_row + w[:, None] * hi_row  # (m, P), non-decreasing
    xs = np.where(bad, 0.0, x)
    k = np.sum(row <= xs[:, None], axis=1)  # values at or below the query
    p_levels = q.size
    out = np.empty(m)
    top = k >= p_levels
    out[top] = 1.0
    inner = (k > 0) & ~top
    if inner.any():
        r = np.flatnonzero(inner)
        kk = k[r]
        v0, v1 = row[r, kk - 1], row[r, kk]
        frac = (xs[r] - v0) / (v1 - v0)  # v1 > x >= v0
        out[r] = q[kk - 1] + frac * (q[kk] - q[kk - 1])
    below = k == 0
    if below.any():
        r = np.flatnonzero(below)
        # slope of log p over the first decade of levels (or the whole grid if shorter)
        d = int(min(np.searchsorted(q, 10.0 * q[0]), p_levels - 1))
        d = max(d, 1)
        dv = row[r, d] - row[r, 0]
        with np.errstate(invalid="ignore", divide="ignore"):
            slope = np.where(dv > 0, np.log(q[d] / q[0]) / dv, np.inf)
            logp = np.log(q[0]) + slope * (xs[r] - row[r, 0])
        logp = np.where(np.isfinite(logp), logp, np.log(P_FLOOR))
        out[r] = np.exp(np.maximum(logp, np.log(P_FLOOR)))
    return np.where(bad, np.nan, np.clip(out, P_FLOOR, 1.0))


def running_max_drawdown(log_wealth: npt.ArrayLike) -> Array:
    """Running maximum drawdown of wealth paths, in log-wealth units.

    Parameters
    ----------
    log_wealth : ndarray, shape (M, T)
        ``log W_t`` of M paths after periods 1..T (``W_0 = 1``).

    Returns
    -------
    ndarray, shape (M, T)
        ``min_{s <= t} (log W_s - max(0, max_{u <= s} log W_u))`` (<= 0); ``expm1`` of it is
        the maximum drawdown as a fraction, anchored at 1.0 before the first return.

    References
    ----------
    empyrical ``max_drawdown`` (the same anchoring at the starting wealth).
    """
    lw = np.asarray(log_wealth, dtype=float)
    peak = np.maximum(np.maximum.accumulate(lw, axis=1), 0.0)
    out: Array = np.minimum.accumulate(lw - peak, axis=1)
    return out


def horizon_quantiles(
    paths: npt.ArrayLike,
    statistic: str,
    horizons: npt.ArrayLike | None = None,
    levels: npt.ArrayLike | None = None,
) -> HorizonQuantiles:
    """Quantile grid of a path statistic (log-wealth units) at chosen horizons.

    Parameters
    ----------
    paths : ndarray, shape (M, T)
        Statistic of M paths after periods 1..T, in log-wealth units.
    statistic : str
        Name stored with the grid.
    horizons : ndarray of int, optional
        Default :func:`default_horizons` of T.
    levels : ndarray, optional
        Default :func:`default_levels` of M.

    Returns
    -------
    HorizonQuantiles
    """
    x = np.asarray(paths, dtype=float)
    m, t = x.shape
    hz = default_horizons(t) if horizons is None else np.asarray(horizons, dtype=np.int64)
    q = default_levels(m) if levels is None else np.asarray(levels, dtype=float)
    if hz.min() < 1 or hz.max() > t:
        raise ValueError(f"horizons must lie in 1..{t}")
    vals = np.quantile(x[:, hz - 1], q, axis=0).T  # (H, P)
    vals = np.maximum.accumulate(vals, axis=1)  # guard monotonicity against rounding
    return HorizonQuantiles(
        horizons=hz, levels=q, values=np.ascontiguousarray(vals), n_paths=m, statistic=statistic
    )


def drawdown_table(
    log_wealth: npt.ArrayLike, horizons: npt.ArrayLike | None = None
) -> HorizonQuantiles:
    """The maximum-drawdown grid of bootstrap wealth paths (what the cone stores).

    Parameters
    ----------
    log_wealth : ndarray, shape (M, T)
        Log wealth of M bootstrap paths after periods 1..T.
    horizons : ndarray of int, optional
        Default :func:`default_horizons` of T.

    Returns
    -------
    HorizonQuantiles
        ``statistic == "max_drawdown"``.
    """
    return horizon_quantiles(running_max_drawdown(log_wealth), "max_drawdown", horizons)


def _table_of(source: Any) -> HorizonQuantiles:
    if isinstance(source, HorizonQuantiles):
        return source
    for attr in ("drawdown_table", "max_drawdown"):
        table = getattr(source, attr, None)
        if isinstance(table, HorizonQuantiles):
            return table
    cone = getattr(source, "cone", None)
    if cone is not None and isinstance(getattr(cone, "max_drawdown", None), HorizonQuantiles):
        return cone.max_drawdown
    raise ValueError(
        f"{type(source).__name__} carries no drawdown table; build the backtest cone "
        "(compare.cone.backtest_cone) or the backtest evidence first"
    )


def volatility_scaled_query(
    depth: npt.ArrayLike, horizon: npt.ArrayLike, volatility_ratio: npt.ArrayLike
) -> tuple[Array, Array]:
    """The (depth, horizon) at which to read the backtest's drawdown grid when live
    volatility is ``k`` times the backtest's and the drift is unchanged.

    For a Brownian log-wealth path with drift ``m`` and volatility ``k sigma``, Brownian
    scaling (``W_{k^2 s} = k W'_s``) gives ``MDD_n(m, k sigma) = k^2 MDD_{n / k^2}(m, sigma)``
    in log-wealth units, so ``P(MDD_n <= d) = P(MDD^bt_{n / k^2} <= d / k^2)``: a live
    period twice as volatile as the backtest is judged like a quarter as long and a quarter
    as deep. This is the volatility-updated historical simulation of Hull and White (1998)
    applied to the noise only (the drift, which a decay changes, is not rescaled).

    Parameters
    ----------
    depth : float or ndarray, shape (N,)
        Drawdown as a fraction, <= 0.
    horizon : float or ndarray, shape (N,)
        Live sessions (>= 1).
    volatility_ratio : float or ndarray, shape (N,)
        Live volatility / backtest volatility, ``> 0``; 1 (or NaN) leaves the query as is.

    Returns
    -------
    (depth, horizon) : ndarray, shape (N,)
        The horizon is at least 1 session.

    References
    ----------
    Hull, J. and White, A. (1998), "Incorporating volatility updating into the historical
    simulation method for value-at-risk", J. Risk 1; Magdon-Ismail et al. (2004) (the
    scaling of the Brownian maximum drawdown).
    """
    d, n, k = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(a, dtype=float)) for a in (depth, horizon, volatility_ratio))
    )
    k2 = np.where(np.isfinite(k) & (k > 0), k, 1.0) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        d2 = np.expm1(np.log1p(np.maximum(d, -1.0)) / k2)
    n2 = np.where(np.isnan(n), np.nan, np.maximum(n / k2, np.minimum(n, 1.0)))
    return np.where(np.isnan(d), np.nan, d2), n2


def drawdown_probability(
    source: Any,
    depth: npt.ArrayLike,
    horizon: npt.ArrayLike,
    *,
    volatility_ratio: npt.ArrayLike = 1.0,
) -> float | Array:
    """Probability, under the backtest's bootstrap, of a drawdown at least ``depth`` deep
    within ``horizon`` sessions.

    Parameters
    ----------
    source : HorizonQuantiles, BacktestCone or BacktestEvidence
        The drawdown grid, or an object carrying it (``drawdown_table`` of the evidence,
        ``max_drawdown`` of the cone).
    depth : float or ndarray, shape (N,)
        Drawdown as a fraction, <= 0 (``-0.153`` is -15.3 %). ``0`` gives 1.
    horizon : int or ndarray, shape (N,)
        Live sessions so far (>= 1).
    volatility_ratio : float or ndarray, shape (N,), default 1
        Live volatility / backtest volatility (the engine passes the live record's realised
        volatility over the backtest's from 30 live returns on). With ``k != 1`` the grid is
        read at :func:`volatility_scaled_query`: under volatility clustering the live period
        is in a volatility regime of its own, which no resampling of the backtest reproduces
        (GARCH(1,1)-t of ``benchmarks/health.py``: live/backtest volatility 0.46-2.4 between
        the 5th and 95th percentiles of strategies; unscaled, ``P(p <= 0.001)`` is 3.9 % on
        healthy days, scaled 0.07 %).

    Returns
    -------
    float or ndarray, shape (N,)
        ``P(MDD_horizon <= depth)`` in ``[1e-12, 1]``; NaN where an input is NaN or the
        horizon < 1. A float when both inputs are scalars.

    Raises
    ------
    ValueError
        A depth > 0, or a source without a drawdown grid.

    References
    ----------
    Politis and Romano (1994) (the paths); Magdon-Ismail et al. (2004) (the exponential tail).
    """
    table = _table_of(source)
    d = np.asarray(depth, dtype=float)
    if np.any(d > 0):
        raise ValueError("a drawdown depth is <= 0 (a loss is negative)")
    if np.all(np.asarray(volatility_ratio, dtype=float) == 1.0):
        out = table.cdf(d, horizon)
    else:
        out = table.cdf(*volatility_scaled_query(d, horizon, volatility_ratio))
    if np.ndim(depth) == 0 and np.ndim(horizon) == 0 and np.ndim(volatility_ratio) == 0:
        return float(out[0])
    return out
