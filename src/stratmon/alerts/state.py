"""The alert state machine with hysteresis: inactive -> pending -> firing -> resolved.

One :class:`AlertState` per identity ``(rule, strategy_id, tier)``. Each evaluation feeds the
rule's :class:`~stratmon.alerts.rules.Condition` to :func:`step` with ``N`` = for_evaluations
and ``M`` = clear_evaluations (per rule, see :meth:`AlertConfig.hysteresis`):

============  ======================  ==============================================
state         condition true          condition false
============  ======================  ==============================================
inactive      -> pending              stays inactive
pending       -> firing once N        -> inactive (it cleared before firing)
              consecutive true
firing        stays firing            -> resolved once M consecutive false,
                                      else stays firing
resolved      -> pending (new         stays resolved
              episode)
============  ======================  ==============================================

The first true evaluation already counts towards N, so with N = 2 an alert fires on the
second consecutive true evaluation; with N = 1 it goes inactive -> pending -> firing on the
first (two events, same day, so the event log always chains ``from_state`` to the previous
``to_state``).

**No data** (``active is None``: the rule cannot be evaluated) moves a pending or firing alert
to ``no_data``: it is not firing, is not counted by the verdict, and its message is the reason
it cannot be evaluated. The counters and timestamps are kept: when the rule can be evaluated
again the alert goes back to where it was (``firing`` when the episode had fired, else
``pending``) and continues from there, so a day without data is evidence neither of recovery
nor of trouble. An alert with no open episode just records the evaluation.

**Milestones** (``milestone=True``: profitable, annual_return_target, new_max_drawdown) are
events, never firing: the first true evaluation moves the alert to ``reached`` (one event, one
notification); it stays there while the condition holds and goes back to ``inactive`` (an
event nobody is told about) once it does not, so reaching the milestone again is a new event.
No ``for``/``clear`` counting applies.

**Recovery threshold.** A condition may carry ``recovery_active`` (the value is still beyond
the rule's separate recovery level): while the alert is firing, that verdict replaces
``active``, so an alert that fired at -10 % stays active until the value is back above, say,
-8 %.

**Severity** steps up and down with hysteresis. A tiered rule's condition carries the tier it
reached (``severity``). While the alert fires and the condition holds, a higher tier is taken at
once (an escalation); a lower tier is taken only once the condition has reached a lower tier on
M consecutive evaluations (``lower_count`` counts them; M = the rule's clear_evaluations), so a
drawdown that recovers from 21 % to 12 % steps from emergency down to warning after M sessions,
and a value hovering at a tier boundary does not flap. While the condition is clear (the alert
is resolving) the severity stays. The state's ``severity`` is the current one: the one stored
and shown everywhere.

Every transition yields an :class:`AlertEvent`; the events are the alert's history (the store
persists them, :mod:`stratmon.alerts.log` appends them to the JSON-lines log).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from stratmon.alerts.config import TIER_RANK, AlertConfig
from stratmon.alerts.rules import Condition, Identity

AlertStateName = Literal["inactive", "pending", "firing", "resolved", "no_data", "reached"]
ALERT_STATES: tuple[AlertStateName, ...] = (
    "inactive",
    "pending",
    "firing",
    "resolved",
    "no_data",
    "reached",
)
OPEN_STATES: frozenset[str] = frozenset({"pending", "firing", "no_data"})
"""States of an open episode (a person may acknowledge or resolve the alert)."""


def _json_float(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


@dataclass(frozen=True, slots=True)
class AlertState:
    """The current state of one alert identity.

    ``started_at`` is the first true evaluation of the current episode (entry to pending),
    ``fired_at`` the evaluation it fired, ``resolved_at`` the one it resolved (``None`` when
    not reached in the current episode). ``last_value``/``threshold`` are from the last
    evaluable condition.
    """

    rule: str
    strategy_id: str
    tier: str
    state: AlertStateName = "inactive"
    consecutive_true: int = 0
    consecutive_false: int = 0
    started_at: dt.date | None = None
    fired_at: dt.date | None = None
    resolved_at: dt.date | None = None
    last_value: float = math.nan
    threshold: float = math.nan
    last_evaluated_at: dt.date | None = None
    message: str = ""
    severity: str = ""
    lower_count: int = 0

    @property
    def identity(self) -> Identity:
        return (self.rule, self.strategy_id, self.tier)


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """One state transition of one alert, on evaluation day ``at``.

    ``kind`` is ``"transition"`` for a state change; ``"escalated"`` (firing -> firing,
    severity raised), ``"acknowledged"`` and ``"renotified"`` are
    history entries that do not change the state. ``actor`` is who caused it (empty: the
    daily job), ``severity`` the alert's severity after it.
    """

    rule: str
    strategy_id: str
    tier: str
    at: dt.date
    from_state: AlertStateName
    to_state: AlertStateName
    value: float
    threshold: float
    message: str
    severity: str = ""
    kind: str = "transition"
    actor: str = ""
    note: str = ""

    @property
    def identity(self) -> Identity:
        return (self.rule, self.strategy_id, self.tier)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict: ISO date, fractions, NaN/inf as ``None``.

        ``severity``, ``kind``, ``actor`` and ``note`` appear only when not the default.
        """
        out: dict[str, Any] = {
            "rule": self.rule,
            "strategy_id": self.strategy_id,
            "tier": self.tier,
            "at": self.at.isoformat(),
            "from_state": self.from_state,
            "to_state": self.to_state,
            "value": _json_float(self.value),
            "threshold": _json_float(self.threshold),
            "message": self.message,
        }
        extras = {"severity": "", "kind": "transition", "actor": "", "note": ""}
        for key, default in extras.items():
            if getattr(self, key) != default:
                out[key] = getattr(self, key)
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> AlertEvent:
        """Inverse of :meth:`to_dict` (``None`` numbers come back as NaN)."""

        def num(v: Any) -> float:
            return math.nan if v is None else float(v)

        return cls(
            rule=str(d["rule"]),
            strategy_id=str(d["strategy_id"]),
            tier=str(d["tier"]),
            at=dt.date.fromisoformat(str(d["at"])),
            from_state=d["from_state"],
            to_state=d["to_state"],
            value=num(d.get("value")),
            threshold=num(d.get("threshold")),
            message=str(d.get("message", "")),
            severity=str(d.get("severity", "")),
            kind=str(d.get("kind", "transition")),
            actor=str(d.get("actor", "")),
            note=str(d.get("note", "")),
        )


