"""The full rule set on hand-computed inputs."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from stratmon.alerts.conditions import (
    AlertInputs,
    apply_rule_settings,
    build_conditions,
    year_to_date_return,
)
from stratmon.alerts.config import AlertConfig, alert_config_from_dict
from stratmon.alerts.rules import Condition

AS_OF = dt.date(2024, 6, 28)
CFG = AlertConfig()


def by_rule(inp: AlertInputs, config: AlertConfig = CFG) -> dict[str, Condition]:
    return {c.rule: c for c in build_conditions(inp, config)}


def test_relative_rules_and_volatility() -> None:
    inp = AlertInputs(
        "s",
        AS_OF,
        metrics={
            "90": {"n_obs": 90, "sharpe_ratio": 0.69, "cagr": 0.08},
            "30": {"n_obs": 30, "annual_volatility": 0.131},
            "all": {"n_obs": 300},
        },
        backtest_metrics={"sharpe_ratio": 1.0, "cagr": 0.10, "annual_volatility": 0.10},
    )
    c = by_rule(inp)
    assert (c["relative_sharpe"].active, c["relative_sharpe"].threshold) == (True, 0.7)
    assert c["relative_return"].active is False  # 8 % >= 0.7 x 10 % = 7 %
    assert c["relative_return"].threshold == pytest.approx(0.07)
    assert c["volatility"].active is True and c["volatility"].threshold == pytest.approx(0.13)
    few = AlertInputs("s", AS_OF, metrics={"90": {"n_obs": 29, "sharpe_ratio": -1.0}})
    assert by_rule(few)["relative_sharpe"].active is None  # fewer than 30 returns
    neg = AlertInputs(
        "s",
        AS_OF,
        metrics={"90": {"n_obs": 90, "sharpe_ratio": -1.0}},
        backtest_metrics={"sharpe_ratio": -0.2},
    )
    assert by_rule(neg)["relative_sharpe"].active is None  # no positive backtest to compare


def test_drawdown_rules() -> None:
    inp = AlertInputs(
        "s",
        AS_OF,
        metrics={"all": {"n_obs": 200, "current_drawdown": -0.16, "max_drawdown": -0.16}},
        statistics={"drawdown": {"max_drawdown_95": -0.12, "max_drawdown_99": -0.18}},
        backtest_metrics={"max_drawdown": -0.10},
    )
    c = by_rule(inp)
    assert (c["drawdown_tiers"].active, c["drawdown_tiers"].severity) == (True, "critical")
    assert c["drawdown_tiers"].threshold == pytest.approx(-0.15)
    assert (c["statistical_drawdown"].severity, c["statistical_drawdown"].threshold) == (
        "warning",
        -0.12,
    )
    assert c["max_drawdown_vs_backtest"].active is True  # -16 % beyond 1.5 x -10 %
    assert c["new_max_drawdown"].active is True
    override = alert_config_from_dict(
        {"strategies": {"s": {"drawdown_tiers": {"tiers": {"warning": 0.2, "emergency": 0.3}}}}}
    )
    mine = override.for_strategy("s")
    assert mine.drawdown_tiers.tiers == {"warning": 0.2, "emergency": 0.3}
    assert override.for_strategy("other") is override
    assert by_rule(inp, mine)["drawdown_tiers"].active is False


def test_drawdown_duration_counts_calendar_days_since_the_peak() -> None:
    dates = [dt.date(2024, 1, 2), dt.date(2024, 1, 3), dt.date(2024, 4, 5), dt.date(2024, 4, 8)]
    nav = np.array([100.0, 110.0, 105.0, 104.0])
    inp = AlertInputs("s", dates[-1], nav_dates=dates, nav=nav, cash_flow=np.zeros(4))
    c = by_rule(inp)["drawdown_duration"]
    assert c.value == (dt.date(2024, 4, 8) - dt.date(2024, 1, 3)).days == 96
    assert c.active is True
    back = AlertInputs("s", dates[-1], nav_dates=dates, nav=np.array([100, 110, 105, 111.0]))
    assert by_rule(back)["drawdown_duration"].value == 0.0


def test_risk_limits() -> None:
    inp = AlertInputs(
        "s",
        AS_OF,
        metrics={"90": {"n_obs": 90, "value_at_risk_95": -0.031}},
        nav=np.array([1_000_000.0]),
        positions=[
            {"symbol": "AAPL", "market_value": 150_000.0},
            {"symbol": "TSLA", "market_value": -210_000.0},
        ],
        gross_exposure=2_100_000.0,
        margin_used=500_000.0,
    )
    c = by_rule(inp)
    assert c["value_at_risk"].active is True and c["value_at_risk"].threshold == -0.03
    assert c["concentration"].value == pytest.approx(0.21) and c["concentration"].active
    assert "TSLA" in c["concentration"].message
    assert c["gross_exposure"].value == pytest.approx(2.1) and c["gross_exposure"].active
    assert c["utilisation"].value == pytest.approx(0.5) and c["utilisation"].active is False
    none = AlertInputs("s", AS_OF)
    assert by_rule(none)["concentration"].active is None
    assert by_rule(none)["gross_exposure"].active is None


def test_psr_milestones_and_ytd() -> None:
    dates = [dt.date(2023, 12, 29), dt.date(2024, 1, 2), dt.date(2024, 6, 28)]
    nav = np.array([100.0, 104.0, 111.0])
    inp = AlertInputs(
        "s",
        AS_OF,
        metrics={"all": {"n_obs": 60, "total_return": 0.11}},
        statistics={"psr_vs_backtest": 0.04},
        nav_dates=dates,
        nav=nav,
    )
    assert year_to_date_return(inp) == pytest.approx(0.11)
    c = by_rule(inp)
    assert c["psr"].active is True
    assert c["profitable"].active is True and c["profitable"].tier == "info"
    assert c["annual_return_target"].active is True
    half = AlertInputs("s", AS_OF, nav_dates=dates, nav=np.array([100.0, 104.0, 105.0]))
    assert by_rule(half)["annual_return_target"].active is False


def test_data_quality_rules() -> None:
    last = dt.date(2024, 6, 26)
    inp = AlertInputs(
        "s",
        AS_OF,
        nav_dates=[dt.date(2024, 6, 25), last],
        nav=np.array([1.0, 1.0]),
        missing_sessions=2,
        findings=[
            {"kind": "outlier", "date": last, "message": "|PnL| 60 % of NAV"},
            {"kind": "nav_disconnect", "date": dt.date(2024, 6, 25), "message": "old"},
        ],
    )
    c = by_rule(inp)
    assert c["stale_data"].active is True and c["stale_data"].value == 2.0
    assert c["outlier"].active is True and "60 %" in c["outlier"].message
    assert c["nav_disconnect"].active is False  # the finding is not on the latest data day
    ok = AlertInputs("s", AS_OF, nav_dates=[last], nav=np.array([1.0]), missing_sessions=1)
    assert by_rule(ok)["stale_data"].active is False  # one missing session is allowed


def test_apply_rule_settings_retiers_and_drops() -> None:
    decay = Condition("decay", "s", "critical", True, 5.0, 4.0, "m")
    config = alert_config_from_dict(
        {"decay": {"tier": "emergency"}, "win_rate": {"enabled": False}}
    )
    wr = Condition("win_rate", "s", "warning", False, 0.4, 0.45, "m")
    (only,) = apply_rule_settings([decay, wr], config)
    assert only.tier == "emergency" and only.rule == "decay"
    assert math.isnan(by_rule(AlertInputs("s", AS_OF))["psr"].value)
