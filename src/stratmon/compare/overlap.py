"""Live vs a backtest that covers the same dates (a re-run over the live period).

On the dates both have, the comparison is direct rather than statistical:

- ``tracking_error``: annualised standard deviation (``ddof=1``) of live minus backtest daily
  returns; ``correlation``: Pearson correlation of the two daily series.
- ``implementation_shortfall``: cumulative live return minus cumulative backtest return over
  the overlap (compounded, fractions; negative = live fell short).
- Split into ``costs``: minus the live trading costs (commissions and fees, each day as a
  fraction of the previous day's NAV, summed) plus what the backtest assumed
  (``backtest_cost_per_day`` x days, 0 when the expectations say nothing) -- the part of the
  shortfall explained by paying more (or less) than the backtest assumed -- and ``other``:
  the rest (slippage, timing, fills, model drift). Costs are summed, not compounded, so the
  split is a first-order decomposition; ``other = shortfall - costs`` keeps it exact.

References
----------
Perold (1988), "The implementation shortfall: paper versus reality"; tracking error and
correlation as in empyrical-reloaded (``excess_sharpe``'s denominator, not annualised there).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

MIN_OVERLAP = 20  # common dates before a same-date comparison is reported


def same_date_comparison(
    live_dates: Sequence[dt.date],
    live_returns: np.ndarray,
    backtest_dates: Sequence[dt.date],
    backtest_returns: np.ndarray,
    *,
    live_cost_fraction: Mapping[dt.date, float] | None = None,
    backtest_cost_per_day: float = 0.0,
    periods_per_year: int = 252,
) -> dict[str, Any] | None:
    """Compare live and backtest returns on their common dates.

    Parameters
    ----------
    live_dates, backtest_dates : sequence of date, lengths T and B
        Dates of the returns (a return belongs to the date it ends on).
    live_returns, backtest_returns : ndarray, shapes (T,) and (B,)
        Simple returns per period; NaN days are left out of the overlap.
    live_cost_fraction : mapping date -> float, optional
        Live commissions and fees of each day as a fraction of the previous NAV (>= 0).
    backtest_cost_per_day : float
        The backtest's assumed cost per period, a fraction (0 when unknown).
    periods_per_year : int

    Returns
    -------
    dict or None
        ``n_days``, ``start``, ``end``, ``tracking_error``, ``correlation``,
        ``live_return``, ``backtest_return``, ``implementation_shortfall``, ``costs``,
        ``other``; ``None`` when fewer than ``MIN_OVERLAP`` common dates.
    """
    live = {d: float(r) for d, r in zip(live_dates, live_returns, strict=True) if math.isfinite(r)}
    common = sorted(
        d
        for d, r in zip(backtest_dates, backtest_returns, strict=True)
        if d in live and math.isfinite(r)
    )
    if len(common) < MIN_OVERLAP:
        return None
    bt_map = dict(zip(backtest_dates, backtest_returns, strict=True))
    lv = np.array([live[d] for d in common])
    bt = np.array([float(bt_map[d]) for d in common])
    diff = lv - bt
    te = float(diff.std(ddof=1) * math.sqrt(periods_per_year))
    corr = float(np.corrcoef(lv, bt)[0, 1]) if lv.std() > 0 and bt.std() > 0 else math.nan
    live_total = float(np.prod(1.0 + lv) - 1.0)
    bt_total = float(np.prod(1.0 + bt) - 1.0)
    shortfall = live_total - bt_total
    paid = sum((live_cost_fraction or {}).get(d, 0.0) for d in common)
    costs = -(paid - backtest_cost_per_day * len(common))
    return {
        "n_days": len(common),
        "start": common[0],
        "end": common[-1],
        "tracking_error": te,
        "correlation": corr,
        "live_return": live_total,
        "backtest_return": bt_total,
        "implementation_shortfall": shortfall,
        "costs": costs,
        "live_costs": paid,
        "backtest_assumed_costs": backtest_cost_per_day * len(common),
        "other": shortfall - costs,
    }
