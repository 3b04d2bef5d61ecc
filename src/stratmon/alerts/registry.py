"""The rule registry: one :class:`RuleSpec` per alert rule, the single place a rule is declared.

Adding a rule is one entry of :data:`RULES` (plus its configuration class in
:mod:`stratmon.alerts.config` and its condition function): :func:`build_conditions`, the
engine's first-form rules (:func:`stratmon.alerts.rules.evaluate_rules`), the benchmark
(``benchmarks/alerts.py``) and ``stratmon alerts calibrate`` iterate over it.

Kinds
-----
``judgement``
    Judges live against the backtest; fires only when the difference is also significant.
    These count toward the target of at most one warning-or-worse firing per strategy-year
    when live behaves exactly like the backtest (``benchmarks/alerts.py``, docs/alerts.md).
``limit``
    A limit set by the risk manager (absolute drawdown tiers, VaR, concentration, exposure,
    utilisation, drawdown duration): a breach is a breach, not a false alarm; reported apart.
``milestone``
    Events (profitable, return target, new maximum drawdown): logged and notified once.
``data``
    Data quality.

Sources (how a condition is computed)
-------------------------------------
``context``
    ``condition(RuleContext, AlertConfig)``: the first-form rules, built by the engine.
``inputs``
    ``condition(AlertInputs, AlertConfig)``: built by the alert step of the daily job.
``engine``
    Built by the engine from its own reading (the decay detector's alarm).
``ingest``
    Built by ingestion (a rejected file: a one-shot notification).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from stratmon.alerts import conditions as c
from stratmon.alerts import config as k
from stratmon.alerts import rules as r
from stratmon.domain.assessment import Concern

Kind = Literal["judgement", "limit", "milestone", "data"]
Source = Literal["context", "inputs", "engine", "ingest"]
KINDS: tuple[str, ...] = ("judgement", "limit", "milestone", "data")
ROLES: tuple[str, ...] = (
    "pm",
    "researcher",
    "risk_manager",
    "executive",
    "data_operations",
    "council",
)
"""Recipient roles of the specification (resolved to people and channels by configuration)."""

_PERF = ("pm", "researcher", "risk_manager")
_DD = ("pm", "risk_manager")
_RISK = ("risk_manager", "pm")
_MILESTONE = ("pm", "researcher")
_DATA = ("data_operations", "pm")


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """Everything the system knows about one alert rule.

    Attributes
    ----------
    name : str
        The rule's name (``[alerts.<name>]`` in stratmon.toml).
    concern : str
        One of ``stratmon.domain.assessment.Concern``: alerts are grouped per concern.
    kind : {"judgement", "limit", "milestone", "data"}
    config_class : type
        Its :class:`~stratmon.alerts.config.AlertRuleConfig` subclass.
    condition : callable or None
        The condition function (signature given by ``source``); ``None`` for rules built
        elsewhere (``engine``, ``ingest``).
    default_recipients : tuple of str
        Roles of :data:`ROLES` notified by default (the specification's defaults per type).
    description : str
        One sentence: what makes the rule fire.
    source : {"context", "inputs", "engine", "ingest"}
    emergency_recipients : tuple of str
        Roles added when the alert reaches ``emergency`` (the executive).
    """

    name: str
    concern: Concern
    kind: Kind
    config_class: type[k.AlertRuleConfig]
    condition: Callable[[Any, k.AlertConfig], r.Condition] | None
    default_recipients: tuple[str, ...]
    description: str
    source: Source = "inputs"
    emergency_recipients: tuple[str, ...] = ("executive",)


def _spec(
    name: str,
    concern: Concern,
    kind: Kind,
    condition: Callable[[Any, k.AlertConfig], r.Condition] | None,
    recipients: tuple[str, ...],
    description: str,
    source: Source = "inputs",
) -> RuleSpec:
    return RuleSpec(
        name=name,
        concern=concern,
        kind=kind,
        config_class=k.RULE_CLASSES[name],
        condition=condition,
        default_recipients=recipients,
        description=description,
        source=source,
    )


_SPECS: tuple[RuleSpec, ...] = (
    _spec(
        "underperformance",
        "performance",
        "judgement",
        r.underperformance_condition,
        _PERF,
        "Window return more than 20 % below the backtest's expectation, and significantly so.",
        "context",
    ),
    _spec(
        "drawdown",
        "drawdown",
        "judgement",
        r.drawdown_condition,
        _DD,
        "Current drawdown beyond 75 % of the backtest's max drawdown, and improbable under it.",
        "context",
    ),
    _spec(
        "win_rate",
        "performance",
        "judgement",
        r.win_rate_condition,
        _PERF,
        "Live win rate more than 15 points below the backtest's, and significantly so.",
        "context",
    ),
    _spec(
        "relative_sharpe",
        "performance",
        "judgement",
        c.relative_sharpe_condition,
        _PERF,
        "Sharpe ratio over the window below 0.7 x the backtest's, and significantly so.",
    ),
    _spec(
        "relative_return",
        "performance",
        "judgement",
        c.relative_return_condition,
        _PERF,
        "Annualised return over the window below 0.7 x the backtest's, and significantly so.",
    ),
    _spec(
        "max_drawdown_vs_backtest",
        "drawdown",
        "judgement",
        c.max_drawdown_condition,
        _DD,
        "Live max drawdown worse than 1.5 x the backtest's, and improbable under it.",
    ),
    _spec(
        "drawdown_tiers",
        "drawdown",
        "limit",
        c.drawdown_tiers_condition,
        _DD,
        "Current drawdown beyond 10 / 15 / 20 %: warning / critical / emergency.",
    ),
    _spec(
        "statistical_drawdown",
        "drawdown",
        "judgement",
        c.statistical_drawdown_condition,
        _DD,
        "Current drawdown beyond the backtest-implied MaxDD-95 / MaxDD-99.",
    ),
    _spec(
        "drawdown_duration",
        "drawdown",
        "limit",
        c.drawdown_duration_condition,
        _DD,
        "Under water for more than 90 calendar days.",
    ),
    _spec(
        "volatility",
        "risk",
        "judgement",
        c.volatility_condition,
        _RISK,
        "Volatility over the window above 1.3 x the backtest's, and significantly so.",
    ),
    _spec(
        "value_at_risk",
        "risk",
        "limit",
        c.value_at_risk_condition,
        _RISK,
        "Historical 1-day VaR-95 over the window beyond the limit.",
    ),
    _spec(
        "concentration",
        "risk",
        "limit",
        c.concentration_condition,
        _RISK,
        "One position of the day's book above 20 % of NAV.",
    ),
    _spec(
        "gross_exposure",
        "risk",
        "limit",
        c.gross_exposure_condition,
        _RISK,
        "Gross exposure above the leverage limit.",
    ),
    _spec(
        "utilisation",
        "risk",
        "limit",
        c.utilisation_condition,
        _RISK,
        "Margin used above the utilisation limit.",
    ),
    _spec(
        "decay",
        "decay",
        "judgement",
        None,
        _PERF,
        "The decay detector's CUSUM crossed its bootstrap-calibrated threshold.",
        "engine",
    ),
    _spec(
        "psr",
        "performance",
        "judgement",
        c.psr_condition,
        _PERF,
        "Probability that the live Sharpe beats the backtest's below the threshold.",
    ),
    _spec(
        "profitable",
        "milestone",
        "milestone",
        c.profitable_condition,
        _MILESTONE,
        "The live record's total return turned positive.",
    ),
    _spec(
        "annual_return_target",
        "milestone",
        "milestone",
        c.annual_return_target_condition,
        _MILESTONE,
        "The year-to-date return reached the target.",
    ),
    _spec(
        "new_max_drawdown",
        "milestone",
        "milestone",
        c.new_max_drawdown_condition,
        _MILESTONE,
        "Today set a new live max drawdown deeper than the minimum depth.",
    ),
    _spec(
        "stale_data",
        "data",
        "data",
        c.stale_data_condition,
        _DATA,
        "More than one session without data.",
    ),
    _spec(
        "outlier",
        "data",
        "data",
        c.outlier_condition,
        _DATA,
        "An outlier finding (PnL or implied return) on the latest data day.",
    ),
    _spec(
        "nav_disconnect",
        "data",
        "data",
        c.nav_disconnect_condition,
        _DATA,
        "A NAV change not explained by PnL and cash flows on the latest data day.",
    ),
    _spec(
        "rejected_file",
        "data",
        "data",
        None,
        _DATA,
        "A file of the inbox was rejected.",
        "ingest",
    ),
)

RULES: dict[str, RuleSpec] = {s.name: s for s in _SPECS}
"""Rule name -> :class:`RuleSpec`, in evaluation order."""


def rule_spec(name: str) -> RuleSpec:
    """The registry entry of rule ``name``.

    Raises
    ------
    KeyError
        For a rule the registry does not know (with the known names).
    """
    try:
        return RULES[name]
    except KeyError:
        raise KeyError(f"unknown alert rule {name!r}; known: {list(RULES)}") from None


def rules_of_kind(kind: str) -> tuple[str, ...]:
    """Names of the rules of ``kind`` (one of :data:`KINDS`), in registry order."""
    return tuple(s.name for s in _SPECS if s.kind == kind)


def _enabled(spec: RuleSpec, source: str, config: k.AlertConfig) -> bool:
    rule_cfg = config.rule(spec.name)
    return (
        spec.source == source
        and spec.condition is not None
        and rule_cfg is not None
        and rule_cfg.enabled
    )


def build_context_conditions(ctx: r.RuleContext, config: k.AlertConfig) -> list[r.Condition]:
    """Every enabled ``context`` rule for one strategy (what the engine evaluates)."""
    return [
        s.condition(ctx, config) for s in _SPECS if s.condition and _enabled(s, "context", config)
    ]


def build_input_conditions(inp: c.AlertInputs, config: k.AlertConfig) -> list[r.Condition]:
    """Every enabled ``inputs`` rule for one strategy (what the alert step evaluates)."""
    return [
        s.condition(inp, config) for s in _SPECS if s.condition and _enabled(s, "inputs", config)
    ]
