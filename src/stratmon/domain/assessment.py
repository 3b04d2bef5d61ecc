"""The one judgement of a strategy on a day: the :class:`Assessment` record (no I/O).

The daily job computes one ``Assessment`` per strategy per evaluation date, after the alert
step, and stores it. Every surface (the CLI status table, ``stratmon status ID``, the
dashboard, the reports, the API and ``/metrics``) renders this record; none of them derives a
judgement of its own.

Vocabulary
----------
verdict
    ``on_track`` (nothing to do), ``watch`` (something to keep an eye on, no action),
    ``investigate`` (evidence that live differs from the backtest: a person should look),
    ``act`` (decide now; the action says what: ``reduce``, ``suspend`` or ``retire_review``).
action
    The rotation recommendation: ``increase``, ``maintain``, ``reduce``, ``suspend``,
    ``retire_review``. ``act`` always carries one of the last three; the other verdicts carry
    ``increase`` or ``maintain``.
concern
    What an alert rule is about: ``performance`` (live vs backtest returns and ratios),
    ``drawdown``, ``risk`` (limits set by the risk manager), ``decay`` (the change detector),
    ``data`` (data quality), ``milestone`` (good news events: never a problem).

Fractions everywhere (0.05 = 5 %); money in the strategy's currency.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

Verdict = Literal["on_track", "watch", "investigate", "act"]
Action = Literal["increase", "maintain", "reduce", "suspend", "retire_review"]
Concern = Literal["performance", "drawdown", "risk", "decay", "data", "milestone"]
Severity = Literal["info", "warning", "critical", "emergency"]

VERDICTS: tuple[Verdict, ...] = get_args(Verdict)
ACTIONS: tuple[Action, ...] = get_args(Action)
ACT_ACTIONS: tuple[Action, ...] = ("reduce", "suspend", "retire_review")
SEVERITIES: tuple[Severity, ...] = get_args(Severity)
SEVERITY_RANK: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}
VERDICT_RANK: dict[str, int] = {v: i for i, v in enumerate(VERDICTS)}
COMPONENT_NAMES: tuple[str, ...] = ("performance", "drawdown", "win_rate", "trade_frequency")

# Which concern each alert rule speaks to (the alert registry of the alerts issue will own
# this; until then it lives beside the record that reads it).
RULE_CONCERNS: dict[str, Concern] = {
    "underperformance": "performance",
    "relative_sharpe": "performance",
    "relative_return": "performance",
    "win_rate": "performance",
    "psr": "performance",
    "drawdown": "drawdown",
    "max_drawdown_vs_backtest": "drawdown",
    "drawdown_tiers": "drawdown",
    "statistical_drawdown": "drawdown",
    "drawdown_duration": "drawdown",
    "volatility": "risk",
    "value_at_risk": "risk",
    "concentration": "risk",
    "gross_exposure": "risk",
    "utilisation": "risk",
    "decay": "decay",
    "profitable": "milestone",
    "annual_return_target": "milestone",
    "new_max_drawdown": "milestone",
    "stale_data": "data",
    "outlier": "data",
    "nav_disconnect": "data",
    "rejected_file": "data",
}


def concern_of(rule: str) -> Concern:
    """The concern of an alert rule (unknown rules count as ``risk``: never silently good)."""
    return RULE_CONCERNS.get(rule, "risk")


def _num(x: float | None) -> float | None:
    """JSON-safe number: NaN and infinities become ``None``."""
    if x is None:
        return None
    v = float(x)
    return v if math.isfinite(v) else None


@dataclass(frozen=True, slots=True)
class FiringAlert:
    """An alert firing after the day's alert step, at its *current* severity."""

    rule: str
    severity: Severity
    message: str = ""

    @property
    def concern(self) -> Concern:
        return concern_of(self.rule)

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity, "concern": self.concern}


@dataclass(frozen=True, slots=True)
class HealthComponent:
    """One dimension of the health score.

    Attributes
    ----------
    name : str
        ``performance``, ``drawdown``, ``win_rate`` or ``trade_frequency``.
    value : float or None
        0-100; ``None`` when the dimension has no data (it then does not move the score).
    p_value : float or None
        Tail probability, under "live behaves like the backtest", of evidence at least this
        unfavourable (the test named by ``test``); ``None`` without data.
    test : str
        The test behind the value, in words ("binomial test of winning days vs 53.1 %").
    reason : str
        One sentence for people.
    weight : float
        The specification's weight (0.4 / 0.3 / 0.2 / 0.1).
    """

    name: str
    value: float | None
    p_value: float | None
    test: str
    reason: str
    weight: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": _num(self.value),
            "p_value": _num(self.p_value),
            "test": self.test,
            "reason": self.reason,
            "weight": self.weight,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> HealthComponent:
        return cls(
            name=str(d["name"]),
            value=d.get("value"),
            p_value=d.get("p_value"),
            test=str(d.get("test", "")),
            reason=str(d.get("reason", "")),
            weight=float(d.get("weight", 0.0)),
        )


@dataclass(frozen=True, slots=True)
class Recommendation:
    """A rotation recommendation with a size (money in the strategy's currency).

    ``suggested_capital`` comes from the documented sizing rule of
    :mod:`stratmon.health.allocation`; ``None`` when the strategy has no allocated capital.
    """

    action: Action
    current_capital: float | None = None
    suggested_capital: float | None = None
    rule: str = ""

    @property
    def change(self) -> float | None:
        if self.current_capital is None or self.suggested_capital is None:
            return None
        return self.suggested_capital - self.current_capital

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "current_capital": _num(self.current_capital),
            "suggested_capital": _num(self.suggested_capital),
            "change": _num(self.change),
            "rule": self.rule,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Recommendation:
        return cls(
            action=d["action"],
            current_capital=d.get("current_capital"),
            suggested_capital=d.get("suggested_capital"),
            rule=str(d.get("rule", "")),
        )


