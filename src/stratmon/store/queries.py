"""Named read queries. Everything outside ``store/`` reads the database through these."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.orm import Session

from stratmon.domain import Execution, RoundTrip, Strategy
from stratmon.store.models import (
    AlertEventRow,
    AlertRow,
    BacktestExpectationRow,
    BacktestReturnRow,
    ComparisonRow,
    ConeBreachRow,
    DailyRecordRow,
    DetectorStateRow,
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


def _orm(conn: Connection, stmt: Any) -> Any:
    """ORM objects (not bare columns) for a ``select(Model)`` on a plain connection."""
    return Session(bind=conn).execute(stmt).scalars()


_STRATEGY_FIELDS = (
    "strategy_id",
    "name",
    "sector",
    "asset_class",
    "researcher",
    "pool",
    "allocated_capital",
    "allocation_date",
    "periods_per_year",
    "benchmark",
    "backtest_source",
    "calendar",
    "active",
)


_STRATEGIES = select(*(getattr(StrategyRow, f) for f in _STRATEGY_FIELDS)).order_by(
    StrategyRow.strategy_id
)
_ACTIVE_STRATEGIES = _STRATEGIES.where(StrategyRow.active.is_(True))


def strategies(conn: Connection, *, active_only: bool = False) -> list[Strategy]:
    q = _ACTIVE_STRATEGIES if active_only else _STRATEGIES
    return [Strategy(**dict(zip(_STRATEGY_FIELDS, row, strict=True))) for row in conn.execute(q)]


_ACCEPTED_WITH_HASH = select(IngestedFileRow.id).where(
    IngestedFileRow.sha256 == bindparam("sha"), IngestedFileRow.outcome == "accepted"
)


def accepted_file_with_hash(conn: Connection, sha256: str) -> int | None:
    row = conn.execute(_ACCEPTED_WITH_HASH, {"sha": sha256}).first()
    return None if row is None else int(row[0])


@dataclass(frozen=True)
class DailySeries:
    """One strategy's stored daily records as arrays (sorted by date), shape (T,)."""

    dates: list[dt.date]
    nav: np.ndarray
    cash_flow: np.ndarray
    daily_pnl: np.ndarray
    gross_exposure: np.ndarray
    num_trades: np.ndarray


def daily_series(
    conn: Connection, strategy_ids: Sequence[str], until: dt.date | None = None
) -> dict[str, DailySeries]:
    """Daily NAV, cash flow, PnL, gross exposure and trade counts per strategy up to ``until``.

    Quarantined days (held out until confirmed or replaced) are absent: every statistic,
    alert and report sees them as missing."""
    q = select(
        DailyRecordRow.strategy_id,
        DailyRecordRow.date,
        DailyRecordRow.nav,
        DailyRecordRow.cash_flow,
        DailyRecordRow.daily_pnl,
        DailyRecordRow.gross_exposure_usd,
        DailyRecordRow.num_trades,
    ).where(DailyRecordRow.strategy_id.in_(list(strategy_ids)), DailyRecordRow.quarantine.is_(None))
    if until is not None:
        q = q.where(DailyRecordRow.date <= until)
    q = q.order_by(DailyRecordRow.strategy_id, DailyRecordRow.date)
    grouped: dict[str, list[Any]] = {sid: [] for sid in strategy_ids}
    for row in conn.execute(q):
        grouped[row[0]].append(row)
    out: dict[str, DailySeries] = {}
    for sid, rows in grouped.items():

        def col(i: int, rows: list[Any] = rows) -> np.ndarray:
            return np.array([np.nan if r[i] is None else r[i] for r in rows], dtype=float)

        out[sid] = DailySeries(
            dates=[r[1] for r in rows],
            nav=col(2),
            cash_flow=np.nan_to_num(col(3), nan=0.0),
            daily_pnl=col(4),
            gross_exposure=col(5),
            num_trades=col(6),
        )
    return out


_LAST_DATA_DATE = select(func.max(DailyRecordRow.date))


def last_data_date(conn: Connection) -> dt.date | None:
    return conn.execute(_LAST_DATA_DATE).scalar()


