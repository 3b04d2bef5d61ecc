"""JSON-lines alert log: strict JSON, null for NaN/inf, round trip."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pytest

from stratmon.alerts import AlertEvent, Condition, append_events, read_events, step


def _reject_constant(name: str) -> float:
    raise AssertionError(f"non-JSON constant {name} in the log")


def test_round_trip_with_nan_inf_and_unicode(tmp_path: Path) -> None:
    log = tmp_path / "sub" / "alerts.jsonl"
    events = [
        AlertEvent(
            "drawdown",
            "s1",
            "warning",
            dt.date(2024, 3, 1),
            "inactive",
            "pending",
            -0.1812,
            -0.15,
            "Current drawdown -18.1 % — beyond",
        ),
        AlertEvent(
            "win_rate",
            "s2",
            "critical",
            dt.date(2024, 3, 2),
            "firing",
            "resolved",
            math.nan,
            math.inf,
            "no value",
        ),
    ]
    assert append_events(log, events[:1]) == 1
    assert append_events(log, events[1:]) == 1
    assert append_events(log, []) == 0

    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    objs = [json.loads(line, parse_constant=_reject_constant) for line in lines]
    assert objs[0] == {
        "rule": "drawdown",
        "strategy_id": "s1",
        "tier": "warning",
        "at": "2024-03-01",
        "from_state": "inactive",
        "to_state": "pending",
        "value": -0.1812,
        "threshold": -0.15,
        "message": "Current drawdown -18.1 % — beyond",
    }
    assert objs[1]["value"] is None and objs[1]["threshold"] is None

    back = read_events(log)
    assert back[0] == events[0]
    assert math.isnan(back[1].value) and math.isnan(back[1].threshold)
    assert back[1].at == dt.date(2024, 3, 2) and back[1].to_state == "resolved"


def test_events_from_the_state_machine_are_logged(tmp_path: Path) -> None:
    log = tmp_path / "alerts.jsonl"
    state = None
    for i, active in enumerate([True, True, False, False, False]):
        c = Condition("underperformance", "s1", "warning", active, 0.01, 0.016, "msg")
        state, evs = step(state, c, dt.date(2024, 1, 1) + dt.timedelta(days=i))
        append_events(log, evs)
    assert [(e.from_state, e.to_state) for e in read_events(log)] == [
        ("inactive", "pending"),
        ("pending", "firing"),
        ("firing", "resolved"),
    ]


def test_read_missing_and_corrupt(tmp_path: Path) -> None:
    assert read_events(tmp_path / "none.jsonl") == []
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"rule": "x"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="line 1"):
        read_events(bad)
