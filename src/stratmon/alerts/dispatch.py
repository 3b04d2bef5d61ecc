"""The dispatcher: sends what the outbox holds, after the transaction that queued it.

1. **Digests.** Messages queued by ``digest`` routes are gathered per channel and period
   (a day, or an ISO week once the week is over, relative to ``as_of``) into one message,
   grouped by strategy; the digest is queued and its members marked ``digested`` in one
   transaction.
2. **Delivery.** Each ``pending`` message is claimed (``pending -> sending``), sent through
   its channel with ``retries`` extra attempts and exponential back-off
   (``backoff_seconds * 2**k``), every attempt is recorded, and the message ends ``sent`` or
   back in ``pending`` with the (redacted) error -- the next run retries it. Once a channel has
   failed all its attempts in a run, its other messages wait for the next run.

Nothing is lost (a message leaves ``pending`` only when sent) and nothing is doubled (the
outbox keys are unique and a sent message is never sent again). A dispatcher killed between a
send and its record leaves the message ``sending``; the next run puts it back in ``pending``
(at-least-once delivery in that one case). Run one dispatcher per store at a time.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stratmon.alerts.channels import (
    ChannelError,
    ResolvedChannel,
    SendResult,
    load_secrets,
    notify_type,
    resolve_channel,
    send,
)
from stratmon.alerts.config import AlertConfig
from stratmon.alerts.messages import digest_message
from stratmon.alerts.processor import period_key, utcnow
from stratmon.changes import change_lines
from stratmon.store import Store
from stratmon.store import alerts_queries as aq
from stratmon.store import alerts_repo as arepo
from stratmon.store import assessments as sa

Sender = Callable[[ResolvedChannel, str, str, str], SendResult]
"""``(channel, subject, body, notify_type) -> SendResult``."""


@dataclass
class DispatchReport:
    """What one dispatch run did."""

    sent: int = 0
    failed: int = 0
    digests: int = 0
    pending: int = 0
    errors: list[str] = field(default_factory=list)


def workspace_secrets(root: Path, config: AlertConfig) -> dict[str, str]:
    """The secrets file named by ``alerts.secrets_file`` (relative to ``root``), or none."""
    if not config.secrets_file:
        return {}
    path = Path(config.secrets_file)
    return load_secrets(path if path.is_absolute() else root / path)


def _complete(period: str, as_of: dt.date | None) -> bool:
    if as_of is None:
        return True
    if "-W" in period:
        return period < period_key(as_of, "weekly")
    return period <= as_of.isoformat()


def build_digests(
    store: Store, as_of: dt.date | None = None, now: dt.datetime | None = None
) -> int:
    """Turn complete periods of queued digest messages into one digest message each.

    Parameters
    ----------
    store : Store
    as_of : datetime.date, optional
        The evaluation date: daily periods up to it and weekly periods before its week are
        complete. ``None`` flushes everything queued.
    now : datetime.datetime, optional

    Returns
    -------
    int
        Digests queued.
    """
    now = now or utcnow()
    n = 0
    with store.transaction() as conn:
        groups: dict[tuple[str, str], list[dict[str, object]]] = {}
        for row in aq.outbox(conn, status="digest"):
            groups.setdefault((str(row["channel"]), str(row["period"])), []).append(row)
        for (channel, period), items in sorted(groups.items()):
            if not _complete(period, as_of):
                continue
            subject, body = digest_message(
                channel, period, items, changes=_day_changes(conn, period)
            )
            first = min(int(str(i["id"])) for i in items)
            digest_id = arepo.enqueue(
                conn,
                {
                    "dedup_key": f"digest:{channel}:{period}:{first}",
                    "channel": channel,
                    "kind": "digest",
                    "status": "pending",
                    "period": period,
                    "subject": subject,
                    "body": body,
                    "created_at": now,
                },
            )
            if digest_id is not None:
                arepo.mark_digested(conn, [int(str(i["id"])) for i in items], digest_id)
                n += 1
    return n


def _day_changes(conn: Any, period: str) -> list[str]:
    """The "what changed" lines of a daily digest's date (none for a weekly one)."""
    if "-W" in period:
        return []
    day = dt.date.fromisoformat(period)
    return change_lines(sa.assessments_on(conn, day), sa.book_changes(conn, day))


