"""PnL and return attribution, cohort analysis and benchmark comparison (pure functions).

Public API::

    period_bounds(as_of, period, inception=None) -> (start, end)
    strategy_returns(dates, nav, cash_flow, daily_pnl) -> StrategyReturns
    contributions(series, start, end) -> Contributions
    group_contributions(contribs, groups) -> dict[str, GroupContribution]
    cohort_analysis(strategies, metrics) -> list[Cohort]
    composite_returns(weights, series) -> (dates, returns)
    benchmark_comparison(dates, returns, bench_dates, bench_returns, ...) -> dict
"""

from stratmon.attribution.benchmarks import align, benchmark_comparison, composite_returns
from stratmon.attribution.cohorts import Cohort, cohort_analysis
from stratmon.attribution.contributions import (
    Contributions,
    GroupContribution,
    StrategyReturns,
    contributions,
    group_contributions,
    strategy_returns,
)
from stratmon.attribution.periods import PERIODS, period_bounds

__all__ = [
    "PERIODS",
    "Cohort",
    "Contributions",
    "GroupContribution",
    "StrategyReturns",
    "align",
    "benchmark_comparison",
    "cohort_analysis",
    "composite_returns",
    "contributions",
    "group_contributions",
    "period_bounds",
    "strategy_returns",
]
