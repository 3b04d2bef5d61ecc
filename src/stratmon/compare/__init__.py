"""Live vs backtest: deviations, status, significance tests, cones.

Other modules of this package (significance, bootstrap, cone, drawdown_expectations) add
their own exports below; keep each module's names in its own block.
"""

# --- compare.status ---
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
    "ComparisonThresholds",
    "MetricComparison",
    "MetricSpec",
    "compare_metric",
    "compare_metrics",
    "deviation",
    "overall_status",
]
# Other compare modules: extend __all__ with their names here.
