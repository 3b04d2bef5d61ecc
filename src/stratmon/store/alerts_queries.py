"""Named read queries of the alert system (status, history, silences, outbox, statistics)."""

from __future__ import annotations

import datetime as dt
import functools
import statistics
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from stratmon.store.models import (
    AlertActionRow,
    AlertDeliveryRow,
    AlertEventRow,
    AlertOutboxRow,
    AlertRow,
    AlertSilenceRow,
    AlertStatusRow,
    DailyRecordRow,
    FindingRow,
    IngestedFileRow,
    PositionRow,
    StrategyRow,
)
from stratmon.store.queries import _alert_dict

_STATUS_FIELDS = (
    "severity",
    "category",
    "pool",
    "fired_recorded_at",
    "acknowledged_at",
    "acknowledged_by",
    "ack_note",
    "resolved_recorded_at",
    "resolved_by",
    "resolve_note",
    "notified_severity",
    "notified_on",
    "metrics",
    "metrics_window",
)


_ALERT_STATUS = select(AlertStatusRow.__table__).where(
    AlertStatusRow.alert_id.in_(bindparam("ids", expanding=True))
)


def alert_status(conn: Connection, alert_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Status rows by alert id (alerts without one are absent)."""
    out: dict[int, dict[str, Any]] = {}
    ids = list(alert_ids)
    for i in range(0, len(ids), 500):
        for r in conn.execute(_ALERT_STATUS, {"ids": ids[i : i + 500]}):
            out[int(r.alert_id)] = {f: getattr(r, f) for f in _STATUS_FIELDS}
    return out


def _alert_row(r: Any) -> dict[str, Any]:
    return {**_alert_dict(r), "updated_at": r.updated_at}


def alert(conn: Connection, alert_id: int) -> dict[str, Any] | None:
    """One alert with its status fields (``severity``, acknowledgement...), or ``None``."""
    r = conn.execute(select(AlertRow.__table__).where(AlertRow.id == alert_id)).first()
    if r is None:
        return None
    out = _alert_row(r)
    status = alert_status(conn, [alert_id]).get(alert_id, {})
    out.update({f: status.get(f) for f in _STATUS_FIELDS})
    if not out["severity"]:
        out["severity"] = out["tier"]
    return out


def list_alerts(
    conn: Connection,
    *,
    state: str | None = None,
    strategy_id: str | None = None,
    rule: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Alerts (newest first) with status fields, filtered by state, strategy and rule."""
    t = AlertRow.__table__
    s = AlertStatusRow.__table__
    q = select(t, *(s.c[f] for f in _STATUS_FIELDS)).select_from(
        t.outerjoin(s, s.c.alert_id == t.c.id)
    )
    if state is not None:
        q = q.where(t.c.state == state)
    if strategy_id is not None:
        q = q.where(t.c.strategy_id == strategy_id)
    if rule is not None:
        q = q.where(t.c.rule == rule)
    q = q.order_by(t.c.id.desc())
    if limit is not None:
        q = q.limit(limit)
    out = []
    for r in conn.execute(q):
        d = _alert_row(r)
        d.update({f: getattr(r, f) for f in _STATUS_FIELDS})
        d["severity"] = d["severity"] or d["tier"]
        out.append(d)
    return out


def alert_history(conn: Connection, alert_id: int) -> list[dict[str, Any]]:
    """Transitions and actions of one alert in order: ``kind`` (transition or the action),
    ``at`` (evaluation date or time), ``from_state``/``to_state``, ``actor``, value,
    threshold, severity, message/note."""
    out: list[dict[str, Any]] = []
    for e in conn.execute(
        select(AlertEventRow.__table__)
        .where(AlertEventRow.alert_id == alert_id)
        .order_by(AlertEventRow.id)
    ):
        out.append(
            {
                "kind": "transition",
                "at": e.at,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "actor": "",
                "value": e.value,
                "threshold": e.threshold,
                "severity": None,
                "text": e.message,
                "_order": (e.at, 0, e.id),
            }
        )
    for a in conn.execute(
        select(AlertActionRow.__table__)
        .where(AlertActionRow.alert_id == alert_id)
        .order_by(AlertActionRow.id)
    ):
        day = a.eval_date or a.at.date()
        out.append(
            {
                "kind": a.action,
                "at": a.eval_date or a.at,
                "from_state": None,
                "to_state": None,
                "actor": a.actor,
                "value": a.value,
                "threshold": a.threshold,
                "severity": a.severity,
                "text": a.note,
                "_order": (day, 1, a.id),
            }
        )
    out.sort(key=lambda d: d["_order"])
    for d in out:
        del d["_order"]
    return out


_ACTIVE_SILENCES = (
    select(AlertSilenceRow.__table__)
    .where(
        AlertSilenceRow.starts_at <= bindparam("now"), AlertSilenceRow.ends_at > bindparam("now")
    )
    .order_by(AlertSilenceRow.id)
)


def active_silences(conn: Connection, now: dt.datetime) -> list[dict[str, Any]]:
    """Silences in force at ``now`` (``starts_at <= now < ends_at``)."""
    return [dict(r._mapping) for r in conn.execute(_ACTIVE_SILENCES, {"now": now})]


def silences(conn: Connection) -> list[dict[str, Any]]:
    """Every silence, newest first."""
    t = AlertSilenceRow.__table__
    return [dict(r._mapping) for r in conn.execute(select(t).order_by(t.c.id.desc()))]


def outbox(
    conn: Connection, *, status: str | None = None, channel: str | None = None
) -> list[dict[str, Any]]:
    """Outbox messages in order of creation."""
    t = AlertOutboxRow.__table__
    q = select(t).order_by(t.c.id)
    if status is not None:
        q = q.where(t.c.status == status)
    if channel is not None:
        q = q.where(t.c.channel == channel)
    return [dict(r._mapping) for r in conn.execute(q)]


def deliveries(conn: Connection, outbox_id: int | None = None) -> list[dict[str, Any]]:
    """Delivery attempts, in order."""
    t = AlertDeliveryRow.__table__
    q = select(t).order_by(t.c.id)
    if outbox_id is not None:
        q = q.where(t.c.outbox_id == outbox_id)
    return [dict(r._mapping) for r in conn.execute(q)]


def outbox_keys(conn: Connection, prefix: str) -> set[str]:
    """Dedup keys of the outbox that start with ``prefix``."""
    t = AlertOutboxRow.__table__
    return {
        str(k)
        for (k,) in conn.execute(select(t.c.dedup_key).where(t.c.dedup_key.like(prefix + "%")))
    }


def rejected_files(conn: Connection) -> list[dict[str, Any]]:
    """Rejected inbox files: id, name, error, ingested_at."""
    t = IngestedFileRow.__table__
    rows = conn.execute(
        select(t.c.id, t.c.name, t.c.error, t.c.ingested_at)
        .where(t.c.outcome == "rejected")
        .order_by(t.c.id)
    ).all()
    return [dict(r._mapping) for r in rows]


def strategy_pools(conn: Connection) -> dict[str, str]:
    """strategy_id -> pool."""
    return {
        str(sid): str(pool or "")
        for sid, pool in conn.execute(select(StrategyRow.strategy_id, StrategyRow.pool))
    }


_RECENT_DAYS = 31  # look-back of the batched "latest row" queries before a per-strategy one


@functools.cache
def _latest_statements(table: Any) -> tuple[Any, Any]:
    """(grouped newest date per strategy over a date range, newest date of one strategy)."""
    t = table
    # a quarantined daily record (held out until confirmed or replaced) is not the latest
    held = [t.c.quarantine.is_(None)] if "quarantine" in t.c else []
    recent = (
        select(t.c.strategy_id, func.max(t.c.date))
        .where(
            t.c.strategy_id.in_(bindparam("ids", expanding=True)),
            t.c.date <= bindparam("d"),
            t.c.date >= bindparam("since"),
            *held,
        )
        .group_by(t.c.strategy_id)
    )
    last = select(func.max(t.c.date)).where(
        t.c.strategy_id == bindparam("sid"), t.c.date <= bindparam("d"), *held
    )
    return recent, last


def _latest_dates(
    conn: Connection, table: Any, strategy_ids: Sequence[str], as_of: dt.date
) -> dict[str, dt.date]:
    """Newest date on or before ``as_of`` per strategy in ``table``: one grouped query over
    the last month, then an indexed look-up only for strategies silent for longer."""
    recent, last = _latest_statements(table)
    since = as_of - dt.timedelta(days=_RECENT_DAYS)
    params = {"ids": list(strategy_ids), "d": as_of, "since": since}
    out: dict[str, dt.date] = {str(sid): day for sid, day in conn.execute(recent, params)}
    for sid in strategy_ids:
        if sid not in out:
            day = conn.execute(last, {"sid": sid, "d": as_of}).scalar()
            if day is not None:
                out[sid] = day
    return out


_RECORDS_ON = select(
    DailyRecordRow.strategy_id,
    DailyRecordRow.date,
    DailyRecordRow.nav,
    DailyRecordRow.gross_exposure_usd,
    DailyRecordRow.margin_used,
).where(
    DailyRecordRow.strategy_id.in_(bindparam("ids", expanding=True)),
    DailyRecordRow.date.in_(bindparam("dates", expanding=True)),
    DailyRecordRow.quarantine.is_(None),
)  # index-friendly (a row-value IN scans all dates of a strategy on SQLite)


def latest_records(
    conn: Connection, strategy_ids: Sequence[str], as_of: dt.date
) -> dict[str, dict[str, Any]]:
    """The last accepted daily record on or before ``as_of`` per strategy: date, nav,
    gross_exposure_usd, margin_used (a quarantined day counts as missing)."""
    days = _latest_dates(conn, DailyRecordRow.__table__, strategy_ids, as_of)
    if not days:
        return {}
    rows = conn.execute(_RECORDS_ON, {"ids": list(days), "dates": sorted(set(days.values()))})
    return {str(r.strategy_id): dict(r._mapping) for r in rows if days.get(r.strategy_id) == r.date}


_POSITIONS_ON = select(
    PositionRow.strategy_id, PositionRow.date, PositionRow.symbol, PositionRow.market_value
).where(
    PositionRow.strategy_id.in_(bindparam("ids", expanding=True)),
    PositionRow.date.in_(bindparam("dates", expanding=True)),
)


def positions_on(
    conn: Connection, strategy_ids: Sequence[str], as_of: dt.date
) -> dict[str, list[dict[str, Any]]]:
    """The positions snapshot of exactly ``as_of`` per strategy: strategy_id, date, symbol,
    market_value.

    A strategy without a snapshot that day is absent (its positions are unknown: never the
    last known book). A snapshot whose rows all have zero market value is a flat book.
    """
    ids = list(strategy_ids)
    if not ids:
        return {}
    out: dict[str, list[dict[str, Any]]] = {}
    for r in conn.execute(_POSITIONS_ON, {"ids": ids, "dates": [as_of]}):
        out.setdefault(str(r.strategy_id), []).append(dict(r._mapping))
    return out


def latest_positions(
    conn: Connection, strategy_ids: Sequence[str], as_of: dt.date
) -> dict[str, list[dict[str, Any]]]:
    """The latest positions snapshot on or before ``as_of`` per strategy.

    Not for alerts or statistics of a day (use :func:`positions_on`): a book carried
    forward from an older snapshot is not that day's book."""
    days = _latest_dates(conn, PositionRow.__table__, strategy_ids, as_of)
    if not days:
        return {}
    out: dict[str, list[dict[str, Any]]] = {}
    params = {"ids": list(days), "dates": sorted(set(days.values()))}
    for r in conn.execute(_POSITIONS_ON, params):
        if days.get(r.strategy_id) == r.date:
            out.setdefault(str(r.strategy_id), []).append(dict(r._mapping))
    return out


_FINDINGS_ON = select(
    FindingRow.strategy_id, FindingRow.kind, FindingRow.date, FindingRow.message
).where(
    FindingRow.strategy_id.in_(bindparam("ids", expanding=True)),
    FindingRow.date.in_(bindparam("dates", expanding=True)),
)


def findings_on(
    conn: Connection, strategy_ids: Sequence[str], dates: Sequence[dt.date]
) -> dict[str, list[dict[str, Any]]]:
    """Findings of the strategies dated on any of ``dates``: kind, date, message."""
    if not strategy_ids or not dates:
        return {}
    rows = conn.execute(_FINDINGS_ON, {"ids": list(strategy_ids), "dates": sorted(set(dates))})
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(str(r.strategy_id), []).append(dict(r._mapping))
    return out


def resolution_stats(conn: Connection) -> dict[str, dict[str, Any]]:
    """Per rule: alerts fired, acknowledged, resolved; median and mean time to acknowledge
    (hours, from the time the firing was recorded) and to resolve (evaluation days from
    ``fired_at`` to ``resolved_at``)."""
    t = AlertRow.__table__
    s = AlertStatusRow.__table__
    q = select(
        t.c.rule,
        t.c.fired_at,
        t.c.resolved_at,
        s.c.fired_recorded_at,
        s.c.acknowledged_at,
    ).select_from(t.outerjoin(s, s.c.alert_id == t.c.id))
    acc: dict[str, dict[str, list[float]]] = {}
    fired: dict[str, int] = {}
    for r in conn.execute(q):
        if r.fired_at is None:
            continue
        fired[r.rule] = fired.get(r.rule, 0) + 1
        d = acc.setdefault(r.rule, {"tta": [], "ttr": []})
        if r.acknowledged_at is not None and r.fired_recorded_at is not None:
            d["tta"].append((r.acknowledged_at - r.fired_recorded_at).total_seconds() / 3600.0)
        if r.resolved_at is not None:
            d["ttr"].append(float((r.resolved_at - r.fired_at).days))
    out: dict[str, dict[str, Any]] = {}
    for rule, n in sorted(fired.items()):
        d = acc[rule]
        out[rule] = {
            "fired": n,
            "acknowledged": len(d["tta"]),
            "resolved": len(d["ttr"]),
            "median_hours_to_acknowledge": statistics.median(d["tta"]) if d["tta"] else None,
            "mean_hours_to_acknowledge": statistics.fmean(d["tta"]) if d["tta"] else None,
            "median_days_to_resolve": statistics.median(d["ttr"]) if d["ttr"] else None,
            "mean_days_to_resolve": statistics.fmean(d["ttr"]) if d["ttr"] else None,
        }
    return out


_FIRING_SEVERITY = (
    select(
        AlertRow.strategy_id,
        AlertRow.rule,
        AlertRow.tier,
        AlertStatusRow.severity,
        AlertRow.message,
    )
    .outerjoin(AlertStatusRow, AlertStatusRow.alert_id == AlertRow.id)
    .where(AlertRow.state == "firing")
    .order_by(AlertRow.strategy_id, AlertRow.id)
)


def firing_by_strategy(conn: Connection) -> dict[str, list[tuple[str, str, str]]]:
    """Firing alerts per strategy as ``(rule, current severity, message)``, oldest first. The
    severity is the current one (after escalations), the tier where no status row exists."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for sid, rule, tier, severity, message in conn.execute(_FIRING_SEVERITY):
        out.setdefault(sid, []).append((rule, severity or tier, message or ""))
    return out


def actions_of(conn: Connection, alert_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """History entries that are not transitions (acknowledgements, manual resolutions,
    escalations, suppressed notifications...) per alert id, oldest first: ``action, actor,
    at, eval_date, note``. ``at`` is when it was recorded (wall clock, UTC), ``eval_date``
    the session it belongs to (what a replay or a back-fill dates it by)."""
    out: dict[int, list[dict[str, Any]]] = {}
    ids = list(alert_ids)
    t = AlertActionRow.__table__
    for i in range(0, len(ids), 500):
        rows = conn.execute(select(t).where(t.c.alert_id.in_(ids[i : i + 500])).order_by(t.c.id))
        for a in rows:
            out.setdefault(int(a.alert_id), []).append(
                {
                    "action": a.action,
                    "actor": a.actor,
                    "at": a.at,
                    "eval_date": a.eval_date,
                    "note": a.note,
                }
            )
    return out


def concern_alerts(
    conn: Connection,
    *,
    strategy_id: str | None = None,
    config: Any = None,
    history: bool = False,
    since: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Concern alerts (one per strategy and concern: :mod:`stratmon.alerts.grouping`), as the
    JSON of ``stratmon alerts list/history --json`` and the API.

    Parameters
    ----------
    conn : Connection
    strategy_id : str, optional
    config : AlertConfig, optional
        Roles' channels and frequencies for ``recipients``.
    history : bool
        False: the open ones (firing, pending, no_data); True: every episode, oldest first.
    since : datetime.date, optional
        With ``history``: only concern alerts still open on or after that date.
    """
    from stratmon.alerts.grouping import group_current, group_history

    rows = list_alerts(conn, strategy_id=strategy_id)
    acts = actions_of(conn, [int(r["id"]) for r in rows])
    if history:
        return group_history(rows, acts, config, since)
    return group_current(rows, acts, config)
