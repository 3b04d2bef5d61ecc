"""Stationary-bootstrap confidence intervals for the live Sharpe ratio.

Daily returns are weakly dependent (volatility clustering, sometimes autocorrelation), so the
intervals resample blocks of random geometric length (Politis and Romano's stationary
bootstrap, via :class:`arch.bootstrap.StationaryBootstrap`) with the mean block length chosen
by Politis and White's rule (:func:`arch.bootstrap.optimal_block_length`). Intervals are
percentile intervals of the replicated statistic. The default of 1,000 replications keeps one
interval under ~0.1 s for a few years of daily data while giving percentile endpoints stable
to about +/-0.05 in annualised Sharpe; raise ``n_replications`` for publication-grade tails.

This module also provides :func:`stationary_bootstrap_indices`, a fully vectorised generator
of whole bootstrap paths that the cone and the decay calibration use.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from arch.bootstrap import StationaryBootstrap, optimal_block_length

from stratmon.compare.significance import InsufficientDataError

__all__ = [
    "DEFAULT_REPLICATIONS",
    "SharpeInterval",
    "bootstrap_sharpe_ci",
    "bootstrap_sharpe_difference_ci",
    "politis_white_block_length",
    "stationary_bootstrap_indices",
]

DEFAULT_REPLICATIONS = 1000
MIN_OBSERVATIONS = 10


@dataclass(frozen=True, slots=True)
class SharpeInterval:
    """A point estimate and a two-sided percentile confidence interval (annualised if asked)."""

    estimate: float
    lower: float
    upper: float
    confidence: float
    n_replications: int
    block_length: float


def politis_white_block_length(returns: npt.ArrayLike) -> float:
    """Mean block length for a stationary bootstrap (Politis and White, 2004).

    Parameters
    ----------
    returns : ndarray, shape (T,)
        Return series without NaNs.

    Returns
    -------
    float
        Mean block length in periods, at least 1 and at most ``T``.

    References
    ----------
    Politis, D. N. and White, H. (2004), "Automatic block-length selection for the dependent
    bootstrap", Econometric Reviews 23(1); Patton, Politis and White (2009) correction; as
    computed by :func:`arch.bootstrap.optimal_block_length`.
    """
    x = np.asarray(returns, dtype=float)
    if x.size < MIN_OBSERVATIONS or float(np.std(x)) == 0.0:
        return 1.0
    b = float(optimal_block_length(x)["stationary"].iloc[0])
    if not np.isfinite(b):
        return 1.0
    return float(min(max(b, 1.0), x.size))


def stationary_bootstrap_indices(
    n: int,
    n_paths: int,
    length: int,
    block_length: float,
    rng: np.random.Generator,
) -> npt.NDArray[np.intp]:
    """Indices of ``n_paths`` stationary-bootstrap paths of ``length`` periods, vectorised.

    Each path starts at a uniform random position; at each later step it jumps to a new uniform
    position with probability ``1 / block_length`` and otherwise moves to the next observation,
    wrapping around the end (circular), as in Politis and Romano.

    Parameters
    ----------
    n : int
        Number of observations to resample from.
    n_paths : int
        Number of paths.
    length : int
        Periods per path.
    block_length : float
        Mean block length (>= 1).
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ndarray of int, shape (n_paths, length)

    References
    ----------
    Politis, D. N. and Romano, J. P. (1994), "The stationary bootstrap", JASA 89(428).
    """
    p = 1.0 / max(float(block_length), 1.0)
    new_block = rng.random((n_paths, length)) < p
    new_block[:, 0] = True
    starts = rng.integers(0, n, size=(n_paths, length))
    pos = np.arange(length)
    last = np.maximum.accumulate(np.where(new_block, pos, 0), axis=1)
    block_start = np.take_along_axis(starts, last, axis=1)
    idx: npt.NDArray[np.intp] = (block_start + (pos - last)) % n
    return idx


def _clean(x: npt.ArrayLike, name: str) -> npt.NDArray[np.float64]:
    a = np.asarray(x, dtype=float)
    if a.ndim != 1:
        raise InsufficientDataError(f"{name} must be 1-D, got shape {a.shape}")
    a = a[~np.isnan(a)]
    if a.size < MIN_OBSERVATIONS:
        raise InsufficientDataError(
            f"{name} has {a.size} non-missing returns; the bootstrap needs {MIN_OBSERVATIONS}"
        )
    if float(np.std(a)) == 0.0:
        raise InsufficientDataError(f"{name} has zero volatility; Sharpe is undefined")
    return a


def _sharpe(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    sd = x.std(ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out: npt.NDArray[np.float64] = np.atleast_1d(np.where(sd > 0, x.mean() / sd, np.nan))
    return out


def _replicate(
    x: npt.NDArray[np.float64], reps: int, block_length: float | None, seed: np.random.Generator
) -> tuple[npt.NDArray[np.float64], float]:
    b = politis_white_block_length(x) if block_length is None else float(block_length)
    bs = StationaryBootstrap(b, x, seed=seed)  # type: ignore[arg-type]
    return np.asarray(bs.apply(_sharpe, reps), dtype=float).ravel(), b


def bootstrap_sharpe_ci(
    returns: npt.ArrayLike,
    *,
    confidence: float = 0.95,
    n_replications: int = DEFAULT_REPLICATIONS,
    block_length: float | None = None,
    seed: int | np.random.Generator | None = None,
    periods_per_year: int = 252,
) -> SharpeInterval:
    """Stationary-bootstrap percentile interval for the (live) Sharpe ratio.

    Parameters
    ----------
    returns : ndarray, shape (T,)
        Simple (excess) returns per period; NaNs are dropped. At least 10 are needed.
    confidence : float, default 0.95
        Two-sided coverage.
    n_replications : int, default 1000
        Bootstrap replications.
    block_length : float, optional
        Mean block length; default Politis-White.
    seed : int or Generator, optional
        Makes the interval reproducible.
    periods_per_year : int, default 252
        The estimate and bounds are ``mean / std(ddof=1) * sqrt(periods_per_year)``; pass 1
        for per-period values.

    Returns
    -------
    SharpeInterval

    Raises
    ------
    InsufficientDataError
        Fewer than 10 returns or zero volatility.

    References
    ----------
    Politis and Romano (1994); Politis and White (2004); arch.bootstrap.StationaryBootstrap.
    """
    x = _clean(returns, "returns")
    rng = np.random.default_rng(seed)
    reps, b = _replicate(x, n_replications, block_length, rng)
    ann = float(np.sqrt(periods_per_year))
    alpha = (1.0 - confidence) / 2.0
    lo, hi = np.nanquantile(reps, [alpha, 1.0 - alpha]) * ann
    return SharpeInterval(
        float(_sharpe(x)[0]) * ann, float(lo), float(hi), confidence, n_replications, b
    )


def bootstrap_sharpe_difference_ci(
    live_returns: npt.ArrayLike,
    backtest_returns: npt.ArrayLike,
    *,
    confidence: float = 0.95,
    n_replications: int = DEFAULT_REPLICATIONS,
    seed: int | np.random.Generator | None = None,
    periods_per_year: int = 252,
) -> SharpeInterval:
    """Percentile interval for ``Sharpe(live) - Sharpe(backtest)``.

    The live and backtest periods do not overlap, so each sample is resampled independently
    with its own stationary bootstrap and Politis-White block length; the interval is taken
    from the paired differences of the replications.

    Parameters
    ----------
    live_returns : ndarray, shape (T,)
        Live simple returns per period.
    backtest_returns : ndarray, shape (B,)
        Backtest simple returns per period.
    confidence : float, default 0.95
        Two-sided coverage.
    n_replications : int, default 1000
        Replications per sample.
    seed : int or Generator, optional
        Makes the interval reproducible.
    periods_per_year : int, default 252
        Annualisation of the Sharpe ratios (1 for per period).

    Returns
    -------
    SharpeInterval
        ``estimate`` is the observed difference; ``block_length`` the live sample's.

    Raises
    ------
    InsufficientDataError
        Fewer than 10 returns in either sample or zero volatility.

    References
    ----------
    Politis and Romano (1994); Ledoit and Wolf (2008), "Robust performance hypothesis testing
    with the Sharpe ratio" (bootstrap inference on Sharpe differences).
    """
    live = _clean(live_returns, "live_returns")
    bt = _clean(backtest_returns, "backtest_returns")
    rng = np.random.default_rng(seed)
    reps_l, b_l = _replicate(live, n_replications, None, rng)
    reps_b, _ = _replicate(bt, n_replications, None, rng)
    ann = float(np.sqrt(periods_per_year))
    diff = reps_l - reps_b
    alpha = (1.0 - confidence) / 2.0
    lo, hi = np.nanquantile(diff, [alpha, 1.0 - alpha]) * ann
    est = (float(_sharpe(live)[0]) - float(_sharpe(bt)[0])) * ann
    return SharpeInterval(est, float(lo), float(hi), confidence, n_replications, b_l)
