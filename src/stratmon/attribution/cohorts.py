"""Cohort analysis: strategies grouped by the month they were deployed."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Cohort:
    """Strategies deployed in one month and how they have done (fractions)."""

    month: str  # YYYY-MM
    strategy_ids: list[str]
    average_sharpe: float
    average_return: float
    best: str | None
    best_return: float
    worst: str | None
    worst_return: float

    @property
    def n_strategies(self) -> int:
        return len(self.strategy_ids)


def _finite(x: Any) -> float | None:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def cohort_analysis(
    deployed: Mapping[str, dt.date | None], metrics: Mapping[str, Mapping[str, Any]]
) -> list[Cohort]:
    """Group strategies by deployment month; average Sharpe and return, best and worst.

    Parameters
    ----------
    deployed : mapping str -> datetime.date or None
        Deployment (allocation) date per strategy id; strategies without one are left out.
    metrics : mapping str -> mapping
        Stored since-inception metrics per strategy (``sharpe_ratio``, ``total_return``;
        ``None`` where not computable: such values are left out of the averages).

    Returns
    -------
    list of Cohort
        Oldest cohort first. Best and worst are by ``total_return``; NaN averages where no
        member has the value.

    References
    ----------
    Cohort analysis as in Glenberg & Ferguson (cohort studies); no formula beyond means.
    """
    by_month: dict[str, list[str]] = {}
    for sid, day in deployed.items():
        if day is not None:
            by_month.setdefault(f"{day.year:04d}-{day.month:02d}", []).append(sid)
    out = []
    for month in sorted(by_month):
        ids = sorted(by_month[month])
        sharpes = [
            v for s in ids if (v := _finite(metrics.get(s, {}).get("sharpe_ratio"))) is not None
        ]
        rets = {
            s: v for s in ids if (v := _finite(metrics.get(s, {}).get("total_return"))) is not None
        }
        best = max(rets, key=lambda s: rets[s]) if rets else None
        worst = min(rets, key=lambda s: rets[s]) if rets else None
        out.append(
            Cohort(
                month=month,
                strategy_ids=ids,
                average_sharpe=sum(sharpes) / len(sharpes) if sharpes else math.nan,
                average_return=sum(rets.values()) / len(rets) if rets else math.nan,
                best=best,
                best_return=rets[best] if best else math.nan,
                worst=worst,
                worst_return=rets[worst] if worst else math.nan,
            )
        )
    return out


__all__ = ["Cohort", "cohort_analysis"]