def step(
    prev: AlertState | None,
    cond: Condition,
    at: dt.date,
    config: AlertConfig | None = None,
    *,
    milestone: bool = False,
) -> tuple[AlertState, list[AlertEvent]]:
    """Advance one alert by one evaluation (see the module docstring for the rules).

    Parameters
    ----------
    prev : AlertState or None
        The identity's state before this evaluation; ``None`` means never seen (inactive).
    cond : Condition
        This evaluation's outcome for the same identity.
    at : datetime.date
        Evaluation day; must be later than ``prev.last_evaluated_at``.
    config : AlertConfig, optional
        Supplies N and M for ``cond.rule``; defaults to ``AlertConfig()`` (N = 2, M = 3).
    milestone : bool
        The rule is a milestone (an event, never firing).

    Returns
    -------
    (AlertState, list of AlertEvent)
        The new state and the transitions (0, 1, 2 or 3 events) it took.

    Raises
    ------
    ValueError
        When ``prev`` belongs to another identity, or ``at`` is not after its last evaluation
        (evaluating one day twice would double-count towards N or M).

    References
    ----------
    Prometheus Alertmanager's pending/firing/resolved alert lifecycle (``for`` and
    ``keep_firing_for``), here counted in evaluations; Grafana's ``NoData`` alert state.
    """
    cfg = config if config is not None else AlertConfig()
    n_for, m_clear = cfg.hysteresis(cond.rule)
    if prev is None:
        prev = AlertState(cond.rule, cond.strategy_id, cond.tier)
    if prev.identity != cond.identity:
        raise ValueError(f"state {prev.identity} fed a condition for {cond.identity}")
    if prev.last_evaluated_at is not None and at <= prev.last_evaluated_at:
        raise ValueError(
            f"{cond.identity}: evaluation on {at} is not after the last one "
            f"({prev.last_evaluated_at})"
        )
    events: list[AlertEvent] = []

    def move(state: AlertState, to: AlertStateName, severity: str, **changes: Any) -> AlertState:
        events.append(
            AlertEvent(
                cond.rule,
                cond.strategy_id,
                cond.tier,
                at,
                state.state,
                to,
                cond.value,
                cond.threshold,
                cond.message,
                severity,
            )
        )
        return replace(state, state=to, **changes)

    if milestone:
        return _step_milestone(prev, cond, at, move), events

    if cond.active is None:
        if prev.state in ("pending", "firing"):
            sev = prev.severity or cond.tier
            cur = replace(prev, last_evaluated_at=at, message=cond.message)
            return move(cur, "no_data", sev), events
        return replace(prev, last_evaluated_at=at), []

    cur = prev
    if cur.state == "no_data":
        # Data is back: the alert returns to where its episode was, then is judged as usual.
        back: AlertStateName = (
            "firing" if cur.fired_at is not None and cur.resolved_at is None else "pending"
        )
        cur = move(cur, back, cur.severity or cond.tier)
    active = cond.active
    if cur.state == "firing" and cond.recovery_active is not None:
        active = cond.recovery_active  # hysteresis on the value: judged on the recovery level
    reached = cond.severity or cond.tier
    severity, lower = _next_severity(cur, active, reached, m_clear)
    cur = _observed(cur, cond, at, severity=severity, lower_count=lower)
    if active:
        cur = replace(cur, consecutive_true=cur.consecutive_true + 1, consecutive_false=0)
        if cur.state in ("inactive", "resolved"):
            cur = replace(cur, consecutive_true=1)
            cur = move(cur, "pending", severity, started_at=at, fired_at=None, resolved_at=None)
        if cur.state == "pending" and cur.consecutive_true >= n_for:
            cur = move(cur, "firing", severity, fired_at=at)
    else:
        cur = replace(cur, consecutive_false=cur.consecutive_false + 1, consecutive_true=0)
        if cur.state == "pending":
            cur = move(cur, "inactive", severity, started_at=None)
        elif cur.state == "firing" and cur.consecutive_false >= m_clear:
            cur = move(cur, "resolved", severity, resolved_at=at)
    return cur, events


