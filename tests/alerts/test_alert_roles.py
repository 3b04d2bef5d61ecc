"""Recipients by role: the specification's table for every rule of the registry, the
executive on emergencies only, and the (channel, frequency) pairs a role is reached by; the
configured routes keep working beside the roles."""

from __future__ import annotations

import pytest

from stratmon.alerts.config import alert_config_from_dict
from stratmon.alerts.processor import route_targets
from stratmon.alerts.registry import RULES
from stratmon.alerts.roles import ROLES, deliveries, recipients

SPEC = {  # the specification's alert type -> recipients, by the registry's concern/kind
    ("performance", "judgement"): ("pm", "researcher", "risk_manager"),
    ("drawdown", "judgement"): ("pm", "risk_manager"),
    ("drawdown", "limit"): ("pm", "risk_manager"),
    ("risk", "limit"): ("risk_manager", "pm"),
    ("milestone", "milestone"): ("pm", "researcher"),
    ("data", "data"): ("data_operations", "pm"),
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_executive_hears_of_emergencies_only(rule: str) -> None:
    below = {recipients(rule, s) for s in ("info", "warning", "critical")}
    assert len(below) == 1  # the same roles below emergency
    (roles,) = below
    assert "executive" not in roles
    assert recipients(rule, "emergency") == (*roles, "executive")
    assert set(recipients(rule, "emergency")) <= set(ROLES)


def test_spec_defaults_per_alert_type() -> None:
    checked = 0
    for name, spec in RULES.items():
        key = (spec.concern, spec.kind)
        if key in SPEC:
            assert recipients(name, "warning") == SPEC[key], name
            checked += 1
    assert checked >= 10  # the table covers most of the registry
    assert recipients("underperformance", "warning") == ("pm", "researcher", "risk_manager")
    assert recipients("drawdown_tiers", "emergency") == ("pm", "risk_manager", "executive")
    assert recipients("stale_data", "critical") == ("data_operations", "pm")


CONFIG = {
    "channels": {
        "desk": {"url": "json://127.0.0.1:9/desk"},
        "pm_mail": {"url": "json://127.0.0.1:9/pm"},
        "pager": {"url": "json://127.0.0.1:9/pager", "send_resolved": False},
    },
    "roles": {
        "pm": {"channels": ["pm_mail"]},
        "risk_manager": {"channels": ["pager", "pm_mail"], "frequency": "immediate"},
        "executive": {"channels": ["pager"], "weekly_summary": False},
    },
}


def test_deliveries_by_severity_and_configured_frequency() -> None:
    config = alert_config_from_dict(CONFIG)
    assert deliveries(("pm", "risk_manager"), "warning", config) == [
        ("pm_mail", "daily"),
        ("pm_mail", "weekly"),
        ("pager", "immediate"),
        ("pager", "weekly"),
        ("pm_mail", "immediate"),
    ]
    assert deliveries(("pm",), "info", config) == [("pm_mail", "weekly")]
    assert deliveries(("pm", "executive"), "emergency", config) == [
        ("pm_mail", "immediate"),
        ("pm_mail", "weekly"),
        ("pager", "immediate"),
    ]
    # researcher and council have no channels configured: reached by none here
    assert deliveries(("researcher", "council"), "critical", config) == []


def test_routes_keep_working_beside_roles() -> None:
    kw = {"rule": "drawdown_tiers", "category": "drawdown", "strategy_id": "MOM", "pool": ""}
    routes_only = alert_config_from_dict(
        {"channels": CONFIG["channels"], "routes": [{"channels": ["desk"]}]}
    )
    assert route_targets(routes_only, severity="warning", kind="firing", **kw) == [
        ("desk", "immediate", "")
    ]
    both = alert_config_from_dict({**CONFIG, "routes": [{"channels": ["desk"]}]})
    assert route_targets(both, severity="critical", kind="firing", **kw) == [
        ("desk", "immediate", ""),
        ("pm_mail", "immediate", ""),
        ("pm_mail", "digest", "weekly"),
        ("pager", "immediate", ""),
        ("pager", "digest", "weekly"),
    ]
    # the pager does not send resolved messages; the executive is not a recipient below
    # emergency, and at emergency only through the pager
    assert route_targets(both, severity="emergency", kind="resolved", **kw) == [
        ("desk", "immediate", ""),
        ("pm_mail", "immediate", ""),
        ("pm_mail", "digest", "weekly"),
    ]
