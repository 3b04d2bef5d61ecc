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
  episodes; NaN if drawdowns happened but none has recovered, 0 if there never was one. The
  trough is the episode's lowest drawdown (the latest of equal lows).
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
    wealth = panel.wealth
    peak = wealth.copy()
    if len(peak):
        np.maximum(peak[0], 1.0, out=peak[0])  # the 1.0 anchor before the first return
    np.maximum.accumulate(peak, axis=0, out=peak)
    np.divide(wealth, peak, out=peak)
    peak -= 1.0
    return peak


def drawdown_stats(panel: Panel, days: FloatArray | None = None) -> DrawdownStats:
    """Max/current drawdown and the duration statistics described in the module docstring.

    The durations are computed per drawdown *episode*, not per row: the non-NaN drawdowns of
    all columns are laid end to end (column by column) and cut at every high-water mark and
    at every column start. Each piece is one episode (plus its opening peak), and segment
    reductions (``np.minimum.reduceat``) give its trough, so the cost is a few 1-D passes.

    Parameters
    ----------
    panel : Panel
        ``(T, N)`` simple returns.
    days : ndarray, shape (T,), optional
        Calendar day number of each row; without it the calendar-day duration is NaN.

    Returns
    -------
    DrawdownStats
        Each field of shape (N,); durations in periods (non-NaN observations) except
        ``max_drawdown_duration_days`` (calendar days). NaN for a column without data.

    References
    ----------
    empyrical-reloaded ``max_drawdown``; Magdon-Ismail & Atiya (2004), "Maximum drawdown".
    """
    t_len, n_cols = panel.shape
    n = panel.n
    empty = n == 0
    if t_len == 0:
        nan = np.full(n_cols, np.nan)
        return DrawdownStats(nan, nan.copy(), nan.copy(), nan.copy(), nan.copy(), nan.copy())
    dd = drawdown_series(panel)
    cur_dd = dd[-1].copy()
    cur_dd[empty] = np.nan

    # Column-major, NaN rows dropped: position k holds one observation of one column.
    x = np.ascontiguousarray(dd.T).reshape(-1)
    kept = None if panel.all_valid else np.flatnonzero(np.ascontiguousarray(panel.valid.T))
    if kept is not None:
        x = x[kept]
    m = x.shape[0]
    counts = n.astype(np.int64)
    col_start = np.zeros(n_cols + 1, dtype=np.int64)
    np.cumsum(counts, out=col_start[1:])
    col_end = col_start[1:]
    has_data = counts > 0
    max_dd = np.full(n_cols, np.nan)
    if m:
        max_dd[has_data] = np.minimum.reduceat(x, col_start[:-1][has_data])

    peak = x >= 0.0
    cut = peak.copy()
    cut[col_start[:-1][has_data]] = True
    starts = np.flatnonzero(cut)  # one segment per episode (from its peak or the anchor)
    ends = np.empty_like(starts)
    ends[:-1] = starts[1:]
    ends[-1:] = m
    seg_col = np.searchsorted(col_end, starts, side="right")
    last_in_col = ends == col_end[seg_col]
    starts_at_peak = peak[starts]
    # Peak position; the 1.0 anchor before a column's first return sits one before its start.
    peak_pos = starts - np.where(starts_at_peak, 0, 1)
    n_under = ends - starts - starts_at_peak
    episode = n_under > 0
    recovered = episode & ~last_in_col
    end_pos = np.where(recovered, ends, ends - 1)  # recovery, else last underwater obs
    span = (end_pos - peak_pos).astype(np.float64)

    max_dur = np.zeros(n_cols)
    np.maximum.at(max_dur, seg_col[episode], span[episode])
    cur_dur = np.zeros(n_cols)
    tail = last_in_col
    cur_dur[seg_col[tail]] = ((ends - 1) - peak_pos)[tail]

    # Trough of each episode: its lowest drawdown, the latest row among equal lows.
    seg_min = np.minimum.reduceat(x, starts) if m else np.zeros(0)
    low_of_seg = np.repeat(seg_min, ends - starts)
    # every segment has at least one low (all of its rows if its minimum is NaN)
    lows = np.flatnonzero((x == low_of_seg) | np.isnan(low_of_seg))
    low_pos = lows[np.searchsorted(lows, ends, side="left") - 1] if m else starts
    rec_len = np.full(n_cols, -1.0)
    np.maximum.at(rec_len, seg_col[recovered], (ends - low_pos)[recovered].astype(np.float64))
    any_under = np.zeros(n_cols, dtype=bool)
    any_under[seg_col[episode]] = True
    longest_rec = np.where(rec_len >= 0, rec_len, np.where(any_under, np.nan, 0.0))

    if days is not None:
        if kept is None:
            offset = col_start[seg_col]
            day_start, day_end = days[starts - offset], days[end_pos - offset]
        else:
            day_start, day_end = days[kept[starts] % t_len], days[kept[end_pos] % t_len]
        # the anchor is dated at the column's first observation, which is the segment start
        gap_days = day_end - day_start
        max_days = np.zeros(n_cols)
        np.maximum.at(max_days, seg_col[episode], gap_days[episode])
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
