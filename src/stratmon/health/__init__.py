"""The 0-100 health score, its components and its trend."""

from stratmon.health.components import (
    piecewise_linear,
    sharpe_standard_error,
)
from stratmon.health.score import (
    COMPONENTS,
    NEUTRAL,
    HealthInputs,
    HealthScore,
    HealthWeights,
    health_score,
)
from stratmon.health.trend import health_slope, health_trend

__all__ = [
    "COMPONENTS",
    "NEUTRAL",
    "HealthInputs",
    "HealthScore",
    "HealthWeights",
    "health_score",
    "health_slope",
    "health_trend",
    "piecewise_linear",
    "sharpe_standard_error",
]