def dispatch_outbox(
    store: Store,
    config: AlertConfig,
    *,
    as_of: dt.date | None = None,
    now: dt.datetime | None = None,
    secrets: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
    sender: Sender | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> DispatchReport:
    """Build due digests, then send every pending message (see the module docstring).

    Parameters
    ----------
    store : Store
    config : AlertConfig
        Channels (URL, retries, back-off).
    as_of : datetime.date, optional
        Evaluation date for digest periods (``None``: flush all digests).
    now : datetime.datetime, optional
    secrets : mapping, optional
        Values for ``{secret:NAME}`` (see :func:`workspace_secrets`).
    environ : mapping, optional
        Values for ``{env:NAME}``; defaults to ``os.environ``.
    sender : callable, optional
        ``(channel, subject, body, notify_type) -> SendResult``; defaults to apprise.
    sleep : callable, optional
        Used for the back-off between attempts.

    Returns
    -------
    DispatchReport
    """
    report = DispatchReport()
    do_send: Sender = sender or send
    with store.transaction() as conn:
        arepo.release_stuck(conn)
    report.digests = build_digests(store, as_of, now)
    with store.read() as conn:
        rows = aq.outbox(conn, status="pending")
    resolved: dict[str, ResolvedChannel] = {}
    down: set[str] = set()
    for row in rows:
        name = str(row["channel"])
        channel = config.channels.get(name)
        if channel is None:
            report.pending += 1
            report.errors.append(f"message #{row['id']}: channel {name} is not configured")
            continue
        if name in down:
            report.pending += 1
            continue
        if name not in resolved:
            try:
                resolved[name] = resolve_channel(channel, secrets, environ)
            except ChannelError as exc:
                down.add(name)
                report.pending += 1
                report.errors.append(str(exc))
                continue
        with store.transaction() as conn:
            if not arepo.claim(conn, int(row["id"])):
                continue
        result = SendResult(False, "not attempted")
        attempts = 0
        for k in range(channel.retries + 1):
            attempts += 1
            result = do_send(
                resolved[name],
                str(row["subject"]),
                str(row["body"]),
                notify_type(str(row["kind"]), str(row["severity"] or "")),
            )
            with store.transaction() as conn:
                arepo.record_attempt(conn, int(row["id"]), now or utcnow(), result.ok, result.error)
            if result.ok:
                break
            if k < channel.retries:
                sleep(channel.backoff_seconds * 2**k)
        with store.transaction() as conn:
            arepo.finish_delivery(
                conn,
                int(row["id"]),
                ok=result.ok,
                attempts=attempts,
                at=now or utcnow(),
                error=result.error,
            )
        if result.ok:
            report.sent += 1
        else:
            report.failed += 1
            report.pending += 1
            down.add(name)
            report.errors.append(result.error or f"channel {name}: failed")
    return report


def test_channels(
    config: AlertConfig,
    *,
    secrets: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
    sender: Sender | None = None,
) -> dict[str, SendResult]:
    """Send one test message to every configured channel (not through the outbox).

    Returns
    -------
    dict channel -> SendResult
        Errors are redacted.
    """
    do_send: Sender = sender or send
    out: dict[str, SendResult] = {}
    for name, channel in config.channels.items():
        try:
            resolved = resolve_channel(channel, secrets, environ)
        except ChannelError as exc:
            out[name] = SendResult(False, str(exc))
            continue
        out[name] = do_send(
            resolved,
            f"[stratmon] test message to {name}",
            f"This is a test of the stratmon alert channel {name}. No action needed.",
            "info",
        )
    return out


test_channels.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
