"""Reading numbers out of stored JSON and metric mappings."""

from __future__ import annotations

import math
from typing import Any


def as_float(x: Any) -> float:
    """``float(x)``, or NaN when ``x`` is None or not a number (a missing figure is NaN,
    never 0: DESIGN.md "missing data"). Infinities pass through."""
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan
