"""First-form alert rules: thresholds at the boundary, insufficient data, messages."""

from __future__ import annotations

import dataclasses
import math

import pytest

from stratmon.alerts import (
    AlertConfig,
    RuleContext,
    alert_config_from_dict,
    drawdown_condition,
    evaluate_rules,
    expected_window_return,
    underperformance_condition,
    win_rate_condition,
)

CFG = AlertConfig()
CTX = RuleContext(
    strategy_id="mom_1",
    window_sessions=30,
    window_return=0.01,
    expected_window_return=0.02,
    current_drawdown=-0.05,
    backtest_max_drawdown=-0.20,
    live_win_rate=0.50,
    live_n_trades=25,
    backtest_win_rate=0.55,
)


def test_expected_window_return_compounds() -> None:
    assert expected_window_return(0.001, 30) == pytest.approx(1.001**30 - 1)
    assert expected_window_return(0.001, 30) == pytest.approx(0.030439, abs=1e-6)
    assert expected_window_return(0.05, 0) == 0.0
    with pytest.raises(ValueError):
        expected_window_return(0.001, -1)


@pytest.mark.parametrize(
    ("r", "e", "active"),
    [
        (0.08, 0.10, False),  # 20 % below: at the threshold, not "more than"
        (0.0799, 0.10, True),
        (0.09, 0.10, False),
        (-0.05, 0.10, True),
        # a backtest that expected a loss: the level is E - 0.2|E| = -0.06
        (-0.06, -0.05, False),
        (-0.0601, -0.05, True),
        (-0.04, -0.05, False),
        # E = 0: any loss is more than 20 % below
        (-0.0001, 0.0, True),
        (0.0, 0.0, False),
    ],
)
def test_underperformance_boundary(r: float, e: float, active: bool) -> None:
    c = underperformance_condition(
        dataclasses.replace(CTX, window_return=r, expected_window_return=e), CFG
    )
    assert c.active is active
    assert c.value == r
    assert c.threshold == pytest.approx(e - 0.2 * abs(e))


def test_underperformance_needs_a_full_window() -> None:
    c = underperformance_condition(dataclasses.replace(CTX, window_sessions=29), CFG)
    assert c.active is None
    assert "29 of 30 sessions" in c.message
    c = underperformance_condition(dataclasses.replace(CTX, window_return=math.nan), CFG)
    assert c.active is None


def test_underperformance_message_has_percentages() -> None:
    c = underperformance_condition(
        dataclasses.replace(CTX, window_return=-0.021, expected_window_return=0.015), CFG
    )
    assert c.active is True
    assert c.message == (
        "Return over the last 30 sessions is -2.1 %, more than 20 % below the backtest "
        "expectation of 1.5 % (alert below 1.2 %)."
    )
    assert c.rule == "underperformance" and c.strategy_id == "mom_1" and c.tier == "warning"
    assert c.identity == ("underperformance", "mom_1", "warning")


@pytest.mark.parametrize(
    ("dd", "active"),
    [(-0.15, False), (-0.1501, True), (-0.05, False), (0.0, False), (-0.30, True)],
)
def test_drawdown_boundary(dd: float, active: bool) -> None:
    c = drawdown_condition(dataclasses.replace(CTX, current_drawdown=dd), CFG)
    assert c.active is active
    assert c.threshold == pytest.approx(-0.15)


def test_drawdown_message_and_missing_data() -> None:
    c = drawdown_condition(dataclasses.replace(CTX, current_drawdown=-0.181), CFG)
    assert c.message == (
        "Current drawdown -18.1 % is beyond 75 % of the backtest max drawdown -20.0 % "
        "(alert beyond -15.0 %)."
    )
    c = drawdown_condition(dataclasses.replace(CTX, backtest_max_drawdown=math.nan), CFG)
    assert c.active is None and "n/a" in c.message


def test_infinite_inputs_are_not_evaluable() -> None:
    inf = dataclasses.replace(
        CTX,
        expected_window_return=math.inf,
        backtest_max_drawdown=-math.inf,
        backtest_win_rate=math.inf,
    )
    assert [c.active for c in evaluate_rules(inf, CFG)] == [None, None, None]


@pytest.mark.parametrize(
    ("wr", "active"),
    [(8 / 20, False), (0.3999, True), (0.35, True), (0.50, False), (0.70, False)],
)
def test_win_rate_boundary(wr: float, active: bool) -> None:
    # 8/20 = 0.40 is exactly 15 points under 0.55 (floating-point 0.55 - 0.15 != 0.40)
    c = win_rate_condition(dataclasses.replace(CTX, live_win_rate=wr, live_n_trades=20), CFG)
    assert c.active is active


def test_win_rate_needs_min_trades() -> None:
    c = win_rate_condition(dataclasses.replace(CTX, live_win_rate=0.0, live_n_trades=9), CFG)
    assert c.active is None and "9 closed trades < 10" in c.message
    c = win_rate_condition(dataclasses.replace(CTX, live_win_rate=0.0, live_n_trades=10), CFG)
    assert c.active is True
    assert "55.0 points below the backtest's 55.0 %" in c.message


def test_thresholds_come_from_config() -> None:
    cfg = alert_config_from_dict(
        {
            "underperformance": {"threshold": 0.5, "window": 10},
            "drawdown": {"fraction_of_backtest": 1.0},
            "win_rate": {"points_below": 0.05, "min_trades": 5},
        }
    )
    ctx = dataclasses.replace(
        CTX,
        window_sessions=10,
        window_return=0.006,  # 40 % below 0.01: inside a 50 % threshold
        expected_window_return=0.01,
        current_drawdown=-0.19,
        live_win_rate=0.49,  # 6 points below 0.55
        live_n_trades=5,
    )
    by = {c.rule: c for c in evaluate_rules(ctx, cfg)}
    assert by["underperformance"].active is False
    assert by["drawdown"].active is False
    assert by["win_rate"].active is True


def test_evaluate_rules_order_and_disabled_rules() -> None:
    conds = evaluate_rules(CTX, CFG)
    assert [c.rule for c in conds] == ["underperformance", "drawdown", "win_rate"]
    # default context: 0.01 < 0.016 -> underperforming; -5 % drawdown fine; 5 points fine
    assert [c.active for c in conds] == [True, False, False]
    cfg = alert_config_from_dict({"drawdown": {"enabled": False}})
    assert [c.rule for c in evaluate_rules(CTX, cfg)] == ["underperformance", "win_rate"]
    empty = evaluate_rules(RuleContext(strategy_id="new"), CFG)
    assert [c.active for c in empty] == [None, None, None]
