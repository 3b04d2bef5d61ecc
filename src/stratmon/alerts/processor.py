"""One evaluation round of the alert system, inside the caller's transaction.

:func:`process_conditions` is the writing step: for every alert identity ``(rule,
strategy_id, tier)`` the pure :func:`stratmon.alerts.decide.decide` says what the alert
becomes (the hysteresis state machine of :mod:`stratmon.alerts.state`: ``for``, the recovery
threshold, ``keep_firing_for``, no_data, milestones, severity up and down) and what is
announced; this module stores each decision (state, events, status, history) and writes its
notifications to the outbox -- all on the caller's connection, so the transitions and their
notifications commit together or not at all. Sending is the dispatcher's job
(:mod:`stratmon.alerts.dispatch`), after the commit.

Notifications
-------------
- A firing alert is announced once (``firing``); a step up of its severity is announced
  again (``escalated``); a step down (after M evaluations at the lower tier, so a value
  hovering at a tier boundary does not flap) only with ``notify_deescalation``; a resolution
  is announced (``resolved``) when the firing was; with ``repeat_every = D`` a firing alert
  nobody acknowledged is announced again every D days.
- A milestone (kind ``milestone``) is an event: announced once (``reached``), never firing.
  An alert whose rule cannot be evaluated moves to ``no_data`` (not firing); its return to
  firing is not news.
- A *silence* matching the alert (strategy, rule, pool; time-bounded) or an *inhibition*
  (a firing data-quality alert on the same strategy suppresses the categories of
  ``alerts.inhibit``, by default performance and milestones) holds the notification back;
  the suppression is recorded in the alert's history. A firing alert that was held back is
  announced on the first evaluation after the silence or inhibition ends.
- An acknowledged alert is not repeated; an escalation lapses the acknowledgement.
- Routing (:class:`~stratmon.alerts.config.RouteConfig`) picks channels by severity, rule,
  category, strategy and pool; recipient roles (:mod:`stratmon.alerts.roles`,
  ``[alerts.roles.*]``) add their channels at their frequency; ``digest`` targets queue the
  message for the channel's daily or weekly digest instead of sending it at once.
- Immediate messages are grouped per strategy and channel for the round (Alertmanager's
  ``group_by``): one message with everything that changed for the strategy that day.
- Rejected inbox files are announced once each (rule ``rejected_file``; no state machine,
  since a file names no strategy the store can hold an alert for).

Re-running an evaluation date changes nothing: an identity already evaluated on or after the
date is skipped, and every outbox message has a unique ``dedup_key``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection

from stratmon.alerts.config import TIER_RANK, AlertConfig
from stratmon.alerts.decide import Decision, decide, silence_matches, suppression
from stratmon.alerts.messages import KIND_WORDS, alert_message, with_held_severity
from stratmon.alerts.roles import deliveries, recipients
from stratmon.alerts.rules import Condition
from stratmon.alerts.state import AlertEvent, AlertState
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
    for role_target in role_targets(config, rule=rule, severity=severity, kind=kind):
        if role_target not in out:
            out.append(role_target)
    return out


def role_targets(
    config: AlertConfig, *, rule: str, severity: str, kind: str
) -> list[tuple[str, str, str]]:
    """``(channel, mode, every)`` of the roles that receive the alert (:mod:`alerts.roles`):
    each recipient role's channels at its frequency (immediate, daily or weekly digest), plus
    its weekly summary."""
    out: list[tuple[str, str, str]] = []
    for name, freq in deliveries(recipients(rule, severity), severity, config):
        if kind == "resolved" and not config.channels[name].send_resolved:
            continue
        target = (name, "immediate", "") if freq == "immediate" else (name, "digest", freq)
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
    batch: list[tuple[tuple[str, str, str], dict[str, Any]]] | None = None,
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
    batch : list, optional
        When given, immediate messages are appended to it as ``(target, values)`` instead of
        written (the round groups them per strategy: :func:`flush_grouped`); digest messages
        are written at once (a digest groups by strategy itself).

    Returns
    -------
    int
        Messages queued or batched (0 when nothing is routed or all were queued before).
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
        if batch is not None and mode != "digest":
            batch.append((target, values))
            n += 1
            continue
        n += _enqueue(conn, target, day, now, values) is not None
    return n


def flush_grouped(
    conn: Connection,
    batch: list[tuple[tuple[str, str, str], dict[str, Any]]],
    day: dt.date,
    now: dt.datetime,
) -> int:
    """Write a round's immediate messages, one per strategy and channel (Alertmanager's
    ``group_by: [strategy]``): a strategy with a single change gets that alert's message; with
    several, one message lists every change of the day, most severe first, each in full.

    Returns
    -------
    int
        Messages written.
    """
    groups: dict[tuple[str, tuple[str, str, str]], list[dict[str, Any]]] = {}
    for target, values in batch:
        groups.setdefault((str(values["strategy_id"]), target), []).append(values)
    n = 0
    for (sid, target), items in groups.items():
        if len(items) == 1:
            n += _enqueue(conn, target, day, now, items[0]) is not None
            continue
        items.sort(key=lambda v: -TIER_RANK.get(str(v["severity"]), 0))
        worst = str(items[0]["severity"])
        changes = ", ".join(f"{v['rule']} {KIND_WORDS.get(v['kind'], v['kind'])}" for v in items)
        subject = f"[stratmon] {worst.upper()} {sid}: {len(items)} changes ({changes})"
        body = f"{len(items)} alert changes for strategy {sid} on {day.isoformat()}:\n\n" + (
            "\n\n---\n\n".join(str(v["body"]) for v in items)
        )
        channel, mode, _ = target
        keys = "+".join(str(v["dedup_key"]) for v in items)
        values = {
            "dedup_key": f"group:{sid}:{day.isoformat()}:{channel}:{mode}:{hash_key(keys)}",
            "kind": "resolved" if all(v["kind"] == "resolved" for v in items) else "grouped",
            "alert_id": items[0]["alert_id"],
            "strategy_id": sid,
            "rule": ",".join(str(v["rule"]) for v in items)[:64],
            "severity": worst,
            "subject": subject,
            "body": body,
        }
        n += _enqueue(conn, target, day, now, values) is not None
    return n


def hash_key(text: str) -> str:
    """A short stable digest of a dedup key list (the outbox key column is bounded)."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


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
        self.batch: list[tuple[tuple[str, str, str], dict[str, Any]]] = []
        self._names: dict[str, str] | None = None

    def name(self, strategy_id: str) -> str:
        if self._names is None:
            self._names = {s.strategy_id: s.name for s in q.strategies(self.conn)}
        return self._names.get(strategy_id, "")

    def suppressed(self, strategy_id: str, rule: str, category: str) -> str | None:
        """Why a notification is held back now (silence, inhibition), or None."""
        del category  # the rule's category is the configuration's
        return suppression(
            self.silences,
            self.config,
            strategy_id=strategy_id,
            rule=rule,
            pool=self.pools.get(strategy_id, ""),
            data_quality_firing=strategy_id in self.dq_firing,
        )

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
        enqueue_notification(
            self.conn, self.config, info, kind, self.as_of, self.now, batch=self.batch
        )
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


