"""Reads and writes of the service: evaluation runs, per-strategy latest results for the API,
and the one-pass snapshot behind the Prometheus exposition."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Text, and_, bindparam, cast, func, insert, select, update
from sqlalchemy.dialects import sqlite

from stratmon.domain.assessment import Assessment
from stratmon.store.models import (
    AlertOutboxRow,
    AlertRow,
    AlertStatusRow,
    AssessmentRow,
    ComparisonRow,
    DailyRecordRow,
    EvaluationRow,
    HealthScoreRow,
    IngestedFileRow,
    MetricSnapshotRow,
    StatisticsRow,
    StrategyRow,
)
from stratmon.store.models_service import ServiceRunRow

# -- runs ---------------------------------------------------------------------------------------


def create_run(
    conn: Connection,
    *,
    trigger: str,
    requested_by: str,
    requested_as_of: dt.date | None,
    ingest: bool,
    now: dt.datetime,
) -> int:
    """Queue a run; returns its id."""
    pk = conn.execute(
        insert(ServiceRunRow).values(
            status="queued",
            trigger=trigger,
            requested_by=requested_by,
            requested_as_of=requested_as_of,
            ingest=int(ingest),
            created_at=now,
            n_strategies=0,
            n_events=0,
            n_files=0,
        )
    ).inserted_primary_key
    assert pk is not None
    return int(pk[0])


def get_run(conn: Connection, run_id: int) -> dict[str, Any] | None:
    t = ServiceRunRow.__table__
    r = conn.execute(select(t).where(t.c.id == run_id)).first()
    return None if r is None else dict(r._mapping)


def set_run_status(conn: Connection, run_id: int, from_status: str, values: dict[str, Any]) -> bool:
    """Move a run from ``from_status`` (compare-and-set); True when it moved."""
    t = ServiceRunRow.__table__
    res = conn.execute(
        update(ServiceRunRow).where(t.c.id == run_id, t.c.status == from_status).values(**values)
    )
    return bool(res.rowcount)


def close_unfinished_runs(conn: Connection, now: dt.datetime, reason: str) -> int:
    """Mark queued and running runs as cancelled (at start-up after a crash, or at shutdown)."""
    t = ServiceRunRow.__table__
    res = conn.execute(
        update(ServiceRunRow)
        .where(t.c.status.in_(("queued", "running")))
        .values(status="cancelled", finished_at=now, error=reason)
    )
    return int(res.rowcount or 0)


# -- stored assessments (the one judgement; see stratmon.store.assessments) --------------------

_A = AssessmentRow.__table__
_NEWEST_DAY_ASSESSMENTS = select(_A.c.document).where(
    _A.c.as_of == select(func.max(_A.c.as_of)).scalar_subquery()
)
_STRATEGY_ASSESSMENT = (
    select(_A.c.document)
    .where(_A.c.strategy_id == bindparam("sid"), _A.c.as_of <= bindparam("until"))
    .order_by(_A.c.as_of.desc())
    .limit(1)
)


def newest_day_assessments(conn: Connection) -> list[Assessment]:
    """Every assessment of the newest assessed date, in one statement (the ``/metrics``
    scrape), ordered by strategy id; empty when nothing is assessed yet."""
    docs = conn.execute(_NEWEST_DAY_ASSESSMENTS).scalars()
    return sorted((Assessment.from_dict(d) for d in docs), key=lambda a: a.strategy_id)


def strategy_assessment(
    conn: Connection, strategy_id: str, until: dt.date | None = None
) -> Assessment | None:
    """One strategy's newest assessment on or before ``until`` (one primary-key seek)."""
    doc = conn.execute(
        _STRATEGY_ASSESSMENT, {"sid": strategy_id, "until": until or dt.date.max}
    ).scalar()
    return None if doc is None else Assessment.from_dict(doc)


def latest_assessment_per_strategy(
    conn: Connection, strategy_ids: Sequence[str]
) -> dict[str, Assessment]:
    """strategy_id -> its newest assessment (each strategy's own newest date)."""
    if not strategy_ids:
        return {}
    last = (
        select(_A.c.strategy_id, func.max(_A.c.as_of).label("d"))
        .where(_A.c.strategy_id.in_(list(strategy_ids)))
        .group_by(_A.c.strategy_id)
        .subquery()
    )
    docs = conn.execute(
        select(_A.c.document).join(
            last, and_(_A.c.strategy_id == last.c.strategy_id, _A.c.as_of == last.c.d)
        )
    ).scalars()
    out = {}
    for d in docs:
        a = Assessment.from_dict(d)
        out[a.strategy_id] = a
    return out


