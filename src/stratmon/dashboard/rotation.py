"""Rotation recommendations: increase / maintain / reduce / retire review (pure, no I/O).

Every active strategy gets exactly one recommendation from its latest stored evaluation. The
rules are checked in this order and the first action whose rule matches wins; every matching
rule is listed as a trigger, and the four facets below are always given as the reasons so a
person sees the whole picture, not just the rule that fired.

Facets (each one line of the reasons):

* **score level and trend**: the 0-100 health score and its ten-day trend (improving,
  stable, declining; ``stratmon.health.trend``).
* **decay alarm**: the calibrated CUSUM decay detector (``stratmon.decay``) has an alarm.
* **PSR**: the Probabilistic Sharpe Ratio of the whole live record against 0 (probability
  that the true live Sharpe is positive) and against the backtest Sharpe (Bailey & López de
  Prado 2012).
* **drawdown vs expectations**: the current drawdown against the statistical drawdown tiers
  of the backtest, MaxDD-95 and MaxDD-99 (the triple penance rule, Bailey & López de Prado
  2014), i.e. the drawdowns a strategy with the backtest's mean and volatility would exceed
  with 5 % and 1 % probability.

Rules (thresholds are the module constants):

1. **insufficient data** -> *maintain*: fewer than ``MIN_OBS`` (30) live returns; nothing is
   judged (DESIGN.md minimum data).
2. **retire review** if any of: the decay alarm is raised; the current drawdown is deeper
   than the MaxDD-99 tier; the score is below ``RETIRE_SCORE`` (30).
3. **reduce** if any of: the current drawdown is deeper than the MaxDD-95 tier; the score is
   below ``REDUCE_SCORE`` (50); the score is below ``REDUCE_DECLINING_SCORE`` (60) and
   declining; the PSR against 0 is below ``REDUCE_PSR`` (0.10), i.e. the live Sharpe is more
   likely negative than not by a wide margin.
4. **increase** if all of: the score is at least ``INCREASE_SCORE`` (75) and not declining;
   the PSR against 0 is at least ``INCREASE_PSR`` (0.95); the PSR against the backtest is at
   least 0.5 (live at least as good as promised, on balance of probability); no decay alarm;
   the current drawdown is within the MaxDD-95 tier (or no tier is known and the drawdown is
   shallower than ``INCREASE_MAX_DRAWDOWN``, 10 %).
5. otherwise **maintain**.

A missing figure (None/NaN) never triggers a rule, and it blocks *increase* when the rule
needs it (except the drawdown tier, which falls back as stated).

Ranking: retire review first, then reduce, then increase, then maintain; within retire
review and reduce the lowest score comes first (most urgent), within increase and maintain
the highest score first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

Action = Literal["retire_review", "reduce", "increase", "maintain"]
ACTIONS: tuple[Action, ...] = ("retire_review", "reduce", "increase", "maintain")
ACTION_LABELS: dict[str, str] = {
    "retire_review": "retire review",
    "reduce": "reduce",
    "increase": "increase",
    "maintain": "maintain",
}

MIN_OBS = 30
RETIRE_SCORE = 30.0
REDUCE_SCORE = 50.0
REDUCE_DECLINING_SCORE = 60.0
REDUCE_PSR = 0.10
INCREASE_SCORE = 75.0
INCREASE_PSR = 0.95
INCREASE_PSR_VS_BACKTEST = 0.5
INCREASE_MAX_DRAWDOWN = -0.10


@dataclass(frozen=True)
class RotationInputs:
    """What the rules read about one strategy (fractions; drawdowns <= 0; NaN = unknown)."""

    strategy_id: str
    score: float
    trend: str | None = None
    n_obs: int = 0
    decay_alarm: bool | None = None
    psr_vs_zero: float = math.nan
    psr_vs_backtest: float = math.nan
    current_drawdown: float = math.nan
    max_drawdown_95: float = math.nan
    max_drawdown_99: float = math.nan


@dataclass(frozen=True)
class Recommendation:
    """One strategy's recommendation: the action, the rules that triggered it and the four
    facets as human sentences."""

    strategy_id: str
    action: Action
    score: float
    triggers: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    rank: int = 0


def _ok(x: float | None) -> bool:
    return x is not None and math.isfinite(x)


def _pct(x: float) -> str:
    return f"{x * 100:.1f} %" if _ok(x) else "n/a"


def _reasons(x: RotationInputs) -> list[str]:
    trend = x.trend or "unknown trend"
    score = f"{x.score:.0f}" if _ok(x.score) else "n/a"
    out = [f"score {score}, {trend}"]
    if x.decay_alarm is None:
        out.append("decay detector: not available")
    else:
        out.append("decay alarm raised" if x.decay_alarm else "decay detector: no alarm")
    out.append(f"PSR vs 0 {_pct(x.psr_vs_zero)}, vs backtest {_pct(x.psr_vs_backtest)}")
    out.append(
        f"current drawdown {_pct(x.current_drawdown)} vs tiers MaxDD-95 "
        f"{_pct(x.max_drawdown_95)} / MaxDD-99 {_pct(x.max_drawdown_99)}"
    )
    return out


def _deeper(dd: float, tier: float) -> bool:
    return _ok(dd) and _ok(tier) and dd < tier


def recommend(x: RotationInputs) -> Recommendation:
    """Apply the rules of the module docstring to one strategy."""
    reasons = _reasons(x)
    if x.n_obs < MIN_OBS:
        trig = [f"insufficient data: {x.n_obs} live returns < {MIN_OBS}"]
        return Recommendation(x.strategy_id, "maintain", x.score, trig, reasons)
    retire = []
    if x.decay_alarm:
        retire.append("decay alarm raised")
    if _deeper(x.current_drawdown, x.max_drawdown_99):
        retire.append("drawdown beyond the MaxDD-99 tier")
    if _ok(x.score) and x.score < RETIRE_SCORE:
        retire.append(f"score below {RETIRE_SCORE:.0f}")
    if retire:
        return Recommendation(x.strategy_id, "retire_review", x.score, retire, reasons)
    reduce = []
    if _deeper(x.current_drawdown, x.max_drawdown_95):
        reduce.append("drawdown beyond the MaxDD-95 tier")
    if _ok(x.score) and x.score < REDUCE_SCORE:
        reduce.append(f"score below {REDUCE_SCORE:.0f}")
    elif _ok(x.score) and x.score < REDUCE_DECLINING_SCORE and x.trend == "declining":
        reduce.append(f"score below {REDUCE_DECLINING_SCORE:.0f} and declining")
    if _ok(x.psr_vs_zero) and x.psr_vs_zero < REDUCE_PSR:
        reduce.append(f"PSR vs 0 below {REDUCE_PSR:.0%}")
    if reduce:
        return Recommendation(x.strategy_id, "reduce", x.score, reduce, reasons)
    dd_ok = (
        not _deeper(x.current_drawdown, x.max_drawdown_95)
        if _ok(x.max_drawdown_95)
        else _ok(x.current_drawdown) and x.current_drawdown >= INCREASE_MAX_DRAWDOWN
    )
    if (
        _ok(x.score)
        and x.score >= INCREASE_SCORE
        and x.trend != "declining"
        and _ok(x.psr_vs_zero)
        and x.psr_vs_zero >= INCREASE_PSR
        and _ok(x.psr_vs_backtest)
        and x.psr_vs_backtest >= INCREASE_PSR_VS_BACKTEST
        and x.decay_alarm is False
        and dd_ok
    ):
        trig = [
            f"score >= {INCREASE_SCORE:.0f} and not declining, PSR vs 0 >= {INCREASE_PSR:.0%}, "
            f"PSR vs backtest >= {INCREASE_PSR_VS_BACKTEST:.0%}, no decay alarm, drawdown "
            "within expectations"
        ]
        return Recommendation(x.strategy_id, "increase", x.score, trig, reasons)
    return Recommendation(x.strategy_id, "maintain", x.score, ["no rule triggered"], reasons)


def rank(recommendations: Sequence[Recommendation]) -> list[Recommendation]:
    """Order by urgency (see the module docstring) and number them from 1."""

    def key(r: Recommendation) -> tuple[int, float, str]:
        s = r.score if _ok(r.score) else 50.0
        urgent = r.action in ("retire_review", "reduce")
        return (ACTIONS.index(r.action), s if urgent else -s, r.strategy_id)

    ordered = sorted(recommendations, key=key)
    return [
        Recommendation(r.strategy_id, r.action, r.score, r.triggers, r.reasons, rank=i + 1)
        for i, r in enumerate(ordered)
    ]
