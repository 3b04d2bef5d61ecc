"""Concern alerts: one per strategy and concern, worst severity, evidence of every rule;
recipients by role and their frequencies."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from stratmon.alerts.config import alert_config_from_dict
from stratmon.alerts.grouping import concern_alert, group_current, group_history
from stratmon.alerts.processor import role_targets
from stratmon.alerts.roles import frequency_for, recipients

D = dt.date(2024, 3, 1)


def part(i: int, rule: str, state: str, sev: str, **kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": i,
        "rule": rule,
        "strategy_id": kw.pop("sid", "MOM"),
        "tier": "warning",
        "state": state,
        "severity": sev,
        "started_at": D,
        "fired_at": D if state in ("firing", "resolved") else None,
        "resolved_at": None,
        "last_value": -0.1,
        "threshold": -0.05,
        "message": f"{rule} message",
        "metrics": None,
        "metrics_window": "",
    }
    base.update(kw)
    return base


def test_four_performance_rules_are_one_alert_at_the_worst_severity() -> None:
    rows = [
        part(1, "underperformance", "firing", "warning"),
        part(2, "relative_sharpe", "firing", "critical", metrics='{"live_sharpe": 0.2}'),
        part(3, "psr", "pending", "emergency"),  # not firing: does not set the severity
        part(4, "drawdown_tiers", "firing", "warning"),
        part(5, "profitable", "reached", "info"),  # a milestone: an event, not open
        part(6, "volatility", "no_data", "warning", message="Not evaluated: 3 sessions < 20"),
    ]
    out = group_current(rows)
    assert [(a["concern"], a["state"], a["severity"], a["rules"]) for a in out] == [
        ("performance", "firing", "critical", ["psr", "relative_sharpe", "underperformance"]),
        ("drawdown", "firing", "warning", ["drawdown_tiers"]),
        ("risk", "no_data", "warning", ["volatility"]),
    ]
    perf = out[0]
    assert perf["id"] == 1 and perf["message"] == "relative_sharpe message"
    assert perf["metrics"]["relative_sharpe"] == {
        "live_sharpe": 0.2,
        "value": -0.1,
        "threshold": -0.05,
    }
    assert [t["rule"] for t in perf["triggered_by"]] == [
        "underperformance",
        "relative_sharpe",
        "psr",
    ]
    assert perf["triggered_by"][1]["component"].endswith("relative_sharpe_condition")
    assert out[2]["message"] == "Not evaluated: 3 sessions < 20"


def test_resolved_at_only_when_no_part_is_open() -> None:
    a = concern_alert(
        [
            part(1, "underperformance", "resolved", "warning", resolved_at=D),
            part(2, "psr", "firing", "warning"),
        ]
    )
    assert (a["state"], a["resolved_at"]) == ("firing", None)
    b = concern_alert(
        [
            part(1, "underperformance", "resolved", "warning", resolved_at=D),
            part(2, "psr", "resolved", "critical", resolved_at=D + dt.timedelta(days=3)),
        ]
    )
    assert (b["state"], b["severity"], b["resolved_at"]) == ("resolved", "critical", "2024-03-04")
    with pytest.raises(ValueError, match="one concern alert per strategy"):
        concern_alert([part(1, "psr", "firing", "warning"), part(2, "drawdown", "firing", "x")])


def test_history_merges_overlapping_episodes_only() -> None:
    day = dt.timedelta(days=1)
    rows = [
        part(1, "underperformance", "resolved", "warning", resolved_at=D + 5 * day),
        part(2, "psr", "resolved", "warning", started_at=D + 3 * day, resolved_at=D + 9 * day),
        # starts after the first episode ended: a new concern alert
        part(3, "relative_return", "firing", "critical", started_at=D + 20 * day),
        part(4, "drawdown", "inactive", "warning"),  # never true: nothing to tell
    ]
    hist = group_history(rows)
    assert [(a["id"], a["rules"], a["state"], a["resolved_at"]) for a in hist] == [
        (1, ["psr", "underperformance"], "resolved", "2024-03-10"),
        (3, ["relative_return"], "firing", None),
    ]
    assert [a["id"] for a in group_history(rows, since=D + 10 * day)] == [3]


def test_recipients_by_alert_type() -> None:
    assert recipients("underperformance", "warning") == ("pm", "researcher", "risk_manager")
    assert recipients("drawdown_tiers", "critical") == ("pm", "risk_manager")
    assert recipients("drawdown_tiers", "emergency") == ("pm", "risk_manager", "executive")
    assert recipients("concentration", "warning") == ("risk_manager", "pm")
    assert recipients("profitable", "info") == ("pm", "researcher")
    assert recipients("stale_data", "critical") == ("data_operations", "pm")
    assert [frequency_for(s) for s in ("info", "warning", "critical", "emergency")] == [
        "weekly",
        "daily",
        "immediate",
        "immediate",
    ]
    assert frequency_for("info", "immediate") == "immediate"


def test_role_channels_and_frequencies() -> None:
    config = alert_config_from_dict(
        {
            "channels": {
                "pm_mail": {"url": "json://127.0.0.1:9/pm"},
                "exec_sms": {"url": "json://127.0.0.1:9/x"},
                "risk": {"url": "json://127.0.0.1:9/r", "send_resolved": False},
            },
            "roles": {
                "pm": {"channels": ["pm_mail"]},
                "executive": {"channels": ["exec_sms"], "weekly_summary": False},
                "risk_manager": {"channels": ["risk"], "frequency": "immediate"},
            },
        }
    )
    t = role_targets(config, rule="drawdown_tiers", severity="warning", kind="firing")
    assert t == [
        ("pm_mail", "digest", "daily"),
        ("pm_mail", "digest", "weekly"),
        ("risk", "immediate", ""),
        ("risk", "digest", "weekly"),
    ]
    t = role_targets(config, rule="drawdown_tiers", severity="emergency", kind="resolved")
    assert t == [
        ("pm_mail", "immediate", ""),
        ("pm_mail", "digest", "weekly"),
        ("exec_sms", "immediate", ""),
    ]
    got = group_current([part(1, "drawdown_tiers", "firing", "emergency")], config=config)
    assert got[0]["recipients"] == [
        {"role": "pm", "frequency": "immediate", "channels": ["pm_mail"]},
        {"role": "risk_manager", "frequency": "immediate", "channels": ["risk"]},
        {"role": "executive", "frequency": "immediate", "channels": ["exec_sms"]},
    ]


def test_unknown_role_or_channel_is_a_config_error() -> None:
    from stratmon.alerts.config import AlertConfigError

    with pytest.raises(AlertConfigError, match="unknown role"):
        alert_config_from_dict({"roles": {"cfo": {"channels": []}}})
    with pytest.raises(AlertConfigError, match=r"which alerts\.channels lacks"):
        alert_config_from_dict({"roles": {"pm": {"channels": ["nope"]}}})
    with pytest.raises(AlertConfigError, match="frequency"):
        alert_config_from_dict({"roles": {"pm": {"frequency": "hourly"}}})
