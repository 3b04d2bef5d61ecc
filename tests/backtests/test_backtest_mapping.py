"""Metric-name mapping, sign rules and n_trials."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stratmon.backtests import MappingError, map_metrics


def test_default_aliases_and_drawdown_sign() -> None:
    m = map_metrics(
        {
            "sharpe": 1.4,
            "max_dd": 0.18,
            "annual_return": 0.12,
            "volatility": 0.15,
            "win_rate": 0.55,
            "profit_factor": 1.6,
            "val_loss": 0.3,
        },
        params={"n_trials": "25", "lookback": "20"},
    )
    assert m.metrics == {
        "sharpe_ratio": 1.4,
        "max_drawdown": -0.18,
        "cagr": 0.12,
        "annual_volatility": 0.15,
        "win_rate": 0.55,
        "profit_factor": 1.6,
    }
    assert m.n_trials == 25
    assert m.ignored == ("val_loss",)
    assert any("max_dd=0.18 given positive" in n for n in m.notes)


def test_exact_name_beats_alias_and_user_map_beats_both() -> None:
    m = map_metrics({"sharpe": 9.0, "Sharpe_Ratio": 1.1})
    assert m.metrics == {"sharpe_ratio": 1.1}
    assert any("sharpe ignored" in n for n in m.notes)
    u = map_metrics(
        {"sharpe": 9.0, "sharpe_ratio": 1.1, "oos_sr": 0.7}, user_map={"OOS_SR": "sharpe_ratio"}
    )
    assert u.metrics == {"sharpe_ratio": 0.7}
    assert u.ignored == ()


def test_negative_drawdown_kept_and_nan_not_stored() -> None:
    m = map_metrics({"max_drawdown": -0.2, "sortino": math.nan, "worst_day": 0.04})
    assert m.metrics == {"max_drawdown": -0.2, "worst_day": -0.04}
    assert any("sortino is nan" in n for n in m.notes)


@pytest.mark.parametrize(
    ("metrics", "match"),
    [
        ({"win_rate": 55.0}, "win_rate is a fraction"),
        ({"max_dd": 18.0}, "cannot be below -1"),
        ({"value_at_risk_95": -2.0}, "cannot be below -1"),
    ],
)
def test_percentages_are_refused(metrics: dict[str, float], match: str) -> None:
    with pytest.raises(MappingError, match=match):
        map_metrics(metrics)


def test_n_trials_sources() -> None:
    # params first, then metrics, then tags; a user map names the parameter
    assert map_metrics({}, params={"num_trials": "4"}).n_trials == 4
    m = map_metrics({"n_trials": 12.0})
    assert m.n_trials == 12 and m.ignored == () and m.metrics == {}
    assert map_metrics({}, tags={"trials": "3"}).n_trials == 3
    assert (
        map_metrics(
            {}, params={"grid_size": "48", "n_trials": "2"}, user_map={"grid_size": "n_trials"}
        ).n_trials
        == 48
    )
    assert map_metrics({"sharpe": 1.0}).n_trials is None


@pytest.mark.parametrize("bad", ["0", "2.5", "many", "-3"])
def test_bad_n_trials(bad: str) -> None:
    with pytest.raises(MappingError, match="n_trials must be a whole number"):
        map_metrics({}, params={"n_trials": bad})


@given(st.floats(min_value=-1.0, max_value=1.0, allow_nan=False))
def test_drawdown_is_never_positive_and_keeps_its_size(x: float) -> None:
    out = map_metrics({"mdd": x}).metrics["max_drawdown"]
    assert out <= 0.0
    assert abs(out) == abs(x)