@dataclass(frozen=True, slots=True)
class StatusView:
    """The live-vs-backtest comparison status over one named window.

    ``window`` is ``"live to date"``, ``"90 sessions"`` or ``"30 sessions"``; ``status`` is
    one of ``on_track``, ``underperforming``, ``outperforming``, ``alert``,
    ``insufficient_data``; ``reason`` names the metric and the test that decided it.
    """

    window: str
    status: str
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"window": self.window, "status": self.status, "reason": self.reason}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> StatusView:
        return cls(str(d["window"]), str(d["status"]), str(d.get("reason", "")))


@dataclass(frozen=True, slots=True)
class Assessment:
    """One strategy's judgement on one evaluation date (see the module docstring).

    Attributes
    ----------
    strategy_id, as_of
    verdict : Verdict
    action : Action
        Equal to ``recommendation.action``.
    health : float or None
        0-100, evidence-based (:mod:`stratmon.health.score`); ``None`` when no component has
        data.
    health_trend : str
        ``improving``, ``stable`` or ``declining``.
    health_components : tuple of HealthComponent
    recent_health : float or None
        The same score over the recent window only (30 sessions by default): shown beside
        ``health``, never used for the verdict.
    status : StatusView
        Whole live period.
    status_recent : StatusView
        Recent window (30 sessions by default).
    reasons : tuple of str
        The two or three pieces of evidence that decided the verdict, for people.
    recommendation : Recommendation
    decay_alarm : bool
    decay_alarm_date : date or None
    firing_alerts : tuple of FiringAlert
    changes : tuple of str
        What changed since the previous session, for people; empty on a quiet day.
    n_obs : int
        Live daily returns behind the assessment.
    verdict_since : date or None
        First date of the current verdict.
    pending : str or None
        A milder verdict waiting out its hysteresis, with ``pending_sessions`` sessions held.
    evidence : dict
        The figures the verdict read (JSON-safe), for drill-down and tests.
    """

    strategy_id: str
    as_of: dt.date
    verdict: Verdict
    action: Action
    health: float | None
    health_trend: str
    health_components: tuple[HealthComponent, ...]
    recent_health: float | None
    status: StatusView
    status_recent: StatusView
    reasons: tuple[str, ...]
    recommendation: Recommendation
    decay_alarm: bool = False
    decay_alarm_date: dt.date | None = None
    firing_alerts: tuple[FiringAlert, ...] = ()
    changes: tuple[str, ...] = ()
    n_obs: int = 0
    verdict_since: dt.date | None = None
    pending: str | None = None
    pending_sessions: int = 0
    evidence: dict[str, Any] = field(default_factory=dict)

    def component(self, name: str) -> HealthComponent | None:
        for c in self.health_components:
            if c.name == name:
                return c
        return None

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``stratmon status --json`` and the API (fractions, ISO dates,
        ``null`` where undefined)."""
        return {
            "strategy_id": self.strategy_id,
            "as_of": self.as_of.isoformat(),
            "verdict": self.verdict,
            "action": self.action,
            "health": _num(self.health),
            "health_trend": self.health_trend,
            "health_components": {c.name: _num(c.value) for c in self.health_components},
            "health_details": [c.to_dict() for c in self.health_components],
            "recent_health": _num(self.recent_health),
            "status": self.status.status,
            "status_window": self.status.window,
            "status_reason": self.status.reason,
            "status_recent": self.status_recent.to_dict(),
            "reasons": list(self.reasons),
            "recommendation": self.recommendation.to_dict(),
            "decay_alarm": self.decay_alarm,
            "decay_alarm_date": self.decay_alarm_date.isoformat()
            if self.decay_alarm_date
            else None,
            "firing_alerts": [a.to_dict() for a in self.firing_alerts],
            "changes": list(self.changes),
            "n_obs": self.n_obs,
            "verdict_since": self.verdict_since.isoformat() if self.verdict_since else None,
            "pending": self.pending,
            "pending_sessions": self.pending_sessions,
            "evidence": self.evidence,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Assessment:
        """Inverse of :meth:`to_dict` (the store keeps that object)."""

        def _date(x: Any) -> dt.date | None:
            return dt.date.fromisoformat(x) if x else None

        details = d.get("health_details") or []
        return cls(
            strategy_id=str(d["strategy_id"]),
            as_of=dt.date.fromisoformat(d["as_of"]),
            verdict=d["verdict"],
            action=d["action"],
            health=d.get("health"),
            health_trend=str(d.get("health_trend", "stable")),
            health_components=tuple(HealthComponent.from_dict(c) for c in details),
            recent_health=d.get("recent_health"),
            status=StatusView(
                str(d.get("status_window", "live to date")),
                str(d["status"]),
                str(d.get("status_reason", "")),
            ),
            status_recent=StatusView.from_dict(d["status_recent"]),
            reasons=tuple(d.get("reasons") or ()),
            recommendation=Recommendation.from_dict(d["recommendation"]),
            decay_alarm=bool(d.get("decay_alarm")),
            decay_alarm_date=_date(d.get("decay_alarm_date")),
            firing_alerts=tuple(
                FiringAlert(a["rule"], a["severity"]) for a in d.get("firing_alerts") or ()
            ),
            changes=tuple(d.get("changes") or ()),
            n_obs=int(d.get("n_obs") or 0),
            verdict_since=_date(d.get("verdict_since")),
            pending=d.get("pending"),
            pending_sessions=int(d.get("pending_sessions") or 0),
            evidence=dict(d.get("evidence") or {}),
        )
