"""The table filters of the portfolio and alerts pages: a row stays when each selected column's
value is among the selected ones; an empty or missing selection keeps every row."""

from __future__ import annotations

import pandas as pd

from stratmon.dashboard.data import filter_alerts, filter_table

ALERTS = pd.DataFrame(
    {
        "id": [1, 2, 3, 4],
        "strategy_id": ["A", "A", "B", "C"],
        "rule": ["drawdown", "underperformance", "drawdown", "stale_data"],
        "tier": ["warning", "critical", "critical", "warning"],
        "state": ["firing", "acknowledged", "resolved", "pending"],
    }
)


def test_filter_alerts_combines_the_selections() -> None:
    assert list(filter_alerts(ALERTS)["id"]) == [1, 2, 3, 4]
    assert list(filter_alerts(ALERTS, [], [], [], [])["id"]) == [1, 2, 3, 4]
    assert list(filter_alerts(ALERTS, states=["firing", "pending"])["id"]) == [1, 4]
    assert list(filter_alerts(ALERTS, strategies=["A"], tiers=["critical"])["id"]) == [2]
    assert list(filter_alerts(ALERTS, rules=["drawdown"], states=["pending"])["id"]) == []


def test_filter_table_keeps_the_index() -> None:
    table = ALERTS.set_index(pd.Index([10, 20, 30, 40]))
    kept = filter_table(table, {"tier": ["warning"], "strategy_id": None})
    assert list(kept.index) == [10, 40]
    assert list(kept["rule"]) == ["drawdown", "stale_data"]