def _assessment_window(start: dt.date | None, end: dt.date | None) -> list[Any]:
    cond = [_A.c.strategy_id == bindparam("sid")]
    if start is not None:
        cond.append(_A.c.as_of >= start)
    if end is not None:
        cond.append(_A.c.as_of <= end)
    return cond


def assessment_page(
    conn: Connection,
    strategy_id: str,
    start: dt.date | None,
    end: dt.date | None,
    *,
    limit: int,
    offset: int,
) -> tuple[int, list[Assessment]]:
    """One page of a strategy's assessments between ``start`` and ``end`` (inclusive),
    oldest first: (number in the whole window, the assessments ``offset`` to
    ``offset + limit``). Both reads seek the primary key (strategy_id, as_of)."""
    cond = _assessment_window(start, end)
    total = int(
        conn.execute(
            select(func.count()).select_from(_A).where(*cond), {"sid": strategy_id}
        ).scalar_one()
    )
    if offset >= total:
        return total, []
    docs = conn.execute(
        select(_A.c.document).where(*cond).order_by(_A.c.as_of).limit(limit).offset(offset),
        {"sid": strategy_id},
    ).scalars()
    return total, [Assessment.from_dict(d) for d in docs]


# -- per-strategy latest results ----------------------------------------------------------------


def latest_health(
    conn: Connection, strategy_ids: Sequence[str] | None = None
) -> dict[str, dict[str, Any]]:
    """The newest health row per strategy: as_of, score, trend, and that day's status."""
    h = HealthScoreRow.__table__
    c = ComparisonRow.__table__
    last = select(h.c.strategy_id, func.max(h.c.as_of).label("d")).group_by(h.c.strategy_id)
    if strategy_ids is not None:
        last = last.where(h.c.strategy_id.in_(list(strategy_ids)))
    sub = last.subquery()
    rows = conn.execute(
        select(h.c.strategy_id, h.c.as_of, h.c.score, h.c.trend, c.c.status)
        .join(sub, and_(h.c.strategy_id == sub.c.strategy_id, h.c.as_of == sub.c.d))
        .outerjoin(c, and_(c.c.strategy_id == h.c.strategy_id, c.c.as_of == h.c.as_of))
    )
    return {
        str(r.strategy_id): {
            "as_of": r.as_of,
            "score": r.score,
            "trend": r.trend,
            "status": r.status,
        }
        for r in rows
    }


_H = HealthScoreRow.__table__


def _health_window(start: dt.date | None, end: dt.date | None) -> list[Any]:
    cond = [_H.c.strategy_id == bindparam("sid")]
    if start is not None:
        cond.append(_H.c.as_of >= start)
    if end is not None:
        cond.append(_H.c.as_of <= end)
    return cond


def health_page(
    conn: Connection,
    strategy_id: str,
    start: dt.date | None,
    end: dt.date | None,
    *,
    limit: int,
    offset: int,
) -> tuple[int, list[dict[str, Any]]]:
    """One page of a strategy's health history between ``start`` and ``end`` (inclusive),
    oldest first: (number of rows in the whole window, the rows ``offset`` to
    ``offset + limit``). Both reads seek the primary key (strategy_id, as_of)."""
    cond = _health_window(start, end)
    total = int(
        conn.execute(
            select(func.count()).select_from(_H).where(*cond), {"sid": strategy_id}
        ).scalar_one()
    )
    if offset >= total:
        return total, []
    rows = conn.execute(
        select(_H.c.as_of, _H.c.score, _H.c.trend, _H.c.components, _H.c.reasons)
        .where(*cond)
        .order_by(_H.c.as_of)
        .limit(limit)
        .offset(offset),
        {"sid": strategy_id},
    )
    return total, [
        {
            "as_of": r.as_of,
            "score": r.score,
            "trend": r.trend,
            "components": r.components or {},
            "reasons": r.reasons or {},
        }
        for r in rows
    ]


def latest_snapshot_date(
    conn: Connection, strategy_id: str, until: dt.date | None = None
) -> dt.date | None:
    """The newest evaluation date with metric snapshots of a strategy (on or before until)."""
    m = MetricSnapshotRow.__table__
    q = select(func.max(m.c.as_of)).where(m.c.strategy_id == strategy_id)
    if until is not None:
        q = q.where(m.c.as_of <= until)
    return conn.execute(q).scalar()


