"""Named read queries for reports (stored results only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from stratmon.store.models import (
    AlertEventRow,
    AlertRow,
    MetricSnapshotRow,
)


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
