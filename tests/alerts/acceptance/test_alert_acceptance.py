"""Acceptance tests of the alert system on a time line (Alertmanager's style): grouping,
escalation and de-escalation, no_data, inhibition, milestones as events, recipients by role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from timeline_dsl import Timeline, c

HOOK = {"hook": {"url": "json://127.0.0.1:9/never-sent"}}
BASE: dict[str, Any] = {
    "for_evaluations": 1,
    "clear_evaluations": 2,
    "channels": HOOK,
    "routes": [{"channels": ["hook"]}],
}
IMM = "immediate"


@pytest.fixture
def make(tmp_path: Path) -> Iterator[Any]:
    made: list[Timeline] = []

    def _make(
        config: dict[str, Any] | None = None, strategies: tuple[str, ...] = ("MOM",)
    ) -> Timeline:
        tl = Timeline(tmp_path, {**BASE, **(config or {})}, list(strategies))
        made.append(tl)
        return tl

    yield _make
    for tl in made:
        tl.close()


PERF = ("underperformance", "relative_return", "relative_sharpe", "psr")


def test_four_rules_telling_the_same_news_are_one_alert_and_one_message(make: Any) -> None:
    tl = make(strategies=("MOM", "FX"))
    tl.at(0, *(c(r, "MOM", True, severity="critical" if r == "psr" else "") for r in PERF))
    tl.at(1, *(c(r, "MOM", True, severity="critical" if r == "psr" else "") for r in PERF))
    (a,) = tl.alerts()
    assert (a["strategy_id"], a["concern"], a["state"], a["severity"]) == (
        "MOM",
        "performance",
        "firing",
        "critical",  # the worst of its parts
    )
    assert a["rules"] == sorted(PERF) and len(a["triggered_by"]) == 4
    # the verdict still reads each firing part with its current severity
    assert sorted(tl.firing()["MOM"]) == sorted(
        (r, "critical" if r == "psr" else "warning", f"{r} on MOM: true") for r in PERF
    )
    tl.expect(
        0,
        1,
        [
            (
                "MOM",
                "hook",
                IMM,
                "[stratmon] CRITICAL MOM: 4 changes (psr FIRING, underperformance FIRING, "
                "relative_return FIRING, relative_sharpe FIRING)",
            )
        ],
    )


def test_escalation_and_deescalation_of_a_drawdown(make: Any) -> None:
    tl = make({"notify_deescalation": True})
    path = [("warning", -0.11), ("emergency", -0.21), ("warning", -0.12), ("warning", -0.12)]
    for t, (sev, v) in enumerate(path):
        tl.at(t, c("drawdown_tiers", "MOM", True, value=v, threshold=-0.10, severity=sev))
    # up at once; down after M = 2 sessions at the lower tier
    assert [a["severity"] for a in tl.alerts()] == ["warning"]
    tl.expect(
        0,
        3,
        [
            ("MOM", "hook", IMM, "[stratmon] WARNING FIRING: drawdown_tiers on MOM"),
            ("MOM", "hook", IMM, "[stratmon] EMERGENCY ESCALATED: drawdown_tiers on MOM"),
            ("MOM", "hook", IMM, "[stratmon] WARNING STEPPED DOWN: drawdown_tiers on MOM"),
        ],
    )
    tl.at(4, c("drawdown_tiers", "MOM", False, value=-0.02, message="drawdown -2 % is clear"))
    tl.at(5, c("drawdown_tiers", "MOM", False, value=-0.01, message="drawdown -1 % is clear"))
    tl.expect(4, 5, [("MOM", "hook", IMM, "[stratmon] WARNING RESOLVED: drawdown_tiers on MOM")])
    assert tl.alerts() == [] and tl.firing() == {}


def test_no_data_is_shown_with_its_reason_not_counted_and_not_news(make: Any) -> None:
    tl = make()
    tl.at(0, c("win_rate", "MOM", True))
    tl.at(1, c("win_rate", "MOM", None, message="Not evaluated: 3 closed trades < 10"))
    (a,) = tl.alerts()
    assert (a["state"], a["message"]) == ("no_data", "Not evaluated: 3 closed trades < 10")
    assert tl.firing() == {}  # not counted by the verdict
    tl.at(2, c("win_rate", "MOM", True))
    assert tl.firing() == {"MOM": [("win_rate", "warning", "win_rate on MOM: true")]}
    tl.expect(0, 2, [("MOM", "hook", IMM, "[stratmon] WARNING FIRING: win_rate on MOM")])


def test_stale_data_inhibits_performance_not_risk(make: Any) -> None:
    tl = make()
    tl.at(0, c("stale_data", "MOM", True), c("psr", "MOM", True), c("concentration", "MOM", True))
    tl.expect(
        0,
        0,
        [
            (
                "MOM",
                "hook",
                IMM,
                "[stratmon] WARNING MOM: 2 changes (stale_data FIRING, concentration FIRING)",
            )
        ],
    )
    assert sorted(a["concern"] for a in tl.alerts()) == ["data", "performance", "risk"]
    perf = next(a for a in tl.alerts() if a["concern"] == "performance")
    assert [x["action"] for x in perf["actions_taken"]] == ["suppressed"]


def test_milestone_is_an_event_notified_once(make: Any) -> None:
    tl = make()
    for t in range(5):
        tl.at(t, c("profitable", "MOM", True, tier="info", value=0.05, threshold=0.0))
        assert tl.firing() == {} and tl.alerts() == []
    tl.expect(0, 4, [("MOM", "hook", IMM, "[stratmon] INFO MILESTONE: profitable on MOM")])


def test_recipients_by_role_and_frequency(make: Any) -> None:
    chans = {n: {"url": f"json://127.0.0.1:9/{n}"} for n in ("pm", "risk", "exec", "ops")}
    tl = make(
        {
            "channels": chans,
            "routes": [],
            "roles": {
                "pm": {"channels": ["pm"], "weekly_summary": False},
                "risk_manager": {"channels": ["risk"], "weekly_summary": False},
                "executive": {"channels": ["exec"], "weekly_summary": False},
                "data_operations": {"channels": ["ops"], "weekly_summary": False},
            },
        }
    )
    tl.at(0, c("underperformance", "MOM", True))  # warning: daily digest for PM and risk
    tl.at(1, c("drawdown_tiers", "MOM", True, severity="emergency"))  # + executive, at once
    tl.at(2, c("stale_data", "MOM", True, severity="critical"))  # data ops and PM, at once
    got = tl.notifications(0, 2)
    assert got == [
        ("MOM", "pm", "digest:2024-01-01", "[stratmon] WARNING FIRING: underperformance on MOM"),
        ("MOM", "risk", "digest:2024-01-01", "[stratmon] WARNING FIRING: underperformance on MOM"),
        ("MOM", "pm", IMM, "[stratmon] EMERGENCY FIRING: drawdown_tiers on MOM"),
        ("MOM", "risk", IMM, "[stratmon] EMERGENCY FIRING: drawdown_tiers on MOM"),
        ("MOM", "exec", IMM, "[stratmon] EMERGENCY FIRING: drawdown_tiers on MOM"),
        ("MOM", "ops", IMM, "[stratmon] CRITICAL FIRING: stale_data on MOM"),
        ("MOM", "pm", IMM, "[stratmon] CRITICAL FIRING: stale_data on MOM"),
    ]