_RT_FIELDS = (
    "trade_id",
    "strategy_id",
    "symbol",
    "direction",
    "entry_time",
    "exit_time",
    "entry_price",
    "exit_price",
    "quantity",
    "pnl",
    "commission",
)


def round_trips(
    conn: Connection, strategy_id: str, until: dt.datetime | None = None
) -> list[RoundTrip]:
    """Closed round trips of a strategy, by exit time, exited at or before ``until``."""
    q = select(*(getattr(RoundTripRow, f) for f in _RT_FIELDS)).where(
        RoundTripRow.strategy_id == strategy_id
    )
    if until is not None:
        q = q.where(RoundTripRow.exit_time <= until)
    q = q.order_by(RoundTripRow.exit_time, RoundTripRow.trade_id)
    return [RoundTrip(**dict(zip(_RT_FIELDS, r, strict=True))) for r in conn.execute(q)]


def backtest_version(conn: Connection, strategy_id: str) -> int | None:
    return conn.execute(
        select(func.max(BacktestReturnRow.version)).where(
            BacktestReturnRow.strategy_id == strategy_id
        )
    ).scalar()


def backtest_returns(
    conn: Connection, strategy_id: str, version: int | None = None
) -> tuple[list[dt.date], np.ndarray]:
    """Backtest daily returns (newest version unless given), sorted by date."""
    if version is None:
        version = backtest_version(conn, strategy_id)
    if version is None:
        return [], np.empty(0)
    rows = conn.execute(
        select(BacktestReturnRow.date, BacktestReturnRow.ret)
        .where(BacktestReturnRow.strategy_id == strategy_id, BacktestReturnRow.version == version)
        .order_by(BacktestReturnRow.date)
    ).all()
    return [r[0] for r in rows], np.array([r[1] for r in rows], dtype=float)


def backtest_expectation(
    conn: Connection, strategy_id: str, expectation_id: int | None = None
) -> dict[str, Any] | None:
    """An expected-metrics record (the newest, or the one with ``expectation_id``):
    {'metrics': {...}, 'n_trials': int|None, 'source': str}."""
    q = select(
        BacktestExpectationRow.metrics,
        BacktestExpectationRow.n_trials,
        BacktestExpectationRow.source,
    ).where(BacktestExpectationRow.strategy_id == strategy_id)
    if expectation_id is not None:
        q = q.where(BacktestExpectationRow.id == expectation_id)
    row = conn.execute(q.order_by(BacktestExpectationRow.id.desc()).limit(1)).first()
    if row is None:
        return None
    return {"metrics": dict(row[0] or {}), "n_trials": row[1], "source": row[2]}


def matcher_state(conn: Connection, strategy_id: str) -> dict[str, Any] | None:
    return conn.execute(
        select(MatcherStateRow.state).where(MatcherStateRow.strategy_id == strategy_id)
    ).scalar()


def health_history(
    conn: Connection, strategy_id: str, start: dt.date | None = None, end: dt.date | None = None
) -> list[dict[str, Any]]:
    q = select(HealthScoreRow).where(HealthScoreRow.strategy_id == strategy_id)
    if start is not None:
        q = q.where(HealthScoreRow.as_of >= start)
    if end is not None:
        q = q.where(HealthScoreRow.as_of <= end)
    rows = _orm(conn, q.order_by(HealthScoreRow.as_of)).all()
    return [
        {
            "as_of": r.as_of,
            "score": r.score,
            "trend": r.trend,
            "components": r.components,
            "reasons": r.reasons,
        }
        for r in rows
    ]


_ALERTS = AlertRow.__table__
_NEWEST_ALERTS = (
    select(_ALERTS)
    .where(
        _ALERTS.c.id.in_(
            select(func.max(_ALERTS.c.id))
            .where(_ALERTS.c.strategy_id.in_(bindparam("ids", expanding=True)))
            .group_by(_ALERTS.c.rule, _ALERTS.c.strategy_id, _ALERTS.c.tier)
        )
    )
    .order_by(_ALERTS.c.id)
)


def alert_states(conn: Connection, strategy_ids: Sequence[str]) -> dict[tuple[str, str, str], Any]:
    """The newest alert row per identity (rule, strategy_id, tier), as a mapping of fields."""
    rows = conn.execute(_NEWEST_ALERTS, {"ids": list(strategy_ids)}).all()
    return {(r.rule, r.strategy_id, r.tier): r for r in rows}


