"""The status table, one row per strategy, built from stored results only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class StatusRow:
    """What a PM reads first about one strategy on one evaluation date (fractions)."""

    strategy_id: str
    name: str
    health_score: float | None
    health_trend: str | None
    live_sharpe: float | None
    backtest_sharpe: float | None
    total_return: float | None
    current_drawdown: float | None
    max_drawdown: float | None
    status: str
    firing_alerts: list[str] = field(default_factory=list)
    components: dict[str, Any] = field(default_factory=dict)


def build_status_rows(
    as_of: dt.date,
    strategies: list[Any],
    results: dict[str, dict[str, Any]],
    firing: list[dict[str, Any]],
) -> list[StatusRow]:
    """Join stored results (``queries.results_on``) and firing alerts into table rows."""
    alerts_by: dict[str, list[str]] = {}
    for a in firing:
        alerts_by.setdefault(a["strategy_id"], []).append(f"{a['rule']}/{a['tier']}")
    rows = []
    for s in strategies:
        res = results.get(s.strategy_id)
        if res is None:
            continue
        whole = res.get("metrics", {}).get("all", {})
        health = res.get("health", {})
        bt_sharpe = None
        for c in res.get("comparison", []) or []:
            if c.get("metric") == "sharpe_ratio":
                bt_sharpe = c.get("backtest")
        rows.append(
            StatusRow(
                strategy_id=s.strategy_id,
                name=s.name,
                health_score=health.get("score"),
                health_trend=health.get("trend"),
                live_sharpe=whole.get("sharpe_ratio"),
                backtest_sharpe=bt_sharpe,
                total_return=whole.get("total_return"),
                current_drawdown=whole.get("current_drawdown"),
                max_drawdown=whole.get("max_drawdown"),
                status=res.get("status", "insufficient_data"),
                firing_alerts=alerts_by.get(s.strategy_id, []),
                components=health.get("components", {}),
            )
        )
    return rows
