"""Milestones are events: each reach listed once, with the day's figure, apart from the
concern alerts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from stratmon.alerts.config import alert_config_from_dict
from stratmon.alerts.processor import process_conditions
from stratmon.alerts.rules import Condition
from stratmon.domain import Strategy
from stratmon.store import Store, open_store
from stratmon.store import alerts_queries as aq
from stratmon.store import repositories as repo
from stratmon.store.alert_groups import milestone_events

D0 = dt.date(2024, 1, 1)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'm.db'}")
    with s.transaction() as conn:
        repo.upsert_strategies(conn, [Strategy("MOM", "Momentum"), Strategy("FX", "FX")])
    yield s
    s.dispose()


def test_each_reach_is_one_event(store: Store) -> None:
    config = alert_config_from_dict({"for_evaluations": 1})
    days = [  # (MOM profitable, MOM cumulative return, FX drawdown firing)
        (True, 0.01, False),
        (True, 0.02, True),
        (False, -0.01, True),
        (True, 0.03, True),
    ]
    for k, (prof, ret, dd) in enumerate(days):
        conds = [
            Condition("profitable", "MOM", "info", prof, ret, 0.0, f"return {ret:+.0%}"),
            Condition("drawdown", "FX", "warning", dd, -0.1, -0.075, "Drawdown -10 %."),
        ]
        with store.transaction() as conn:
            process_conditions(conn, conds, D0 + dt.timedelta(days=k), config)
    with store.read() as conn:
        events = milestone_events(conn)
        assert [(e["id"], e["reached_at"], e["value"], e["threshold"]) for e in events] == [
            ("MOM:profitable:2024-01-01", "2024-01-01", 0.01, 0.0),
            ("MOM:profitable:2024-01-04", "2024-01-04", 0.03, 0.0),
        ]
        assert events[1]["message"] == "return +3%"
        assert events[1]["concern"] == "milestone"
        assert events[1]["recipients"] == ["pm", "researcher"]
        assert [e["reached_at"] for e in milestone_events(conn, since=D0 + dt.timedelta(1))] == [
            "2024-01-04"
        ]
        assert milestone_events(conn, strategy_id="FX") == []
        # the drawdown is a concern alert, the milestone is not among the open ones
        assert [(a["strategy_id"], a["concern"]) for a in aq.concern_alerts(conn)] == [
            ("FX", "drawdown")
        ]