def metrics_json(metrics: Mapping[str, float]) -> str:
    """``Condition.metrics`` as a JSON object (NaN and infinities as ``null``)."""
    out = {k: float(v) if math.isfinite(float(v)) else None for k, v in metrics.items()}
    return json.dumps(out, sort_keys=True)


def _sort_key(config: AlertConfig) -> Any:
    return lambda c: config.category(c.rule) != "data_quality"


def _write_decision(
    rnd: _Round,
    cond: Condition,
    row: Any,
    st: Mapping[str, Any],
    prev: AlertState | None,
    d: Decision,
    category: str,
    cfg: AlertConfig,
    updates: list[tuple[int, dict[str, Any]]],
) -> None:
    """The writing step: store one :class:`~stratmon.alerts.decide.Decision` (state, events,
    status, history) and queue its notifications, on the round's transaction."""
    conn, as_of, new = rnd.conn, rnd.as_of, d.state
    values: dict[str, Any] = {f: getattr(new, f) for f in repo.ALERT_STATE_FIELDS}
    values["message"] = with_held_severity(
        cond.message,
        new.state,
        new.severity,
        cond.severity or cond.tier,
        cfg.hysteresis(cond.rule)[1],
    )
    if row is not None and d.quiet:
        updates.append((row.id, {**values, "updated_at": as_of}))
        why = rnd.suppressed(cond.strategy_id, cond.rule, category)
        if new.state == "firing" and why is None:
            _deferred_or_repeat(rnd, row.id, new, category, st, cfg.repeat_every)
        return
    alert_id = repo.save_alert_state(
        conn, None if (row is None or d.new_episode) else row.id, values, as_of
    )
    if d.new_episode and row is not None:
        repo.touch_alert(conn, row.id, as_of)
    for e in d.transitions:
        repo.save_alert_event(conn, alert_id, _event_values(e))
    upd: dict[str, Any] = {
        "severity": new.severity or cond.tier,
        "category": category,
        "pool": rnd.pools.get(cond.strategy_id, ""),
    }
    if cond.metrics or cond.window:
        upd.update(metrics=metrics_json(cond.metrics), metrics_window=cond.window)
    if d.fired:
        upd.update(fired_recorded_at=rnd.now, notified_severity=None, notified_on=None)
    if d.resolved:
        upd["resolved_recorded_at"] = rnd.now
    if d.change is not None:
        note = f"{prev.severity if prev else ''} -> {new.severity}: {cond.message}"
        rnd.add_action(alert_id, new, d.change.kind, note)
    arepo.upsert_alert_status(conn, alert_id, upd)
    for kind, why in d.notifications:
        if why is not None:
            rnd.add_action(alert_id, new, "suppressed", f"{kind} notification not sent: {why}")
        else:
            rnd.announce(alert_id, new, category, kind)


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
        d = decide(
            prev,
            cond,
            rnd.silences,
            cfg,
            at=as_of,
            pool=pools.get(sid, ""),
            notified_severity=st.get("notified_severity"),
            data_quality_firing=sid in rnd.dq_firing,
        )
        new = d.state
        if row is None and new.state == "inactive" and not d.transitions:
            continue  # a rule that has never been true leaves no row
        _write_decision(rnd, cond, row, st, prev, d, category, cfg, updates)
        if category == "data_quality":
            if new.state == "firing":
                rnd.dq_firing.add(sid)
            else:
                rnd.dq_firing.discard(sid)
        events.extend(d.events)
    repo.update_alert_states(conn, updates)
    flush_grouped(conn, rnd.batch, as_of, now)
    _rejected_files(rnd)
    return events


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
    "flush_grouped",
    "period_key",
    "process_conditions",
    "role_targets",
    "route_targets",
    "silence_matches",
    "utcnow",
]
