"""Market regimes from the benchmark, and the Sharpe ratio within each regime.

The regime of a day is read from the benchmark's trailing compounded return over
``window`` periods *ending on that day* (inclusive): above ``bull_threshold`` is bull, below
``bear_threshold`` is bear, otherwise sideways. The first ``window - 1`` rows have no regime
(they count in none of the three), nor does a row whose window holds a NaN benchmark day.
Defaults: 63 periods (about a quarter), +5 % / -5 %.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stratmon.metrics._array import FloatArray, Panel, safe_divide

BULL = 1
SIDEWAYS = 0
BEAR = -1
NO_REGIME = -2


@dataclass(frozen=True, slots=True)
class RegimeConfig:
    """How days are labelled bull / bear / sideways from the benchmark."""

    window: int = 63
    bull_threshold: float = 0.05
    bear_threshold: float = -0.05


def trailing_compounded(benchmark: FloatArray, window: int) -> FloatArray:
    """Compounded return over the ``window`` rows ending at each row, shape like input.

    NaN for the first ``window - 1`` rows and for windows containing a NaN or a return at or
    below -100 %.
    """
    b = np.asarray(benchmark, dtype=np.float64)
    bad = np.isnan(b) | (b <= -1.0)
    logs = np.log1p(np.where(bad, 0.0, b))
    csum = np.cumsum(logs, axis=0)
    nbad = np.cumsum(bad, axis=0, dtype=np.int64)
    out = np.full(b.shape, np.nan)
    if window < 1 or b.shape[0] < window:
        return out
    win = csum[window - 1 :].copy()
    win[1:] -= csum[: b.shape[0] - window]
    bad_win = nbad[window - 1 :].copy()
    bad_win[1:] -= nbad[: b.shape[0] - window]
    res = np.expm1(win)
    res[bad_win > 0] = np.nan
    out[window - 1 :] = res
    return out


def classify(benchmark: FloatArray, config: RegimeConfig) -> FloatArray:
    """Regime code per row (1 bull, 0 sideways, -1 bear, -2 none), shape like ``benchmark``."""
    trail = trailing_compounded(benchmark, config.window)
    codes = np.full(trail.shape, float(NO_REGIME))
    ok = ~np.isnan(trail)
    codes[ok & (trail > config.bull_threshold)] = BULL
    codes[ok & (trail < config.bear_threshold)] = BEAR
    codes[ok & (trail >= config.bear_threshold) & (trail <= config.bull_threshold)] = SIDEWAYS
    return codes


def regime_sharpe(
    panel: Panel, regimes: FloatArray, code: int, rf: float, ppy: float
) -> FloatArray:
    """Sharpe ratio (as :func:`~stratmon.metrics.risk.sharpe_ratio`) over a regime's days.

    Parameters
    ----------
    regimes : ndarray, shape (T, 1) or (T, N)
        Output of :func:`classify`.

    References
    ----------
    Sharpe (1994); regime split as in Ang & Bekaert (2002), "Regime switches in interest
    rates" (conditioning on market state).
    """
    mask = panel.valid & (regimes == code)
    count = mask.sum(axis=0).astype(np.float64)
    x = np.where(mask, panel.r, 0.0)
    mean = safe_divide(x.sum(axis=0), count)
    dev = np.where(mask, panel.r - mean, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt((dev * dev).sum(axis=0) / (count - 1.0))
    hi = np.where(mask, panel.r, -np.inf).max(axis=0)
    lo = np.where(mask, panel.r, np.inf).min(axis=0)
    sd[hi == lo] = 0.0
    out = safe_divide(mean - rf, sd) * np.sqrt(ppy)
    out[count < 2] = np.nan
    return out


def regime_sharpe_shared(
    panel: Panel, regimes: FloatArray, rf: float, ppy: float
) -> dict[int, FloatArray]:
    """Sharpe ratio per regime when every column shares one regime series (T,) or (T, 1).

    One matrix product gives the counts, sums and sums of squares of every regime at once;
    sums are of deviations from the column mean, so the variance has no cancellation.
    """
    codes = np.asarray(regimes).reshape(-1)
    onehot = np.stack([codes == c for c in (BULL, BEAR, SIDEWAYS)], axis=1).astype(np.float64)
    count = onehot.T @ panel.valid.astype(np.float64)  # (3, N)
    s1 = onehot.T @ panel.dev
    s2 = onehot.T @ panel.dev2
    mean_dev = safe_divide(s1, count)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (s2 - s1 * mean_dev) / (count - 1.0)
    sd = np.sqrt(np.maximum(var, 0.0))
    mean = mean_dev + panel.mean
    # zero dispersion within a regime: equal min and max over its days
    out: dict[int, FloatArray] = {}
    for i, code in enumerate((BULL, BEAR, SIDEWAYS)):
        rows = onehot[:, i] > 0
        sub = panel.r[rows]
        hi = (
            np.fmax.reduce(sub, axis=0, initial=-np.inf)
            if sub.size
            else np.full(sd.shape[1], -np.inf)
        )
        lo = (
            np.fmin.reduce(sub, axis=0, initial=np.inf)
            if sub.size
            else np.full(sd.shape[1], np.inf)
        )
        sd_i = np.where(hi == lo, 0.0, sd[i])
        val = safe_divide(mean[i] - rf, sd_i) * np.sqrt(ppy)
        val[count[i] < 2] = np.nan
        out[code] = val
    return out
