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

# the hand-computed gate cases below are at the 1 % level (the defaults are stricter:
# test_default_levels_are_the_benchmarked_ones)
CFG = alert_config_from_dict(
    {r: {"significance": 0.01} for r in ("underperformance", "drawdown", "win_rate")}
)
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
    # significance-gate figures: window mean -0.5 %/day, sd 1 %, against a backtest mean
    # 0.05 % (its length unknown: a known mean) over 30 sessions: Welch t = -0.0055 /
    # (0.01 / sqrt(30)) = -3.0125 with 29 df, p = 0.00267
    window_mean_return=-0.005,
    window_volatility=0.01,
    backtest_mean_return=0.0005,
    backtest_daily_volatility=0.01,
    live_sessions=250,
    drawdown_probability=0.001,
)
# the parameter boundaries alone: every significance test switched off (level 1)
NOGATE = alert_config_from_dict(
    {r: {"significance": 1.0} for r in ("underperformance", "drawdown", "win_rate")}
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
        "expectation of 1.5 % (alert below 1.2 %): significant over the last 30 sessions "
        "(p = 0.003 < 0.01)."
    )
    assert c.window == "30 sessions"
    assert c.metrics["window_return"] == -0.021
    assert c.metrics["expected_window_return"] == 0.015
    assert c.metrics["p_value"] == pytest.approx(0.0026653, abs=1e-6)
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
        "(alert beyond -15.0 %): significant over the live record (250 sessions) "
        "(p = 0.001 < 0.01)."
    )
    assert c.window == "live record" and c.metrics["p_value"] == 0.001
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
    c = win_rate_condition(dataclasses.replace(CTX, live_win_rate=wr, live_n_trades=20), NOGATE)
    assert c.active is active


def test_win_rate_needs_min_trades() -> None:
    c = win_rate_condition(dataclasses.replace(CTX, live_win_rate=0.0, live_n_trades=9), CFG)
    assert c.active is None and "9 closed trades < 10" in c.message
    c = win_rate_condition(dataclasses.replace(CTX, live_win_rate=0.0, live_n_trades=10), CFG)
    assert c.active is True  # 0 wins of 10 at 55 %: p = 0.45^10 = 0.00034
    assert "55.0 points below the backtest's 55.0 %" in c.message
    assert c.metrics["p_value"] == pytest.approx(0.45**10)


def test_thresholds_come_from_config() -> None:
    cfg = alert_config_from_dict(
        {
            "underperformance": {"threshold": 0.5, "window": 10},
            "drawdown": {"fraction_of_backtest": 1.0},
            "win_rate": {"points_below": 0.05, "min_trades": 5, "significance": 1.0},
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


# ------------------------------------------------------------------ significance gates
# Hand-computed p-values (scipy only to evaluate Phi / the binomial cdf at the boundary).


@pytest.mark.parametrize(
    ("mean", "active"),
    [
        # t = (m - 0.0005) / (0.01 / sqrt(30)), 29 df; the 1 % one-sided boundary is
        # t = -2.4620 -> m = 0.0005 - 2.4620 * 0.0018257 = -0.0039950
        (-0.00398, False),  # p = 0.01019
        (-0.00401, True),  # p = 0.00981
        (0.0, False),
    ],
)
def test_underperformance_fires_only_when_significant(mean: float, active: bool) -> None:
    ctx = dataclasses.replace(
        CTX, window_return=-0.05, expected_window_return=0.015, window_mean_return=mean
    )
    c = underperformance_condition(ctx, CFG)
    assert c.active is active
    if not active:
        assert "not significant over the last 30 sessions" in c.message
    # the parameter condition still decides when the gate is off
    assert underperformance_condition(ctx, NOGATE).active is True


def test_underperformance_without_a_backtest_volatility_is_not_evaluated() -> None:
    ctx = dataclasses.replace(CTX, window_return=-0.05, backtest_daily_volatility=math.nan)
    c = underperformance_condition(ctx, CFG)
    assert c.active is None and "no significance test" in c.message
    assert underperformance_condition(ctx, NOGATE).active is True


@pytest.mark.parametrize(("p", "active"), [(0.0099, True), (0.01, False), (0.5, False)])
def test_drawdown_gate_at_the_level(p: float, active: bool) -> None:
    ctx = dataclasses.replace(CTX, current_drawdown=-0.18, drawdown_probability=p)
    assert drawdown_condition(ctx, CFG).active is active
    unknown = drawdown_condition(dataclasses.replace(ctx, drawdown_probability=math.nan), CFG)
    assert unknown.active is None and "probability under the backtest is unknown" in unknown.message


@pytest.mark.parametrize(
    ("wins", "n", "active"),
    [
        # backtest 55 %: binom.cdf(k, 30, 0.55) = 0.00501 at k = 9 and 0.01384 at k = 10
        (9, 30, True),
        (10, 30, False),
        (3, 10, False),  # 30 %: 25 points below but p = 0.102 over 10 trades
        (1, 10, True),  # p = 0.0045
    ],
)
def test_win_rate_gate_binomial(wins: int, n: int, active: bool) -> None:
    from scipy import stats

    ctx = dataclasses.replace(CTX, live_win_rate=wins / n, live_n_trades=n)
    c = win_rate_condition(ctx, CFG)
    assert c.active is active
    assert c.metrics["p_value"] == pytest.approx(stats.binom.cdf(wins, n, 0.55))


def test_default_levels_are_the_benchmarked_ones() -> None:
    d = AlertConfig()
    assert d.underperformance.significance == 0.001
    assert d.drawdown.significance == 0.001
    assert d.win_rate.significance == 0.002
    # the specification's parameters are kept
    assert (d.underperformance.threshold, d.drawdown.fraction_of_backtest) == (0.20, 0.75)
    assert d.win_rate.points_below == 0.15


def test_significance_out_of_range_is_refused() -> None:
    with pytest.raises(Exception, match=r"alerts\.underperformance\.significance"):
        alert_config_from_dict({"underperformance": {"significance": 0.0}})
    with pytest.raises(Exception, match=r"alerts\.volatility\.significance"):
        alert_config_from_dict({"volatility": {"significance": 1.5}})
