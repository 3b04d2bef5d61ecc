"""Performance and risk metrics: pure numpy functions from returns to statistics.

Public API::

    summarize(returns, benchmark=None, risk_free=0.0, periods_per_year=252, index=None,
              names=None) -> DataFrame
    summarize_arrays(returns, benchmark=None, risk_free=0.0, periods_per_year=252,
                     index=None) -> (list[str], ndarray (N, M))
    RunningMetrics(n_strategies, periods_per_year=252, risk_free=0.0)
    trade_statistics(round_trips, capital=None) -> dict[str, float]
    returns_from_nav(nav, cash_flow=None) -> ndarray
    growth_of_one(returns) / cumulative_returns(returns) / underwater(returns) -> ndarray
    monthly_returns(returns, index) / yearly_returns(returns, index)
    rolling_metrics(returns, window, benchmark=None, periods_per_year=252, risk_free=0.0)
    capacity_metrics(nav, gross_exposure, ...) -> DataFrame
"""

from stratmon.metrics._array import MetricsInputError
from stratmon.metrics.calendar import monthly_returns, yearly_returns
from stratmon.metrics.capacity import capacity_metrics
from stratmon.metrics.returns import returns_from_nav
from stratmon.metrics.rolling import rolling_metrics
from stratmon.metrics.running import RunningMetrics
from stratmon.metrics.series import cumulative_returns, growth_of_one, underwater
from stratmon.metrics.summary import METRIC_COLUMNS, summarize, summarize_arrays
from stratmon.metrics.tail import ORDER_STATISTICS, order_statistics
from stratmon.metrics.trades import TRADE_METRICS, trade_statistics

__all__ = [
    "METRIC_COLUMNS",
    "ORDER_STATISTICS",
    "TRADE_METRICS",
    "MetricsInputError",
    "RunningMetrics",
    "capacity_metrics",
    "cumulative_returns",
    "growth_of_one",
    "monthly_returns",
    "order_statistics",
    "returns_from_nav",
    "rolling_metrics",
    "summarize",
    "summarize_arrays",
    "trade_statistics",
    "underwater",
    "yearly_returns",
]
