"""Writes. Every function takes a ``Connection`` inside the caller's transaction, so that one
ingested file or one evaluation is written all together or not at all."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, insert, or_, select, update

from stratmon.domain import (
    BacktestExpectation,
    BacktestReturn,
    DailyRecord,
    Execution,
    Finding,
    Position,
    RoundTrip,
    Strategy,
)
from stratmon.store._json import clean, opt_float
from stratmon.store.models import (
    AlertEventRow,
    AlertRow,
    AssessmentRow,
    BacktestExpectationRow,
    BacktestReturnRow,
    ComparisonRow,
    ConeBreachRow,
    DailyRecordRow,
    DetectorStateRow,
    EvaluationRow,
    ExecutionRow,
    FindingRow,
    HealthScoreRow,
    IngestedFileRow,
    MatcherStateRow,
    MetricSnapshotRow,
    PositionRow,
    RoundTripRow,
    RunningStateRow,
    StatisticsRow,
    StrategyRow,
)


@functools.cache
def _insert(model: Any) -> Any:
    """``insert(model)``, built once per table (building it costs more than running it)."""
    return insert(model)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def upsert_strategies(conn: Connection, strategies: Iterable[Strategy]) -> int:
    """Insert or update strategies by id. Returns how many were written."""
    n = 0
    for s in strategies:
        values = dataclasses.asdict(s)
        exists = conn.execute(
            select(StrategyRow.strategy_id).where(StrategyRow.strategy_id == s.strategy_id)
        ).first()
        if exists:
            conn.execute(
                update(StrategyRow).where(StrategyRow.strategy_id == s.strategy_id).values(values)
            )
        else:
            conn.execute(insert(StrategyRow).values(values))
        n += 1
    return n


def record_file(
    conn: Connection,
    *,
    name: str,
    path: str,
    sha256: str,
    kind: str | None,
    outcome: str,
    n_rows: int = 0,
    n_new: int = 0,
    n_identical: int = 0,
    n_replaced: int = 0,
    error: str | None = None,
) -> int:
    """Record an ingested (or rejected, or duplicate) file; returns its id."""
    res = conn.execute(
        _insert(IngestedFileRow),
        {
            "name": name,
            "path": path,
            "sha256": sha256,
            "kind": kind,
            "outcome": outcome,
            "n_rows": n_rows,
            "n_new": n_new,
            "n_identical": n_identical,
            "n_replaced": n_replaced,
            "error": error,
            "ingested_at": _now(),
        },
    )
    pk = res.inserted_primary_key
    assert pk is not None
    return int(pk[0])


def mark_file_replacing(conn: Connection, file_id: int) -> None:
    """Flag a file as having changed stored rows (not a pure append)."""
    conn.execute(
        update(IngestedFileRow)
        .where(IngestedFileRow.id == file_id)
        .values(n_replaced=IngestedFileRow.n_replaced + 1)
    )


def _fields(r: Any) -> dict[str, Any]:
    """A record's fields as a dict, without ``dataclasses.asdict``'s deep copy."""
    return {f.name: getattr(r, f.name) for f in dataclasses.fields(r)}


def _daily_values(r: DailyRecord, file_id: int | None) -> dict[str, Any]:
    v = _fields(r)
    v["extras"] = clean(v["extras"]) or None
    v["file_id"] = file_id
    return v


def insert_daily(
    conn: Connection,
    rows: Sequence[DailyRecord],
    file_id: int | None,
    quarantined: Mapping[tuple[str, dt.date], str] | None = None,
) -> None:
    """Insert daily records; ``quarantined`` maps (strategy_id, date) to the quarantine rule
    of the days held out of the statistics."""
    if rows:
        held = quarantined or {}
        conn.execute(
            _insert(DailyRecordRow),
            [
                {**_daily_values(r, file_id), "quarantine": held.get((r.strategy_id, r.date))}
                for r in rows
            ],
        )


def replace_daily(
    conn: Connection,
    rows: Sequence[DailyRecord],
    file_id: int | None,
    quarantined: Mapping[tuple[str, dt.date], str] | None = None,
) -> None:
    """Replace stored daily records (their quarantine is decided anew by ``quarantined``)."""
    for r in rows:
        conn.execute(
            delete(DailyRecordRow).where(
                DailyRecordRow.strategy_id == r.strategy_id, DailyRecordRow.date == r.date
            )
        )
    insert_daily(conn, rows, file_id, quarantined)


def insert_executions(conn: Connection, rows: Sequence[Execution], file_id: int | None) -> None:
    if rows:
        conn.execute(
            _insert(ExecutionRow),
            [{**_fields(r), "file_id": file_id} for r in rows],
        )


def replace_executions(conn: Connection, rows: Sequence[Execution], file_id: int | None) -> None:
    ids = [r.execution_id for r in rows]
    if ids:
        conn.execute(delete(ExecutionRow).where(ExecutionRow.execution_id.in_(ids)))
    insert_executions(conn, rows, file_id)


def insert_round_trips(
    conn: Connection, rows: Sequence[RoundTrip], file_id: int | None, source: str
) -> None:
    if rows:
        conn.execute(
            _insert(RoundTripRow),
            [{**_fields(r), "file_id": file_id, "source": source} for r in rows],
        )


def replace_round_trips(
    conn: Connection, rows: Sequence[RoundTrip], file_id: int | None, source: str
) -> None:
    for r in rows:
        conn.execute(
            delete(RoundTripRow).where(
                RoundTripRow.strategy_id == r.strategy_id, RoundTripRow.trade_id == r.trade_id
            )
        )
    insert_round_trips(conn, rows, file_id, source)


def delete_matched_round_trips(conn: Connection, strategy_id: str) -> None:
    """Remove the round trips matched from executions (before a rebuild of the matching)."""
    conn.execute(
        delete(RoundTripRow).where(
            RoundTripRow.strategy_id == strategy_id, RoundTripRow.source == "executions"
        )
    )
    conn.execute(delete(MatcherStateRow).where(MatcherStateRow.strategy_id == strategy_id))


def insert_positions(conn: Connection, rows: Sequence[Position], file_id: int | None) -> None:
    if rows:
        conn.execute(_insert(PositionRow), [{**_fields(r), "file_id": file_id} for r in rows])


def replace_positions(conn: Connection, rows: Sequence[Position], file_id: int | None) -> None:
    for r in rows:
        conn.execute(
            delete(PositionRow).where(
                PositionRow.strategy_id == r.strategy_id,
                PositionRow.date == r.date,
                PositionRow.symbol == r.symbol,
            )
        )
    insert_positions(conn, rows, file_id)


def insert_backtest_returns(
    conn: Connection, rows: Sequence[BacktestReturn], file_id: int | None, version: int = 1
) -> None:
    if rows:
        conn.execute(
            _insert(BacktestReturnRow),
            [
                {
                    "strategy_id": r.strategy_id,
                    "version": version,
                    "date": r.date,
                    "ret": r.ret,
                    "file_id": file_id,
                }
                for r in rows
            ],
        )


def replace_backtest_returns(
    conn: Connection, rows: Sequence[BacktestReturn], file_id: int | None, version: int = 1
) -> None:
    for r in rows:
        conn.execute(
            delete(BacktestReturnRow).where(
                BacktestReturnRow.strategy_id == r.strategy_id,
                BacktestReturnRow.version == version,
                BacktestReturnRow.date == r.date,
            )
        )
    insert_backtest_returns(conn, rows, file_id, version)


def insert_expectations(conn: Connection, rows: Sequence[BacktestExpectation]) -> None:
    """Store expected-metrics records as backtest version 1."""
    for r in rows:
        insert_expectation_version(conn, r, 1)


def insert_findings(
    conn: Connection,
    findings: Sequence[Finding],
    file_id: int | None,
    *,
    quarantine: Sequence[Finding] = (),
    gap_starts: Mapping[tuple[str, dt.date], dt.date] | None = None,
) -> None:
    """Store findings (status ``open``). ``quarantine``: those that hold their day out of
    the statistics; ``gap_starts``: first missing date of the ``missing_data`` findings by
    (strategy_id, date), so that a late file inside the gap resolves them."""
    if findings:
        now = _now()
        starts = gap_starts or {}
        held = {id(f) for f in quarantine}  # the same objects (a dict value is unhashable)
        conn.execute(
            _insert(FindingRow),
            [
                {
                    "file_id": file_id,
                    "kind": f.kind,
                    "strategy_id": f.strategy_id,
                    "date": f.date,
                    "row": f.row,
                    "column": f.column,
                    "value": None if f.value is None else str(f.value),
                    "message": f.message,
                    "created_at": now,
                    "status": "open",
                    "quarantine": id(f) in held,
                    "period_start": (
                        starts.get((f.strategy_id, f.date))
                        if f.kind == "missing_data" and f.strategy_id and f.date
                        else None
                    ),
                    "resolved_at": None,
                    "resolved_by": None,
                }
                for f in findings
            ],
        )


def _resolve(conn: Connection, where: Any, by: str) -> int:
    res = conn.execute(
        update(FindingRow)
        .where(FindingRow.status == "open", where)
        .values(status="resolved", resolved_at=_now(), resolved_by=by)
    )
    return int(res.rowcount or 0)


def resolve_replaced_findings(
    conn: Connection, keys: Iterable[tuple[str, dt.date]], file_id: int, by: str
) -> int:
    """Resolve the open findings of earlier files on replaced days (strategy_id, date): the
    row that caused them is gone. Returns how many were resolved."""
    n = 0
    for sid, day in set(keys):
        n += _resolve(
            conn,
            and_(
                FindingRow.strategy_id == sid,
                FindingRow.date == day,
                or_(FindingRow.file_id.is_(None), FindingRow.file_id != file_id),
                FindingRow.kind != "replaced_row",
            ),
            by,
        )
    return n


def resolve_gap_findings(
    conn: Connection, keys: Iterable[tuple[str, dt.date]], file_id: int, by: str
) -> int:
    """Resolve the open gap findings (``missing_data`` and the gap's NAV-continuity
    ``nav_disconnect``) whose gap holds one of the days that just arrived."""
    n = 0
    for sid, day in set(keys):
        gaps = conn.execute(
            select(FindingRow.date, FindingRow.file_id).where(
                FindingRow.status == "open",
                FindingRow.kind == "missing_data",
                FindingRow.column == "date",
                FindingRow.strategy_id == sid,
                FindingRow.period_start <= day,
                FindingRow.date > day,
            )
        ).all()
        for gap_date, gap_file in gaps:
            n += _resolve(
                conn,
                and_(
                    FindingRow.strategy_id == sid,
                    FindingRow.date == gap_date,
                    FindingRow.file_id == gap_file,
                    or_(
                        FindingRow.kind == "missing_data",
                        and_(
                            FindingRow.kind == "nav_disconnect",
                            FindingRow.quarantine.is_(False),
                        ),
                    ),
                    FindingRow.column != "positions",
                ),
                f"{by} (late file for {day.isoformat()})",
            )
    return n


def resolve_positions_findings(
    conn: Connection, keys: Iterable[tuple[str, dt.date]], by: str
) -> int:
    """Resolve the open "positions unknown" findings of days whose positions arrived."""
    n = 0
    for sid, day in set(keys):
        n += _resolve(
            conn,
            and_(
                FindingRow.kind == "missing_data",
                FindingRow.column == "positions",
                FindingRow.strategy_id == sid,
                FindingRow.date == day,
            ),
            by,
        )
    return n


def confirm_quarantine(conn: Connection, file_name: str, by: str) -> list[tuple[str, dt.date]]:
    """Confirm the quarantined days of the file named ``file_name``: its rows go back into
    the statistics and its quarantine findings are resolved. Returns the confirmed days."""
    days = [
        (str(sid), day)
        for sid, day in conn.execute(
            select(DailyRecordRow.strategy_id, DailyRecordRow.date)
            .join(IngestedFileRow, IngestedFileRow.id == DailyRecordRow.file_id)
            .where(IngestedFileRow.name == file_name, DailyRecordRow.quarantine.is_not(None))
            .order_by(DailyRecordRow.strategy_id, DailyRecordRow.date)
        )
    ]
    for sid, day in days:
        conn.execute(
            update(DailyRecordRow)
            .where(DailyRecordRow.strategy_id == sid, DailyRecordRow.date == day)
            .values(quarantine=None)
        )
        _resolve(
            conn,
            and_(
                FindingRow.strategy_id == sid,
                FindingRow.date == day,
                FindingRow.quarantine.is_(True),
            ),
            by,
        )
    return days


def insert_positions_findings(
    conn: Connection, findings: Sequence[Finding], file_id: int | None
) -> None:
    """Store "positions unknown" findings (``missing_data`` on column ``positions``),
    skipping days that already have an open one."""
    fresh = [
        f
        for f in findings
        if conn.execute(
            select(FindingRow.id).where(
                FindingRow.status == "open",
                FindingRow.kind == "missing_data",
                FindingRow.column == "positions",
                FindingRow.strategy_id == f.strategy_id,
                FindingRow.date == f.date,
            )
        ).first()
        is None
    ]
    insert_findings(conn, fresh, file_id)


def save_matcher_state(conn: Connection, strategy_id: str, state: dict[str, Any]) -> None:
    conn.execute(delete(MatcherStateRow).where(MatcherStateRow.strategy_id == strategy_id))
    conn.execute(insert(MatcherStateRow).values(strategy_id=strategy_id, state=clean(state)))


# --- evaluation results ------------------------------------------------------------------


_START_EVALUATION = insert(EvaluationRow)
_EVALUATED_ON = select(EvaluationRow.id).where(EvaluationRow.as_of == bindparam("as_of")).limit(1)
_FINISH_EVALUATION = (
    update(EvaluationRow)
    .where(EvaluationRow.id == bindparam("_id"))
    .values(finished_at=bindparam("finished_at"), status="ok", n_strategies=bindparam("n"))
)


def evaluated_on(conn: Connection, as_of: dt.date) -> bool:
    """True when an evaluation for ``as_of`` was started before (its results may exist)."""
    return conn.execute(_EVALUATED_ON, {"as_of": as_of}).first() is not None


def start_evaluation(conn: Connection, as_of: dt.date) -> int:
    res = conn.execute(
        _START_EVALUATION, {"as_of": as_of, "started_at": _now(), "status": "running"}
    )
    pk = res.inserted_primary_key
    assert pk is not None
    return int(pk[0])


def finish_evaluation(conn: Connection, evaluation_id: int, n_strategies: int) -> None:
    conn.execute(
        _FINISH_EVALUATION, {"_id": evaluation_id, "finished_at": _now(), "n": n_strategies}
    )


def _clear_statement(table: Any) -> Any:
    return delete(table).where(
        table.as_of == bindparam("as_of"), table.strategy_id.in_(bindparam("ids", expanding=True))
    )


_CLEAR = [
    _clear_statement(t)
    for t in (
        MetricSnapshotRow,
        ComparisonRow,
        HealthScoreRow,
        StatisticsRow,
        ConeBreachRow,
        AssessmentRow,
    )
]


def clear_results(conn: Connection, as_of: dt.date, strategy_ids: Sequence[str]) -> None:
    """Remove earlier results for the same date, so that re-running a day replaces them."""
    for stmt in _CLEAR:
        conn.execute(stmt, {"as_of": as_of, "ids": list(strategy_ids)})


def save_snapshots(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Rows: strategy_id, as_of, window, evaluation_id, n_obs, metrics (dict; NaN is stored as
    JSON null by the engine's serializer)."""
    if rows:
        conn.execute(_insert(MetricSnapshotRow), list(rows))