_FIRING = select(AlertRow.__table__).where(AlertRow.state == "firing").order_by(AlertRow.id)
_FIRING_OF = _FIRING.where(AlertRow.strategy_id == bindparam("sid"))


def firing_alerts(conn: Connection, strategy_id: str | None = None) -> list[dict[str, Any]]:
    if strategy_id is None:
        return [_alert_dict(r) for r in conn.execute(_FIRING)]
    return [_alert_dict(r) for r in conn.execute(_FIRING_OF, {"sid": strategy_id})]


def alerts(
    conn: Connection, *, state: str | None = None, strategy_id: str | None = None
) -> list[dict[str, Any]]:
    q = select(AlertRow)
    if state is not None:
        q = q.where(AlertRow.state == state)
    if strategy_id is not None:
        q = q.where(AlertRow.strategy_id == strategy_id)
    return [_alert_dict(r) for r in _orm(conn, q.order_by(AlertRow.id))]


def _alert_dict(r: Any) -> dict[str, Any]:
    return {
        "id": r.id,
        "rule": r.rule,
        "strategy_id": r.strategy_id,
        "tier": r.tier,
        "state": r.state,
        "started_at": r.started_at,
        "fired_at": r.fired_at,
        "resolved_at": r.resolved_at,
        "last_value": r.last_value,
        "threshold": r.threshold,
        "message": r.message,
    }


def alert_events(conn: Connection, alert_id: int) -> list[dict[str, Any]]:
    rows = _orm(
        conn,
        select(AlertEventRow).where(AlertEventRow.alert_id == alert_id).order_by(AlertEventRow.id),
    )
    return [
        {
            "at": r.at,
            "from_state": r.from_state,
            "to_state": r.to_state,
            "value": r.value,
            "threshold": r.threshold,
            "message": r.message,
        }
        for r in rows
    ]


def latest_evaluation_date(conn: Connection, until: dt.date | None = None) -> dt.date | None:
    q = select(func.max(HealthScoreRow.as_of))
    if until is not None:
        q = q.where(HealthScoreRow.as_of <= until)
    return conn.execute(q).scalar()


def results_on(conn: Connection, as_of: dt.date) -> dict[str, dict[str, Any]]:
    """Everything stored for one evaluation date, per strategy: metrics by window,
    comparison, health."""
    out: dict[str, dict[str, Any]] = {}
    for snap in _orm(conn, select(MetricSnapshotRow).where(MetricSnapshotRow.as_of == as_of)):
        out.setdefault(snap.strategy_id, {}).setdefault("metrics", {})[snap.window] = dict(
            snap.metrics, n_obs=snap.n_obs
        )
    for cmp_row in _orm(conn, select(ComparisonRow).where(ComparisonRow.as_of == as_of)):
        d = out.setdefault(cmp_row.strategy_id, {})
        d["status"] = cmp_row.status
        d["comparison"] = cmp_row.details
        d["backtest_version"] = cmp_row.backtest_version
    for h in _orm(conn, select(HealthScoreRow).where(HealthScoreRow.as_of == as_of)):
        d = out.setdefault(h.strategy_id, {})
        d["health"] = {
            "score": h.score,
            "trend": h.trend,
            "components": h.components,
            "reasons": h.reasons,
        }
    return out


def findings(
    conn: Connection,
    *,
    strategy_id: str | None = None,
    limit: int = 200,
    status: str | None = None,
) -> list[dict[str, Any]]:
    """Findings, newest first: kind, strategy_id, date, row, column, value, message, status
    (open | resolved), quarantine (holds its day out), resolved_at, resolved_by."""
    q = select(FindingRow).order_by(FindingRow.id.desc()).limit(limit)
    if strategy_id is not None:
        q = q.where(FindingRow.strategy_id == strategy_id)
    if status is not None:
        q = q.where(FindingRow.status == status)
    return [
        {
            "kind": f.kind,
            "strategy_id": f.strategy_id,
            "date": f.date,
            "row": f.row,
            "column": f.column,
            "value": f.value,
            "message": f.message,
            "status": f.status,
            "quarantine": bool(f.quarantine),
            "resolved_at": f.resolved_at,
            "resolved_by": f.resolved_by,
        }
        for f in _orm(conn, q)
    ]


