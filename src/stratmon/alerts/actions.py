"""What people do to alerts: acknowledge, resolve by hand, silence. Used by the CLI and the
dashboard; each action is one transaction and is recorded in the alert's history."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from stratmon.alerts.config import RULE_NAMES, AlertConfig
from stratmon.alerts.processor import enqueue_notification, utcnow
from stratmon.alerts.state import OPEN_STATES, AlertEvent, AlertStateName
from stratmon.errors import StratmonError
from stratmon.store import Store
from stratmon.store import alerts_queries as aq
from stratmon.store import alerts_repo as arepo
from stratmon.store import repositories as repo


class AlertActionError(StratmonError):
    """An action that cannot be applied (unknown alert, wrong state, bad duration)."""


def _load(conn: Any, alert_id: int) -> dict[str, Any]:
    alert = aq.alert(conn, alert_id)
    if alert is None:
        raise AlertActionError(f"No alert #{alert_id}. List them with `stratmon alerts list`.")
    return alert


def _need_name(by: str) -> str:
    name = by.strip()
    if not name:
        raise AlertActionError("Say who you are: --by NAME must not be empty.")
    return name


def _record(
    conn: Any, alert: dict[str, Any], action: str, name: str, note: str, now: dt.datetime
) -> None:
    """The history entry of a person's action on an alert (no evaluation date)."""
    arepo.add_action(
        conn,
        alert["id"],
        {
            "at": now,
            "eval_date": None,
            "action": action,
            "actor": name,
            "severity": alert["severity"],
            "value": alert["last_value"],
            "threshold": alert["threshold"],
            "note": note,
        },
    )


def _event(
    alert: dict[str, Any], day: dt.date, to_state: AlertStateName, message: str, **extra: str
) -> AlertEvent:
    """An event of a person's action on an alert, from its stored row (``None`` -> NaN)."""
    return AlertEvent(
        alert["rule"],
        alert["strategy_id"],
        alert["tier"],
        day,
        alert["state"],
        to_state,
        float("nan") if alert["last_value"] is None else alert["last_value"],
        float("nan") if alert["threshold"] is None else alert["threshold"],
        message,
        severity=alert["severity"],
        **extra,
    )


def acknowledge(
    store: Store, alert_id: int, by: str, note: str = "", *, now: dt.datetime | None = None
) -> AlertEvent:
    """Acknowledge a pending or firing alert: repeats stop until it escalates or resolves.

    Parameters
    ----------
    store : Store
    alert_id : int
    by : str
        Who acknowledges (recorded with the time and the note).
    note : str
    now : datetime.datetime, optional
        Naive UTC; defaults to now.

    Returns
    -------
    AlertEvent
        The history entry (``kind="acknowledged"``; the state does not change).

    Raises
    ------
    AlertActionError
        Unknown alert, an empty name, or an alert that is not pending or firing.
    """
    name = _need_name(by)
    now = now or utcnow()
    with store.transaction() as conn:
        alert = _load(conn, alert_id)
        if alert["state"] not in OPEN_STATES:
            raise AlertActionError(
                f"Alert #{alert_id} is {alert['state']}: only a pending, firing or no_data alert "
                "can be acknowledged."
            )
        arepo.upsert_alert_status(
            conn,
            alert_id,
            {
                "severity": alert["severity"],
                "acknowledged_at": now,
                "acknowledged_by": name,
                "ack_note": note,
            },
        )
        _record(conn, alert, "acknowledged", name, note, now)
    return _event(
        alert,
        now.date(),
        alert["state"],
        alert["message"],
        kind="acknowledged",
        actor=name,
        note=note,
    )


