"""Capacity and capital-use metrics from daily NAV, exposure and traded volume.

Definitions (per strategy column, over rows where NAV is present and positive):

- ``capital_utilization_mean`` / ``capital_utilization_latest``: gross exposure / NAV, mean
  over days and on the last day with both figures (1.0 = fully invested, > 1 = levered).
- ``avg_position_size``: mean of gross exposure / number of open positions over days with at
  least one position (currency); ``avg_position_size_pct`` the same divided by NAV.
- ``turnover_monthly``: one-way turnover, ``(buys + sells) / 2`` summed over the period, divided
  by the average NAV and by the number of months covered. Months are calendar months of the
  index when dates are given (distinct months with data), else ``T / (ppy / 12)``.
  ``turnover_annual`` is ``12 * turnover_monthly``. Traded volume may be given as ``buys`` and
  ``sells`` or as their sum ``trade_volume`` (the ``trade_volume_usd`` of a daily record).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from stratmon.metrics._array import (
    FloatArray,
    MetricsInputError,
    as_float_2d,
    coerce_index,
    month_codes,
    safe_divide,
)

CAPACITY_METRICS: tuple[str, ...] = (
    "capital_utilization_mean",
    "capital_utilization_latest",
    "avg_position_size",
    "avg_position_size_pct",
    "turnover_monthly",
    "turnover_annual",
)


def _same_shape(values: Any, shape: tuple[int, int], what: str) -> FloatArray:
    arr, _ = as_float_2d(values, what)
    if arr.shape == shape:
        return arr
    if arr.shape[0] == shape[0] and arr.shape[1] == 1:
        return np.broadcast_to(arr, shape)
    raise MetricsInputError(f"{what} has shape {arr.shape} but nav has shape {shape}.")


def capacity_metrics(
    nav: Any,
    gross_exposure: Any,
    num_positions: Any = None,
    buys: Any = None,
    sells: Any = None,
    trade_volume: Any = None,
    index: Any = None,
    periods_per_year: float = 252,
    names: Any = None,
) -> pd.DataFrame:
    """Capital utilisation, average position size and turnover.

    Parameters
    ----------
    nav : array-like, shape (T,) or (T, N)
        End-of-day NAV (currency); NaN where missing.
    gross_exposure : array-like, shape like ``nav``
        Sum of |position market value| (currency).
    num_positions : array-like, shape like ``nav``, optional
        Open positions per day (for the average position size).
    buys, sells : array-like, shape like ``nav``, optional
        Traded notional bought / sold per day (currency).
    trade_volume : array-like, shape like ``nav``, optional
        ``buys + sells`` per day when they are not given separately.
    index : dates, shape (T,), optional
        Dates of the rows (for calendar months in the turnover).
    periods_per_year : float
        Periods per year, for the month count without dates.
    names : sequence, length N, optional
        Row labels.

    Returns
    -------
    pandas.DataFrame
        One row per strategy, columns :data:`CAPACITY_METRICS` (fractions or currency); NaN
        where an input is missing.

    Raises
    ------
    MetricsInputError
        On mismatched shapes, or if both ``trade_volume`` and ``buys``/``sells`` are given.

    References
    ----------
    Turnover as in the SEC Form N-1A portfolio turnover rate (lesser of purchases and sales
    over average net assets), here with the mean of purchases and sales.
    """
    nav2, _ = as_float_2d(nav, "nav")
    shape = (int(nav2.shape[0]), int(nav2.shape[1]))
    gross = _same_shape(gross_exposure, shape, "gross_exposure")
    ok_nav = np.isfinite(nav2) & (nav2 > 0)
    util = np.where(
        ok_nav & np.isfinite(gross), safe_divide(gross, np.where(ok_nav, nav2, np.nan)), np.nan
    )
    has_util = ~np.isnan(util)
    util_mean = safe_divide(np.where(has_util, util, 0.0).sum(axis=0), has_util.sum(axis=0) * 1.0)
    last_row = np.where(has_util.any(axis=0), shape[0] - 1 - np.argmax(has_util[::-1], axis=0), 0)
    util_last = util[last_row, np.arange(shape[1])]

    nan = np.full(shape[1], np.nan)
    size = size_pct = nan
    if num_positions is not None:
        npos = _same_shape(num_positions, shape, "num_positions")
        ok = np.isfinite(gross) & np.isfinite(npos) & (npos > 0)
        per_pos = np.where(ok, safe_divide(gross, np.where(ok, npos, np.nan)), 0.0)
        count = ok.sum(axis=0) * 1.0
        size = safe_divide(per_pos.sum(axis=0), count)
        ok_pct = ok & ok_nav
        pct = np.where(ok_pct, per_pos / np.where(ok_pct, nav2, 1.0), 0.0)
        size_pct = safe_divide(pct.sum(axis=0), ok_pct.sum(axis=0) * 1.0)

    turnover = nan
    if trade_volume is not None and (buys is not None or sells is not None):
        raise MetricsInputError("give either trade_volume or buys/sells, not both.")
    volume: FloatArray | None = None
    if trade_volume is not None:
        volume = _same_shape(trade_volume, shape, "trade_volume")
    elif buys is not None or sells is not None:
        b = _same_shape(buys, shape, "buys") if buys is not None else np.zeros(shape)
        s = _same_shape(sells, shape, "sells") if sells is not None else np.zeros(shape)
        volume = np.nan_to_num(b) + np.nan_to_num(s)
    if volume is not None:
        traded = np.nansum(volume, axis=0) / 2.0
        avg_nav = safe_divide(np.where(ok_nav, nav2, 0.0).sum(axis=0), ok_nav.sum(axis=0) * 1.0)
        idx = coerce_index(nav, index, shape[0])
        if idx is not None:
            codes = month_codes(idx)
            months = np.array(
                [len(np.unique(codes[ok_nav[:, j]])) for j in range(shape[1])], dtype=np.float64
            )
        else:
            months = ok_nav.sum(axis=0) / (periods_per_year / 12.0)
        turnover = safe_divide(safe_divide(traded, avg_nav), months)

    labels = list(names) if names is not None else list(range(shape[1]))
    data = {
        "capital_utilization_mean": util_mean,
        "capital_utilization_latest": util_last,
        "avg_position_size": size,
        "avg_position_size_pct": size_pct,
        "turnover_monthly": turnover,
        "turnover_annual": turnover * 12.0,
    }
    return pd.DataFrame(data, index=pd.Index(labels), columns=list(CAPACITY_METRICS))