def save_comparisons(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Rows: strategy_id, as_of, evaluation_id, status, backtest_version, details (list)."""
    if rows:
        conn.execute(_insert(ComparisonRow), list(rows))


def save_health(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Rows: strategy_id, as_of, evaluation_id, score, trend, components, reasons."""
    if rows:
        conn.execute(_insert(HealthScoreRow), list(rows))


ALERT_STATE_FIELDS = (
    "rule",
    "strategy_id",
    "tier",
    "state",
    "consecutive_true",
    "consecutive_false",
    "started_at",
    "fired_at",
    "resolved_at",
    "last_value",
    "threshold",
    "message",
    "lower_count",
)


def save_alert_state(
    conn: Connection, alert_id: int | None, values: dict[str, Any], at: dt.date
) -> int:
    """Insert (alert_id None) or update an alert row; returns its id."""
    values = {k: clean(v) if isinstance(v, float) else v for k, v in values.items()}
    values["updated_at"] = at
    if alert_id is None:
        res = conn.execute(_ALERT_INSERT, values)
        pk = res.inserted_primary_key
        assert pk is not None
        return int(pk[0])
    if set(values) == _ALERT_UPDATE_SET:
        conn.execute(_ALERT_UPDATE, {**values, "_id": alert_id})
    else:
        conn.execute(update(AlertRow).where(AlertRow.id == alert_id).values(values))
    return alert_id


_ALERT_INSERT = insert(AlertRow)
_ALERT_UPDATE_KEYS = (*ALERT_STATE_FIELDS, "updated_at")
_ALERT_UPDATE_SET = frozenset(_ALERT_UPDATE_KEYS)
_ALERT_UPDATE = (
    update(AlertRow)
    .where(AlertRow.id == bindparam("_id"))
    .values({k: bindparam(k) for k in _ALERT_UPDATE_KEYS})
)


def update_alert_states(conn: Connection, updates: Sequence[tuple[int, dict[str, Any]]]) -> None:
    """Update many alert rows at once: (alert_id, values with every alert field)."""
    if not updates:
        return
    params = []
    for alert_id, values in updates:
        row = {k: values[k] for k in _ALERT_UPDATE_KEYS}
        for k in ("last_value", "threshold"):
            row[k] = opt_float(row[k])
        row["_id"] = alert_id
        params.append(row)
    conn.execute(_ALERT_UPDATE, params)


_TOUCH_ALERT = (
    update(AlertRow).where(AlertRow.id == bindparam("_id")).values(updated_at=bindparam("at"))
)


def touch_alert(conn: Connection, alert_id: int, at: dt.date) -> None:
    """Mark an alert row as evaluated on ``at`` (a closed episode superseded by a new one)."""
    conn.execute(_TOUCH_ALERT, {"_id": alert_id, "at": at})


_EVENT_EXISTS = select(AlertEventRow.id).where(
    AlertEventRow.alert_id == bindparam("alert_id"),
    AlertEventRow.at == bindparam("at"),
    AlertEventRow.to_state == bindparam("to_state"),
)
_EVENT_INSERT = insert(AlertEventRow)


def save_alert_event(conn: Connection, alert_id: int, values: dict[str, Any]) -> None:
    """Append one transition. A re-run of the same day does not duplicate it."""
    key = {"alert_id": alert_id, "at": values["at"], "to_state": values["to_state"]}
    if conn.execute(_EVENT_EXISTS, key).first() is None:
        conn.execute(
            _EVENT_INSERT,
            {
                **{k: clean(v) if isinstance(v, float) else v for k, v in values.items()},
                "alert_id": alert_id,
            },
        )


def save_statistics(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Rows: strategy_id, as_of, evaluation_id, backtest_version, statistics (dict)."""
    if rows:
        conn.execute(_insert(StatisticsRow), list(rows))


def save_cone_breaches(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Rows: strategy_id, as_of, band, live_day, cumulative_return, bound, side."""
    if rows:
        conn.execute(_insert(ConeBreachRow), list(rows))


_DELETE_DETECTOR_STATE = delete(DetectorStateRow).where(
    DetectorStateRow.strategy_id == bindparam("sid"),
    DetectorStateRow.backtest_version == bindparam("version"),
)


def save_detector_states(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Upsert decay-detector states. Rows: strategy_id, backtest_version, last_date,
    n_updates, alarm_date, state (dict)."""
    if not rows:
        return
    conn.execute(
        _DELETE_DETECTOR_STATE,
        [{"sid": r["strategy_id"], "version": r["backtest_version"]} for r in rows],
    )
    conn.execute(_insert(DetectorStateRow), list(rows))


def insert_expectation_version(
    conn: Connection, expectation: BacktestExpectation, version: int
) -> int:
    """Store one expected-metrics record as backtest ``version`` (beside older versions).

    Returns the new row's id.
    """
    res = conn.execute(
        insert(BacktestExpectationRow).values(
            strategy_id=expectation.strategy_id,
            version=version,
            metrics=clean(expectation.metrics),
            n_trials=expectation.n_trials,
            source=expectation.source,
            created_at=_now(),
        )
    )
    pk = res.inserted_primary_key
    assert pk is not None
    return int(pk[0])


_DELETE_RUNNING_STATES = delete(RunningStateRow).where(
    RunningStateRow.kind == bindparam("kind"),
    RunningStateRow.strategy_id.in_(bindparam("ids", expanding=True)),
)


def save_running_states(conn: Connection, kind: str, rows: Sequence[dict[str, Any]]) -> None:
    """Upsert incremental states. Rows: strategy_id, last_date, n_updates, state (dict)."""
    if not rows:
        return
    conn.execute(_DELETE_RUNNING_STATES, {"kind": kind, "ids": [r["strategy_id"] for r in rows]})
    conn.execute(_insert(RunningStateRow), [{**r, "kind": kind} for r in rows])
