"""The store's implementation of the ingest layer's ``StoredView``: batch look-ups of stored
rows, one query per call, so validation can detect duplicates, conflicts and NAV jumps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, select, tuple_

from stratmon.domain import DailyRecord, Execution, Position, RoundTrip
from stratmon.store.models import (
    BacktestReturnRow,
    DailyRecordRow,
    ExecutionRow,
    PositionRow,
    RoundTripRow,
)

_DAILY = [c.key for c in DailyRecordRow.__table__.columns if c.key not in ("file_id", "quarantine")]
_EXEC = [c.key for c in ExecutionRow.__table__.columns if c.key != "file_id"]
_RT = [c.key for c in RoundTripRow.__table__.columns if c.key not in ("file_id", "source")]
_POS = [c.key for c in PositionRow.__table__.columns if c.key != "file_id"]


_CHUNK = 400  # keys per IN (...) query: stays far below SQLite's bound-parameter limit


def _recent_last_statement() -> Any:
    """Newest record per strategy in [since, before), built once (bound parameters)."""
    latest = (
        select(
            DailyRecordRow.strategy_id.label("sid"),
            func.max(DailyRecordRow.date).label("d"),
        )
        .where(DailyRecordRow.date < bindparam("before"), DailyRecordRow.date >= bindparam("since"))
        .group_by(DailyRecordRow.strategy_id)
        .subquery()
    )
    cols = [getattr(DailyRecordRow, k) for k in _DAILY]
    return select(*cols).join(
        latest,
        and_(DailyRecordRow.strategy_id == latest.c.sid, DailyRecordRow.date == latest.c.d),
    )


def _chunks(keys: Collection[Any]) -> Iterator[list[Any]]:
    items = list(keys)
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def _on_strategy_dates(
    conn: Connection, stmt: Any, keys: Collection[tuple[Any, ...]]
) -> Iterator[Any]:
    """Rows of ``stmt`` (bound ``ids`` and ``dates``) for the strategies and dates of ``keys``
    (strategy_id, date, ...), chunked: a superset the caller narrows to the exact keys."""
    for part in _chunks(keys):
        params = {"ids": sorted({k[0] for k in part}), "dates": sorted({k[1] for k in part})}
        yield from conn.execute(stmt, params)


def _daily(row: Any) -> DailyRecord:
    d = dict(zip(_DAILY, row, strict=True))
    d["extras"] = d["extras"] or {}
    d["cash_flow"] = d["cash_flow"] or 0.0
    return DailyRecord(**d)


class SqlStoredView:
    """Read-only view of stored rows for validation, bound to one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._last: dict[tuple[str, dt.date], DailyRecord | None] = {}
        self._recent_done: set[dt.date] = set()
        self._window: dict[tuple[dt.date, int], dict[str, list[tuple[DailyRecord, bool]]]] = {}

    def recent_daily(
        self, strategy_id: str, before: dt.date, days: int
    ) -> list[tuple[DailyRecord, bool]]:
        """Stored records in ``[before - days, before)`` by date, each with whether it is
        quarantined. One query per ``(before, days)`` for every strategy (a file's rows share
        dates)."""
        key = (before, days)
        if key not in self._window:
            grouped: dict[str, list[tuple[DailyRecord, bool]]] = {}
            params = {"before": before, "since": before - dt.timedelta(days=days)}
            for row in self.conn.execute(_WINDOW, params):
                rec = _daily(row[:-1])
                grouped.setdefault(rec.strategy_id, []).append((rec, row[-1] is not None))
            self._window[key] = grouped
        return self._window[key].get(strategy_id, [])

    def daily_records(
        self, keys: Collection[tuple[str, dt.date]]
    ) -> dict[tuple[str, dt.date], DailyRecord]:
        if not keys:
            return {}
        wanted = set(keys)
        out = {}
        for rec in map(_daily, _on_strategy_dates(self.conn, _DAILY_BY_KEYS, wanted)):
            if (rec.strategy_id, rec.date) in wanted:
                out[(rec.strategy_id, rec.date)] = rec
        return out

    def last_daily_before(self, strategy_id: str, before: dt.date) -> DailyRecord | None:
        """The newest stored record strictly before ``before``.

        The first call for a date fetches it for every strategy with data in the previous
        31 days in one grouped query (a file's rows share dates, and the range keeps the
        query small as history grows); a strategy silent for longer gets an indexed
        single-strategy look-up."""
        key = (strategy_id, before)
        if key in self._last:
            return self._last[key]
        if before not in self._recent_done:
            self._recent_done.add(before)
            since = before - dt.timedelta(days=31)
            rows = self.conn.execute(_RECENT_LAST, {"before": before, "since": since})
            for rec in map(_daily, rows):
                self._last[(rec.strategy_id, before)] = rec
            if key in self._last:
                return self._last[key]
        row = self.conn.execute(_LAST_BEFORE, {"sid": strategy_id, "before": before}).first()
        self._last[key] = None if row is None else _daily(row)
        return self._last[key]

    def executions(self, execution_ids: Collection[str]) -> dict[str, Execution]:
        if not execution_ids:
            return {}
        out = {}
        for part in _chunks(execution_ids):
            rows = self.conn.execute(_EXEC_BY_IDS, {"ids": part})
            out.update({r[0]: Execution(**dict(zip(_EXEC, r, strict=True))) for r in rows})
        return out

    def round_trips(self, trade_ids: Collection[str]) -> dict[str, RoundTrip]:
        if not trade_ids:
            return {}
        out = {}
        for part in _chunks(trade_ids):
            rows = self.conn.execute(_RT_BY_IDS, {"ids": part})
            for r in rows:
                rt = RoundTrip(**dict(zip(_RT, r, strict=True)))
                out[rt.trade_id] = rt
        return out

    def positions(
        self, keys: Collection[tuple[str, dt.date, str]]
    ) -> dict[tuple[str, dt.date, str], Position]:
        if not keys:
            return {}
        wanted = set(keys)
        out = {}
        for r in _on_strategy_dates(self.conn, _POSITIONS_BY_KEYS, wanted):
            p = Position(**dict(zip(_POS, r, strict=True)))
            if (p.strategy_id, p.date, p.symbol) in wanted:
                out[(p.strategy_id, p.date, p.symbol)] = p
        return out

    def backtest_returns(
        self, keys: Collection[tuple[str, dt.date]]
    ) -> dict[tuple[str, dt.date], float]:
        if not keys:
            return {}
        out = {}
        for part in _chunks(keys):
            rows = self.conn.execute(
                select(BacktestReturnRow.strategy_id, BacktestReturnRow.date, BacktestReturnRow.ret)
                .where(tuple_(BacktestReturnRow.strategy_id, BacktestReturnRow.date).in_(part))
                .order_by(BacktestReturnRow.version)
            )
            out.update({(r[0], r[1]): float(r[2]) for r in rows})
        return out