def _observed(state: AlertState, cond: Condition, at: dt.date, **changes: Any) -> AlertState:
    """``state`` after recording an evaluable condition's value, threshold, day and message."""
    return replace(
        state,
        last_value=cond.value,
        threshold=cond.threshold,
        last_evaluated_at=at,
        message=cond.message,
        **changes,
    )


def _next_severity(cur: AlertState, active: bool, reached: str, m_clear: int) -> tuple[str, int]:
    """(severity, lower_count) after one evaluable condition (module docstring)."""
    if cur.state != "firing":
        return (reached if active else (cur.severity or reached)), 0
    if not active:
        return cur.severity or reached, 0
    now_rank, cur_rank = TIER_RANK.get(reached, 0), TIER_RANK.get(cur.severity, 0)
    if not cur.severity or now_rank >= cur_rank:
        return reached, 0
    lower = cur.lower_count + 1
    if lower >= m_clear:
        return reached, 0
    return cur.severity, lower


def _step_milestone(prev: AlertState, cond: Condition, at: dt.date, move: Any) -> AlertState:
    """A milestone: ``reached`` on the first true evaluation, ``inactive`` once false."""
    if cond.active is None:
        return replace(prev, last_evaluated_at=at)
    sev = cond.severity or cond.tier
    cur = _observed(
        prev,
        cond,
        at,
        severity=sev,
        consecutive_true=prev.consecutive_true + 1 if cond.active else 0,
        consecutive_false=0 if cond.active else prev.consecutive_false + 1,
    )
    if cond.active and prev.state != "reached":
        out: AlertState = move(cur, "reached", sev, started_at=at, fired_at=at, resolved_at=None)
        return out
    if not cond.active and prev.state == "reached":
        out = move(cur, "inactive", sev, resolved_at=at)
        return out
    return cur


def step_all(
    states: Mapping[Identity, AlertState],
    conditions: Iterable[Condition],
    at: dt.date,
    config: AlertConfig | None = None,
    *,
    milestones: frozenset[str] = frozenset(),
) -> tuple[dict[Identity, AlertState], list[AlertEvent]]:
    """Advance every alert touched by one evaluation round.

    Parameters
    ----------
    states : mapping identity -> AlertState
        Current states, keyed by ``(rule, strategy_id, tier)``.
    conditions : iterable of Condition
        This round's conditions, at most one per identity.
    at : datetime.date
    config : AlertConfig, optional
    milestones : frozenset of str
        Rules that are milestones (events; see :func:`step`).

    Returns
    -------
    (dict identity -> AlertState, list of AlertEvent)
        All states (untouched ones carried over) and this round's events in condition order.

    Raises
    ------
    ValueError
        When two conditions share an identity, or a state is keyed under a wrong identity.
    """
    out = dict(states)
    for key, st in out.items():
        if st.identity != key:
            raise ValueError(f"state for {st.identity} stored under {key}")
    events: list[AlertEvent] = []
    seen: set[Identity] = set()
    for cond in conditions:
        if cond.identity in seen:
            raise ValueError(f"two conditions for {cond.identity} in one evaluation round")
        seen.add(cond.identity)
        new, evs = step(out.get(cond.identity), cond, at, config, milestone=cond.rule in milestones)
        out[cond.identity] = new
        events.extend(evs)
    return out, events
