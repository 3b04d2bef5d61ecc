"""Calibrate the decay CUSUM so that a healthy strategy false-alarms once per ARL0 periods.

The detector (see :mod:`stratmon.decay.detector`) is Page's one-sided CUSUM of the
log-likelihood ratio of a *drop* of the mean return from ``mu0`` (the backtest's,
``SR_bt * sigma_bt``) to ``mu1 = SR_decayed * sigma_bt``, in a Gaussian model with conditional
variance ``v_t`` (the EWMA forecast of :mod:`stratmon.decay.scores`). That ratio is linear in
the return, ``(mu0 - mu1) * (k - r_t) / v_t`` with reference value ``k = (mu0 + mu1) / 2``;
dropping the constant factor and working in units of the backtest volatility:

    x_t = r_t / sigma_bt,    w_t = sigma_bt^2 / v_t,    kappa = (SR_bt + SR_decayed) / 2,
    u_t = sqrt(w_t) * clip(sqrt(w_t) * (x_t - kappa), -c, c),
    S_t = max(0, S_{t-1} - u_t),    alarm when S_t > h,

(Sharpe ratios per period). The clip ``c`` (default 4) caps a single fat-tailed day's
standardised residual (Huber). Page's CUSUM of the likelihood ratio is optimal in Lorden's
minimax sense for the change it is tuned to (Lorden 1971; Moustakides 1986).

**Threshold.** ``h`` is calibrated by simulation from the strategy's own backtest, not from a
normal-theory formula: paths of the pairs ``(x_t, w_t)`` are drawn from the backtest's by a
stationary block bootstrap (Politis-White block length of ``x``, at most 50), so fat tails,
skew and short-range dependence are those of the strategy itself. The probability that a healthy
strategy raises no alarm within ``A = false_alarm_days`` periods is set to ``exp(-1)``:
CUSUM run lengths are close to geometric (Basseville and Nikiforov 1993, sec. 5.2), so
``P(RL > A) = exp(-A / ARL0)`` and ``ARL0 = A``; choosing the horizon equal to the target also
cancels, to first order, the head-start lag of a CUSUM started at 0. One simulation gives
``h`` directly as a quantile of the paths' running maxima (no bisection needed): the
``exp(-1)`` quantile of ``max_{t <= A} S_t``.

**Estimation error.** The backtest's mean is only an estimate: a backtest that was lucky puts
``SR_bt`` too high, and live returns then look "decayed" from day one. The calibration
therefore also draws, for every simulated path, the reference value from a perturbed
``SR_bt* = SR_bt + xi / sqrt(B)`` (``xi ~ N(0, 1)``, ``B`` backtest periods), so the promised
false-alarm rate holds on average over the backtests one could have been given -- the
bootstrap treatment of estimated control-chart parameters (Jones, Champ and Rigdon 2004;
Gandy and Kvaloy 2013).

Calibrations are cached (keyed by the backtest's bytes and every parameter), so calling
:func:`~stratmon.decay.first_alarm` again on the same backtest costs only the CUSUM pass.

References
----------
Page, E. S. (1954), "Continuous inspection schemes", Biometrika 41. Lorden, G. (1971),
"Procedures for reacting to a change in distribution", Ann. Math. Statist. 42. Moustakides,
G. V. (1986), "Optimal stopping times for detecting changes in distributions", Ann. Statist.
14. Basseville, M. and Nikiforov, I. (1993), "Detection of Abrupt Changes". Jones, L. A.,
Champ, C. W. and Rigdon, S. E. (2004), "The run length distribution of the CUSUM with
estimated parameters", J. Quality Technology 36. Gandy, A. and Kvaloy, J. T. (2013),
"Guaranteed conditional performance of control charts via bootstrap methods", Scand. J.
Statist. 40. Politis and Romano (1994); Politis and White (2004).
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
from stratmon.decay.scores import DEFAULT_EWMA_LAMBDA, DEFAULT_VOL_FLOOR, ewma_variance

__all__ = [
    "DEFAULT_CALIBRATION_PATHS",
    "DEFAULT_CLIP",
    "MIN_BACKTEST_PERIODS",
    "DecayCalibration",
    "calibrate",
    "clear_calibration_cache",
    "increments",
]

DEFAULT_CALIBRATION_PATHS = 500
DEFAULT_CLIP = 4.0
MIN_BACKTEST_PERIODS = 126
MAX_BLOCK_LENGTH = 50.0
_CACHE_SIZE = 32
_CACHE: OrderedDict[str, DecayCalibration] = OrderedDict()


@dataclass(frozen=True, slots=True)
class DecayCalibration:
    """Everything the CUSUM needs per strategy; lists so it is JSON-serialisable.

    Attributes (one entry per strategy unless noted)
    ------------------------------------------------
    reference : k, the CUSUM reference value per period, in units of the backtest volatility
        (the mid-point of the backtest's and the decayed per-period Sharpe ratios).
    threshold : h, in the units of the increments (see :func:`increments`).
    initial_variance : first EWMA variance forecast (backtest variance, per period squared).
    floor_variance : lower bound of the EWMA forecast.
    detectable : False when the backtest Sharpe does not exceed ``decayed_sharpe`` (there is
        no drop to detect; such a strategy never alarms).
    backtest_sharpe : annualised backtest Sharpe ratio (``ddof=1``).
    block_length : stationary-bootstrap mean block length used.
    clip, lam, false_alarm_days, decayed_sharpe, periods_per_year, n_paths : scalars.
    """

    reference: list[float]
    threshold: list[float]
    initial_variance: list[float]
    floor_variance: list[float]
    detectable: list[bool]
    backtest_sharpe: list[float]
    block_length: list[float]
    clip: float
    lam: float
    false_alarm_days: int
    decayed_sharpe: float
    periods_per_year: int
    n_paths: int

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
    clip: float = DEFAULT_CLIP,
    lam: float = DEFAULT_EWMA_LAMBDA,
    estimation_error: bool = True,
) -> DecayCalibration:
    """Calibrate the decay CUSUM on backtest returns (cached).

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
    clip : float, default 4
        Huber clip of the standardised residual, in (conditional) standard deviations.
    lam : float, default 0.94
        EWMA decay of the volatility forecast.
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
    Page (1954); Jones, Champ and Rigdon (2004); Gandy and Kvaloy (2013).
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
        clip,
        lam,
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


def _backtest_inputs(
    bt: npt.NDArray[np.float64], lam: float
) -> tuple[list[npt.NDArray[np.float64]], list[npt.NDArray[np.float64]], npt.NDArray[np.float64]]:
    """Per strategy: standardised returns ``x = r / sd``, precision weights ``w``, variance."""
    n = bt.shape[1]
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
    # A NaN leaves the forecast unchanged, so one pass over the padded table equals a pass
    # over each column with its NaNs dropped.
    v, _ = ewma_variance(bt, var0, DEFAULT_VOL_FLOOR**2 * var0, lam)
    xs: list[npt.NDArray[np.float64]] = []
    ws: list[npt.NDArray[np.float64]] = []
    for j in range(n):
        ok = ~np.isnan(bt[:, j])
        xs.append(bt[ok, j] / np.sqrt(var0[j]))
        ws.append(var0[j] / v[ok, j])
    return xs, ws, var0


def _block_lengths(series: list[npt.NDArray[np.float64]]) -> npt.NDArray[np.float64]:
    out = np.empty(len(series))
    for j, z in enumerate(series):
        b = float(optimal_block_length(z)["stationary"].iloc[0])
        out[j] = min(max(b, 1.0), MAX_BLOCK_LENGTH) if np.isfinite(b) else 1.0
    return out


def increments(
    x: npt.NDArray[np.float64],
    w: npt.NDArray[np.float64],
    reference: npt.NDArray[np.float64],
    clip: float,
) -> npt.NDArray[np.float64]:
    """CUSUM increments ``u = sqrt(w) * clip(sqrt(w) * (x - k), -c, c)`` (broadcasting).

    ``x`` is the return over the backtest volatility, ``w = sigma_bt^2 / v_t`` the precision
    weight of the EWMA forecast ``v_t`` and ``k`` the reference value per period in units of
    ``sigma_bt``. Unclipped this is ``sigma_bt * (r - k sigma_bt) / v_t``: the Gaussian
    log-likelihood ratio of the two means with conditional variance ``v_t`` up to the factor
    ``(mu0 - mu1) / sigma_bt``; the clip caps the standardised residual at ``c`` (Huber).
    """
    sw = np.sqrt(w)
    out: npt.NDArray[np.float64] = sw * np.clip(sw * (x - reference), -clip, clip)
    return out


def _calibrate(
    bt: npt.NDArray[np.float64],
    false_alarm_days: int,
    decayed_sharpe: float,
    periods_per_year: int,
    n_paths: int,
    seed: int,
    clip: float,
    lam: float,
    estimation_error: bool,
) -> DecayCalibration:
    xs, ws, var0 = _backtest_inputs(bt, lam)
    n = len(xs)
    lengths = np.array([x.size for x in xs])
    sharpe = np.array([x.mean() for x in xs])  # per period, std ddof=1 (x = r / sd)
    sr1 = decayed_sharpe / np.sqrt(periods_per_year)
    detectable = sharpe > sr1
    reference = (sharpe + sr1) / 2.0
    blocks = _block_lengths(xs)

    # Strategy-major flat tables (each strategy's backtest contiguous) keep the random
    # gathers of the bootstrap in cache; u = sqrt(w) * clip(sqrt(w) x - sqrt(w) k, -c, c)
    # needs two of them. float32 halves the memory traffic (thresholds are quantiles, far
    # coarser than float32 rounding). Arrays below are (N strategies, M paths).
    bmax = int(lengths.max())
    sw = np.ones((n, bmax), dtype=np.float32)
    swx = np.zeros((n, bmax), dtype=np.float32)
    for j in range(n):
        sw[j, : lengths[j]] = np.sqrt(ws[j])
        swx[j, : lengths[j]] = np.sqrt(ws[j]) * xs[j]
    sw_flat, swx_flat = sw.ravel(), swx.ravel()
    rng = np.random.default_rng(seed)
    m = n_paths
    base = (np.arange(n, dtype=np.int64) * bmax)[:, None]  # int64: n * bmax may exceed 2^31
    if estimation_error:
        sr_star = sharpe[:, None] + rng.standard_normal((n, m)) / np.sqrt(lengths)[:, None]
    else:
        sr_star = np.broadcast_to(sharpe[:, None], (n, m))
    k_star = ((sr_star + sr1) / 2.0).astype(np.float32)
    p_jump = (1.0 / blocks).astype(np.float32)[:, None]
    len_f = lengths.astype(np.float32)[:, None]
    scale = len_f / p_jump
    len_i = lengths[:, None]
    row = (rng.random((n, m), dtype=np.float32) * len_f).astype(np.int64)
    stat = np.zeros((n, m), dtype=np.float32)
    running_max = np.zeros((n, m), dtype=np.float32)
    c = np.float32(clip)
    for _ in range(false_alarm_days):
        flat = row + base
        a = np.take(sw_flat, flat)
        u = np.take(swx_flat, flat)
        u -= a * k_star
        np.clip(u, -c, c, out=u)
        u *= a
        stat -= u
        np.maximum(stat, 0.0, out=stat)
        np.maximum(running_max, stat, out=running_max)
        # stationary bootstrap step: one uniform decides the jump and, if so, where to
        uni = rng.random((n, m), dtype=np.float32)
        row += 1
        row[row >= len_i] = 0
        jumps = uni < p_jump
        row[jumps] = np.minimum(uni * scale, len_f - 1)[jumps]
    threshold = np.quantile(running_max.astype(float), np.exp(-1.0), axis=1)
    floor = DEFAULT_VOL_FLOOR**2 * var0
    return DecayCalibration(
        reference=[float(v) for v in reference],
        threshold=[float(v) for v in threshold],
        initial_variance=[float(v) for v in var0],
        floor_variance=[float(v) for v in floor],
        detectable=[bool(v) for v in detectable],
        backtest_sharpe=[float(v) * float(np.sqrt(periods_per_year)) for v in sharpe],
        block_length=[float(v) for v in blocks],
        clip=float(clip),
        lam=float(lam),
        false_alarm_days=int(false_alarm_days),
        decayed_sharpe=float(decayed_sharpe),
        periods_per_year=int(periods_per_year),
        n_paths=int(n_paths),
    )