def resolve(
    store: Store,
    alert_id: int,
    by: str,
    note: str = "",
    *,
    now: dt.datetime | None = None,
    config: AlertConfig | None = None,
) -> AlertEvent:
    """Resolve a pending or firing alert by hand, with a note.

    The alert's state becomes ``resolved`` on today's date (a transition event, and who did
    it in the history). When ``config`` is given and the firing had been announced, the
    "resolved" message is queued in the same transaction. If the condition still holds at
    the next evaluation, a new alert starts (a new episode).

    Parameters
    ----------
    store : Store
    alert_id : int
    by, note : str
    now : datetime.datetime, optional
    config : AlertConfig, optional
        Routing for the resolved notification (none is queued without it).

    Returns
    -------
    AlertEvent
        The ``-> resolved`` transition.

    Raises
    ------
    AlertActionError
        Unknown alert, empty name, or an alert that is already resolved or inactive.
    """
    name = _need_name(by)
    now = now or utcnow()
    day = now.date()
    with store.transaction() as conn:
        alert = _load(conn, alert_id)
        if alert["state"] not in OPEN_STATES:
            raise AlertActionError(
                f"Alert #{alert_id} is already {alert['state']}: nothing to resolve."
            )
        text = f"Resolved by {name}" + (f": {note}" if note else ".")
        repo.save_alert_event(
            conn,
            alert_id,
            {
                "at": day,
                "from_state": alert["state"],
                "to_state": "resolved",
                "value": alert["last_value"],
                "threshold": alert["threshold"],
                "message": text,
            },
        )
        arepo.set_alert_resolved(conn, alert_id, day, alert["message"])
        arepo.upsert_alert_status(
            conn,
            alert_id,
            {
                "severity": alert["severity"],
                "resolved_recorded_at": now,
                "resolved_by": name,
                "resolve_note": note,
            },
        )
        _record(conn, alert, "resolved", name, note, now)
        if config is not None and alert["state"] == "firing" and alert["notified_severity"]:
            info = {
                **alert,
                "value": alert["last_value"],
                "category": alert["category"] or config.category(alert["rule"]),
                "resolved_at": day,
                "at": day,
                "message": text,
                "note": note,
            }
            enqueue_notification(conn, config, info, "resolved", day, now)
    return _event(alert, day, "resolved", text, actor=name, note=note)


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$")
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> dt.timedelta:
    """``"30m"``, ``"12h"``, ``"2d"``, ``"1w"`` -> timedelta.

    Raises
    ------
    AlertActionError
        For anything else, or a zero duration.
    """
    m = _DURATION.match(text)
    if not m or float(m.group(1)) <= 0:
        raise AlertActionError(
            f"Duration {text!r} not understood: write a number and a unit m, h, d or w (e.g. 2d)."
        )
    return dt.timedelta(seconds=float(m.group(1)) * _UNITS[m.group(2)])


def silence(
    store: Store,
    *,
    duration: dt.timedelta,
    by: str,
    strategy_id: str | None = None,
    rule: str | None = None,
    pool: str | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> int:
    """Silence notifications of alerts matching every given matcher for ``duration``.

    Returns
    -------
    int
        The silence's id.

    Raises
    ------
    AlertActionError
        No matcher given, an unknown rule, or an empty name.
    """
    name = _need_name(by)
    if not (strategy_id or rule or pool):
        raise AlertActionError(
            "A silence needs at least one matcher: --strategy, --rule or --pool."
        )
    if rule is not None and rule not in RULE_NAMES:
        raise AlertActionError(f"Unknown rule {rule!r}; rules: {', '.join(RULE_NAMES)}.")
    now = now or utcnow()
    with store.transaction() as conn:
        return arepo.add_silence(
            conn,
            {
                "strategy_id": strategy_id,
                "rule": rule,
                "pool": pool,
                "starts_at": now,
                "ends_at": now + duration,
                "created_by": name,
                "note": note,
                "created_at": now,
            },
        )


def expire_silence(store: Store, silence_id: int, *, now: dt.datetime | None = None) -> None:
    """End a silence now.

    Raises
    ------
    AlertActionError
        When there is no such silence.
    """
    with store.transaction() as conn:
        if not arepo.expire_silence(conn, silence_id, now or utcnow()):
            raise AlertActionError(f"No silence #{silence_id}.")
