"""An in-process cache of each strategy's stored history (NAV, cash flows, round trips).

Every stored row carries the id of the ingested file it came from, so the cache refreshes by
reading only rows from files newer than its watermark. Anything that is not a pure append --
a file that replaced rows, a back-filled date, a new strategy -- makes it reload from scratch,
so the cache can never disagree with the store. It lets a long replay (the demo) or a service
evaluate day after day without re-reading years of history.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Connection

from stratmon.domain import RoundTrip
from stratmon.store import queries as q


@dataclass
class _Series:
    dates: list[dt.date] = field(default_factory=list)
    nav: list[float] = field(default_factory=list)
    cash_flow: list[float] = field(default_factory=list)
    trips: list[RoundTrip] = field(default_factory=list)


class History:
    """Cached daily NAV / cash-flow series and round trips per strategy."""

    def __init__(self) -> None:
        self._watermark = -1
        self._series: dict[str, _Series] = {}
        self.generation = 0  # incremented whenever the cache reloads (history not appended)

    @property
    def watermark(self) -> int:
        """The newest ingested-file id the cache reflects."""
        return self._watermark

    def _reload(self, conn: Connection, ids: Sequence[str]) -> None:
        self.generation += 1
        series = q.daily_series(conn, ids)
        trips = q.round_trips_for(conn, ids)
        self._series = {
            sid: _Series(
                dates=list(series[sid].dates),
                nav=series[sid].nav.tolist(),
                cash_flow=series[sid].cash_flow.tolist(),
                trips=list(trips.get(sid, [])),
            )
            for sid in ids
        }

    def refresh(self, conn: Connection, ids: Sequence[str]) -> None:
        """Bring the cache up to date with the store for strategies ``ids``."""
        top = q.max_file_id(conn)
        covered = set(ids) <= set(self._series)
        if top == self._watermark and covered:
            return
        if (
            self._watermark < 0
            or not covered
            or q.files_replacing_since(conn, self._watermark)
            or not self._append_since(conn, ids)
        ):
            self._reload(conn, ids)
        self._watermark = top

    def _append_since(self, conn: Connection, ids: Sequence[str]) -> bool:
        """Append the rows of files after the watermark; False at a back-filled day (not an
        append: the caller reloads)."""
        for sid, date, nav, cash_flow in q.daily_rows_since(conn, ids, self._watermark):
            s = self._series[sid]
            if s.dates and date <= s.dates[-1]:
                return False
            s.dates.append(date)
            s.nav.append(float(nav))
            s.cash_flow.append(float(cash_flow or 0.0))
        for trip in q.round_trips_since(conn, ids, self._watermark):
            trips = self._series[trip.strategy_id].trips
            if trips and trip.exit_time < trips[-1].exit_time:
                trips.append(trip)
                trips.sort(key=lambda t: (t.exit_time, t.trade_id))
            else:
                trips.append(trip)
        return True

    def upto(
        self, strategy_id: str, as_of: dt.date
    ) -> tuple[list[dt.date], np.ndarray, np.ndarray, list[RoundTrip]]:
        """Dates, NAV, cash flows (shape (T,)) and round trips (exited by ``as_of``)."""
        s = self._series[strategy_id]
        n = bisect.bisect_right(s.dates, as_of)
        end = dt.datetime.combine(as_of, dt.time.max)
        k = bisect.bisect_right([t.exit_time for t in s.trips], end) if s.trips else 0
        return (
            s.dates[:n],
            np.asarray(s.nav[:n], dtype=float),
            np.asarray(s.cash_flow[:n], dtype=float),
            s.trips[:k],
        )

    def dates(self, strategy_id: str) -> list[dt.date]:
        """All cached NAV dates of a strategy."""
        return self._series[strategy_id].dates
