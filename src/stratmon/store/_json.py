"""JSON-safe values for the store: NaN and inf become ``None`` (JSON ``null``)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import numpy as np


def clean(value: Any) -> Any:
    """Return ``value`` with NaN/inf replaced by None, numpy scalars as Python, dates ISO."""
    if isinstance(value, Mapping):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def opt_float(value: Any) -> float | None:
    """A finite float or None."""
    if value is None:
        return None
    f = float(value)
    return f if math.isfinite(f) else None
