"""The rule registry: complete against RULE_CONCERNS and the config, one entry per rule."""

from __future__ import annotations

import typing

import pytest

from stratmon.alerts.conditions import AlertInputs, build_conditions
from stratmon.alerts.config import RULE_CLASSES, RULE_NAMES, AlertConfig
from stratmon.alerts.registry import KINDS, ROLES, RULES, rule_spec, rules_of_kind
from stratmon.alerts.rules import RuleContext, evaluate_rules
from stratmon.domain.assessment import RULE_CONCERNS, Concern

CONCERNS = typing.get_args(Concern)


def test_every_rule_of_rule_concerns_has_a_spec_and_vice_versa() -> None:
    assert set(RULES) == set(RULE_CONCERNS)
    assert set(RULES) == set(RULE_NAMES)


def test_spec_concern_matches_the_shared_contract() -> None:
    for name, spec in RULES.items():
        assert spec.name == name
        assert spec.concern == RULE_CONCERNS[name]
        assert spec.concern in CONCERNS
        assert spec.kind in KINDS
        assert spec.config_class is RULE_CLASSES[name]
        assert spec.default_recipients
        assert set(spec.default_recipients) <= set(ROLES)
        assert spec.description.endswith(".")
        assert (spec.condition is None) == (spec.source in ("engine", "ingest"))


def test_kinds_of_the_specification() -> None:
    assert rule_spec("drawdown_tiers").kind == "limit"
    assert rule_spec("value_at_risk").kind == "limit"
    assert rule_spec("concentration").kind == "limit"
    assert rule_spec("underperformance").kind == "judgement"
    assert rule_spec("volatility").kind == "judgement"
    assert rule_spec("profitable").kind == "milestone"
    assert rule_spec("stale_data").kind == "data"
    assert set(rules_of_kind("milestone")) == {
        "profitable",
        "annual_return_target",
        "new_max_drawdown",
    }
    # every milestone/data rule is of the milestone/data concern
    for name in rules_of_kind("milestone"):
        assert RULE_CONCERNS[name] == "milestone"
    for name in rules_of_kind("data"):
        assert RULE_CONCERNS[name] == "data"


def test_default_recipients_of_the_specification() -> None:
    assert rule_spec("underperformance").default_recipients == ("pm", "researcher", "risk_manager")
    assert rule_spec("drawdown_tiers").default_recipients == ("pm", "risk_manager")
    assert rule_spec("concentration").default_recipients == ("risk_manager", "pm")
    assert rule_spec("profitable").default_recipients == ("pm", "researcher")
    assert rule_spec("stale_data").default_recipients == ("data_operations", "pm")
    assert rule_spec("drawdown_tiers").emergency_recipients == ("executive",)


def test_unknown_rule_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="known"):
        rule_spec("no_such_rule")


def test_build_conditions_goes_through_the_registry() -> None:
    import datetime as dt

    inp = AlertInputs(strategy_id="s", as_of=dt.date(2024, 1, 2))
    got = [c.rule for c in build_conditions(inp, AlertConfig())]
    want = [n for n, s in RULES.items() if s.source == "inputs"]
    assert got == want
    off = AlertConfig(psr=RULE_CLASSES["psr"](enabled=False))  # type: ignore[call-arg]
    assert "psr" not in [c.rule for c in build_conditions(inp, off)]
    ctx_rules = [c.rule for c in evaluate_rules(RuleContext(strategy_id="s"))]
    assert ctx_rules == ["underperformance", "drawdown", "win_rate"]
