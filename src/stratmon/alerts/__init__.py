"""Alerts: configuration, rules, the hysteresis state machine, the processor (store + outbox),
delivery through apprise, actions (acknowledge, resolve, silence) and the JSON-lines log."""

from stratmon.alerts.conditions import AlertInputs, apply_rule_settings, build_conditions
from stratmon.alerts.config import (
    CATEGORIES,
    RULE_NAMES,
    TIERS,
    AlertConfig,
    AlertConfigError,
    AlertRuleConfig,
    ChannelConfig,
    DrawdownRuleConfig,
    RouteConfig,
    UnderperformanceRuleConfig,
    WinRateRuleConfig,
    alert_config_from_dict,
)
from stratmon.alerts.log import append_events, event_to_json, read_events
from stratmon.alerts.rules import (
    Condition,
    Identity,
    RuleContext,
    drawdown_condition,
    evaluate_rules,
    expected_window_return,
    underperformance_condition,
    win_rate_condition,
)
from stratmon.alerts.state import ALERT_STATES, AlertEvent, AlertState, step, step_all

__all__ = [
    "ALERT_STATES",
    "CATEGORIES",
    "RULE_NAMES",
    "TIERS",
    "AlertConfig",
    "AlertConfigError",
    "AlertEvent",
    "AlertInputs",
    "AlertRuleConfig",
    "AlertState",
    "ChannelConfig",
    "Condition",
    "DrawdownRuleConfig",
    "Identity",
    "RouteConfig",
    "RuleContext",
    "UnderperformanceRuleConfig",
    "WinRateRuleConfig",
    "alert_config_from_dict",
    "append_events",
    "apply_rule_settings",
    "build_conditions",
    "drawdown_condition",
    "evaluate_rules",
    "event_to_json",
    "expected_window_return",
    "read_events",
    "step",
    "step_all",
    "underperformance_condition",
    "win_rate_condition",
]
