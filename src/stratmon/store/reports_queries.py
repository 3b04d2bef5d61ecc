"""Named read queries for reports (stored results only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, select

from stratmon.store.models import (
    AlertEventRow,
    AlertRow,
    HealthScoreRow,
    MetricSnapshotRow,
)


def evaluation_dates(
    conn: Connection, start: dt.date | None = None, end: dt.date | None = None
) -> list[dt.date]:
    """Dates with a stored evaluation (health scores), ascending, within [start, end]."""
    q = select(HealthScoreRow.as_of).distinct()
    if start is not None:
        q = q.where(HealthScoreRow.as_of >= start)
    if end is not None:
        q = q.where(HealthScoreRow.as_of <= end)
    return [r[0] for r in conn.execute(q.order_by(HealthScoreRow.as_of))]


def metric_histories(
    conn: Connection,
    strategy_ids: Sequence[str],
    window: str,
    metric: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> dict[str, tuple[list[dt.date], list[float | None]]]:
    """One stored metric of one window per strategy on every evaluation date, oldest first."""
    q = select(
        MetricSnapshotRow.strategy_id, MetricSnapshotRow.as_of, MetricSnapshotRow.metrics
    ).where(
        MetricSnapshotRow.strategy_id.in_(list(strategy_ids)),
        MetricSnapshotRow.window == window,
    )
    if start is not None:
        q = q.where(MetricSnapshotRow.as_of >= start)
    if end is not None:
        q = q.where(MetricSnapshotRow.as_of <= end)
    out: dict[str, tuple[list[dt.date], list[float | None]]] = {s: ([], []) for s in strategy_ids}
    for sid, day, metrics in conn.execute(q.order_by(MetricSnapshotRow.as_of)):
        out[sid][0].append(day)
        out[sid][1].append((metrics or {}).get(metric))
    return out


def alert_events_between(conn: Connection, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Alert transitions dated in [start, end] with their alert's rule, strategy and tier."""
    q = (
        select(
            AlertEventRow.at,
            AlertEventRow.from_state,
            AlertEventRow.to_state,
            AlertEventRow.value,
            AlertEventRow.threshold,
            AlertEventRow.message,
            AlertRow.id,
            AlertRow.rule,
            AlertRow.strategy_id,
            AlertRow.tier,
        )
        .join(AlertRow, AlertRow.id == AlertEventRow.alert_id)
        .where(AlertEventRow.at >= start, AlertEventRow.at <= end)
        .order_by(AlertEventRow.at, AlertEventRow.id)
    )
    keys = (
        "at",
        "from_state",
        "to_state",
        "value",
        "threshold",
        "message",
        "alert_id",
        "rule",
        "strategy_id",
        "tier",
    )
    return [dict(zip(keys, r, strict=True)) for r in conn.execute(q)]


def snapshots_on_or_before(
    conn: Connection, strategy_ids: Sequence[str], day: dt.date, window: str = "all"
) -> dict[str, tuple[dt.date, dict[str, Any]]]:
    """The newest stored metric snapshot of each strategy on or before ``day``."""
    newest = (
        select(MetricSnapshotRow.strategy_id, func.max(MetricSnapshotRow.as_of).label("d"))
        .where(
            MetricSnapshotRow.strategy_id.in_(list(strategy_ids)),
            MetricSnapshotRow.window == window,
            MetricSnapshotRow.as_of <= day,
        )
        .group_by(MetricSnapshotRow.strategy_id)
        .subquery()
    )
    q = (
        select(
            MetricSnapshotRow.strategy_id,
            MetricSnapshotRow.as_of,
            MetricSnapshotRow.metrics,
            MetricSnapshotRow.n_obs,
        )
        .join(
            newest,
            (newest.c.strategy_id == MetricSnapshotRow.strategy_id)
            & (newest.c.d == MetricSnapshotRow.as_of),
        )
        .where(MetricSnapshotRow.window == window)
    )
    return {r[0]: (r[1], dict(r[2] or {}, n_obs=r[3])) for r in conn.execute(q)}
