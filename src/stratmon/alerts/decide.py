"""The pure decision of one alert evaluation: what the alert becomes and what is announced.

:func:`decide` takes the alert's previous state, this round's condition, the active silences
and the configuration, and returns a :class:`Decision` (new state, transitions, a severity
change, the notifications to send or hold back and why) without touching the store; the
processor (:mod:`stratmon.alerts.processor`) is the separate step that writes decisions to the
store and the outbox inside one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stratmon.alerts.config import TIER_RANK, AlertConfig
from stratmon.alerts.rules import Condition
from stratmon.alerts.state import AlertEvent, AlertState, step


def is_milestone(rule: str) -> bool:
    """True for the rules of kind ``milestone`` (events, never firing: see alerts.state)."""
    from stratmon.alerts.registry import rule_spec

    try:
        return rule_spec(rule).kind == "milestone"
    except KeyError:
        return False


def silence_matches(silence: Mapping[str, Any], *, strategy_id: str, rule: str, pool: str) -> bool:
    """Whether a silence covers an alert: every matcher it sets must equal the alert's."""
    pairs = (("strategy_id", strategy_id), ("rule", rule), ("pool", pool))
    return all(silence.get(k) in (None, "") or silence.get(k) == v for k, v in pairs)


def suppression(
    silences: Sequence[Mapping[str, Any]],
    config: AlertConfig,
    *,
    strategy_id: str,
    rule: str,
    pool: str,
    data_quality_firing: bool,
) -> str | None:
    """Why a notification of this alert is held back (a silence or an inhibition), or None."""
    for s in silences:
        if silence_matches(s, strategy_id=strategy_id, rule=rule, pool=pool):
            return (
                f"silenced by silence #{s['id']} ({s['created_by']}) until "
                f"{s['ends_at']:%Y-%m-%d %H:%M} UTC"
            )
    if config.category(rule) in config.inhibit and data_quality_firing:
        return "inhibited: a data-quality alert is firing on this strategy"
    return None


@dataclass(frozen=True, slots=True)
class Decision:
    """What one evaluation does to one alert.

    ``state`` is the new state; ``transitions`` the state machine's events; ``change`` the
    severity step while firing (kind ``escalated`` or ``deescalated``), if any;
    ``new_episode`` whether a resolved alert starts over (a new alert row);
    ``notifications`` the messages the change causes as ``(kind, held_back_reason)``
    (``None``: send it); ``fired`` whether the alert newly fired.
    """

    state: AlertState
    transitions: tuple[AlertEvent, ...]
    change: AlertEvent | None
    new_episode: bool
    notifications: tuple[tuple[str, str | None], ...]
    fired: bool
    resolved: bool

    @property
    def events(self) -> tuple[AlertEvent, ...]:
        """Transitions, then the severity change."""
        return (*self.transitions, *((self.change,) if self.change else ()))

    @property
    def quiet(self) -> bool:
        """Nothing but counters changed (no transition, no severity step, no new episode)."""
        return not self.transitions and self.change is None and not self.new_episode


def notification_kind(e: AlertEvent, config: AlertConfig) -> str | None:
    """The message an event causes: ``firing``, ``resolved``, ``escalated``, ``deescalated``
    (only with ``notify_deescalation``), ``reached`` (a milestone), or None."""
    if e.kind == "escalated":
        return "escalated"
    if e.kind == "deescalated":
        return "deescalated" if config.notify_deescalation else None
    if e.kind != "transition":
        return None
    if e.to_state == "firing" and e.from_state == "pending":
        return "firing"  # (back from no_data is not news: it was announced when it fired)
    if e.to_state == "reached":
        return "reached"  # a milestone: notified once, never firing
    if e.to_state == "resolved" and e.from_state == "firing":
        return "resolved"
    return None


def decide(
    previous: AlertState | None,
    condition: Condition,
    silences: Sequence[Mapping[str, Any]],
    config: AlertConfig,
    *,
    at: dt.date,
    pool: str = "",
    notified_severity: str | None = None,
    data_quality_firing: bool = False,
) -> Decision:
    """Decide one alert's evaluation (pure: no store, no clock).

    Parameters
    ----------
    previous : AlertState or None
        The alert's state before (``None``: never seen).
    condition : Condition
        This round's condition for the same identity.
    silences : sequence of mappings
        Active silences (``id, created_by, ends_at`` and the matchers ``strategy_id, rule,
        pool``).
    config : AlertConfig
        The configuration for the alert's strategy (per-strategy overrides applied).
    at : datetime.date
        Evaluation date.
    pool : str
        The strategy's pool (silences may match it).
    notified_severity : str or None
        The severity last announced for the current episode (``None``: not announced).
    data_quality_firing : bool
        A data-quality alert fires on the same strategy (inhibits ``config.inhibit``).

    Returns
    -------
    Decision

    Raises
    ------
    ValueError
        As :func:`stratmon.alerts.state.step` (wrong identity, a date not after the last).

    References
    ----------
    Prometheus Alertmanager: alert lifecycle, silences, inhibition rules.
    """
    new, evs = step(previous, condition, at, config, milestone=is_milestone(condition.rule))
    new_episode = previous is not None and previous.state == "resolved" and bool(evs)
    change: AlertEvent | None = None
    if (
        previous is not None
        and not new_episode
        and previous.state == new.state == "firing"
        and new.severity != previous.severity
    ):
        up = TIER_RANK.get(new.severity, 0) > TIER_RANK.get(previous.severity, 0)
        change = AlertEvent(
            condition.rule,
            condition.strategy_id,
            condition.tier,
            at,
            "firing",
            "firing",
            condition.value,
            condition.threshold,
            condition.message,
            severity=new.severity,
            kind="escalated" if up else "deescalated",
            actor="stratmon",
        )
    fired = any(e.to_state == "firing" and e.from_state == "pending" for e in evs)
    resolved = any(e.to_state == "resolved" for e in evs)
    why = suppression(
        silences,
        config,
        strategy_id=condition.strategy_id,
        rule=condition.rule,
        pool=pool,
        data_quality_firing=data_quality_firing,
    )
    notified = None if (fired or new_episode) else notified_severity
    out: list[tuple[str, str | None]] = []
    for e in [*evs, *([change] if change else [])]:
        kind = notification_kind(e, config)
        if kind is None or (kind in ("resolved", "deescalated") and notified is None):
            continue  # never announced: nothing to resolve or step down from
        if kind == "escalated" and notified is None:
            kind = "firing"  # never announced: announce it now, at its new severity
        out.append((kind, why))
        if why is None and kind != "resolved":
            notified = new.severity
    return Decision(new, tuple(evs), change, new_episode, tuple(out), fired, resolved)


__all__ = [
    "Decision",
    "decide",
    "is_milestone",
    "notification_kind",
    "silence_matches",
    "suppression",
]
