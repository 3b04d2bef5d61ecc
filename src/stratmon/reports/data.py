"""Everything a report reads, loaded once from the store (stored results only).

The judgement of each strategy (verdict, health, status, recommendation, reasons, changes) is
the stored :class:`~stratmon.domain.assessment.Assessment` of the report's date, read through
:mod:`stratmon.store.assessments`; reports render it and never derive one of their own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from sqlalchemy import Connection

from stratmon.attribution import StrategyReturns, strategy_returns
from stratmon.domain import Strategy
from stratmon.domain.assessment import Assessment
from stratmon.errors import StratmonError
from stratmon.store import assessments as sa
from stratmon.store import benchmarks_repo as brepo
from stratmon.store import queries as q
from stratmon.store.queries import DailySeries

# Benchmarks every report compares with when stored (S&P 500, cash, NASDAQ, BTC) besides
# each strategy's own benchmark and any composite.
STANDARD_BENCHMARKS = ("SPX", "CASH", "IXIC", "BTC")


@dataclass
class ReportData:
    as_of: dt.date
    strategies: list[Strategy]
    series: dict[str, DailySeries]
    returns: dict[str, StrategyReturns]
    results: dict[str, dict[str, Any]]
    statistics: dict[str, dict[str, Any]]
    benchmarks: dict[str, tuple[list[dt.date], np.ndarray]] = field(default_factory=dict)
    benchmark_names: dict[str, str] = field(default_factory=dict)
    # the stored judgement of the report's date (strategy_id -> record) and the book-level
    # "what changed" lines (files rejected ...)
    assessments: dict[str, Assessment] = field(default_factory=dict)
    book_changes: list[str] = field(default_factory=list)

    # Derived once: report builders look these up inside their loops.
    @cached_property
    def ids(self) -> list[str]:
        return [s.strategy_id for s in self.strategies]

    @cached_property
    def names(self) -> dict[str, str]:
        return {s.strategy_id: s.name for s in self.strategies}

    def strategy(self, sid: str) -> Strategy:
        for s in self.strategies:
            if s.strategy_id == sid:
                return s
        raise StratmonError(f"Unknown strategy {sid!r}; see `stratmon strategies list`.")

    def metrics(self, sid: str, window: str = "all") -> dict[str, Any]:
        m: dict[str, Any] = self.results.get(sid, {}).get("metrics", {}).get(window, {})
        return m

    def assessed(self) -> list[Assessment]:
        """The stored assessments of the report's strategies (in strategy order)."""
        return [self.assessments[s] for s in self.ids if s in self.assessments]

    @cached_property
    def periods_per_year(self) -> int:
        """The book's annualisation factor: the strategies' ``periods_per_year`` when they
        agree, else the largest (the book is valued on the union of their calendars)."""
        values = {s.periods_per_year for s in self.strategies}
        return max(values) if values else Strategy("", "").periods_per_year

    def inception(self) -> dt.date:
        firsts = [s.dates[0] for s in self.series.values() if s.dates]
        return min(firsts) if firsts else self.as_of


def resolve_as_of(conn: Connection, as_of: dt.date | None) -> dt.date:
    """The evaluation date a report is for: ``as_of`` if evaluated, else the newest before
    (the newest of the stored evaluation results and the stored assessments).

    Raises
    ------
    StratmonError
        When nothing is evaluated on or before that date.
    """
    days = [
        d
        for d in (
            q.latest_evaluation_date(conn, until=as_of),
            sa.latest_assessment_date(conn, as_of),
        )
        if d is not None
    ]
    day = max(days) if days else None
    if day is None:
        where = f" on or before {as_of}" if as_of else ""
        raise StratmonError(f"No evaluation stored{where}: run `stratmon run` first.")
    return day


def load_report_data(
    conn: Connection,
    as_of: dt.date | None = None,
    strategy_ids: list[str] | None = None,
    *,
    active_only: bool = True,
) -> ReportData:
    """Load the stored results a report needs as of an evaluation date.

    Raises
    ------
    StratmonError
        When nothing is evaluated or a requested strategy is unknown.
    """
    day = resolve_as_of(conn, as_of)
    every = q.strategies(conn, active_only=False)
    if strategy_ids:
        known = {s.strategy_id: s for s in every}
        unknown = [s for s in strategy_ids if s not in known]
        if unknown:
            raise StratmonError(
                f"Unknown strategy {', '.join(unknown)}; see `stratmon strategies list`."
            )
        chosen = [known[s] for s in strategy_ids]
    else:
        chosen = [s for s in every if s.active or not active_only]
    ids = [s.strategy_id for s in chosen]
    series = q.daily_series(conn, ids, until=day)
    rets = {
        sid: strategy_returns(ds.dates, ds.nav, ds.cash_flow, ds.daily_pnl)
        for sid, ds in series.items()
    }
    data = ReportData(
        as_of=day,
        strategies=chosen,
        series=series,
        returns=rets,
        results=q.results_on(conn, day),
        statistics=q.statistics_on(conn, day),
        assessments={
            a.strategy_id: a for a in sa.assessments_on(conn, day) if a.strategy_id in ids
        },
        book_changes=sa.book_changes(conn, day),
    )
    for b in brepo.benchmarks(conn):
        got = brepo.benchmark_series(conn, b["benchmark_id"], end=day)
        if got is not None and len(got[0]):
            data.benchmarks[b["benchmark_id"]] = (list(got[0]), np.asarray(got[1], dtype=float))
            data.benchmark_names[b["benchmark_id"]] = b["name"] or b["benchmark_id"]
    return data
