"""Series for charts and tables: growth of one and the underwater (drawdown) curve.

The dashboard and the reports draw these; they call this module instead of compounding
returns themselves (DESIGN.md: finance maths lives only in ``metrics/``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from stratmon.metrics._array import FloatArray, Panel, as_float_2d
from stratmon.metrics.drawdown import drawdown_series


def growth_of_one(returns: Any) -> FloatArray:
    """Compounded wealth of one unit invested before the first return.

    Parameters
    ----------
    returns : array_like, shape (T,) or (T, N)
        Simple returns per period (fractions). NaN (no data that day) is no change.

    Returns
    -------
    ndarray, shape like ``returns``
        ``prod_{s<=t}(1 + r_s)``; empty input gives an empty array.

    References
    ----------
    empyrical-reloaded ``cum_returns(returns, starting_value=1)``.
    """
    r = np.nan_to_num(np.asarray(returns, dtype=float), nan=0.0)
    return np.cumprod(1.0 + r, axis=0)


def cumulative_returns(returns: Any) -> FloatArray:
    """``growth_of_one(returns) - 1`` (empyrical ``cum_returns``), shape like ``returns``."""
    return growth_of_one(returns) - 1.0


def underwater(returns: Any) -> FloatArray:
    """Drawdown from the running peak of compounded wealth anchored at 1.0, in [-1, 0].

    Parameters
    ----------
    returns : array_like, shape (T,) or (T, N)
        Simple returns per period; NaN is no change.

    Returns
    -------
    ndarray, shape like ``returns``
        Its minimum is DESIGN.md's ``max_drawdown``.

    References
    ----------
    empyrical-reloaded ``max_drawdown`` (the same anchored drawdown series).
    """
    r, one_d = as_float_2d(np.nan_to_num(np.asarray(returns, dtype=float), nan=0.0))
    out = drawdown_series(Panel(r))
    return out[:, 0] if one_d else out
