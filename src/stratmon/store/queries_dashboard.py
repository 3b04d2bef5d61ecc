"""Named read queries for the dashboard (new ones only; the rest are in ``queries``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, select

from stratmon.store.models import (
    AlertEventRow,
    AlertRow,
    DailyRecordRow,
    EvaluationRow,
    FindingRow,
    HealthScoreRow,
    IngestedFileRow,
    PositionRow,
    StatisticsRow,
)


def data_stamp(conn: Connection) -> tuple[Any, ...]:
    """A cheap fingerprint that changes when anything the dashboard shows changes: newest
    evaluation, ingested file, alert event, alert row update and position date."""
    return (
        conn.execute(select(func.max(EvaluationRow.id))).scalar(),
        conn.execute(select(func.max(IngestedFileRow.id))).scalar(),
        conn.execute(select(func.max(AlertEventRow.id))).scalar(),
        conn.execute(select(func.count(), func.max(AlertRow.updated_at))).one()[:],
        conn.execute(select(func.max(PositionRow.date))).scalar(),
    )


def last_data_dates(conn: Connection) -> dict[str, tuple[dt.date, dt.date, int]]:
    """Per strategy: (first date, last date, number of daily records)."""
    rows = conn.execute(
        select(
            DailyRecordRow.strategy_id,
            func.min(DailyRecordRow.date),
            func.max(DailyRecordRow.date),
            func.count(),
        ).group_by(DailyRecordRow.strategy_id)
    )
    return {r[0]: (r[1], r[2], int(r[3])) for r in rows}


def health_histories(
    conn: Connection, since: dt.date, until: dt.date | None = None
) -> list[dict[str, Any]]:
    """Every stored health score from ``since`` (to ``until``): strategy_id, as_of, score,
    trend, components, by strategy then date."""
    q = select(
        HealthScoreRow.strategy_id,
        HealthScoreRow.as_of,
        HealthScoreRow.score,
        HealthScoreRow.trend,
        HealthScoreRow.components,
    ).where(HealthScoreRow.as_of >= since)
    if until is not None:
        q = q.where(HealthScoreRow.as_of <= until)
    q = q.order_by(HealthScoreRow.strategy_id, HealthScoreRow.as_of)
    return [
        {"strategy_id": r[0], "as_of": r[1], "score": r[2], "trend": r[3], "components": r[4]}
        for r in conn.execute(q)
    ]


def alert_rows(conn: Connection, strategy_id: str | None = None) -> list[dict[str, Any]]:
    """Every alert row with all its columns (including any added later, e.g. who
    acknowledged it), oldest first."""
    table = AlertRow.__table__
    q = select(table).order_by(table.c.id)
    if strategy_id is not None:
        q = q.where(table.c.strategy_id == strategy_id)
    return [dict(r._mapping) for r in conn.execute(q)]


def alert_events_for(
    conn: Connection, alert_ids: Sequence[int] | None = None
) -> list[dict[str, Any]]:
    """Alert transitions (all, or of the given alerts), in the order they were written."""
    table = AlertEventRow.__table__
    q = select(table).order_by(table.c.id)
    if alert_ids is not None:
        q = q.where(table.c.alert_id.in_(list(alert_ids)))
    return [dict(r._mapping) for r in conn.execute(q)]


def rejected_files(conn: Connection) -> list[dict[str, Any]]:
    """Rejected files, newest first, with their error text and when they were seen."""
    rows = conn.execute(
        select(
            IngestedFileRow.id,
            IngestedFileRow.name,
            IngestedFileRow.path,
            IngestedFileRow.kind,
            IngestedFileRow.error,
            IngestedFileRow.ingested_at,
        )
        .where(IngestedFileRow.outcome == "rejected")
        .order_by(IngestedFileRow.id.desc())
    )
    keys = ("id", "name", "path", "kind", "error", "ingested_at")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def file_outcome_counts(conn: Connection) -> dict[str, int]:
    """How many files were accepted, rejected and skipped as duplicates."""
    rows = conn.execute(
        select(IngestedFileRow.outcome, func.count()).group_by(IngestedFileRow.outcome)
    )
    return {str(r[0]): int(r[1]) for r in rows}


def findings_all(conn: Connection, limit: int = 2000) -> list[dict[str, Any]]:
    """Data-quality findings, newest first, with the name of the file they came from."""
    rows = conn.execute(
        select(
            FindingRow.id,
            FindingRow.kind,
            FindingRow.strategy_id,
            FindingRow.date,
            FindingRow.row,
            FindingRow.column,
            FindingRow.value,
            FindingRow.message,
            FindingRow.created_at,
            IngestedFileRow.name,
        )
        .outerjoin(IngestedFileRow, IngestedFileRow.id == FindingRow.file_id)
        .order_by(FindingRow.id.desc())
        .limit(limit)
    )
    keys = (
        "id",
        "kind",
        "strategy_id",
        "date",
        "row",
        "column",
        "value",
        "message",
        "created_at",
        "file",
    )
    return [dict(zip(keys, r, strict=True)) for r in rows]


def statistics_latest(conn: Connection, strategy_id: str, until: dt.date) -> dict[str, Any]:
    """The newest stored live-vs-backtest statistics of one strategy on or before ``until``."""
    row = conn.execute(
        select(StatisticsRow.as_of, StatisticsRow.backtest_version, StatisticsRow.statistics)
        .where(StatisticsRow.strategy_id == strategy_id, StatisticsRow.as_of <= until)
        .order_by(StatisticsRow.as_of.desc())
        .limit(1)
    ).first()
    if row is None:
        return {}
    return dict(row[2] or {}, as_of=row[0], backtest_version=row[1])
