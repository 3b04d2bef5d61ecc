"""Human-facing number formatting (the only place fractions become "5.0 %")."""

from __future__ import annotations

import math
from typing import Any

TREND_ARROWS = {"improving": "↑", "stable": "→", "declining": "↓"}


def finite(x: Any) -> float | None:
    """A finite float or None (JSON-safe); None, NaN, inf and non-numbers give None."""
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def pct(x: Any, digits: int = 1) -> str:
    """0.0523 -> '5.2 %'; None/NaN -> '–'."""
    f = finite(x)
    return "–" if f is None else f"{f * 100:.{digits}f} %"


def num(x: Any, digits: int = 2) -> str:
    f = finite(x)
    return "–" if f is None else f"{f:,.{digits}f}"


def deviation(dev: Any, live: Any, backtest: Any, digits: int = 1) -> str:
    """The live-vs-backtest deviation as a percentage, or, where the percentage is undefined
    (a baseline at or near zero: :func:`stratmon.compare.status.deviation`), the absolute
    difference ``live - backtest`` marked with a delta: ``"Δ +0.052"``; '–' when neither
    exists."""
    if finite(dev) is not None:
        return pct(dev, digits)
    lv, bt = finite(live), finite(backtest)
    if lv is None or bt is None:
        return "–"
    return f"Δ {lv - bt:+.3g}"


def money(x: Any) -> str:
    f = finite(x)
    return "–" if f is None else f"{f:,.0f}"


def score(x: Any, trend: str | None = None) -> str:
    f = finite(x)
    if f is None:
        return "–"
    return f"{f:.0f} {TREND_ARROWS.get(trend or '', '')}".strip()
