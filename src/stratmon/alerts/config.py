"""Alert rule configuration: dataclasses with defaults, and validation of ``[alerts]``.

The ``[alerts]`` table of ``stratmon.toml`` (keys as in ``stratmon.config.DEFAULT_CONFIG``)::

    [alerts]
    log = "alerts.jsonl"
    for_evaluations = 2        # N: consecutive true evaluations before an alert fires
    clear_evaluations = 3      # M: consecutive false evaluations before it resolves

    [alerts.underperformance]
    window = 30                # sessions
    threshold = 0.20           # fires when the window return is > 20 % below expectation

    [alerts.drawdown]
    fraction_of_backtest = 0.75

    [alerts.win_rate]
    points_below = 0.15        # 15 percentage points, as a fraction
    min_trades = 10
    window_sessions = 30       # trades closed over the last 30 sessions...
    # window_trades = 30       # ...or, when set, the last 30 closed trades

Every rule also takes ``enabled`` (bool), ``tier`` (``"info"``, ``"warning"``,
``"critical"``) and optional per-rule ``for_evaluations`` / ``clear_evaluations`` that override
the global ones. Percentages are fractions.
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Literal

from stratmon.errors import ConfigError

Tier = Literal["info", "warning", "critical"]
TIERS: tuple[str, ...] = typing.get_args(Tier)
RULE_NAMES: tuple[str, ...] = ("underperformance", "drawdown", "win_rate")


class AlertConfigError(ConfigError):
    """The ``[alerts]`` table is invalid; ``problems`` lists each broken rule, one sentence each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        body = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"Invalid alert configuration in stratmon.toml:\n{body}\nFix the [alerts] table."
        )


def _fmt(value: object) -> str:
    return repr(value)


@dataclass(frozen=True, kw_only=True)
class AlertRuleConfig:
    """Settings every alert rule has.

    Parameters
    ----------
    enabled : bool
        A disabled rule is not evaluated (no condition is produced).
    tier : {"info", "warning", "critical"}
        Part of the alert's identity ``(rule, strategy_id, tier)``.
    for_evaluations, clear_evaluations : int or None
        Per-rule override of the global hysteresis (N and M); ``None`` uses the global.
    """

    section: ClassVar[str] = "rule"

    enabled: bool = True
    tier: Tier = "warning"
    for_evaluations: int | None = None
    clear_evaluations: int | None = None

    def problems(self) -> list[str]:
        """Range problems, each a sentence naming ``alerts.<section>.<key>``."""
        out: list[str] = []
        if self.tier not in TIERS:
            out.append(self._say("tier", self.tier, f"must be one of {list(TIERS)}"))
        for key in ("for_evaluations", "clear_evaluations"):
            v = getattr(self, key)
            if v is not None and v < 1:
                out.append(self._say(key, v, "must be >= 1"))
        return out

    def _say(self, key: str, value: object, rule: str) -> str:
        return f"alerts.{self.section}.{key} {rule}, got {_fmt(value)}"

    def __post_init__(self) -> None:
        probs = self.problems()
        if probs:
            raise AlertConfigError(probs)


@dataclass(frozen=True, kw_only=True)
class UnderperformanceRuleConfig(AlertRuleConfig):
    """Window return more than ``threshold`` (fraction of |expectation|) below the backtest's.

    ``window`` is in sessions (>= 1); ``threshold`` > 0 (0.20 = 20 %).
    """

    section: ClassVar[str] = "underperformance"

    window: int = 30
    threshold: float = 0.20

    def problems(self) -> list[str]:
        out = AlertRuleConfig.problems(self)
        if self.window < 1:
            out.append(self._say("window", self.window, "must be >= 1 session"))
        if not (math.isfinite(self.threshold) and self.threshold > 0):
            out.append(self._say("threshold", self.threshold, "must be > 0 (0.2 means 20 %)"))
        return out


@dataclass(frozen=True, kw_only=True)
class DrawdownRuleConfig(AlertRuleConfig):
    """Current drawdown beyond ``fraction_of_backtest`` x the backtest's max drawdown (> 0)."""

    section: ClassVar[str] = "drawdown"

    fraction_of_backtest: float = 0.75

    def problems(self) -> list[str]:
        out = AlertRuleConfig.problems(self)
        f = self.fraction_of_backtest
        if not (math.isfinite(f) and f > 0):
            out.append(self._say("fraction_of_backtest", f, "must be > 0 (0.75 means 75 %)"))
        return out


@dataclass(frozen=True, kw_only=True)
class WinRateRuleConfig(AlertRuleConfig):
    """Live win rate more than ``points_below`` (fraction, 0.15 = 15 points) below the backtest's.

    The live win rate is taken over the last ``window_trades`` closed trades when that is set,
    else over the trades closed in the last ``window_sessions`` sessions; it is judged only from
    ``min_trades`` closed trades on.
    """

    section: ClassVar[str] = "win_rate"

    points_below: float = 0.15
    window_sessions: int = 30
    window_trades: int | None = None
    min_trades: int = 10

    def problems(self) -> list[str]:
        out = AlertRuleConfig.problems(self)
        p = self.points_below
        if not (math.isfinite(p) and 0 < p < 1):
            out.append(self._say("points_below", p, "must be in (0, 1) (0.15 = 15 points)"))
        if self.window_sessions < 1:
            out.append(self._say("window_sessions", self.window_sessions, "must be >= 1"))
        if self.min_trades < 1:
            out.append(self._say("min_trades", self.min_trades, "must be >= 1"))
        if self.window_trades is not None and self.window_trades < self.min_trades:
            out.append(
                self._say("window_trades", self.window_trades, f">= min_trades ({self.min_trades})")
            )
        return out


