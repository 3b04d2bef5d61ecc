"""Calendar aggregation: monthly and yearly compounded returns.

Months are grouped with integer month codes and ``np.multiply.reduceat`` on ``1 + r`` (NaN days
contribute a factor 1); a month in which a column has no observation is NaN, not 0. Partial
first and last months are compounded over the days they have.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from stratmon.metrics._array import (
    FloatArray,
    IntArray,
    MetricsInputError,
    Panel,
    as_float_2d,
    coerce_index,
    column_names,
    group_starts,
    month_codes,
    year_codes,
)


def period_returns(panel: Panel, codes: IntArray) -> tuple[FloatArray, IntArray]:
    """Compounded return of each run of equal ``codes`` (rows must be date-sorted).

    Returns
    -------
    (ndarray (G, N), ndarray (G,))
        The compounded return per group and column (NaN for a group with no observation),
        and the code of each group.
    """
    starts = group_starts(codes)
    if len(starts) == 0:
        return np.zeros((0, panel.shape[1])), np.zeros(0, dtype=np.int64)
    growth = np.multiply.reduceat(panel.one_plus, starts, axis=0)
    out = growth - 1.0
    if not panel.all_valid:  # else every group has an observation in every column
        counts = np.add.reduceat(panel.valid.astype(np.int32), starts, axis=0)
        out[counts == 0] = np.nan
    return out, codes[starts]


@dataclass(frozen=True, slots=True)
class MonthStats:
    """Monthly statistics per column, each of shape (N,)."""

    winning_months: FloatArray
    losing_months: FloatArray
    best_month: FloatArray
    worst_month: FloatArray


def month_stats(panel: Panel, months: IntArray) -> MonthStats:
    """Counts of months with a positive / negative compounded return, best and worst month."""
    monthly, _ = period_returns(panel, months)
    has = ~np.isnan(monthly)
    any_month = has.any(axis=0)
    best = np.where(has, monthly, -np.inf).max(axis=0, initial=-np.inf)
    worst = np.where(has, monthly, np.inf).min(axis=0, initial=np.inf)
    best[~any_month] = np.nan
    worst[~any_month] = np.nan
    wins = (monthly > 0).sum(axis=0).astype(np.float64)
    losses = (monthly < 0).sum(axis=0).astype(np.float64)
    wins[~any_month] = np.nan
    losses[~any_month] = np.nan
    return MonthStats(wins, losses, best, worst)


def _prepare(returns: Any, index: Any) -> tuple[Panel, bool, list[Any], pd.DatetimeIndex]:
    arr, was_1d = as_float_2d(returns)
    idx = coerce_index(returns, index, arr.shape[0])
    if idx is None:
        raise MetricsInputError(
            "calendar returns need dates: pass index= or returns with a DatetimeIndex."
        )
    return Panel(arr), was_1d, column_names(returns, arr.shape[1], None), idx


def monthly_returns(returns: Any, index: Any = None) -> pd.DataFrame:
    """Compounded monthly returns as a year x month table.

    Parameters
    ----------
    returns : array-like, shape (T,) or (T, N)
        Simple returns per period, NaN where a strategy has no data.
    index : array-like of dates, shape (T,), optional
        Dates of the rows (sorted); taken from ``returns`` when it has a DatetimeIndex.

    Returns
    -------
    pandas.DataFrame
        For 1-D input: index = year, columns = month 1..12, values fractions (NaN for a month
        without data). For 2-D input: the same with a ``(strategy, year)`` MultiIndex.

    Raises
    ------
    MetricsInputError
        Without dates, or with unsorted dates or mismatched lengths.

    References
    ----------
    pyfolio/quantstats monthly returns heatmap (compounded within the month).
    """
    panel, was_1d, names, idx = _prepare(returns, index)
    monthly, codes = period_returns(panel, month_codes(idx))
    years = codes // 12 + 1970
    months = codes % 12 + 1
    frames = []
    for j, name in enumerate(names):
        table = (
            pd.DataFrame({"year": years, "month": months, "ret": monthly[:, j]})
            .pivot(index="year", columns="month", values="ret")
            .reindex(columns=range(1, 13))
        )
        table.columns.name = "month"
        if was_1d:
            return table
        frames.append(table.assign(strategy=name).set_index("strategy", append=True))
    if not frames:
        return pd.DataFrame(columns=range(1, 13))
    out = pd.concat(frames).reorder_levels(["strategy", "year"])
    return out


def yearly_returns(returns: Any, index: Any = None) -> pd.Series | pd.DataFrame:
    """Compounded calendar-year returns.

    Parameters
    ----------
    returns : array-like, shape (T,) or (T, N)
        Simple returns per period, NaN where a strategy has no data.
    index : array-like of dates, shape (T,), optional
        Dates of the rows; taken from ``returns`` when it has a DatetimeIndex.

    Returns
    -------
    pandas.Series (1-D input) or pandas.DataFrame (year x strategy)
        Fractions; NaN for a year without data.

    Raises
    ------
    MetricsInputError
        Without dates, or with unsorted dates or mismatched lengths.

    References
    ----------
    empyrical-reloaded ``aggregate_returns(convert_to='yearly')``.
    """
    panel, was_1d, names, idx = _prepare(returns, index)
    yearly, codes = period_returns(panel, year_codes(idx))
    year_index = pd.Index(codes, name="year")
    if was_1d:
        return pd.Series(yearly[:, 0], index=year_index, name=names[0] if names else None)
    return pd.DataFrame(yearly, index=year_index, columns=names)
