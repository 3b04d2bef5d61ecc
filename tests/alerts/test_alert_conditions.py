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
GATED = (
    "relative_sharpe",
    "relative_return",
    "volatility",
    "max_drawdown_vs_backtest",
    "statistical_drawdown",
)
# hand-computed gate cases at the 1 % level (the defaults are stricter)
CFG = alert_config_from_dict(
    {**{r: {"significance": 0.01} for r in GATED}, "psr": {"threshold": 0.05}}
)
NOGATE = alert_config_from_dict({r: {"significance": 1.0} for r in GATED})


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
    c = by_rule(inp, NOGATE)  # the parameters alone
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
        statistics={
            "drawdown": {"max_drawdown_95": -0.12, "max_drawdown_99": -0.18},
            "max_drawdown_probability": 0.004,
            "drawdown_probability": 0.002,
        },
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


# ------------------------------------------------------------------ significance gates


def test_relative_sharpe_gate_mertens() -> None:
    # backtest annual Sharpe 2 (per session 2/sqrt(252) = 0.12599), normal moments, known;
    # live -3 over 90 sessions (-0.18898): V = (1 + 0.12599^2 / 2) / 90 = 0.011199,
    # z = -0.31497 / 0.10583 = -2.9763, p = Phi(z) = 0.001459
    bt = {"sharpe_ratio": 2.0, "skew": 0.0, "kurtosis": 0.0}
    inp = AlertInputs(
        "s", AS_OF, metrics={"90": {"n_obs": 90, "sharpe_ratio": -3.0}}, backtest_metrics=bt
    )
    c = by_rule(inp)["relative_sharpe"]
    assert c.active is True
    assert c.metrics["p_value"] == pytest.approx(0.001459, abs=2e-6)
    assert c.window == "90 sessions" and "p = 0.001 < 0.01" in c.message
    # below 0.7 x 2 = 1.4 but not significantly: live 1.0 -> z = -0.063 / 0.1058, p = 0.28
    mild = AlertInputs(
        "s", AS_OF, metrics={"90": {"n_obs": 90, "sharpe_ratio": 1.0}}, backtest_metrics=bt
    )
    c = by_rule(mild)["relative_sharpe"]
    assert c.active is False and "not significant over the last 90 sessions" in c.message
    assert by_rule(mild, NOGATE)["relative_sharpe"].active is True


@pytest.mark.parametrize(
    ("vol", "kurt", "active"),
    [
        # chi-square, nu = 29: P(chi2_29 > 29 * 1.31^2 = 49.77) = 0.00957 < 0.01
        (0.131, 0.0, True),
        (0.130, 0.0, False),  # exactly 1.3 x: not "above"
        # 1.6 x: 29 * 2.56 -> p = 7.8e-6; with excess kurtosis 3 the effective
        # nu = 2 / (2/29 + 3/30) = 11.84 and p = P(chi2_11.84 > 11.84 * 2.56) = 0.0023
        (0.160, 3.0, True),
        # 1.4 x with kurtosis 3: p = 0.024 -> not significant
        (0.140, 3.0, False),
    ],
)
def test_volatility_gate_chi_square(vol: float, kurt: float, active: bool) -> None:
    from scipy import stats

    inp = AlertInputs(
        "s",
        AS_OF,
        metrics={"30": {"n_obs": 30, "annual_volatility": vol}},
        backtest_metrics={"annual_volatility": 0.10, "kurtosis": kurt},
    )
    c = by_rule(inp)["volatility"]
    assert c.active is active
    nu = 2.0 / (2.0 / 29 + kurt / 30)
    assert c.metrics["p_value"] == pytest.approx(stats.chi2.sf(nu * (vol / 0.1) ** 2, nu))


def test_relative_return_gate_on_the_window_mean() -> None:
    # backtest: mean 0.04 %/day (length unknown: known mean), volatility 1 %/day; the
    # 90-session window: mean -0.2 %/day, sd 1 %/day: Welch t = -0.0024 / (0.01 / sqrt(90))
    # = -2.2768 with 89 df, p = 0.01260 >= 0.01
    vol = 0.01 * 252**0.5
    bt = {"cagr": 0.10, "mean_daily_return": 0.0004, "annual_volatility": vol}
    row = {"n_obs": 90, "cagr": -0.3, "mean_daily_return": -0.002, "annual_volatility": vol}
    c = by_rule(AlertInputs("s", AS_OF, metrics={"90": row}, backtest_metrics=bt))
    assert c["relative_return"].active is False
    assert c["relative_return"].metrics["p_value"] == pytest.approx(0.01260, abs=1e-5)
    row = {**row, "mean_daily_return": -0.0021}  # t = -2.3717, p = 0.00993
    c = by_rule(AlertInputs("s", AS_OF, metrics={"90": row}, backtest_metrics=bt))
    assert c["relative_return"].active is True


def test_max_drawdown_gate_and_unknown_probability() -> None:
    m = {"all": {"n_obs": 200, "current_drawdown": -0.16, "max_drawdown": -0.16}}
    bt = {"max_drawdown": -0.10}
    for p, active in ((0.0099, True), (0.01, False), (math.nan, None)):
        inp = AlertInputs(
            "s", AS_OF, metrics=m, statistics={"max_drawdown_probability": p}, backtest_metrics=bt
        )
        assert by_rule(inp)["max_drawdown_vs_backtest"].active is active


def test_concentration_needs_the_days_positions() -> None:
    unknown = AlertInputs("s", AS_OF, nav=np.array([1_000_000.0]), positions=None)
    c = by_rule(unknown)["concentration"]
    assert c.active is None
    assert c.message == "Not evaluated: positions unknown for 2024-06-28 (no snapshot that day)."
    flat = AlertInputs(
        "s", AS_OF, nav=np.array([1_000_000.0]), positions=[{"symbol": "X", "market_value": 0.0}]
    )
    assert by_rule(flat)["concentration"].active is False


def test_statistical_drawdown_gate() -> None:
    m = {"all": {"n_obs": 200, "current_drawdown": -0.13, "max_drawdown": -0.13}}
    tiers = {"max_drawdown_95": -0.12, "max_drawdown_99": -0.18}
    for p, active in ((0.005, True), (0.02, False), (math.nan, None)):
        stats = {"drawdown": tiers, "drawdown_probability": p}
        c = by_rule(AlertInputs("s", AS_OF, metrics=m, statistics=stats))["statistical_drawdown"]
        assert c.active is active
        assert c.severity == ("warning" if active else "")
    stats = {"drawdown": tiers, "drawdown_probability": 0.5}
    c = by_rule(AlertInputs("s", AS_OF, metrics=m, statistics=stats))["statistical_drawdown"]
    assert "beyond the backtest's MaxDD-95 of -12.0 %: not significant" in c.message


def test_statistical_drawdown_says_why_an_undefined_maxdd_is_not_a_tier() -> None:
    # a backtest whose mean is too small for its volatility has no MaxDD-95 (the triple
    # penance depth would be beyond -100 %): not evaluated, and the message says why
    m = {"all": {"n_obs": 200, "current_drawdown": -0.13, "max_drawdown": -0.13}}
    stats = {
        "drawdown": {"max_drawdown_95": math.nan, "max_drawdown_99": math.nan},
        "drawdown_probability": 0.001,
    }
    c = by_rule(AlertInputs("s", AS_OF, metrics=m, statistics=stats))["statistical_drawdown"]
    assert c.active is None
    assert c.message.startswith("Not evaluated: the backtest's MaxDD-95 is undefined")
    assert "beyond -100 %" in c.message
