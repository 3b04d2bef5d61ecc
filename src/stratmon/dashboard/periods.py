"""Which returns fall in a period, for the dashboard's tables (pure numpy, no I/O).

The finance maths is :mod:`stratmon.metrics` (``returns_from_nav``, ``cumulative_returns``,
``growth_of_one``, ``rolling_metrics``); this module only selects the dates of a period
(today, month to date, year to date, since deployment) and sums NAVs across strategies.

Returns are time-weighted simple returns from NAV and cash flows (DESIGN.md):
``r_t = (nav_t - nav_{t-1} - cash_flow_t) / nav_{t-1}``; a strategy's first day has no
return. A period return compounds the returns dated inside the period, so the month-to-date
return of a strategy that reported on 31 May and 3-5 June is ``(1 + r_3)(1 + r_4)(1 + r_5) - 1``
(the return of 3 June is measured from the NAV of 31 May, the last NAV before the period).
A period with no return in it (no report yet this month, or only the first day of a record)
is ``NaN``, never 0.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stratmon.metrics import cumulative_returns, growth_of_one, returns_from_nav, rolling_metrics


@dataclass(frozen=True)
class PeriodReturns:
    """Compounded returns (fractions) ending at ``as_of``; NaN when the period holds no
    return."""

    today: float
    month_to_date: float
    year_to_date: float
    since_deployment: float


def daily_returns(nav: np.ndarray, cash_flow: np.ndarray) -> np.ndarray:
    """Time-weighted daily returns, shape (T,); element 0 is NaN (the first day has none).

    References
    ----------
    DESIGN.md "Returns"; agrees with ``stratmon.metrics.returns_from_nav``.
    """
    nav = np.asarray(nav, dtype=float)
    if nav.size == 0:
        return nav.copy()
    r = np.asarray(returns_from_nav(nav, cash_flow), dtype=float).copy()
    r[0] = math.nan
    return r


def _compound(r: np.ndarray) -> float:
    """The compounded return of the finite returns in ``r`` (NaN when there is none)."""
    r = r[np.isfinite(r)]
    return float(cumulative_returns(r)[-1]) if r.size else math.nan


def period_returns(
    dates: Sequence[dt.date], nav: np.ndarray, cash_flow: np.ndarray, as_of: dt.date
) -> PeriodReturns:
    """Today's, month-to-date, year-to-date and since-deployment returns as of ``as_of``.

    Parameters
    ----------
    dates : sequence of date, length T, ascending
    nav, cash_flow : ndarray, shape (T,)
        NAV and capital added (+) or withdrawn (-) on each date, in the strategy currency.
    as_of : date
        Records after it are ignored. "Today" is the return dated ``as_of`` itself (NaN when
        the strategy did not report that day).

    Returns
    -------
    PeriodReturns
        Fractions; NaN when a period holds no return.
    """
    d = np.array(dates, dtype="datetime64[D]")
    keep = d <= np.datetime64(as_of, "D")
    d = d[keep]
    r = daily_returns(np.asarray(nav, float)[keep], np.asarray(cash_flow, float)[keep])
    if d.size == 0:
        nan = math.nan
        return PeriodReturns(nan, nan, nan, nan)
    month_start = np.datetime64(as_of.replace(day=1), "D")
    year_start = np.datetime64(as_of.replace(month=1, day=1), "D")
    today = float(r[-1]) if d[-1] == np.datetime64(as_of, "D") else math.nan
    return PeriodReturns(
        today=today if math.isfinite(today) else math.nan,
        month_to_date=_compound(r[d >= month_start]),
        year_to_date=_compound(r[d >= year_start]),
        since_deployment=_compound(r),
    )


def rolling_sharpe(returns: np.ndarray, window: int, periods_per_year: float) -> np.ndarray:
    """Annualised rolling Sharpe ratio over ``window`` rows, shape (T,) (NaN before a full
    window).

    Parameters
    ----------
    returns : ndarray, shape (T,)
        Simple daily returns (fractions).
    window : int
        Rows per window.
    periods_per_year : float
        The strategy's annualisation factor (``Strategy.periods_per_year``).

    References
    ----------
    ``stratmon.metrics.rolling_metrics`` (empyrical's ``roll_sharpe_ratio``).
    """
    r = np.asarray(returns, dtype=float)
    if r.size < window:
        return np.full(r.size, math.nan)
    roll = rolling_metrics(r, window, periods_per_year=periods_per_year)
    return np.asarray(roll["sharpe_ratio"], dtype=float).ravel()


def aggregate_nav(
    series: dict[str, tuple[Sequence[dt.date], np.ndarray, np.ndarray]],
) -> pd.DataFrame:
    """Portfolio NAV and time-weighted growth across strategies.

    Each strategy counts at its last reported NAV on or before each date (a strategy that
    did not report on a date is carried at its last NAV; the ``n_reporting`` column says how
    many reported). A strategy's first NAV enters as capital added, so a new strategy does
    not show up as a portfolio gain.

    Parameters
    ----------
    series : dict
        strategy_id -> (dates, nav, cash_flow), each of length T_i.

    Returns
    -------
    DataFrame
        Indexed by date: ``nav`` (sum), ``cash_flow`` (sum, including first NAVs),
        ``return`` (time-weighted), ``growth`` (growth of 1), ``n_reporting``.
    """
    frames = []
    for sid, (dates, nav, cf) in series.items():
        if len(dates) == 0:
            continue
        flows = np.asarray(cf, dtype=float).copy()
        flows[0] = float(nav[0])
        frames.append(
            pd.DataFrame(
                {"sid": sid, "nav": np.asarray(nav, float), "cash_flow": flows},
                index=pd.DatetimeIndex(list(dates)),
            )
        )
    cols = ["nav", "cash_flow", "return", "growth", "n_reporting"]
    if not frames:
        return pd.DataFrame(columns=cols, dtype=float)
    long = pd.concat(frames)
    long.index.name = "date"
    wide_nav = long.reset_index().pivot_table(
        index="date", columns="sid", values="nav", aggfunc="last"
    )
    n_rep = wide_nav.notna().sum(axis=1)
    nav_total = wide_nav.ffill().sum(axis=1)
    flow_total = long.groupby(level=0)["cash_flow"].sum().reindex(nav_total.index, fill_value=0)
    ret = returns_from_nav(nav_total.to_numpy(dtype=float), flow_total.to_numpy(dtype=float))
    out = pd.DataFrame(
        {
            "nav": nav_total,
            "cash_flow": flow_total,
            "return": ret,
            "growth": growth_of_one(ret),
            "n_reporting": n_rep,
        }
    )
    out.index.name = "date"
    return out
