"""Live vs backtest: deviations, status, significance tests, cones.

Other modules of this package (significance, bootstrap, cone, drawdown_expectations) add
their own exports below; keep each module's names in its own block.
"""

# --- compare.status ---
# --- compare.significance, bootstrap, cone, drawdown_expectations ---
from stratmon.compare.bootstrap import (
    SharpeInterval,
    bootstrap_sharpe_ci,
    bootstrap_sharpe_difference_ci,
)
from stratmon.compare.cone import BacktestCone, ConeBreach, backtest_cone, cone_breaches
from stratmon.compare.drawdown_expectations import (
    DrawdownExpectations,
    drawdown_expectations,
    expected_drawdown_from_returns,
)
from stratmon.compare.significance import (
    InsufficientDataError,
    SharpeDifferenceTest,
    WelchTest,
    deflated_sharpe_ratio,
    dsr_from_returns,
    expected_maximum_sharpe_ratio,
    mean_return_welch_test,
    min_trl_from_returns,
    minimum_track_record_length,
    probabilistic_sharpe_ratio,
    psr_from_returns,
    sharpe_difference_test,
    sharpe_ratio_variance,
)
from stratmon.compare.status import (
    DEFAULT_METRICS,
    KEY_METRICS,
    METRIC_SPECS,
    STATUSES,
    ComparisonThresholds,
    MetricComparison,
    MetricSpec,
    compare_metric,
    compare_metrics,
    deviation,
    overall_status,
)

__all__ = [
    "DEFAULT_METRICS",
    "KEY_METRICS",
    "METRIC_SPECS",
    "STATUSES",
    "BacktestCone",
    "ComparisonThresholds",
    "ConeBreach",
    "DrawdownExpectations",
    "InsufficientDataError",
    "MetricComparison",
    "MetricSpec",
    "SharpeDifferenceTest",
    "SharpeInterval",
    "WelchTest",
    "backtest_cone",
    "bootstrap_sharpe_ci",
    "bootstrap_sharpe_difference_ci",
    "compare_metric",
    "compare_metrics",
    "cone_breaches",
    "deflated_sharpe_ratio",
    "deviation",
    "drawdown_expectations",
    "dsr_from_returns",
    "expected_drawdown_from_returns",
    "expected_maximum_sharpe_ratio",
    "mean_return_welch_test",
    "min_trl_from_returns",
    "minimum_track_record_length",
    "overall_status",
    "probabilistic_sharpe_ratio",
    "psr_from_returns",
    "sharpe_difference_test",
    "sharpe_ratio_variance",
]
