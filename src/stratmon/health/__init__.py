"""The 0-100 health score, its components and its trend."""

from stratmon.health.components import score_from_p, win_rate_basis
from stratmon.health.score import (
    COMPONENTS,
    HealthEvidence,
    HealthScore,
    HealthWeights,
    health_score,
)
from stratmon.health.trend import health_slope, health_trend

__all__ = [
    "COMPONENTS",
    "HealthEvidence",
    "HealthScore",
    "HealthWeights",
    "health_score",
    "health_slope",
    "health_trend",
    "score_from_p",
    "win_rate_basis",
]