def quarantined_days(
    conn: Connection, strategy_ids: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Days held out of the statistics: strategy_id, date, rule, file (the file to confirm)."""
    stmt = (
        select(
            DailyRecordRow.strategy_id,
            DailyRecordRow.date,
            DailyRecordRow.quarantine,
            IngestedFileRow.name,
        )
        .outerjoin(IngestedFileRow, IngestedFileRow.id == DailyRecordRow.file_id)
        .where(DailyRecordRow.quarantine.is_not(None))
        .order_by(DailyRecordRow.strategy_id, DailyRecordRow.date)
    )
    if strategy_ids is not None:
        stmt = stmt.where(DailyRecordRow.strategy_id.in_(list(strategy_ids)))
    return [
        {"strategy_id": r[0], "date": r[1], "rule": r[2], "file": r[3]} for r in conn.execute(stmt)
    ]


#: Open findings that ``stratmon status`` points at: the NAV does not follow from the PnL
#: (a day's or across a gap) and days whose positions are unknown.
HELD_DATA_KINDS = ("nav_disconnect", "missing_data")


def open_data_findings(
    conn: Connection, as_of: dt.date | None = None, strategy_ids: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Open data-quality findings a strategy's figures depend on, oldest first.

    ``nav_disconnect`` (a day's NAV or the NAV across a gap disagrees with the PnL) and
    ``missing_data`` of the positions (``column == "positions"``: positions unknown that
    day), dated on or before ``as_of``. Each: strategy_id, kind, date, message, quarantine,
    positions (True for a positions-unknown finding).
    """
    stmt = (
        select(
            FindingRow.strategy_id,
            FindingRow.kind,
            FindingRow.date,
            FindingRow.message,
            FindingRow.quarantine,
            FindingRow.column,
        )
        .where(
            FindingRow.status == "open",
            FindingRow.strategy_id.is_not(None),
            FindingRow.kind.in_(HELD_DATA_KINDS),
        )
        .order_by(FindingRow.strategy_id, FindingRow.date, FindingRow.id)
    )
    if as_of is not None:
        stmt = stmt.where((FindingRow.date.is_(None)) | (FindingRow.date <= as_of))
    if strategy_ids is not None:
        stmt = stmt.where(FindingRow.strategy_id.in_(list(strategy_ids)))
    out = []
    for sid, kind, day, message, quarantine, column in conn.execute(stmt):
        positions = kind == "missing_data" and column == "positions"
        if kind == "missing_data" and not positions:
            continue  # a missing file is already told as "no data for N session(s)"
        out.append(
            {
                "strategy_id": sid,
                "kind": kind,
                "date": day,
                "message": message,
                "quarantine": bool(quarantine),
                "positions": positions,
            }
        )
    return out


def days_without_positions(
    conn: Connection, days: Sequence[tuple[str, dt.date]]
) -> list[tuple[str, dt.date, dt.date]]:
    """Of ``days`` (strategy_id, date), those with no positions snapshot that day although
    the strategy sent one before: (strategy_id, date, date of the last snapshot before).

    One query for all the strategies' snapshot dates up to the latest day asked about (a
    history file of thousands of days is checked at once)."""
    if not days:
        return []
    stmt = (
        select(PositionRow.strategy_id, PositionRow.date)
        .distinct()
        .where(
            PositionRow.strategy_id.in_(sorted({sid for sid, _ in days})),
            PositionRow.date <= max(day for _, day in days),
        )
        .order_by(PositionRow.strategy_id, PositionRow.date)
    )
    dates: dict[str, list[dt.date]] = {}
    for sid, day in conn.execute(stmt):
        dates.setdefault(str(sid), []).append(day)
    out = []
    for sid, day in days:
        known = dates.get(sid, [])
        i = bisect.bisect_left(known, day)
        if i < len(known) and known[i] == day:
            continue  # that day's snapshot exists
        if i:
            out.append((sid, day, known[i - 1]))
    return out


def ingested_files(conn: Connection, *, outcome: str | None = None) -> list[dict[str, Any]]:
    q = select(IngestedFileRow).order_by(IngestedFileRow.id)
    if outcome is not None:
        q = q.where(IngestedFileRow.outcome == outcome)
    return [
        {
            "id": f.id,
            "name": f.name,
            "sha256": f.sha256,
            "kind": f.kind,
            "outcome": f.outcome,
            "n_rows": f.n_rows,
            "n_new": f.n_new,
            "error": f.error,
        }
        for f in _orm(conn, q)
    ]


def positions_on(conn: Connection, strategy_id: str, as_of: dt.date) -> list[dict[str, Any]]:
    last = conn.execute(
        select(func.max(PositionRow.date)).where(
            PositionRow.strategy_id == strategy_id, PositionRow.date <= as_of
        )
    ).scalar()
    if last is None:
        return []
    rows = _orm(
        conn,
        select(PositionRow).where(PositionRow.strategy_id == strategy_id, PositionRow.date == last),
    )
    return [
        {
            "date": r.date,
            "symbol": r.symbol,
            "quantity": r.quantity,
            "market_value": r.market_value,
            "unrealized_pnl": r.unrealized_pnl,
        }
        for r in rows
    ]


def table_counts(conn: Connection) -> dict[str, int]:
    """Row counts of the data tables (used by tests and `stratmon status`)."""
    out = {}
    for model in (
        DailyRecordRow,
        ExecutionRow,
        RoundTripRow,
        PositionRow,
        BacktestReturnRow,
        FindingRow,
        MetricSnapshotRow,
        HealthScoreRow,
        AlertRow,
    ):
        out[model.__tablename__] = int(
            conn.execute(select(func.count()).select_from(model)).scalar() or 0
        )
    return out


def round_trips_for(
    conn: Connection, strategy_ids: Sequence[str], until: dt.datetime | None = None
) -> dict[str, list[RoundTrip]]:
    """Closed round trips of several strategies (one query), by exit time."""
    q = select(*(getattr(RoundTripRow, f) for f in _RT_FIELDS)).where(
        RoundTripRow.strategy_id.in_(list(strategy_ids))
    )
    if until is not None:
        q = q.where(RoundTripRow.exit_time <= until)
    q = q.order_by(RoundTripRow.exit_time, RoundTripRow.trade_id)
    out: dict[str, list[RoundTrip]] = {sid: [] for sid in strategy_ids}
    for r in conn.execute(q):
        out[r[1]].append(RoundTrip(**dict(zip(_RT_FIELDS, r, strict=True))))
    return out


_EXEC_FIELDS = (
    "execution_id",
    "strategy_id",
    "timestamp",
    "symbol",
    "side",
    "quantity",
    "price",
    "commission",
    "fees",
    "currency",
)


def executions(conn: Connection, strategy_id: str) -> list[Execution]:
    """All stored executions of a strategy, by timestamp then id."""
    rows = conn.execute(
        select(*(getattr(ExecutionRow, f) for f in _EXEC_FIELDS))
        .where(ExecutionRow.strategy_id == strategy_id)
        .order_by(ExecutionRow.timestamp, ExecutionRow.execution_id)
    )
    return [Execution(**dict(zip(_EXEC_FIELDS, r, strict=True))) for r in rows]


_MAX_FILE_ID = select(func.max(IngestedFileRow.id))
_REPLACING_SINCE = select(func.count()).where(
    IngestedFileRow.id > bindparam("after"), IngestedFileRow.n_replaced > 0
)


def max_file_id(conn: Connection) -> int:
    """Watermark of ingested files (every stored row carries the id of the file it came from)."""
    return int(conn.execute(_MAX_FILE_ID).scalar() or 0)


def files_replacing_since(conn: Connection, after_id: int) -> int:
    """How many files after ``after_id`` replaced stored rows (a cache must then reload)."""
    return int(conn.execute(_REPLACING_SINCE, {"after": after_id}).scalar() or 0)


# "Rows of files after the watermark" must search the file_id index: with the strategy ids
# in the WHERE clause SQLite prefers the (strategy_id, date) key and reads every stored day of
# each strategy, a cost that grows with history (and an ORDER BY would make it scan a sorted
# index whole). The few rows of other strategies are dropped, and rows sorted, in Python.
_DAILY_SINCE = select(
    DailyRecordRow.strategy_id,
    DailyRecordRow.date,
    DailyRecordRow.nav,
    DailyRecordRow.cash_flow,
).where(DailyRecordRow.file_id > bindparam("after"), DailyRecordRow.quarantine.is_(None))


def daily_rows_since(
    conn: Connection, strategy_ids: Sequence[str], after_file_id: int
) -> list[tuple[Any, ...]]:
    """(strategy_id, date, nav, cash_flow) of rows stored from files after ``after_file_id``,
    by strategy and date."""
    wanted = set(strategy_ids)
    rows = conn.execute(_DAILY_SINCE, {"after": after_file_id})
    return sorted((tuple(r) for r in rows if r[0] in wanted), key=lambda r: (r[0], r[1]))


_TRIPS_SINCE = select(*(getattr(RoundTripRow, f) for f in _RT_FIELDS)).where(
    RoundTripRow.file_id > bindparam("after")
)


def round_trips_since(
    conn: Connection, strategy_ids: Sequence[str], after_file_id: int
) -> list[RoundTrip]:
    """Round trips stored from files after ``after_file_id``, by exit time."""
    wanted = set(strategy_ids)
    rows = conn.execute(_TRIPS_SINCE, {"after": after_file_id})
    trips = [
        RoundTrip(**dict(zip(_RT_FIELDS, r, strict=True))) for r in rows if r.strategy_id in wanted
    ]
    return sorted(trips, key=lambda t: (t.exit_time, t.trade_id))


def backtest_keys(conn: Connection) -> dict[str, tuple[int | None, int | None]]:
    """Per strategy: (the backtest version to compare with, that version's newest expectation
    id). The version is the newest over returns *and* expectations, so a new run that has
    expected metrics but no returns is compared as itself, not through older returns."""
    ret_versions: dict[str, int] = {
        sid: int(v)
        for sid, v in conn.execute(
            select(BacktestReturnRow.strategy_id, func.max(BacktestReturnRow.version)).group_by(
                BacktestReturnRow.strategy_id
            )
        )
    }
    exp_rows: dict[tuple[str, int], int] = {}
    for sid, version, exp_id in conn.execute(
        select(
            BacktestExpectationRow.strategy_id,
            BacktestExpectationRow.version,
            func.max(BacktestExpectationRow.id),
        ).group_by(BacktestExpectationRow.strategy_id, BacktestExpectationRow.version)
    ):
        exp_rows[(sid, int(version))] = int(exp_id)
    out: dict[str, tuple[int | None, int | None]] = {}
    for sid in {*ret_versions, *(k[0] for k in exp_rows)}:
        candidates = [v for (s, v) in exp_rows if s == sid]
        if sid in ret_versions:
            candidates.append(ret_versions[sid])
        version = max(candidates)
        out[sid] = (version, exp_rows.get((sid, version)))
    return out


_RECENT_HEALTH = (
    select(HealthScoreRow.strategy_id, HealthScoreRow.as_of, HealthScoreRow.score)
    .where(
        HealthScoreRow.strategy_id.in_(bindparam("ids", expanding=True)),
        HealthScoreRow.as_of < bindparam("before"),
        HealthScoreRow.as_of >= bindparam("since"),
    )
    .order_by(HealthScoreRow.strategy_id, HealthScoreRow.as_of)
)


def recent_health_all(
    conn: Connection, strategy_ids: Sequence[str], before: dt.date, limit: int
) -> dict[str, list[float]]:
    """The last ``limit`` health scores before ``before`` per strategy, oldest first."""
    since = before - dt.timedelta(days=3 * limit + 10)
    rows = conn.execute(
        _RECENT_HEALTH, {"ids": list(strategy_ids), "before": before, "since": since}
    ).all()
    out: dict[str, list[float]] = {sid: [] for sid in strategy_ids}
    for sid, _, score in rows:
        out[sid].append(float("nan") if score is None else float(score))
    return {sid: v[-limit:] for sid, v in out.items()}


_BACKTEST_STAMP = select(
    select(func.count())
    .where(IngestedFileRow.kind == "backtest_returns", IngestedFileRow.outcome == "accepted")
    .scalar_subquery(),
    select(func.max(BacktestExpectationRow.id)).scalar_subquery(),
)


def backtest_stamp(conn: Connection) -> tuple[int, int]:
    """Changes whenever backtest returns or expectations are added (cheap to read)."""
    files, exp = conn.execute(_BACKTEST_STAMP).one()
    return int(files or 0), int(exp or 0)


_DETECTOR_HEADS = select(
    DetectorStateRow.strategy_id,
    DetectorStateRow.backtest_version,
    DetectorStateRow.last_date,
    DetectorStateRow.n_updates,
    DetectorStateRow.alarm_date,
).where(DetectorStateRow.strategy_id.in_(bindparam("ids", expanding=True)))
_DETECTOR_STATE = select(DetectorStateRow.state).where(
    DetectorStateRow.strategy_id == bindparam("sid"),
    DetectorStateRow.backtest_version == bindparam("version"),
)


def detector_states(
    conn: Connection, keys: Sequence[tuple[str, int]]
) -> dict[tuple[str, int], dict[str, Any]]:
    """Stored decay-detector headers for (strategy_id, backtest_version) pairs: last_date,
    n_updates, alarm_date. The state itself (a large JSON document) is read by
    :func:`detector_state`, only when a detector is not already in memory."""
    if not keys:
        return {}
    wanted = set(keys)
    rows = conn.execute(_DETECTOR_HEADS, {"ids": sorted({k[0] for k in keys})})
    return {
        (r[0], r[1]): {"last_date": r[2], "n_updates": r[3], "alarm_date": r[4]}
        for r in rows
        if (r[0], r[1]) in wanted
    }


def detector_state(conn: Connection, strategy_id: str, backtest_version: int) -> Any:
    """The stored state document of one decay detector (``None`` when there is none)."""
    params = {"sid": strategy_id, "version": backtest_version}
    return conn.execute(_DETECTOR_STATE, params).scalar()


def statistics_on(conn: Connection, as_of: dt.date) -> dict[str, dict[str, Any]]:
    """Stored live-vs-backtest statistics per strategy for one evaluation date."""
    rows = conn.execute(
        select(
            StatisticsRow.strategy_id, StatisticsRow.backtest_version, StatisticsRow.statistics
        ).where(StatisticsRow.as_of == as_of)
    )
    return {r[0]: dict(r[2] or {}, backtest_version=r[1]) for r in rows}


def cone_history(
    conn: Connection, strategy_id: str, until: dt.date
) -> list[tuple[dt.date, dict[str, Any]]]:
    """Per evaluation date up to ``until``: the cone bands stored that day (for charts)."""
    rows = conn.execute(
        select(StatisticsRow.as_of, StatisticsRow.statistics)
        .where(StatisticsRow.strategy_id == strategy_id, StatisticsRow.as_of <= until)
        .order_by(StatisticsRow.as_of)
    )
    out = []
    for as_of, stats in rows:
        cone = (stats or {}).get("cone")
        if cone:
            out.append((as_of, cone))
    return out


def cone_breaches(conn: Connection, strategy_id: str | None = None) -> list[dict[str, Any]]:
    q = select(ConeBreachRow).order_by(ConeBreachRow.as_of)
    if strategy_id is not None:
        q = q.where(ConeBreachRow.strategy_id == strategy_id)
    return [
        {
            "strategy_id": r.strategy_id,
            "as_of": r.as_of,
            "band": r.band,
            "side": r.side,
            "live_day": r.live_day,
            "cumulative_return": r.cumulative_return,
            "bound": r.bound,
        }
        for r in _orm(conn, q)
    ]


def highest_backtest_version(conn: Connection, strategy_id: str) -> int | None:
    """The highest backtest version of a strategy over returns *and* expectations (or None)."""
    v_ret = backtest_version(conn, strategy_id)
    v_exp = conn.execute(
        select(func.max(BacktestExpectationRow.version)).where(
            BacktestExpectationRow.strategy_id == strategy_id
        )
    ).scalar()
    found = [int(v) for v in (v_ret, v_exp) if v is not None]
    return max(found) if found else None


def latest_expectation_source(conn: Connection, strategy_id: str) -> tuple[int, str] | None:
    """(version, source) of the newest expected-metrics record of a strategy, or None."""
    row = conn.execute(
        select(BacktestExpectationRow.version, BacktestExpectationRow.source)
        .where(BacktestExpectationRow.strategy_id == strategy_id)
        .order_by(BacktestExpectationRow.id.desc())
        .limit(1)
    ).first()
    return None if row is None else (int(row[0]), str(row[1]))


def backtest_versions(conn: Connection, strategy_id: str) -> list[dict[str, Any]]:
    """Every stored backtest version of a strategy, oldest first.

    Each: ``version``, ``n_returns`` (stored daily returns of that version), ``source``,
    ``metrics``, ``n_trials`` and ``created_at`` of the version's newest expected-metrics
    record (None when the version has returns only).
    """
    out: dict[int, dict[str, Any]] = {}
    for version, n in conn.execute(
        select(BacktestReturnRow.version, func.count())
        .where(BacktestReturnRow.strategy_id == strategy_id)
        .group_by(BacktestReturnRow.version)
    ):
        out[int(version)] = {
            "version": int(version),
            "n_returns": int(n),
            "source": None,
            "metrics": None,
            "n_trials": None,
            "created_at": None,
        }
    for e in _orm(
        conn,
        select(BacktestExpectationRow)
        .where(BacktestExpectationRow.strategy_id == strategy_id)
        .order_by(BacktestExpectationRow.id),
    ):
        d = out.setdefault(int(e.version), {"version": int(e.version), "n_returns": 0})
        d.update(
            source=e.source,
            metrics=dict(e.metrics or {}),
            n_trials=e.n_trials,
            created_at=e.created_at,
        )
    return [out[v] for v in sorted(out)]


_EXECUTION_COSTS = select(
    ExecutionRow.strategy_id, ExecutionRow.timestamp, ExecutionRow.commission, ExecutionRow.fees
).where(ExecutionRow.strategy_id.in_(bindparam("ids", expanding=True)))


def daily_cost_fractions(
    conn: Connection,
    strategy_ids: Sequence[str],
    until: dt.date,
    *,
    navs: Mapping[str, tuple[Sequence[dt.date], np.ndarray]] | None = None,
) -> dict[str, dict[dt.date, float]]:
    """Per strategy and day: commissions plus fees of that day's executions as a fraction of
    the previous day's NAV (the day's NAV on a strategy's first day).

    ``navs`` (strategy_id -> stored NAV dates and values up to ``until``, sorted) spares
    re-reading the daily history when the caller already holds it (the daily job)."""
    costs: dict[str, dict[dt.date, float]] = {sid: {} for sid in strategy_ids}
    for sid, ts, commission, fees in conn.execute(_EXECUTION_COSTS, {"ids": list(strategy_ids)}):
        day = ts.date()
        costs[sid][day] = costs[sid].get(day, 0.0) + float(commission or 0) + float(fees or 0)
    if navs is None:
        series = daily_series(conn, strategy_ids, until=until)
        navs = {sid: (ds.dates, ds.nav) for sid, ds in series.items()}
    out: dict[str, dict[dt.date, float]] = {}
    for sid in strategy_ids:
        dates, nav = navs[sid]
        prev = {d: (nav[i - 1] if i else nav[i]) for i, d in enumerate(dates)}
        out[sid] = {d: c / prev[d] for d, c in costs[sid].items() if d in prev and prev[d] > 0}
    return out


_RUNNING = select(
    RunningStateRow.strategy_id,
    RunningStateRow.last_date,
    RunningStateRow.n_updates,
    RunningStateRow.state,
).where(
    RunningStateRow.strategy_id.in_(bindparam("ids", expanding=True)),
    RunningStateRow.kind == bindparam("kind"),
)


def running_states(
    conn: Connection, strategy_ids: Sequence[str], kind: str
) -> dict[str, dict[str, Any]]:
    """Stored incremental states of one kind per strategy: last_date, n_updates, state."""
    return {
        r[0]: {"last_date": r[1], "n_updates": r[2], "state": r[3]}
        for r in conn.execute(_RUNNING, {"ids": list(strategy_ids), "kind": kind})
    }
