"""Alert configuration: defaults, the stratmon.toml table, validation errors."""

from __future__ import annotations

import tomllib

import pytest

from stratmon.alerts import AlertConfig, AlertConfigError, alert_config_from_dict
from stratmon.errors import ConfigError, StratmonError


def test_defaults_match_the_issue() -> None:
    c = AlertConfig()
    assert c.underperformance.window == 30
    assert c.underperformance.threshold == 0.20
    assert c.drawdown.fraction_of_backtest == 0.75
    assert c.win_rate.points_below == 0.15
    assert c.win_rate.min_trades == 10
    assert c.win_rate.window_sessions == 30
    assert c.win_rate.window_trades is None
    assert (c.for_evaluations, c.clear_evaluations) == (2, 3)
    assert c.hysteresis("drawdown") == (2, 3)
    assert alert_config_from_dict(None) == c
    assert alert_config_from_dict({}) == c


def test_from_toml_text() -> None:
    text = """
    log = "logs/alerts.jsonl"
    for_evaluations = 3
    clear_evaluations = 5

    [underperformance]
    window = 60
    threshold = 0.25
    tier = "critical"

    [drawdown]
    fraction_of_backtest = 1
    for_evaluations = 1

    [win_rate]
    points_below = 0.1
    window_trades = 40
    min_trades = 20
    enabled = false
    """
    c = alert_config_from_dict(tomllib.loads(text))
    assert c.log == "logs/alerts.jsonl"
    assert c.underperformance.window == 60
    assert c.underperformance.tier == "critical"
    assert c.drawdown.fraction_of_backtest == 1.0
    assert isinstance(c.drawdown.fraction_of_backtest, float)
    assert c.hysteresis("drawdown") == (1, 5)  # per-rule override of N, global M
    assert c.hysteresis("underperformance") == (3, 5)
    assert c.hysteresis("some_future_rule") == (3, 5)
    assert c.win_rate.enabled is False
    assert c.win_rate.window_trades == 40


def test_accepts_the_workspace_default_alerts_table() -> None:
    config = pytest.importorskip("stratmon.config")
    c = alert_config_from_dict(config.DEFAULT_CONFIG["alerts"])
    assert c == AlertConfig(log=config.DEFAULT_CONFIG["alerts"]["log"])


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ({"underperformance": {"windw": 30}}, "alerts.underperformance: unknown key 'windw'"),
        ({"colour": "red"}, "alerts: unknown key 'colour'"),
        (
            {"underperformance": {"window": "30"}},
            "alerts.underperformance.window must be an integer",
        ),
        ({"underperformance": {"window": 30.0}}, "must be an integer"),
        ({"drawdown": {"enabled": 1}}, "alerts.drawdown.enabled must be true or false"),
        ({"drawdown": {"fraction_of_backtest": True}}, "must be a number"),
        ({"win_rate": {"tier": "urgent"}}, "alerts.win_rate.tier must be one of"),
        (
            {"underperformance": {"threshold": -0.1}},
            "alerts.underperformance.threshold must be > 0",
        ),
        ({"underperformance": {"threshold": float("nan")}}, "threshold must be > 0"),
        ({"underperformance": {"window": 0}}, "window must be >= 1"),
        ({"drawdown": {"fraction_of_backtest": 0}}, "fraction_of_backtest must be > 0"),
        ({"win_rate": {"points_below": 15}}, "points_below must be in (0, 1)"),
        ({"win_rate": {"min_trades": 0}}, "min_trades must be >= 1"),
        ({"win_rate": {"window_trades": 5}}, "window_trades >= min_trades (10)"),
        ({"for_evaluations": 0}, "alerts.for_evaluations must be >= 1"),
        ({"clear_evaluations": -2}, "alerts.clear_evaluations must be >= 1"),
        ({"drawdown": {"clear_evaluations": 0}}, "alerts.drawdown.clear_evaluations must be >= 1"),
        ({"drawdown": 0.75}, "alerts.drawdown must be a table"),
        ({"log": 3}, "alerts.log must be a string"),
    ],
)
def test_validation_errors(table: dict[str, object], fragment: str) -> None:
    with pytest.raises(AlertConfigError) as info:
        alert_config_from_dict(table)
    assert fragment in str(info.value)
    assert isinstance(info.value, ConfigError) and isinstance(info.value, StratmonError)
    assert "stratmon.toml" in str(info.value)


def test_all_problems_are_listed_at_once() -> None:
    with pytest.raises(AlertConfigError) as info:
        alert_config_from_dict(
            {
                "for_evaluations": 0,
                "underperformance": {"threshold": -1.0},
                "win_rate": {"bogus": 1},
            }
        )
    assert len(info.value.problems) == 3


def test_direct_construction_validates_too() -> None:
    from stratmon.alerts import UnderperformanceRuleConfig

    with pytest.raises(ConfigError):
        UnderperformanceRuleConfig(threshold=0.0)
    with pytest.raises(ConfigError):
        AlertConfig(clear_evaluations=0)
