"""Calibrate the decay CUSUM so that a healthy strategy false-alarms once per ARL0 periods.

**Detector.** Page's one-sided CUSUM of the log-likelihood ratio of a *drop* of the mean
return from ``mu0`` to ``mu1 = SR_decayed * sd_bt`` (per period), in the model fitted to the
strategy's own backtest (:mod:`stratmon.decay.model`): constant mean, GARCH(1,1) volatility,
standardised Student-t innovations::

    sigma_t^2 = max(omega + alpha (r_{t-1} - mu0)^2 + beta sigma_{t-1}^2, (0.2 sd_bt)^2),
    S_t = max(0, S_{t-1} + llr_t),   alarm when S_t > h,

with ``llr_t`` the Student-t log-likelihood ratio of :func:`stratmon.decay.scores.student_t_llr`
and ``mu0`` the t maximum-likelihood location of the backtest. This is the oracle CUSUM (the
exact likelihood ratio of the true pre- and post-change laws, optimal in Lorden's minimax
sense: Lorden 1971; Moustakides 1986) with the true law replaced by its estimate: the
GARCH forecast gives each day the weight of the information it carries, the t score neither
over-reacts to fat-tailed days nor throws information away with a fixed clip, and the
efficient location estimate puts the reference close to the truth. The per-day update is
O(1) and its state (statistic, variance forecast) is two numbers per strategy.

**Threshold.** ``h`` is calibrated by simulation from the strategy's own backtest, not from a
normal-theory formula: paths of the pairs ``(r_t, sigma_t)`` (return and its filtered
forecast) are drawn from the backtest's by a stationary block bootstrap (Politis-White block
length of the returns, at most 50), so fat tails, skew, the joint behaviour of returns and
volatility and short-range dependence are those of the strategy itself, whatever the fitted
model gets wrong. The probability that a healthy strategy raises no alarm within
``A = false_alarm_days`` periods is set to ``exp(-1)``: CUSUM run lengths are close to
geometric (Basseville and Nikiforov 1993, sec. 5.2), so ``P(RL > A) = exp(-A / ARL0)`` and
``ARL0 = A``; choosing the horizon equal to the target also cancels, to first order, the
head-start lag of a CUSUM started at 0. One simulation gives ``h`` directly as the
``exp(-1)`` quantile of the paths' running maxima ``max_{t <= A} S_t`` (no bisection).

**Estimation error.** The backtest's mean is only an estimate: a backtest that was lucky puts
``mu0`` too high, and live returns then look "decayed" from day one. In the bootstrap world
the true mean is ``mu0`` itself (the t location solves the score equation on the backtest),
so every simulated path is shifted by its own draw ``se * xi`` (``xi ~ N(0, 1)``, ``se`` the
sandwich standard error of ``mu0``) while the detector keeps ``mu0``: the promised
false-alarm rate then holds on average over the backtests one could have been given -- the
bootstrap treatment of estimated control-chart parameters (Jones, Champ and Rigdon 2004;
Gandy and Kvaloy 2013). Because the t location under GARCH weights is far more precise than
the sample mean when returns are fat-tailed and clustered, this protection costs much less
detection delay than it would with the sample mean.

Calibrations are cached (keyed by the backtest's bytes and every parameter), so calling
:func:`~stratmon.decay.first_alarm` again on the same backtest costs only the CUSUM pass.

References
----------
Page, E. S. (1954), "Continuous inspection schemes", Biometrika 41. Lorden, G. (1971),
"Procedures for reacting to a change in distribution", Ann. Math. Statist. 42. Moustakides,
G. V. (1986), "Optimal stopping times for detecting changes in distributions", Ann. Statist.
14. Basseville, M. and Nikiforov, I. (1993), "Detection of Abrupt Changes". Bollerslev, T.
(1987), Rev. Econ. Statist. 69 (GARCH-t). Jones, L. A., Champ, C. W. and Rigdon, S. E. (2004),
"The run length distribution of the CUSUM with estimated parameters", J. Quality Technology
36. Gandy, A. and Kvaloy, J. T. (2013), "Guaranteed conditional performance of control charts
via bootstrap methods", Scand. J. Statist. 40. Politis and Romano (1994); Politis and White
(2004).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from arch.bootstrap import optimal_block_length

from stratmon.compare.significance import InsufficientDataError
from stratmon.decay.model import VOL_FLOOR, fit_backtest_model
from stratmon.decay.scores import student_t_llr

__all__ = [
    "DEFAULT_CALIBRATION_PATHS",
    "MIN_BACKTEST_PERIODS",
    "DecayCalibration",
    "calibrate",
    "clear_calibration_cache",
]

DEFAULT_CALIBRATION_PATHS = 500
MIN_BACKTEST_PERIODS = 126
MAX_BLOCK_LENGTH = 50.0
_CACHE_SIZE = 32
_CACHE: OrderedDict[str, DecayCalibration] = OrderedDict()


@dataclass(frozen=True, slots=True)
class DecayCalibration:
    """Everything the CUSUM needs per strategy; lists so it is JSON-serialisable.

    Attributes (one entry per strategy unless noted; returns per period, simple)
    ---------------------------------------------------------------------------
    location : mu0, the backtest's mean return (Student-t ML location under the GARCH fit).
    location_se : its sandwich standard error.
    decayed_location : mu1, the decayed mean return (``decayed_sharpe`` times the backtest sd).
    threshold : h, in nats of log-likelihood ratio.
    omega, alpha, beta : GARCH(1,1) variance recursion (``omega`` in return units squared).
    nu : Student-t degrees of freedom of the standardised innovations.
    initial_variance : first variance forecast (the backtest's sample variance).
    floor_variance : lower bound of every variance forecast.
    detectable : False when ``mu0`` does not exceed ``mu1`` (there is no drop to detect;
        such a strategy never alarms).
    backtest_sharpe : annualised backtest Sharpe ratio (sample mean / sd, ``ddof=1``).
    block_length : stationary-bootstrap mean block length used.
    false_alarm_days, decayed_sharpe, periods_per_year, n_paths, estimation_error : scalars.
    """

    location: list[float]
    location_se: list[float]
    decayed_location: list[float]
    threshold: list[float]
    omega: list[float]
    alpha: list[float]
    beta: list[float]
    nu: list[float]
    initial_variance: list[float]
    floor_variance: list[float]
    detectable: list[bool]
    backtest_sharpe: list[float]
    block_length: list[float]
    false_alarm_days: int
    decayed_sharpe: float
    periods_per_year: int
    n_paths: int
    estimation_error: bool

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DecayCalibration:
        """Inverse of :meth:`to_dict`."""
        return cls(**data)


def clear_calibration_cache() -> None:
    """Forget every cached calibration."""
    _CACHE.clear()


def _key(bt: npt.NDArray[np.float64], params: tuple[Any, ...]) -> str:
    h = hashlib.sha1(np.ascontiguousarray(bt).tobytes(), usedforsecurity=False)
    h.update(repr((bt.shape, params)).encode())
    return h.hexdigest()


def calibrate(
    backtest_returns: npt.ArrayLike,
    *,
    false_alarm_days: int = 1260,
    decayed_sharpe: float = 0.0,
    periods_per_year: int = 252,
    n_paths: int = DEFAULT_CALIBRATION_PATHS,
    seed: int = 0,
    estimation_error: bool = True,
) -> DecayCalibration:
    """Fit the backtest model and calibrate the decay CUSUM's threshold (cached).

    Parameters
    ----------
    backtest_returns : ndarray, shape (B,) or (B, N)
        Backtest simple returns per period. NaNs are dropped per strategy (not filled); at
        least 126 non-missing returns with non-zero volatility are needed per strategy.
    false_alarm_days : int, default 1260
        Target in-control average run length ARL0, in periods.
    decayed_sharpe : float, default 0
        Annualised Sharpe ratio the detector is tuned to detect a drop to.
    periods_per_year : int, default 252
        Annualisation of ``decayed_sharpe`` and the reported backtest Sharpe.
    n_paths : int, default 500
        Bootstrap paths per strategy. The threshold's quantile has a standard error of about
        6 % of the false-alarm rate at 500 paths.
    seed : int, default 0
        Seed of the bootstrap (calibrations are deterministic).
    estimation_error : bool, default True
        Account for the sampling error of the backtest mean (see module notes).

    Returns
    -------
    DecayCalibration

    Raises
    ------
    InsufficientDataError
        A strategy has fewer than 126 backtest returns or zero volatility.
    ValueError
        ``false_alarm_days < 1``.

    References
    ----------
    Page (1954); Bollerslev (1987); Jones, Champ and Rigdon (2004); Gandy and Kvaloy (2013).
    """
    bt = np.asarray(backtest_returns, dtype=float)
    if bt.ndim == 1:
        bt = bt[:, None]
    if bt.ndim != 2:
        raise InsufficientDataError(f"backtest_returns must be 1-D or 2-D, got {bt.shape}")
    if false_alarm_days < 1:
        raise ValueError("false_alarm_days must be >= 1")
    params = (
        false_alarm_days,
        decayed_sharpe,
        periods_per_year,
        n_paths,
        seed,
        estimation_error,
    )
    key = _key(bt, params)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    cal = _calibrate(bt, *params)
    _CACHE[key] = cal
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return cal


def _check_backtest(bt: npt.NDArray[np.float64]) -> None:
    counts = np.sum(~np.isnan(bt), axis=0)
    short = np.flatnonzero(counts < MIN_BACKTEST_PERIODS)
    if short.size:
        bad = int(short[0])
        raise InsufficientDataError(
            f"strategy column {bad}: the backtest has {counts[bad]} non-missing returns; decay "
            f"detection needs at least {MIN_BACKTEST_PERIODS}"
        )
    var0 = np.nanvar(bt, axis=0, ddof=1)
    flat_cols = np.flatnonzero(~(var0 > 0))
    if flat_cols.size:
        raise InsufficientDataError(
            f"strategy column {int(flat_cols[0])}: the backtest has zero volatility"
        )


def _block_lengths(series: list[npt.NDArray[np.float64]]) -> npt.NDArray[np.float64]:
    out = np.empty(len(series))
    for j, z in enumerate(series):
        b = float(optimal_block_length(z)["stationary"].iloc[0])
        out[j] = min(max(b, 1.0), MAX_BLOCK_LENGTH) if np.isfinite(b) else 1.0
    return out


def _calibrate(
    bt: npt.NDArray[np.float64],
    false_alarm_days: int,
    decayed_sharpe: float,
    periods_per_year: int,
    n_paths: int,
    seed: int,
    estimation_error: bool,
) -> DecayCalibration:
    _check_backtest(bt)
    model = fit_backtest_model(bt)
    n = bt.shape[1]
    x_all = bt / model.sd  # units of the backtest sd: x = r / sd, q = sigma^2 / sd^2
    oks = [~np.isnan(bt[:, j]) for j in range(n)]
    xs = [x_all[ok, j] for j, ok in enumerate(oks)]
    inv_s = [1.0 / np.sqrt(model.variance[ok, j]) for j, ok in enumerate(oks)]
    lengths = np.array([x.size for x in xs])
    m1 = decayed_sharpe / np.sqrt(periods_per_year)
    m0 = model.location
    detectable = m0 > m1
    blocks = _block_lengths(xs)

    # Strategy-major flat tables (each strategy's backtest contiguous) keep the random
    # gathers of the bootstrap in cache: z = x / s + (shift - m0) / s and d = (m0 - m1) / s
    # need x / s and 1 / s. float32 halves the memory traffic (thresholds are quantiles, far
    # coarser than float32 rounding). Arrays below are (N strategies, M paths).
    bmax = int(lengths.max())
    xs_tab = np.zeros((n, bmax), dtype=np.float32)
    is_tab = np.ones((n, bmax), dtype=np.float32)
    for j in range(n):
        xs_tab[j, : lengths[j]] = xs[j] * inv_s[j]
        is_tab[j, : lengths[j]] = inv_s[j]
    xs_flat, is_flat = xs_tab.ravel(), is_tab.ravel()
    rng = np.random.default_rng(seed)
    m = n_paths
    base = (np.arange(n, dtype=np.int64) * bmax)[:, None]  # int64: n * bmax may exceed 2^31
    shift = rng.standard_normal((n, m)) * model.location_se[:, None] if estimation_error else 0.0
    offset = (shift - m0[:, None]).astype(np.float32)  # truth minus the detector's mu0
    gap = np.maximum(m0 - m1, 0.0).astype(np.float32)[:, None]
    nu = model.nu.astype(np.float32)[:, None]
    p_jump = (1.0 / blocks).astype(np.float32)[:, None]
    len_f = lengths.astype(np.float32)[:, None]
    scale = len_f / p_jump
    len_i = lengths[:, None]
    row = (rng.random((n, m), dtype=np.float32) * len_f).astype(np.int64)
    stat = np.zeros((n, m), dtype=np.float32)
    running_max = np.zeros((n, m), dtype=np.float32)
    for _ in range(false_alarm_days):
        flat = row + base
        s_inv = np.take(is_flat, flat)
        z = np.take(xs_flat, flat)
        z += offset * s_inv
        stat += student_t_llr(z, gap * s_inv, nu)
        np.maximum(stat, 0.0, out=stat)
        np.maximum(running_max, stat, out=running_max)
        # stationary bootstrap step: one uniform decides the jump and, if so, where to
        uni = rng.random((n, m), dtype=np.float32)
        row += 1
        row[row >= len_i] = 0
        jumps = uni < p_jump
        row[jumps] = np.minimum(uni * scale, len_f - 1)[jumps]
    threshold = np.quantile(running_max.astype(float), np.exp(-1.0), axis=1)
    var0 = model.sd**2
    return DecayCalibration(
        location=[float(v) for v in m0 * model.sd],
        location_se=[float(v) for v in model.location_se * model.sd],
        decayed_location=[float(v) for v in m1 * model.sd],
        threshold=[float(v) for v in threshold],
        omega=[float(v) for v in (1.0 - model.alpha - model.beta) * model.s2 * var0],
        alpha=[float(v) for v in model.alpha],
        beta=[float(v) for v in model.beta],
        nu=[float(v) for v in model.nu],
        initial_variance=[float(v) for v in model.s2 * var0],
        floor_variance=[float(v) for v in VOL_FLOOR**2 * model.s2 * var0],
        detectable=[bool(v) for v in detectable],
        backtest_sharpe=[float(v) * float(np.sqrt(periods_per_year)) for v in model.mean],
        block_length=[float(v) for v in blocks],
        false_alarm_days=int(false_alarm_days),
        decayed_sharpe=float(decayed_sharpe),
        periods_per_year=int(periods_per_year),
        n_paths=int(n_paths),
        estimation_error=bool(estimation_error),
    )
