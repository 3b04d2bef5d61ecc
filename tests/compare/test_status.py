"""Live vs backtest status: hand-computed cases, boundaries, sign handling, properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stratmon.compare.status import (
    ComparisonThresholds,
    MetricComparison,
    compare_metric,
    compare_metrics,
    deviation,
    overall_status,
)
from stratmon.errors import ConfigError

EXACT = ComparisonThresholds(underperform_ratio=0.75, outperform_ratio=1.25)


def cmp(metric: str, live: float, bt: float, n_obs: int = 60, n_trades: int = 50, **kw: object):
    return compare_metric(metric, live, bt, n_obs=n_obs, n_trades=n_trades, **kw)  # type: ignore[arg-type]


def test_sharpe_below_0_7_backtest_is_underperforming() -> None:
    c = cmp("sharpe_ratio", 1.0, 1.5)
    assert c.status == "underperforming"
    assert c.deviation == pytest.approx(-1 / 3)
    assert c.higher_is_better
    assert c.live == 1.0 and c.backtest == 1.5


@pytest.mark.parametrize(
    ("live", "status"),
    [(1.1, "on_track"), (1.5, "on_track"), (1.9, "on_track"), (2.0, "outperforming")],
)
def test_sharpe_default_band(live: float, status: str) -> None:
    # backtest 1.5: band [1.05, 1.95]
    assert cmp("sharpe_ratio", live, 1.5).status == status


@pytest.mark.parametrize(
    ("live", "status"),
    [
        (1.5, "on_track"),  # exactly 0.75 x 2.0: boundary belongs to on_track
        (1.4999, "underperforming"),
        (2.5, "on_track"),  # exactly 1.25 x 2.0
        (2.5001, "outperforming"),
    ],
)
def test_band_boundaries_exact(live: float, status: str) -> None:
    assert cmp("cagr", live, 2.0, thresholds=EXACT).status == status


@pytest.mark.parametrize(
    ("live", "status"),
    [
        (-0.7, "underperforming"),  # below -0.5 - 0.3*0.5 = -0.65
        (-0.6, "on_track"),
        (-0.4, "on_track"),
        (-0.3, "outperforming"),  # above -0.5 + 0.15 = -0.35
        (0.2, "outperforming"),
    ],
)
def test_negative_backtest_sharpe_is_sign_aware(live: float, status: str) -> None:
    c = cmp("sharpe_ratio", live, -0.5)
    assert c.status == status
    # deviation relative to |backtest|: positive means better than the backtest
    assert c.deviation == pytest.approx((live + 0.5) / 0.5)


@pytest.mark.parametrize(
    ("live", "status"),
    [(0.14, "underperforming"), (0.12, "on_track"), (0.08, "on_track"), (0.06, "outperforming")],
)
def test_volatility_lower_is_better(live: float, status: str) -> None:
    c = cmp("annual_volatility", live, 0.10)
    assert c.status == status
    assert not c.higher_is_better


@pytest.mark.parametrize(
    ("live", "status"),
    [
        (-0.31, "alert"),  # deeper than 1.5 x -0.20 = -0.30
        (-0.29, "underperforming"),  # deeper than 1.3 x = -0.26
        (-0.25, "on_track"),
        (-0.05, "on_track"),  # a shallower drawdown is never "outperforming"
        (0.0, "on_track"),
    ],
)
def test_max_drawdown_rule(live: float, status: str) -> None:
    assert cmp("max_drawdown", live, -0.20).status == status


def test_drawdown_alert_needs_no_minimum_history() -> None:
    c = cmp("max_drawdown", -0.40, -0.20, n_obs=3, n_trades=0)
    assert c.status == "alert"
    assert cmp("max_drawdown", -0.40, -0.20, n_obs=0).status == "insufficient_data"


@pytest.mark.parametrize("metric", ["cagr", "sharpe_ratio", "sortino_ratio", "annual_volatility"])
def test_minimum_30_trading_days(metric: str) -> None:
    assert cmp(metric, 0.0, 1.0, n_obs=29).status == "insufficient_data"
    assert cmp(metric, 1.0, 1.0, n_obs=30).status == "on_track"


@pytest.mark.parametrize("metric", ["win_rate", "profit_factor"])
def test_minimum_10_closed_trades(metric: str) -> None:
    c = cmp(metric, 0.1, 0.6, n_trades=9)
    assert c.status == "insufficient_data"
    assert "9 closed trades" in c.reason
    assert cmp(metric, 0.1, 0.6, n_trades=10).status == "underperforming"


def test_missing_or_nan_values_are_insufficient() -> None:
    out = compare_metrics({"sharpe_ratio": math.nan}, {"sharpe_ratio": 1.0}, n_obs=100, n_trades=0)
    by = {c.metric: c for c in out}
    assert by["sharpe_ratio"].status == "insufficient_data"
    assert by["cagr"].status == "insufficient_data"  # absent from both mappings
    assert math.isnan(by["cagr"].live)
    assert cmp("cagr", 0.1, math.nan).status == "insufficient_data"


def test_profit_factor_infinite_values() -> None:
    assert cmp("profit_factor", math.inf, 1.8).status == "outperforming"
    c = cmp("profit_factor", 2.0, math.inf)  # a backtest without a losing trade
    assert c.status == "insufficient_data" and "infinite" in c.reason
    assert math.isnan(c.deviation)


def test_deviation_definition() -> None:
    assert deviation(0.12, 0.10) == pytest.approx(0.2)
    assert deviation(-0.3, -0.2) == pytest.approx(-0.5)
    assert math.isnan(deviation(0.1, 0.0))
    assert math.isnan(deviation(0.1, math.nan))
    assert math.isnan(deviation(math.nan, 0.1))


def test_zero_backtest_has_empty_band() -> None:
    assert cmp("sharpe_ratio", -0.01, 0.0).status == "underperforming"
    assert cmp("sharpe_ratio", 0.0, 0.0).status == "on_track"
    assert cmp("sharpe_ratio", 0.01, 0.0).status == "outperforming"


def test_compare_metrics_default_set_and_order() -> None:
    live = {
        "cagr": 0.12,
        "sharpe_ratio": 1.2,
        "sortino_ratio": 1.8,
        "annual_volatility": 0.11,
        "max_drawdown": -0.08,
        "win_rate": 0.52,
        "profit_factor": 1.5,
    }
    bt = {
        "cagr": 0.15,
        "sharpe_ratio": 1.4,
        "sortino_ratio": 2.0,
        "annual_volatility": 0.10,
        "max_drawdown": -0.12,
        "win_rate": 0.55,
        "profit_factor": 1.6,
    }
    out = compare_metrics(live, bt, n_obs=90, n_trades=40)
    assert [c.metric for c in out] == [
        "cagr",
        "sharpe_ratio",
        "sortino_ratio",
        "annual_volatility",
        "max_drawdown",
        "win_rate",
        "profit_factor",
    ]
    assert {c.status for c in out} == {"on_track"}
    assert overall_status(out) == "on_track"
    assert out[0].deviation == pytest.approx(-0.2)


def _c(metric: str, status: str) -> MetricComparison:
    return MetricComparison(metric, 0.0, 1.0, -1.0, status, True)  # type: ignore[arg-type]


def test_overall_status_precedence() -> None:
    base = [_c("sharpe_ratio", "on_track"), _c("cagr", "on_track")]
    assert overall_status(base) == "on_track"
    assert overall_status([*base, _c("win_rate", "underperforming")]) == "underperforming"
    assert (
        overall_status([*base, _c("win_rate", "underperforming"), _c("max_drawdown", "alert")])
        == "alert"
    )
    key_insufficient = [
        _c("sharpe_ratio", "insufficient_data"),
        _c("cagr", "insufficient_data"),
        _c("win_rate", "on_track"),
    ]
    assert overall_status(key_insufficient) == "insufficient_data"
    # an early drawdown alert is never hidden behind insufficient data
    assert overall_status([*key_insufficient, _c("max_drawdown", "alert")]) == "alert"
    assert (
        overall_status([_c("sharpe_ratio", "outperforming"), _c("cagr", "outperforming")])
        == "outperforming"
    )
    assert (
        overall_status([_c("sharpe_ratio", "outperforming"), _c("cagr", "on_track")]) == "on_track"
    )
    assert (
        overall_status([_c("sharpe_ratio", "outperforming"), _c("cagr", "insufficient_data")])
        == "outperforming"
    )
    assert overall_status([]) == "insufficient_data"


def test_overall_status_from_real_comparison_early_days() -> None:
    out = compare_metrics(
        {"sharpe_ratio": 3.0, "cagr": 0.5, "max_drawdown": -0.02},
        {"sharpe_ratio": 1.0, "cagr": 0.1, "max_drawdown": -0.1},
        n_obs=12,
        n_trades=3,
    )
    assert overall_status(out) == "insufficient_data"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"underperform_ratio": 0.0},
        {"underperform_ratio": 1.2},
        {"outperform_ratio": 0.9},
        {"drawdown_alert_ratio": 0.5},
        {"min_obs": 0},
        {"min_trades": 0},
    ],
)
def test_threshold_validation(kwargs: dict[str, float]) -> None:
    with pytest.raises(ConfigError):
        ComparisonThresholds(**kwargs)  # type: ignore[arg-type]


_RANK = {"underperforming": 0, "on_track": 1, "outperforming": 2}
finite = st.floats(min_value=-50, max_value=50, allow_nan=False)


@given(bt=finite, a=finite, b=finite)
def test_status_monotone_in_live_value(bt: float, a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    s_lo = cmp("sharpe_ratio", lo, bt).status
    s_hi = cmp("sharpe_ratio", hi, bt).status
    assert _RANK[s_lo] <= _RANK[s_hi]
    v_lo = cmp("annual_volatility", lo, bt).status
    v_hi = cmp("annual_volatility", hi, bt).status
    assert _RANK[v_lo] >= _RANK[v_hi]


@given(bt=st.floats(min_value=-1, max_value=0, allow_nan=False), a=finite, b=finite)
def test_drawdown_status_monotone(bt: float, a: float, b: float) -> None:
    order = {"alert": 0, "underperforming": 1, "on_track": 2}
    lo, hi = sorted((a, b))
    assert order[cmp("max_drawdown", lo, bt).status] <= order[cmp("max_drawdown", hi, bt).status]


# --- the significance-gated status (compare.status_judgement) reduces to the bands -----------

key_and_drawdown = ("sharpe_ratio", "cagr", "max_drawdown")


@given(
    sharpe=finite,
    cagr=st.floats(-1, 1, allow_nan=False),
    mdd=st.floats(-1, 0, allow_nan=False),
    n_obs=st.integers(30, 2000),
)
def test_overwhelming_evidence_gives_the_band_status(
    sharpe: float, cagr: float, mdd: float, n_obs: int
) -> None:
    from stratmon.compare.status_judgement import WindowEvidence, memoryless_status

    comps = compare_metrics(
        {"sharpe_ratio": sharpe, "cagr": cagr, "max_drawdown": mdd},
        {"sharpe_ratio": 0.8, "cagr": 0.08, "max_drawdown": -0.2},
        n_obs=n_obs,
        n_trades=0,
        metrics=key_and_drawdown,
    )
    by = {c.metric: c.status for c in comps}

    def p_below(metric: str) -> float:  # "certain" evidence in the band's direction
        return 1.0 if by[metric] == "outperforming" else 0.0

    ev = WindowEvidence("live to date", n_obs, comps, p_below("sharpe_ratio"), p_below("cagr"), 0.0)
    assert memoryless_status(ev).status == overall_status(comps)
