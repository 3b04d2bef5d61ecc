"""Drawdowns of compounded wealth and their durations.

Wealth is compounded from the non-NaN returns and anchored at 1.0 before the first return, so
a loss on the first day is already a drawdown. A drawdown *episode* runs from a high-water mark
(the peak) to the first later observation back at or above it (the recovery).

Durations, all counted over a column's own non-NaN observations (a missing day is not a
period):

- ``max_drawdown_duration``: the longest peak-to-recovery span in periods (for an episode not
  yet recovered, peak to the last observation). One losing day recovered the next day is 2.
- ``max_drawdown_duration_days``: the same spans measured in calendar days between the peak's
  date and the recovery's (or last underwater observation's) date. When the peak is the 1.0
  anchor before the first return, its date is taken as the first observation's date.
- ``current_drawdown_duration``: periods since the last high-water mark (0 at a new high).
- ``longest_recovery``: the longest trough-to-recovery span in periods over recovered
  episodes; NaN if drawdowns happened but none has recovered, 0 if there never was one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stratmon.metrics._array import FloatArray, Panel


@dataclass(frozen=True, slots=True)
class DrawdownStats:
    """Drawdown statistics per column, each of shape (N,)."""

    max_drawdown: FloatArray
    current_drawdown: FloatArray
    max_drawdown_duration: FloatArray
    max_drawdown_duration_days: FloatArray
    current_drawdown_duration: FloatArray
    longest_recovery: FloatArray


def drawdown_series(panel: Panel) -> FloatArray:
    """Drawdown after each row, ``wealth / running_peak - 1`` (in [-1, 0]), shape (T, N).

    References
    ----------
    empyrical-reloaded ``drawdown_series`` (anchored at the starting value).
    """
    peak = np.maximum(np.maximum.accumulate(panel.wealth, axis=0), 1.0)
    return np.asarray(panel.wealth / peak - 1.0)


def drawdown_stats(panel: Panel, days: FloatArray | None = None) -> DrawdownStats:
    """Max/current drawdown and the duration statistics described in the module docstring.

    Parameters
    ----------
    panel : Panel
        ``(T, N)`` simple returns.
    days : ndarray, shape (T,), optional
        Calendar day number of each row; without it the calendar-day duration is NaN.

    References
    ----------
    empyrical-reloaded ``max_drawdown``; Magdon-Ismail & Atiya (2004), "Maximum drawdown".
    """
    t_len, n_cols = panel.shape
    valid = panel.valid
    n = panel.n
    empty = n == 0
    dd = drawdown_series(panel)
    max_dd = dd.min(axis=0) if t_len else np.full(n_cols, np.nan)
    cur_dd = dd[-1].copy() if t_len else np.full(n_cols, np.nan)
    max_dd[empty] = np.nan
    cur_dd[empty] = np.nan

    obs = panel.obs_index
    at_peak = valid & (dd >= 0.0)
    underwater = valid & ~at_peak
    peak_incl = np.maximum.accumulate(np.where(at_peak, obs, -1.0), axis=0)
    peak_excl = np.empty_like(peak_incl)
    peak_excl[0] = -1.0
    peak_excl[1:] = peak_incl[:-1]
    span = obs - peak_excl
    recovery = at_peak & (span > 1.0)
    episode_row = underwater | recovery
    max_dur = np.where(episode_row, span, 0.0).max(axis=0) if t_len else np.zeros(n_cols)
    cur_dur = (n - 1.0) - peak_incl[-1] if t_len else np.zeros(n_cols)

    # Trough of the current episode: a running minimum that restarts at each peak. Keys of a
    # later episode are all below those of earlier ones (dd in [-1, 0], offset 2 per episode).
    key = np.where(valid, dd - 2.0 * (peak_incl + 1.0), np.inf)
    run_min = np.minimum.accumulate(key, axis=0)
    new_trough = underwater & (key <= run_min)
    trough_incl = np.maximum.accumulate(np.where(new_trough, obs, -1.0), axis=0)
    trough_excl = np.empty_like(trough_incl)
    trough_excl[0] = -1.0
    trough_excl[1:] = trough_incl[:-1]
    rec_len = (
        np.where(recovery, obs - trough_excl, -1.0).max(axis=0)
        if t_len
        else (np.full(n_cols, -1.0))
    )
    any_under = underwater.any(axis=0)
    longest_rec = np.where(rec_len >= 0, rec_len, np.where(any_under, np.nan, 0.0))

    if days is not None and t_len:
        day_col = days[:, None]
        first_day = days[np.argmax(valid, axis=0)]
        peak_day_incl = np.maximum.accumulate(np.where(at_peak, day_col, -np.inf), axis=0)
        peak_day_excl = np.empty_like(peak_day_incl)
        peak_day_excl[0] = -np.inf
        peak_day_excl[1:] = peak_day_incl[:-1]
        peak_day_excl = np.where(np.isneginf(peak_day_excl), first_day, peak_day_excl)
        max_days = np.where(episode_row, day_col - peak_day_excl, 0.0).max(axis=0)
    else:
        max_days = np.full(n_cols, np.nan)

    for arr in (max_dur, max_days, cur_dur, longest_rec):
        arr[empty] = np.nan
    return DrawdownStats(
        max_drawdown=max_dd,
        current_drawdown=cur_dd,
        max_drawdown_duration=max_dur,
        max_drawdown_duration_days=max_days,
        current_drawdown_duration=cur_dur,
        longest_recovery=longest_rec,
    )
