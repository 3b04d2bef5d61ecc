"""One evaluation round of the alert system, inside the caller's transaction.

:func:`process_conditions` advances every alert identity ``(rule, strategy_id, tier)`` with
the hysteresis state machine of :mod:`stratmon.alerts.state` (``for``, the recovery
threshold, ``keep_firing_for``), stores each transition as an event, tracks the severity of
tiered rules (a deeper tier *escalates* the same alert and notifies again), and writes the
notifications the round causes to the outbox -- all on the caller's connection, so the
transitions and their notifications commit together or not at all. Sending is the
dispatcher's job (:mod:`stratmon.alerts.dispatch`), after the commit.

Notifications
-------------
- A firing alert is announced once (``firing``); an escalation is announced again
  (``escalated``; the severity never drops while the alert fires, so a value hovering at
  a tier boundary does not flap); a resolution is announced (``resolved``) when the firing was; with
  ``repeat_every = D`` a firing alert nobody acknowledged is announced again every D days.
- A *silence* matching the alert (strategy, rule, pool; time-bounded) or an *inhibition*
  (a firing data-quality alert on the same strategy suppresses the categories of
  ``alerts.inhibit``, by default performance and milestones) holds the notification back;
  the suppression is recorded in the alert's history. A firing alert that was held back is
  announced on the first evaluation after the silence or inhibition ends.
- An acknowledged alert is not repeated; an escalation lapses the acknowledgement.
- Routing (:class:`~stratmon.alerts.config.RouteConfig`) picks channels by severity, rule,
  category, strategy and pool; ``digest`` routes queue the message for the channel's daily or
  weekly digest instead of sending it at once.
- Rejected inbox files are announced once each (rule ``rejected_file``; no state machine,
  since a file names no strategy the store can hold an alert for).

Re-running an evaluation date changes nothing: an identity already evaluated on or after the
date is skipped, and every outbox message has a unique ``dedup_key``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection

from stratmon.alerts.config import TIER_RANK, AlertConfig
from stratmon.alerts.messages import alert_message
from stratmon.alerts.rules import Condition
from stratmon.alerts.state import AlertEvent, AlertState, step
from stratmon.store import alerts_queries as aq
from stratmon.store import alerts_repo as arepo
from stratmon.store import queries as q
from stratmon.store import repositories as repo

REJECTED_LOOKBACK = dt.timedelta(days=7)


def utcnow() -> dt.datetime:
    """Naive UTC now (the store's convention for timestamps)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def period_key(day: dt.date, every: str) -> str:
    """Digest period of an evaluation date: ``YYYY-MM-DD`` (daily) or ``YYYY-Www`` (weekly)."""
    if every == "weekly":
        iso = day.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    return day.isoformat()


def silence_matches(silence: Mapping[str, Any], *, strategy_id: str, rule: str, pool: str) -> bool:
    """Whether a silence covers an alert: every matcher it sets must equal the alert's."""
    pairs = (("strategy_id", strategy_id), ("rule", rule), ("pool", pool))
    return all(silence.get(k) in (None, "") or silence.get(k) == v for k, v in pairs)


def route_targets(
    config: AlertConfig,
    *,
    severity: str,
    rule: str,
    category: str,
    strategy_id: str,
    pool: str,
    kind: str,
) -> list[tuple[str, str, str]]:
    """``(channel, mode, every)`` for a message, each at most once; channels that do not
    send resolved messages are left out for ``kind == "resolved"``."""
    out: list[tuple[str, str, str]] = []
    for route in config.routes:
        if not route.matches(
            severity=severity, rule=rule, category=category, strategy_id=strategy_id, pool=pool
        ):
            continue
        for name in route.channels:
            channel = config.channels[name]
            if kind == "resolved" and not channel.send_resolved:
                continue
            every = route.every if route.mode == "digest" else ""
            target = (name, route.mode, every)
            if target not in out:
                out.append(target)
    return out


def _enqueue(
    conn: Connection,
    target: tuple[str, str, str],
    day: dt.date,
    now: dt.datetime,
    values: Mapping[str, Any],
) -> int | None:
    """Queue one message for a ``(channel, mode, every)`` target: a digest route's message
    waits for its period's digest, any other is sent at once."""
    channel, mode, every = target
    digest = mode == "digest"
    return arepo.enqueue(
        conn,
        {
            **values,
            "channel": channel,
            "status": "digest" if digest else "pending",
            "eval_date": day,
            "period": period_key(day, every) if digest else None,
            "created_at": now,
        },
    )


def enqueue_notification(
    conn: Connection,
    config: AlertConfig,
    alert: Mapping[str, Any],
    kind: str,
    day: dt.date,
    now: dt.datetime,
) -> int:
    """Write one alert's message to the outbox for every routed channel.

    Parameters
    ----------
    conn : Connection
        The transaction of the alert change.
    config : AlertConfig
    alert : mapping
        As for :func:`stratmon.alerts.messages.alert_message`, plus ``pool``.
    kind : {"firing", "resolved", "escalated", "renotified"}
    day : datetime.date
        Evaluation (or action) date: part of the dedup key and the digest period.
    now : datetime.datetime

    Returns
    -------
    int
        Messages queued (0 when nothing is routed or all were queued before).
    """
    severity = str(alert.get("severity") or alert["tier"])
    targets = route_targets(
        config,
        severity=severity,
        rule=str(alert["rule"]),
        category=str(alert.get("category", "")),
        strategy_id=str(alert["strategy_id"]),
        pool=str(alert.get("pool", "")),
        kind=kind,
    )
    if not targets:
        return 0
    subject, body = alert_message(alert, kind, config.dashboard_url)
    n = 0
    for target in targets:
        channel, mode, _ = target
        key = f"alert:{alert['id']}:{kind}:{day.isoformat()}:{severity}:{channel}:{mode}"
        values = {
            "dedup_key": key,
            "kind": kind,
            "alert_id": alert["id"],
            "strategy_id": alert["strategy_id"],
            "rule": alert["rule"],
            "severity": severity,
            "subject": subject,
            "body": body,
        }
        n += _enqueue(conn, target, day, now, values) is not None
    return n


class _Round:
    """State shared by one call of :func:`process_conditions`."""

    def __init__(
        self,
        conn: Connection,
        as_of: dt.date,
        config: AlertConfig,
        pools: Mapping[str, str],
        now: dt.datetime,
    ) -> None:
        self.conn = conn
        self.as_of = as_of
        self.config = config
        self.pools = pools
        self.now = now
        self.silences = aq.active_silences(conn, now)
        self.dq_firing: set[str] = set()
        self._names: dict[str, str] | None = None

    def name(self, strategy_id: str) -> str:
        if self._names is None:
            self._names = {s.strategy_id: s.name for s in q.strategies(self.conn)}
        return self._names.get(strategy_id, "")

    def suppressed(self, strategy_id: str, rule: str, category: str) -> str | None:
        pool = self.pools.get(strategy_id, "")
        for s in self.silences:
            if silence_matches(s, strategy_id=strategy_id, rule=rule, pool=pool):
                return (
                    f"silenced by silence #{s['id']} ({s['created_by']}) until "
                    f"{s['ends_at']:%Y-%m-%d %H:%M} UTC"
                )
        if category in self.config.inhibit and strategy_id in self.dq_firing:
            return "inhibited: a data-quality alert is firing on this strategy"
        return None

    def info(self, alert_id: int, new: AlertState, category: str, note: str = "") -> dict[str, Any]:
        return {
            "id": alert_id,
            "rule": new.rule,
            "strategy_id": new.strategy_id,
            "strategy_name": self.name(new.strategy_id),
            "tier": new.tier,
            "severity": new.severity or new.tier,
            "category": category,
            "pool": self.pools.get(new.strategy_id, ""),
            "value": new.last_value,
            "threshold": new.threshold,
            "message": new.message,
            "started_at": new.started_at,
            "fired_at": new.fired_at,
            "resolved_at": new.resolved_at,
            "at": self.as_of,
            "note": note,
        }

    def announce(self, alert_id: int, new: AlertState, category: str, kind: str) -> None:
        """Queue the notification; every kind but ``resolved`` records the alert as announced
        at its severity today (an escalation also lapses the acknowledgement)."""
        info = self.info(alert_id, new, category)
        enqueue_notification(self.conn, self.config, info, kind, self.as_of, self.now)
        if kind == "resolved":
            return
        ack = {"acknowledged_by": None, "ack_note": None} if kind == "escalated" else {}
        arepo.upsert_alert_status(
            self.conn,
            alert_id,
            {"notified_severity": new.severity or new.tier, "notified_on": self.as_of, **ack},
        )

    def add_action(self, alert_id: int, new: AlertState, action: str, note: str) -> None:
        """A history entry by the daily job, with the alert's current severity and value."""
        arepo.add_action(
            self.conn,
            alert_id,
            {
                "at": self.now,
                "eval_date": self.as_of,
                "action": action,
                "actor": "stratmon",
                "severity": new.severity or new.tier,
                "value": new.last_value,
                "threshold": new.threshold,
                "note": note,
            },
        )


def _prev_state(row: Any, status: Mapping[str, Any]) -> AlertState:
    return AlertState(
        **{f: getattr(row, f) for f in repo.ALERT_STATE_FIELDS},
        last_evaluated_at=row.updated_at,
        severity=str(status.get("severity") or row.tier),
    )


def _event_values(e: AlertEvent) -> dict[str, Any]:
    return {
        "at": e.at,
        "from_state": e.from_state,
        "to_state": e.to_state,
        "value": e.value,
        "threshold": e.threshold,
        "message": e.message,
    }


def _may_change(cond: Condition, row: Any, as_of: dt.date) -> bool:
    """False when this round cannot change the alert: it was already evaluated for this date
    (a re-run or a back-fill), or the rule is not true with no open episode and no count to
    reset (the common case, most rules most days)."""
    if row is not None and row.updated_at is not None and row.updated_at >= as_of:
        return False
    return cond.active is True or not (
        row is None or (row.state in ("inactive", "resolved") and not row.consecutive_true)
    )


def _sort_key(config: AlertConfig) -> Any:
    return lambda c: config.category(c.rule) != "data_quality"


def process_conditions(
    conn: Connection,
    conditions: Iterable[Condition],
    as_of: dt.date,
    config: AlertConfig,
    *,
    pools: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> list[AlertEvent]:
    """Advance every alert for one evaluation date and queue its notifications.

    Parameters
    ----------
    conn : Connection
        An open transaction; nothing is committed here.
    conditions : iterable of Condition
        This round's conditions, at most one per identity (first-form, decay and the rules
        of :mod:`stratmon.alerts.conditions`).
    as_of : datetime.date
        The evaluation date.
    config : AlertConfig
        Global config; per-strategy / per-pool overrides are applied here.
    pools : mapping strategy_id -> pool, optional
        Read from the store when omitted.
    now : datetime.datetime, optional
        Naive UTC wall-clock time (silences, timestamps); defaults to now.

    Returns
    -------
    list of AlertEvent
        State transitions and escalations, in processing order (data quality first).

    Raises
    ------
    ValueError
        When two conditions share an identity.
    """
    now = now or utcnow()
    conds = sorted(conditions, key=_sort_key(config))
    seen: set[tuple[str, str, str]] = set()
    for c in conds:
        if c.identity in seen:
            raise ValueError(f"two conditions for {c.identity} in one evaluation round")
        seen.add(c.identity)
    if pools is None:
        pools = aq.strategy_pools(conn)
    rnd = _Round(conn, as_of, config, pools, now)
    stored = q.alert_states(conn, sorted({c.strategy_id for c in conds}))
    rnd.dq_firing = {
        r.strategy_id
        for r in stored.values()
        if r.state == "firing" and config.category(r.rule) == "data_quality"
    }
    work = [
        (c, stored.get(c.identity)) for c in conds if _may_change(c, stored.get(c.identity), as_of)
    ]
    status = aq.alert_status(conn, [row.id for _, row in work if row is not None])
    events: list[AlertEvent] = []
    updates: list[tuple[int, dict[str, Any]]] = []
    for cond, row in work:
        sid = cond.strategy_id
        cfg = config.for_strategy(sid, pools.get(sid, ""))
        category = config.category(cond.rule)
        st = status.get(row.id, {}) if row is not None else {}
        prev = _prev_state(row, st) if row is not None else None
        new, evs = step(prev, cond, as_of, cfg)
        if row is None and new.state == "inactive" and not evs:
            continue  # a rule that has never been true leaves no row
        if category == "data_quality":
            if new.state == "firing":
                rnd.dq_firing.add(sid)
            else:
                rnd.dq_firing.discard(sid)
        new_episode = row is not None and row.state == "resolved" and bool(evs)
        escalation: AlertEvent | None = None
        if prev is not None and not new_episode and prev.state == new.state == "firing":
            # Severity only rises while an alert fires (no flapping at a tier boundary): it
            # keeps the highest tier reached until it resolves.
            if TIER_RANK.get(new.severity, 0) < TIER_RANK.get(prev.severity, 0):
                new = replace(new, severity=prev.severity)
            if new.severity != prev.severity:
                escalation = AlertEvent(
                    cond.rule,
                    sid,
                    cond.tier,
                    as_of,
                    "firing",
                    "firing",
                    cond.value,
                    cond.threshold,
                    cond.message,
                    severity=new.severity,
                    kind="escalated",
                    actor="stratmon",
                )
        values: dict[str, Any] = {f: getattr(new, f) for f in repo.ALERT_STATE_FIELDS}
        values["message"] = cond.message
        why = rnd.suppressed(sid, cond.rule, category)
        if row is not None and not new_episode and not evs and escalation is None:
            updates.append((row.id, {**values, "updated_at": as_of}))
            if new.state == "firing" and why is None:
                _deferred_or_repeat(rnd, row.id, new, category, st, cfg.repeat_every)
            continue
        alert_id = repo.save_alert_state(
            conn, None if (row is None or new_episode) else row.id, values, as_of
        )
        if new_episode and row is not None:
            repo.touch_alert(conn, row.id, as_of)
            st = {}
        for e in evs:
            repo.save_alert_event(conn, alert_id, _event_values(e))
        upd: dict[str, Any] = {
            "severity": new.severity or cond.tier,
            "category": category,
            "pool": pools.get(sid, ""),
        }
        if any(e.to_state == "firing" for e in evs):
            upd.update(fired_recorded_at=now, notified_severity=None, notified_on=None)
        if any(e.to_state == "resolved" for e in evs):
            upd["resolved_recorded_at"] = now
        if escalation is not None:
            note = f"{prev.severity if prev else ''} -> {new.severity}: {cond.message}"
            rnd.add_action(alert_id, new, escalation.kind, note)
        arepo.upsert_alert_status(conn, alert_id, upd)
        notified = upd.get("notified_severity", st.get("notified_severity"))
        for e in [*evs, *([escalation] if escalation else [])]:
            kind = _notification_kind(e)
            if kind is None or (kind == "resolved" and notified is None):
                continue
            if kind == "escalated" and notified is None:
                kind = "firing"  # never announced: announce it now, at its new severity
            if why is not None:
                rnd.add_action(alert_id, new, "suppressed", f"{kind} notification not sent: {why}")
                continue
            rnd.announce(alert_id, new, category, kind)
            if kind != "resolved":
                notified = new.severity
        events.extend(evs)
        if escalation is not None:
            events.append(escalation)
    repo.update_alert_states(conn, updates)
    _rejected_files(rnd)
    return events


def _notification_kind(e: AlertEvent) -> str | None:
    if e.kind == "escalated":
        return "escalated"
    if e.kind != "transition":
        return None
    if e.to_state == "firing":
        return "firing"
    if e.to_state == "resolved" and e.from_state == "firing":
        return "resolved"
    return None


def _deferred_or_repeat(
    rnd: _Round,
    alert_id: int,
    new: AlertState,
    category: str,
    st: Mapping[str, Any],
    repeat_every: int,
) -> None:
    """A firing alert without a transition today: announce it if it was held back, or
    repeat it when ``repeat_every`` days passed without an acknowledgement."""
    notified_on = st.get("notified_on")
    if st.get("notified_severity") is None:
        kind = "firing"
    elif (
        repeat_every > 0
        and st.get("acknowledged_by") is None
        and notified_on is not None
        and (rnd.as_of - notified_on).days >= repeat_every
    ):
        kind = "renotified"
    else:
        return
    rnd.announce(alert_id, new, category, kind)
    if kind == "renotified":
        note = f"still firing, not acknowledged after {repeat_every} days"
        rnd.add_action(alert_id, new, "renotified", note)


def _rejected_files(rnd: _Round) -> None:
    """One notification per rejected inbox file (recent ones), routed as ``rejected_file``."""
    cfg = rnd.config.rejected_file
    if not cfg.enabled or not rnd.config.routes:
        return
    targets = route_targets(
        rnd.config,
        severity=cfg.tier,
        rule="rejected_file",
        category="data_quality",
        strategy_id="",
        pool="",
        kind="firing",
    )
    if not targets:
        return
    done = aq.outbox_keys(rnd.conn, "rejected:")
    for f in aq.rejected_files(rnd.conn):
        if f["ingested_at"] is not None and f["ingested_at"] < rnd.now - REJECTED_LOOKBACK:
            continue
        error = str(f.get("error") or "").strip()
        subject = f"[stratmon] {cfg.tier.upper()} FIRING: rejected_file {f['name']}"
        body = "\n".join(
            [
                f"FIRING ({cfg.tier.upper()}) - rejected_file: {f['name']}",
                "",
                f"What: the file {f['name']} was rejected whole; nothing of it was stored.",
                f"Why: {error[:2000]}",
                f"When: {f['ingested_at']:%Y-%m-%d %H:%M} UTC" if f["ingested_at"] else "",
                "See more: the .error.txt beside it in inbox/rejected/; fix the file and drop "
                "it in the inbox again.",
            ]
        )
        for target in targets:
            channel, mode, _ = target
            key = f"rejected:{f['id']}:{channel}:{mode}"
            if key in done:
                continue
            values = {
                "dedup_key": key,
                "kind": "firing",
                "alert_id": None,
                "strategy_id": None,
                "rule": "rejected_file",
                "severity": cfg.tier,
                "subject": subject,
                "body": body,
            }
            _enqueue(rnd.conn, target, rnd.as_of, rnd.now, values)


__all__ = [
    "enqueue_notification",
    "period_key",
    "process_conditions",
    "route_targets",
    "silence_matches",
    "utcnow",
]
