"""PnL and return contributions that add up exactly to the portfolio's total.

PnL contribution of a strategy over a period is the sum of its stored daily PnL; the
portfolio's PnL is the sum over strategies, so the two reconcile to the cent.

Return contribution on day t is capital weight times return, ``c_it = w_i,t-1 * r_it`` with
``w_i,t-1 = nav_i,t-1 / sum_j nav_j,t-1`` over the strategies that have a return that day, so
``sum_i c_it`` is the portfolio's return ``R_t``. Over several days contributions are linked by
the portfolio's growth before each day, ``C_i = sum_t c_it * prod_{s<t} (1 + R_s)``, which
sums exactly to the portfolio's compounded return ``prod_t (1 + R_t) - 1``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class StrategyReturns:
    """One strategy's stored daily records reduced to what attribution needs, shape (T,).

    ``returns[0]`` and ``start_nav[0]`` are NaN (a strategy's first day has no return).
    """

    dates: list[dt.date]
    returns: FloatArray
    start_nav: FloatArray
    pnl: FloatArray


def strategy_returns(
    dates: Sequence[dt.date],
    nav: FloatArray,
    cash_flow: FloatArray,
    daily_pnl: FloatArray | None = None,
) -> StrategyReturns:
    """Time-weighted daily returns, start-of-day capital and PnL from stored daily records.

    Parameters
    ----------
    dates : sequence of datetime.date, length T
        Record dates, ascending.
    nav : ndarray, shape (T,)
        End-of-day NAV (currency).
    cash_flow : ndarray, shape (T,)
        Capital added (+) or withdrawn (-) on each day (currency).
    daily_pnl : ndarray, shape (T,), optional
        Stored daily PnL (currency); where NaN or not given, the NAV change net of cash flow
        (``nav_t - nav_t-1 - cash_flow_t``; 0 on the first day) is the day's PnL.

    Returns
    -------
    StrategyReturns

    References
    ----------
    GIPS 2020, time-weighted return with external cash flows at end of day (DESIGN.md).
    """
    nav = np.asarray(nav, dtype=float)
    cf = np.nan_to_num(np.asarray(cash_flow, dtype=float), nan=0.0)
    n = nav.size
    ret = np.full(n, np.nan)
    start = np.full(n, np.nan)
    implied = np.zeros(n)
    if n > 1:
        start[1:] = nav[:-1]
        implied[1:] = nav[1:] - nav[:-1] - cf[1:]
        with np.errstate(divide="ignore", invalid="ignore"):
            ret[1:] = np.where(nav[:-1] > 0, implied[1:] / nav[:-1], np.nan)
    pnl = implied if daily_pnl is None else np.asarray(daily_pnl, dtype=float).copy()
    missing = ~np.isfinite(pnl)
    pnl[missing] = implied[missing]
    return StrategyReturns(list(dates), ret, start, pnl)


@dataclass(frozen=True)
class Contributions:
    """Contributions of each strategy over one period (fractions, currency).

    Attributes
    ----------
    strategy_ids : list of str
    start, end : datetime.date
        The period (inclusive).
    pnl : dict str -> float
        Sum of the strategy's daily PnL in the period (currency).
    return_contribution : dict str -> float
        Linked return contribution (fraction of the portfolio); sums to ``portfolio_return``.
    strategy_return : dict str -> float
        The strategy's own compounded return in the period (NaN without a return).
    average_weight : dict str -> float
        Mean capital weight over the portfolio's days in the period.
    total_pnl : float
        Sum of every stored daily PnL in the period (currency).
    portfolio_return : float
        Compounded capital-weighted portfolio return (fraction).
    dates : list of datetime.date
        Days with at least one strategy return.
    daily_portfolio_return : ndarray, shape (D,)
    """

    strategy_ids: list[str]
    start: dt.date
    end: dt.date
    pnl: dict[str, float]
    return_contribution: dict[str, float]
    strategy_return: dict[str, float]
    average_weight: dict[str, float]
    total_pnl: float
    portfolio_return: float
    dates: list[dt.date] = field(default_factory=list)
    daily_portfolio_return: FloatArray = field(default_factory=lambda: np.empty(0))


def contributions(
    series: Mapping[str, StrategyReturns], start: dt.date, end: dt.date
) -> Contributions:
    """PnL and linked return contributions of each strategy to the portfolio in a period.

    Parameters
    ----------
    series : mapping str -> StrategyReturns
        Per strategy, from :func:`strategy_returns`.
    start, end : datetime.date
        Inclusive period; a day's return belongs to the day it ends.

    Returns
    -------
    Contributions
        ``sum(pnl.values()) == total_pnl`` and ``sum(return_contribution.values()) ==
        portfolio_return`` up to floating-point rounding.

    References
    ----------
    Frongello, A. (2002), "Linking single period attribution results", Journal of
    Performance Measurement 6(3) (linking by the portfolio's growth before each period).
    """
    ids = list(series)
    all_days = sorted({d for s in series.values() for d in s.dates if start <= d <= end})
    pos = {d: i for i, d in enumerate(all_days)}
    n_days, n = len(all_days), len(ids)
    r = np.full((n_days, n), np.nan)
    w0 = np.full((n_days, n), np.nan)
    pnl: dict[str, float] = {}
    every_pnl: list[float] = []
    for j, sid in enumerate(ids):
        s = series[sid]
        vals = []
        for k, d in enumerate(s.dates):
            if start <= d <= end:
                r[pos[d], j] = s.returns[k]
                w0[pos[d], j] = s.start_nav[k]
                vals.append(float(s.pnl[k]))
        pnl[sid] = math.fsum(vals)
        every_pnl.extend(vals)
    ok = np.isfinite(r) & np.isfinite(w0) & (w0 > 0)
    cap = np.where(ok, w0, 0.0)
    base = cap.sum(axis=1)
    has = base > 0
    weight = np.zeros_like(cap)
    weight[has] = cap[has] / base[has, None]
    c = weight * np.where(ok, r, 0.0)
    port = c.sum(axis=1)
    growth_before = np.concatenate(([1.0], np.cumprod(1.0 + port)[:-1]))
    linked = (c * growth_before[:, None]).sum(axis=0)
    days_with = [d for d, h in zip(all_days, has, strict=True) if h]
    port_used = port[has]
    own = {}
    for j, sid in enumerate(ids):
        rr = r[ok[:, j], j]
        own[sid] = float(np.prod(1.0 + rr) - 1.0) if rr.size else math.nan
    avg_w = weight[has].mean(axis=0) if has.any() else np.full(n, math.nan)
    return Contributions(
        strategy_ids=ids,
        start=start,
        end=end,
        pnl=pnl,
        return_contribution={sid: float(linked[j]) for j, sid in enumerate(ids)},
        strategy_return=own,
        average_weight={sid: float(avg_w[j]) for j, sid in enumerate(ids)},
        total_pnl=math.fsum(every_pnl),
        portfolio_return=float(np.prod(1.0 + port_used) - 1.0),
        dates=days_with,
        daily_portfolio_return=port_used,
    )


@dataclass(frozen=True)
class GroupContribution:
    """Contribution of one group (sector, researcher, pool ...) of strategies."""

    group: str
    strategy_ids: list[str]
    pnl: float
    return_contribution: float
    average_weight: float


def group_contributions(
    contribs: Contributions, groups: Mapping[str, str]
) -> dict[str, GroupContribution]:
    """Add strategy contributions up by group (contributions are additive).

    Parameters
    ----------
    contribs : Contributions
    groups : mapping str -> str
        Group of each strategy id (an empty or missing group is ``"(none)"``).

    Returns
    -------
    dict str -> GroupContribution
        Sorted by group name; group PnLs and return contributions sum to the portfolio's.

    References
    ----------
    Bacon, C. (2008), Practical Portfolio Performance Measurement and Attribution, ch. 5.
    """
    members: dict[str, list[str]] = {}
    for sid in contribs.strategy_ids:
        members.setdefault(groups.get(sid) or "(none)", []).append(sid)
    out = {}
    for g in sorted(members):
        ids = members[g]
        weights = [
            contribs.average_weight[s] for s in ids if math.isfinite(contribs.average_weight[s])
        ]
        out[g] = GroupContribution(
            group=g,
            strategy_ids=ids,
            pnl=math.fsum(contribs.pnl[s] for s in ids),
            return_contribution=math.fsum(contribs.return_contribution[s] for s in ids),
            average_weight=math.fsum(weights) if weights else math.nan,
        )
    return out