@dataclass(frozen=True, kw_only=True)
class AlertConfig:
    """All first-form alert rules and the global hysteresis.

    Parameters
    ----------
    underperformance, drawdown, win_rate : rule configs
    for_evaluations : int
        N >= 1: an alert fires after its condition held on N consecutive evaluations.
    clear_evaluations : int
        M >= 1: a firing alert resolves after its condition was clear on M consecutive ones.
    log : str
        Path of the JSON-lines alert log, relative to the workspace.
    """

    underperformance: UnderperformanceRuleConfig = field(default_factory=UnderperformanceRuleConfig)
    drawdown: DrawdownRuleConfig = field(default_factory=DrawdownRuleConfig)
    win_rate: WinRateRuleConfig = field(default_factory=WinRateRuleConfig)
    for_evaluations: int = 2
    clear_evaluations: int = 3
    log: str = "alerts.jsonl"

    def __post_init__(self) -> None:
        probs = [
            f"alerts.{key} must be >= 1, got {_fmt(getattr(self, key))}"
            for key in ("for_evaluations", "clear_evaluations")
            if getattr(self, key) < 1
        ]
        if probs:
            raise AlertConfigError(probs)

    def rule(self, name: str) -> AlertRuleConfig | None:
        """The config of rule ``name``, or ``None`` for a rule this config does not know."""
        value = getattr(self, name, None) if name in RULE_NAMES else None
        return value if isinstance(value, AlertRuleConfig) else None

    def hysteresis(self, rule: str) -> tuple[int, int]:
        """``(N, M)`` for ``rule``: the per-rule override, else the global values."""
        cfg = self.rule(rule)
        n = cfg.for_evaluations if cfg and cfg.for_evaluations is not None else None
        m = cfg.clear_evaluations if cfg and cfg.clear_evaluations is not None else None
        return (
            n if n is not None else self.for_evaluations,
            m if m is not None else self.clear_evaluations,
        )


_RULE_CLASSES: dict[str, type[AlertRuleConfig]] = {
    "underperformance": UnderperformanceRuleConfig,
    "drawdown": DrawdownRuleConfig,
    "win_rate": WinRateRuleConfig,
}


def _type_problem(where: str, value: object, hint: object) -> str | None:
    """``None`` when ``value`` fits the type ``hint``, else a sentence saying why not."""
    args = typing.get_args(hint)
    origin = typing.get_origin(hint)
    if origin is Literal:
        return None if value in args else f"{where} must be one of {list(args)}, got {value!r}"
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if value is None:
            return None
        return _type_problem(where, value, inner[0])
    if hint is bool:
        ok = isinstance(value, bool)
        expected = "true or false"
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        expected = "an integer"
    elif hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        expected = "a number"
    elif hint is str:
        ok = isinstance(value, str)
        expected = "a string"
    else:  # pragma: no cover - only the types above are used in these dataclasses
        return None
    if ok:
        return None
    return f"{where} must be {expected}, got {value!r} ({type(value).__name__})"


def _check_table(
    where: str, table: object, cls: type, skip: frozenset[str] = frozenset()
) -> tuple[dict[str, Any], list[str]]:
    if not isinstance(table, Mapping):
        return {}, [f"{where} must be a table, got {table!r} ({type(table).__name__})"]
    hints = typing.get_type_hints(cls)
    known = {f.name for f in fields(cls)} - skip
    problems: list[str] = []
    kwargs: dict[str, Any] = {}
    for key, value in table.items():
        if key not in known:
            problems.append(f"{where}: unknown key {key!r}; known keys: {sorted(known)}")
            continue
        prob = _type_problem(f"{where}.{key}", value, hints[key])
        if prob:
            problems.append(prob)
        else:
            kwargs[key] = float(value) if hints[key] is float else value
    return kwargs, problems


def alert_config_from_dict(d: Mapping[str, Any] | None) -> AlertConfig:
    """Build and validate an :class:`AlertConfig` from the ``[alerts]`` table.

    Parameters
    ----------
    d : mapping or None
        The ``[alerts]`` table as parsed from TOML; missing keys take the defaults.

    Returns
    -------
    AlertConfig

    Raises
    ------
    AlertConfigError
        (a ``ConfigError``) listing every unknown key, wrong type (e.g. ``window = "30"``,
        ``enabled = 1``) and out-of-range value (``threshold = -0.1``), each named
        ``alerts.<rule>.<key>``.
    """
    if d is None:
        return AlertConfig()
    if not isinstance(d, Mapping):
        raise AlertConfigError([f"alerts must be a table, got {d!r} ({type(d).__name__})"])
    top_table = {k: v for k, v in d.items() if k not in RULE_NAMES}
    top, problems = _check_table("alerts", top_table, AlertConfig, skip=frozenset(RULE_NAMES))
    rules: dict[str, Any] = {}
    for name, cls in _RULE_CLASSES.items():
        kwargs, probs = _check_table(f"alerts.{name}", d.get(name, {}), cls)
        problems.extend(probs)
        if not probs:
            try:
                rules[name] = cls(**kwargs)
            except AlertConfigError as exc:
                problems.extend(exc.problems)
    problems.extend(
        f"alerts.{key} must be >= 1, got {top[key]!r}"
        for key in ("for_evaluations", "clear_evaluations")
        if key in top and top[key] < 1
    )
    if problems:
        raise AlertConfigError(problems)
    return AlertConfig(**top, **rules)
