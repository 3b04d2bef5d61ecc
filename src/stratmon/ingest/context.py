"""What parsing needs to know about the world: strategies, stored rows, today."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from stratmon.domain.records import (
    DailyRecord,
    Execution,
    Position,
    RoundTrip,
    Strategy,
)
from stratmon.ingest.batch import IngestBatch, IngestRecord


class StoredView(Protocol):
    """Read-only look-ups of stored rows (the store implements it; one query per call).

    Every batch look-up returns only the keys that are stored (a missing key is simply absent
    from the result).
    """

    def daily_records(
        self, keys: Collection[tuple[str, dt.date]]
    ) -> dict[tuple[str, dt.date], DailyRecord]:
        """Stored daily records by ``(strategy_id, date)``."""
        ...

    def last_daily_before(self, strategy_id: str, before: dt.date) -> DailyRecord | None:
        """The stored daily record of ``strategy_id`` with the latest date strictly before."""
        ...

    def recent_daily(
        self, strategy_id: str, before: dt.date, days: int
    ) -> list[tuple[DailyRecord, bool]]:
        """Stored records of ``strategy_id`` dated in ``[before - days, before)``, by date,
        each with whether it is quarantined (held out of the statistics)."""
        ...

    def executions(self, execution_ids: Collection[str]) -> dict[str, Execution]:
        """Stored executions by ``execution_id``."""
        ...

    def round_trips(self, trade_ids: Collection[str]) -> dict[str, RoundTrip]:
        """Stored round trips by ``trade_id``."""
        ...

    def positions(
        self, keys: Collection[tuple[str, dt.date, str]]
    ) -> dict[tuple[str, dt.date, str], Position]:
        """Stored positions by ``(strategy_id, date, symbol)``."""
        ...

    def backtest_returns(
        self, keys: Collection[tuple[str, dt.date]]
    ) -> dict[tuple[str, dt.date], float]:
        """Stored backtest daily returns (fractions) by ``(strategy_id, date)``."""
        ...


@dataclass(frozen=True)
class IngestContext:
    """Everything :func:`~stratmon.ingest.parse.parse_file` validates against.

    ``outlier_pnl_fraction``: a day whose ``|daily_pnl|`` exceeds this fraction of the NAV is an
    outlier finding. ``nav_tolerance``: relative tolerance (to the previous NAV, plus 0.01
    absolute) of the check ``nav_t = nav_{t-1} + daily_pnl_t + cash_flow_t``. ``replace``:
    rows that differ from stored rows replace them instead of rejecting the file.

    Quarantine (:mod:`stratmon.ingest.findings`): ``quarantine_sigma`` is the k of the
    "move beyond k standard deviations of the strategy's own history with no cash flow" rule,
    judged on the NAV-implied return against the standard deviation of the previous
    ``sigma_lookback_days`` calendar days of accepted returns, once at least
    ``sigma_min_history`` of them are stored, for a move beyond ``sigma_min_move`` of the NAV
    (a flat book's near-zero standard deviation makes any trade "k sigma").
    ``quarantine=False`` keeps the old behaviour (findings only).
    """

    strategies: Mapping[str, Strategy]
    view: StoredView
    today: dt.date
    outlier_pnl_fraction: float = 0.5
    nav_tolerance: float = 1e-4
    replace: bool = False
    quarantine: bool = True
    quarantine_sigma: float = 10.0
    sigma_min_history: int = 20
    sigma_lookback_days: int = 92
    sigma_min_move: float = 0.10


class InMemoryView:
    """A :class:`StoredView` over dictionaries, for tests and callers without a store.

    Load it with :meth:`add` (a whole batch, replacements included) or :meth:`add_records`.
    """

    def __init__(self, records: Iterable[IngestRecord] = ()) -> None:
        self._daily: dict[tuple[str, dt.date], DailyRecord] = {}
        self.quarantined: set[tuple[str, dt.date]] = set()
        self._daily_dates: dict[str, list[dt.date]] = {}
        self._executions: dict[str, Execution] = {}
        self._round_trips: dict[str, RoundTrip] = {}
        self._positions: dict[tuple[str, dt.date, str], Position] = {}
        self._backtest: dict[tuple[str, dt.date], float] = {}
        self.add_records(records)

    def add(self, batch: IngestBatch) -> None:
        """Store a batch's new records and replacements (replacements overwrite), with the
        batch's quarantined days."""
        self.add_records(batch.new_records)
        self.add_records(batch.replacements)
        for rec in batch.replacements:
            if isinstance(rec, DailyRecord):
                self.quarantined.discard((rec.strategy_id, rec.date))
        self.quarantined.update(batch.quarantined)

    def add_records(self, records: Iterable[IngestRecord]) -> None:
        """Store records, overwriting any with the same key."""
        for rec in records:
            if isinstance(rec, DailyRecord):
                key = (rec.strategy_id, rec.date)
                if key not in self._daily:
                    bisect.insort(self._daily_dates.setdefault(rec.strategy_id, []), rec.date)
                self._daily[key] = rec
            elif isinstance(rec, Execution):
                self._executions[rec.execution_id] = rec
            elif isinstance(rec, RoundTrip):
                self._round_trips[rec.trade_id] = rec
            elif isinstance(rec, Position):
                self._positions[(rec.strategy_id, rec.date, rec.symbol)] = rec
            else:
                self._backtest[(rec.strategy_id, rec.date)] = rec.ret

    def __len__(self) -> int:
        return (
            len(self._daily)
            + len(self._executions)
            + len(self._round_trips)
            + len(self._positions)
            + len(self._backtest)
        )

    def daily_records(
        self, keys: Collection[tuple[str, dt.date]]
    ) -> dict[tuple[str, dt.date], DailyRecord]:
        return {k: self._daily[k] for k in keys if k in self._daily}

    def last_daily_before(self, strategy_id: str, before: dt.date) -> DailyRecord | None:
        dates = self._daily_dates.get(strategy_id)
        if not dates:
            return None
        i = bisect.bisect_left(dates, before)
        return self._daily[(strategy_id, dates[i - 1])] if i > 0 else None

    def recent_daily(
        self, strategy_id: str, before: dt.date, days: int
    ) -> list[tuple[DailyRecord, bool]]:
        dates = self._daily_dates.get(strategy_id, [])
        lo = bisect.bisect_left(dates, before - dt.timedelta(days=days))
        hi = bisect.bisect_left(dates, before)
        return [
            (self._daily[(strategy_id, d)], (strategy_id, d) in self.quarantined)
            for d in dates[lo:hi]
        ]

    def executions(self, execution_ids: Collection[str]) -> dict[str, Execution]:
        return {k: self._executions[k] for k in execution_ids if k in self._executions}

    def round_trips(self, trade_ids: Collection[str]) -> dict[str, RoundTrip]:
        return {k: self._round_trips[k] for k in trade_ids if k in self._round_trips}

    def positions(
        self, keys: Collection[tuple[str, dt.date, str]]
    ) -> dict[tuple[str, dt.date, str], Position]:
        return {k: self._positions[k] for k in keys if k in self._positions}

    def backtest_returns(
        self, keys: Collection[tuple[str, dt.date]]
    ) -> dict[tuple[str, dt.date], float]:
        return {k: self._backtest[k] for k in keys if k in self._backtest}

    def all_daily(self) -> list[DailyRecord]:
        """Every stored daily record, by strategy then date."""
        return [
            self._daily[(s, d)] for s in sorted(self._daily_dates) for d in self._daily_dates[s]
        ]


__all__ = ["InMemoryView", "IngestContext", "StoredView"]
