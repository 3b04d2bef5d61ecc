"""Alerts: rule configuration, first-form rules, the hysteresis state machine, the log."""

from stratmon.alerts.config import (
    RULE_NAMES,
    TIERS,
    AlertConfig,
    AlertConfigError,
    AlertRuleConfig,
    DrawdownRuleConfig,
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
    "RULE_NAMES",
    "TIERS",
    "AlertConfig",
    "AlertConfigError",
    "AlertEvent",
    "AlertRuleConfig",
    "AlertState",
    "Condition",
    "DrawdownRuleConfig",
    "Identity",
    "RuleContext",
    "UnderperformanceRuleConfig",
    "WinRateRuleConfig",
    "alert_config_from_dict",
    "append_events",
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
