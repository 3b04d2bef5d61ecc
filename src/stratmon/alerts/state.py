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

**Insufficient data** (``active is None``) neither advances nor resets anything: the state,
both counters and the timestamps stay as they were; only ``last_evaluated_at`` moves. A firing
alert therefore stays firing while, say, the win-rate window has too few trades, and a run of
true evaluations interrupted by a day without data still counts as consecutive. Missing data is
not evidence of recovery, nor of trouble.

**Recovery threshold.** A condition may carry ``recovery_active`` (the value is still beyond
the rule's separate recovery level): while the alert is firing, that verdict replaces
``active``, so an alert that fired at -10 % stays active until the value is back above, say,
-8 %. **Severity.** A tiered rule's condition carries the tier it reached; the state keeps it
(``severity``), and the processor turns a change while firing into an escalation.

Every transition yields an :class:`AlertEvent`; the events are the alert's history (the store
persists them, :mod:`stratmon.alerts.log` appends them to the JSON-lines log).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from stratmon.alerts.config import AlertConfig
from stratmon.alerts.rules import Condition, Identity

AlertStateName = Literal["inactive", "pending", "firing", "resolved"]
ALERT_STATES: tuple[AlertStateName, ...] = ("inactive", "pending", "firing", "resolved")


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

    Returns
    -------
    (AlertState, list of AlertEvent)
        The new state and the transitions (0, 1 or 2 events) it took.

    Raises
    ------
    ValueError
        When ``prev`` belongs to another identity, or ``at`` is not after its last evaluation
        (evaluating one day twice would double-count towards N or M).

    References
    ----------
    Prometheus Alertmanager's pending/firing/resolved alert lifecycle (``for`` and
    ``keep_firing_for``), here counted in evaluations.
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

    active = cond.active
    if prev.state == "firing" and cond.recovery_active is not None:
        active = cond.recovery_active  # hysteresis on the value: judged on the recovery level
    if active is None:
        return replace(prev, last_evaluated_at=at), []
    severity = (cond.severity or cond.tier) if active else (prev.severity or cond.tier)

    events: list[AlertEvent] = []
    cur = replace(
        prev,
        last_value=cond.value,
        threshold=cond.threshold,
        last_evaluated_at=at,
        message=cond.message,
        severity=severity,
    )

    def move(state: AlertState, to: AlertStateName, **changes: Any) -> AlertState:
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

    if active:
        cur = replace(cur, consecutive_true=cur.consecutive_true + 1, consecutive_false=0)
        if cur.state in ("inactive", "resolved"):
            cur = replace(cur, consecutive_true=1)
            cur = move(cur, "pending", started_at=at, fired_at=None, resolved_at=None)
        if cur.state == "pending" and cur.consecutive_true >= n_for:
            cur = move(cur, "firing", fired_at=at)
    else:
        cur = replace(cur, consecutive_false=cur.consecutive_false + 1, consecutive_true=0)
        if cur.state == "pending":
            cur = move(cur, "inactive", started_at=None)
        elif cur.state == "firing" and cur.consecutive_false >= m_clear:
            cur = move(cur, "resolved", resolved_at=at)
    return cur, events


def step_all(
    states: Mapping[Identity, AlertState],
    conditions: Iterable[Condition],
    at: dt.date,
    config: AlertConfig | None = None,
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
        new, evs = step(out.get(cond.identity), cond, at, config)
        out[cond.identity] = new
        events.extend(evs)
    return out, events
