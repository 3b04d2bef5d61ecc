"""Writes of the alert system beyond the state rows: status, history actions, silences, the
outbox and delivery attempts. Every function takes the caller's connection, so an alert
transition and the notifications it causes commit in one transaction."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from stratmon.store._json import opt_float
from stratmon.store.models import (
    AlertActionRow,
    AlertDeliveryRow,
    AlertOutboxRow,
    AlertRow,
    AlertSilenceRow,
    AlertStatusRow,
)

_STATUS_EXISTS = select(AlertStatusRow.alert_id).where(
    AlertStatusRow.alert_id == bindparam("alert_id")
)
_STATUS_INSERT = insert(AlertStatusRow)
_ACTION_INSERT = insert(AlertActionRow)


@functools.cache
def _status_update(keys: frozenset[str]) -> Any:
    """A prebuilt UPDATE of the given status columns (one per column set, built once)."""
    return (
        update(AlertStatusRow)
        .where(AlertStatusRow.alert_id == bindparam("_alert_id"))
        .values({k: bindparam(k) for k in keys})
    )


def upsert_alert_status(conn: Connection, alert_id: int, values: dict[str, Any]) -> None:
    """Insert or update the status row of an alert (only the given columns change)."""
    exists = conn.execute(_STATUS_EXISTS, {"alert_id": alert_id}).first()
    if exists is None:
        row = {"severity": "", "category": "performance", "pool": "", **values}
        conn.execute(_STATUS_INSERT, {"alert_id": alert_id, **row})
    elif values:
        conn.execute(_status_update(frozenset(values)), {**values, "_alert_id": alert_id})


def add_action(conn: Connection, alert_id: int, values: dict[str, Any]) -> int:
    """Append a history entry (action, actor, at, eval_date, severity, value, threshold, note)."""
    row = {**values, "alert_id": alert_id}
    for k in ("value", "threshold"):
        if k in row:
            row[k] = opt_float(row[k])
    res = conn.execute(_ACTION_INSERT, row)
    pk = res.inserted_primary_key
    assert pk is not None
    return int(pk[0])


def set_alert_resolved(conn: Connection, alert_id: int, at: dt.date, message: str) -> None:
    """Close an alert by hand: state ``resolved`` on ``at`` (the evaluation date is kept)."""
    conn.execute(
        update(AlertRow)
        .where(AlertRow.id == alert_id)
        .values(state="resolved", resolved_at=at, consecutive_true=0, message=message)
    )


def add_silence(conn: Connection, values: dict[str, Any]) -> int:
    """Store a silence (strategy_id/rule/pool matchers, starts_at, ends_at, created_by, note)."""
    res = conn.execute(insert(AlertSilenceRow).values(values))
    pk = res.inserted_primary_key
    assert pk is not None
    return int(pk[0])


def expire_silence(conn: Connection, silence_id: int, at: dt.datetime) -> bool:
    """End a silence now; False when there is no such silence."""
    res = conn.execute(
        update(AlertSilenceRow).where(AlertSilenceRow.id == silence_id).values(ends_at=at)
    )
    return bool(res.rowcount)


def enqueue(conn: Connection, values: dict[str, Any]) -> int | None:
    """Add a message to the outbox unless one with the same ``dedup_key`` exists.

    Returns the new row's id, or ``None`` when it was already queued (a re-run).
    """
    exists = conn.execute(
        select(AlertOutboxRow.id).where(AlertOutboxRow.dedup_key == values["dedup_key"])
    ).first()
    if exists is not None:
        return None
    res = conn.execute(insert(AlertOutboxRow).values({"attempts": 0, **values}))
    pk = res.inserted_primary_key
    assert pk is not None
    return int(pk[0])


def mark_digested(conn: Connection, ids: Sequence[int], digest_id: int) -> None:
    """Members of a digest: status ``digested``, pointing at the digest's outbox row."""
    if ids:
        conn.execute(
            update(AlertOutboxRow)
            .where(AlertOutboxRow.id.in_(list(ids)))
            .values(status="digested", digest_id=digest_id)
        )


def claim(conn: Connection, outbox_id: int, from_status: str = "pending") -> bool:
    """Move a message ``pending`` -> ``sending``; False when another dispatcher has it."""
    res = conn.execute(
        update(AlertOutboxRow)
        .where(AlertOutboxRow.id == outbox_id, AlertOutboxRow.status == from_status)
        .values(status="sending")
    )
    return bool(res.rowcount)


def release_stuck(conn: Connection) -> int:
    """Messages left ``sending`` by a dispatcher that died go back to ``pending``."""
    res = conn.execute(
        update(AlertOutboxRow).where(AlertOutboxRow.status == "sending").values(status="pending")
    )
    return int(res.rowcount or 0)


def record_attempt(
    conn: Connection, outbox_id: int, at: dt.datetime, ok: bool, error: str | None
) -> None:
    """Log one delivery attempt."""
    conn.execute(insert(AlertDeliveryRow).values(outbox_id=outbox_id, at=at, ok=ok, error=error))


def finish_delivery(
    conn: Connection,
    outbox_id: int,
    *,
    ok: bool,
    attempts: int,
    at: dt.datetime,
    error: str | None,
) -> None:
    """Outcome of a dispatch: ``sent`` (with ``sent_at``) or back to ``pending`` with the
    error, retried on the next run."""
    row = conn.execute(
        select(AlertOutboxRow.attempts).where(AlertOutboxRow.id == outbox_id)
    ).scalar_one()
    values: dict[str, Any] = {
        "attempts": int(row) + attempts,
        "last_attempt_at": at,
        "status": "sent" if ok else "pending",
        "last_error": None if ok else error,
    }
    if ok:
        values["sent_at"] = at
    conn.execute(update(AlertOutboxRow).where(AlertOutboxRow.id == outbox_id).values(values))
