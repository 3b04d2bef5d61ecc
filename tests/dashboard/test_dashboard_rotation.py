"""The rotation rules, one case per rule, and the ranking."""

from __future__ import annotations

import math

from stratmon.dashboard.rotation import RotationInputs, rank, recommend

HEALTHY = dict(
    score=80.0,
    trend="stable",
    n_obs=250,
    decay_alarm=False,
    psr_vs_zero=0.99,
    psr_vs_backtest=0.6,
    current_drawdown=-0.05,
    max_drawdown_95=-0.25,
    max_drawdown_99=-0.40,
)


def rec(**kw: object) -> str:
    return recommend(RotationInputs(strategy_id="s", **{**HEALTHY, **kw})).action  # type: ignore[arg-type]


def test_increase_needs_every_condition() -> None:
    assert rec() == "increase"
    assert rec(score=74.9) == "maintain"
    assert rec(trend="declining") == "maintain"
    assert rec(psr_vs_zero=0.94) == "maintain"
    assert rec(psr_vs_backtest=0.49) == "maintain"
    assert rec(decay_alarm=None) == "maintain"  # unknown blocks increase
    assert rec(psr_vs_zero=math.nan) == "maintain"
    assert rec(max_drawdown_95=math.nan, current_drawdown=-0.05) == "increase"
    assert rec(max_drawdown_95=math.nan, current_drawdown=-0.11) == "maintain"


def test_retire_review_rules() -> None:
    assert rec(decay_alarm=True) == "retire_review"
    assert rec(current_drawdown=-0.41) == "retire_review"
    assert rec(score=29.0) == "retire_review"


def test_reduce_rules() -> None:
    assert rec(current_drawdown=-0.26) == "reduce"
    assert rec(score=49.0) == "reduce"
    assert rec(score=59.0, trend="declining") == "reduce"
    assert rec(score=59.0, trend="stable") == "maintain"
    assert rec(psr_vs_zero=0.05) == "reduce"


def test_insufficient_data_is_maintain_whatever_else() -> None:
    r = recommend(
        RotationInputs(
            **{
                **HEALTHY,
                "strategy_id": "s",
                "n_obs": 10,  # type: ignore[arg-type]
                "decay_alarm": True,
            }
        )
    )
    assert r.action == "maintain" and "insufficient data" in r.triggers[0]


def test_reasons_cover_the_four_facets() -> None:
    r = recommend(RotationInputs(strategy_id="s", **HEALTHY))  # type: ignore[arg-type]
    text = " | ".join(r.reasons)
    assert "score 80, stable" in text
    assert "decay detector: no alarm" in text
    assert "PSR vs 0 99.0 %" in text
    assert "MaxDD-95 -25.0 %" in text


def test_ranking_by_urgency_then_score() -> None:
    items = [
        RotationInputs(strategy_id="keep_hi", **{**HEALTHY, "score": 70.0}),  # type: ignore[arg-type]
        RotationInputs(strategy_id="up", **HEALTHY),  # type: ignore[arg-type]
        RotationInputs(strategy_id="cut_40", **{**HEALTHY, "score": 40.0}),  # type: ignore[arg-type]
        RotationInputs(strategy_id="cut_45", **{**HEALTHY, "score": 45.0}),  # type: ignore[arg-type]
        RotationInputs(strategy_id="retire", **{**HEALTHY, "decay_alarm": True}),  # type: ignore[arg-type]
    ]
    ranked = rank([recommend(i) for i in items])
    assert [r.strategy_id for r in ranked] == ["retire", "cut_40", "cut_45", "up", "keep_hi"]
    assert [r.rank for r in ranked] == [1, 2, 3, 4, 5]
