"""Trend of the health score: improving, stable or declining.

The trend is the slope of the ordinary least-squares line through the last ``window`` daily
scores (x = position in the sequence, one step per evaluation day, so the slope is in score
points per day). ``slope > threshold`` is ``improving``, ``slope < -threshold`` is
``declining``, anything else ``stable``. The default threshold, 0.5 points/day, means a move
of about 5 points over the default 10-day window. NaN scores (days without a score) are left
out of the fit but keep their position, so a gap does not compress time. With fewer than
``min_points`` finite scores in the window the trend is ``stable``: there is no evidence of a
direction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

Trend = Literal["improving", "stable", "declining"]


def health_slope(scores: Sequence[float], *, window: int = 10) -> float:
    """Least-squares slope of the last ``window`` scores, in points per evaluation.

    Parameters
    ----------
    scores : sequence of float, shape (T,)
        Daily health scores, oldest first; NaN for a day without a score.
    window : int
        Number of most recent entries used (>= 2).

    Returns
    -------
    float
        The slope; NaN when fewer than 2 finite scores are in the window.

    Raises
    ------
    ValueError
        When ``window < 2``.

    References
    ----------
    Ordinary least squares, as ``numpy.polyfit(x, y, 1)``.
    """
    if window < 2:
        raise ValueError(f"window must be >= 2, got {window}")
    y = np.asarray(scores, dtype=float)[-window:]
    x = np.arange(y.size, dtype=float)
    ok = np.isfinite(y)
    if ok.sum() < 2:
        return float("nan")
    x, y = x[ok], y[ok]
    xc = x - x.mean()
    return float((xc * (y - y.mean())).sum() / (xc * xc).sum())


def health_trend(
    scores: Sequence[float],
    *,
    window: int = 10,
    threshold: float = 0.5,
    min_points: int = 5,
) -> Trend:
    """Classify the recent health-score trend (see the module docstring).

    Parameters
    ----------
    scores : sequence of float, shape (T,)
        Daily health scores (0-100), oldest first; NaN for a missing day.
    window : int
        Number of most recent entries considered (default 10).
    threshold : float
        Slope, in points per day, beyond which the trend is not ``stable`` (default 0.5).
    min_points : int
        Finite scores needed in the window (default 5, at least 2).

    Returns
    -------
    {"improving", "stable", "declining"}

    Raises
    ------
    ValueError
        When ``window < 2``, ``min_points < 2`` or ``threshold < 0``.
    """
    if window < 2:
        raise ValueError(f"window must be >= 2, got {window}")
    if min_points < 2:
        raise ValueError(f"min_points must be >= 2, got {min_points}")
    if threshold < 0:
        raise ValueError(f"threshold must be >= 0, got {threshold}")
    recent = np.asarray(scores, dtype=float)[-window:]
    if np.isfinite(recent).sum() < min_points:
        return "stable"
    slope = health_slope(scores, window=window)
    if slope > threshold:
        return "improving"
    if slope < -threshold:
        return "declining"
    return "stable"