_M = MetricSnapshotRow.__table__
_LATEST_SNAPSHOT = select(func.max(_M.c.as_of)).where(
    _M.c.strategy_id == bindparam("sid"), _M.c.as_of <= bindparam("until")
)
_RAW_LATEST = select(_M.c.as_of, _M.c.window, _M.c.n_obs, cast(_M.c.metrics, Text)).where(
    _M.c.strategy_id == bindparam("sid"),
    _M.c.as_of == _LATEST_SNAPSHOT.scalar_subquery(),
)


def latest_metric_snapshots_raw(
    conn: Connection, strategy_id: str, until: dt.date | None = None
) -> tuple[dt.date | None, list[tuple[str, int, str]]]:
    """The newest evaluation date on or before ``until`` and its snapshots as stored JSON
    text, in one statement (the API's hottest read)."""
    rows = conn.execute(_RAW_LATEST, {"sid": strategy_id, "until": until or dt.date.max}).all()
    if not rows:
        return None, []
    return rows[0][0], [(str(r[1]), int(r[2]), str(r[3])) for r in rows]


_NEWEST_SNAPSHOTS = select(_M.c.as_of, _M.c.window, _M.c.n_obs, cast(_M.c.metrics, Text)).where(
    _M.c.strategy_id == bindparam("sid"),
    _M.c.as_of
    == select(func.max(_M.c.as_of)).where(_M.c.strategy_id == bindparam("sid")).scalar_subquery(),
)
_NEWEST_SNAPSHOTS_SQLITE = str(
    _NEWEST_SNAPSHOTS.compile(dialect=sqlite.dialect(paramstyle="named"))
)


def newest_metric_snapshots_raw(
    conn: Connection, strategy_id: str
) -> tuple[dt.date | None, list[tuple[str, int, str]]]:
    """As :func:`latest_metric_snapshots_raw` with no bound on the date. On SQLite the
    statement (compiled once from the same SQLAlchemy expression) runs on the driver's
    connection, skipping SQLAlchemy's per-execution work: this is the API's hottest read.
    Two primary-key seeks (EXPLAIN QUERY PLAN: SEARCH ... USING [COVERING] INDEX
    sqlite_autoindex_metric_snapshots_1)."""
    if conn.dialect.name != "sqlite":
        return latest_metric_snapshots_raw(conn, strategy_id)
    driver = conn.connection.driver_connection
    assert driver is not None
    rows = driver.execute(_NEWEST_SNAPSHOTS_SQLITE, {"sid": strategy_id}).fetchall()
    if not rows:
        return None, []
    return dt.date.fromisoformat(rows[0][0]), [(str(r[1]), int(r[2]), str(r[3])) for r in rows]


def metric_snapshots(
    conn: Connection, strategy_id: str, as_of: dt.date, window: str | None = None
) -> dict[str, dict[str, Any]]:
    """window -> {"n_obs", "metrics"} for one strategy and evaluation date."""
    m = MetricSnapshotRow.__table__
    q = select(m.c.window, m.c.n_obs, m.c.metrics).where(
        m.c.strategy_id == strategy_id, m.c.as_of == as_of
    )
    if window is not None:
        q = q.where(m.c.window == window)
    return {str(r[0]): {"n_obs": int(r[1]), "metrics": r[2] or {}} for r in conn.execute(q)}


def comparison_on(conn: Connection, strategy_id: str, as_of: dt.date) -> dict[str, Any] | None:
    c = ComparisonRow.__table__
    r = conn.execute(
        select(c.c.status, c.c.backtest_version, c.c.details).where(
            c.c.strategy_id == strategy_id, c.c.as_of == as_of
        )
    ).first()
    return None if r is None else {"status": r[0], "backtest_version": r[1], "details": r[2]}


def statistics_for(conn: Connection, strategy_id: str, as_of: dt.date) -> dict[str, Any] | None:
    s = StatisticsRow.__table__
    r = conn.execute(
        select(s.c.statistics).where(s.c.strategy_id == strategy_id, s.c.as_of == as_of)
    ).first()
    return None if r is None else dict(r[0] or {})


def firing_counts(conn: Connection) -> dict[tuple[str, str], int]:
    """(strategy_id, severity) -> number of firing alerts (severity defaults to the tier)."""
    a = AlertRow.__table__
    s = AlertStatusRow.__table__
    sev = func.coalesce(s.c.severity, a.c.tier)
    rows = conn.execute(
        select(a.c.strategy_id, sev, func.count())
        .select_from(a.outerjoin(s, s.c.alert_id == a.c.id))
        .where(a.c.state == "firing")
        .group_by(a.c.strategy_id, sev)
    )
    return {(str(r[0]), str(r[1])): int(r[2]) for r in rows}