_RECENT_LAST = _recent_last_statement()
_WINDOW = (
    select(*(getattr(DailyRecordRow, k) for k in _DAILY), DailyRecordRow.quarantine)
    .where(DailyRecordRow.date < bindparam("before"), DailyRecordRow.date >= bindparam("since"))
    .order_by(DailyRecordRow.strategy_id, DailyRecordRow.date)
)
# Index-friendly look-ups (SQLite does not use the primary key for a row-value IN): all rows
# of the strategies on the dates, filtered to the exact keys in Python.
_DAILY_BY_KEYS = select(*(getattr(DailyRecordRow, k) for k in _DAILY)).where(
    DailyRecordRow.strategy_id.in_(bindparam("ids", expanding=True)),
    DailyRecordRow.date.in_(bindparam("dates", expanding=True)),
)
_POSITIONS_BY_KEYS = select(*(getattr(PositionRow, k) for k in _POS)).where(
    PositionRow.strategy_id.in_(bindparam("ids", expanding=True)),
    PositionRow.date.in_(bindparam("dates", expanding=True)),
)
_LAST_BEFORE = (
    select(*(getattr(DailyRecordRow, k) for k in _DAILY))
    .where(
        DailyRecordRow.strategy_id == bindparam("sid"), DailyRecordRow.date < bindparam("before")
    )
    .order_by(DailyRecordRow.date.desc())
    .limit(1)
)
_EXEC_BY_IDS = select(*(getattr(ExecutionRow, k) for k in _EXEC)).where(
    ExecutionRow.execution_id.in_(bindparam("ids", expanding=True))
)
_RT_BY_IDS = select(*(getattr(RoundTripRow, k) for k in _RT)).where(
    RoundTripRow.trade_id.in_(bindparam("ids", expanding=True))
)