def outbox_backlog(conn: Connection) -> int:
    o = AlertOutboxRow.__table__
    return int(conn.execute(select(func.count()).where(o.c.status == "pending")).scalar() or 0)


def last_nav(conn: Connection) -> dict[str, tuple[dt.date, float]]:
    """strategy_id -> (date, nav) of its newest accepted (not quarantined) daily record: two
    correlated scalar subqueries per strategy, each one index seek on the primary key
    (strategy_id, date), instead of a scan of every daily row."""
    d = DailyRecordRow.__table__
    st = StrategyRow.__table__
    newest = (
        select(d.c.date)
        .where(d.c.strategy_id == st.c.strategy_id, d.c.quarantine.is_(None))
        .order_by(d.c.date.desc())
        .limit(1)
        .scalar_subquery()
    )
    nav = (
        select(d.c.nav)
        .where(d.c.strategy_id == st.c.strategy_id, d.c.quarantine.is_(None))
        .order_by(d.c.date.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = conn.execute(select(st.c.strategy_id, newest, nav))
    return {str(r[0]): (r[1], float(r[2])) for r in rows if r[1] is not None}


def exporter_rows(conn: Connection) -> list[dict[str, Any]]:
    """Everything the Prometheus exposition shows per strategy, in a few queries: labels,
    the newest evaluation's health score, whole-period current drawdown, 30-session Sharpe,
    live and backtest Sharpe, PSR, and the newest NAV and its date."""
    st = StrategyRow.__table__
    labels = conn.execute(
        select(st.c.strategy_id, st.c.sector, st.c.asset_class, st.c.pool).order_by(
            st.c.strategy_id
        )
    ).all()
    health = latest_health(conn)
    navs = last_nav(conn)
    m = MetricSnapshotRow.__table__
    h = HealthScoreRow.__table__
    c = ComparisonRow.__table__
    s = StatisticsRow.__table__
    last = select(h.c.strategy_id, func.max(h.c.as_of).label("d")).group_by(h.c.strategy_id)
    sub = last.subquery()
    snaps: dict[tuple[str, str], dict[str, Any]] = {}
    for sid, window, metrics in conn.execute(
        select(m.c.strategy_id, m.c.window, m.c.metrics)
        .join(sub, and_(m.c.strategy_id == sub.c.strategy_id, m.c.as_of == sub.c.d))
        .where(m.c.window.in_(("all", "30")))
    ):
        snaps[(str(sid), str(window))] = metrics or {}
    comps = {
        str(r[0]): r[1] or []
        for r in conn.execute(
            select(c.c.strategy_id, c.c.details).join(
                sub, and_(c.c.strategy_id == sub.c.strategy_id, c.c.as_of == sub.c.d)
            )
        )
    }
    stats = {
        str(r[0]): r[1] or {}
        for r in conn.execute(
            select(s.c.strategy_id, s.c.statistics).join(
                sub, and_(s.c.strategy_id == sub.c.strategy_id, s.c.as_of == sub.c.d)
            )
        )
    }
    out = []
    for sid, sector, asset_class, pool in labels:
        sid = str(sid)
        live_sr = bt_sr = None
        for cmp in comps.get(sid, []):
            if cmp.get("metric") == "sharpe_ratio":
                live_sr, bt_sr = cmp.get("live"), cmp.get("backtest")
        nav = navs.get(sid)
        hl = health.get(sid, {})
        out.append(
            {
                "strategy_id": sid,
                "sector": sector or "",
                "asset_class": asset_class or "",
                "pool": pool or "",
                "as_of": hl.get("as_of"),
                "health_score": hl.get("score"),
                "current_drawdown": snaps.get((sid, "all"), {}).get("current_drawdown"),
                "sharpe_ratio_30": snaps.get((sid, "30"), {}).get("sharpe_ratio"),
                "live_sharpe": live_sr,
                "backtest_sharpe": bt_sr,
                "psr": stats.get(sid, {}).get("psr_vs_zero"),
                "nav": None if nav is None else nav[1],
                "last_data_date": None if nav is None else nav[0],
            }
        )
    return out


def exporter_stamp(conn: Connection) -> tuple[Any, ...]:
    """Changes whenever an evaluation, an ingested file or an alert changes."""
    return (
        conn.execute(select(func.max(EvaluationRow.id))).scalar(),
        conn.execute(select(func.max(IngestedFileRow.id))).scalar(),
        conn.execute(select(func.count(), func.max(AlertRow.updated_at))).one()[:],
        conn.execute(select(func.count()).select_from(AlertStatusRow)).scalar(),
        conn.execute(select(func.count()).select_from(StrategyRow)).scalar(),
    )
