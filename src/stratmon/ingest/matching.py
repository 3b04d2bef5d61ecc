"""FIFO matching of executions (broker fills) into closed round-trip trades.

Conventions (those of pyfolio's ``round_trips`` / ``extract_round_trips``):

- Open lots are kept per ``(strategy_id, symbol)`` in arrival order. A fill in the direction
  of the open position (or with nothing open) opens a new lot; a fill against it closes the
  oldest lots first (FIFO).
- **Each matched lot portion is one RoundTrip.** A sell of 150 against lots of 100 and 100
  gives two round trips (100 and 50); a lot of 100 closed by sells of 30 and 70 gives two.
- A fill larger than the open position closes it and opens a lot on the other side with the
  rest (a flip).
- Commissions and fees of a fill are spread pro rata by quantity over the lots it opens and
  the portions it closes; a round trip carries the share of its entry fill and of its exit fill.
- ``pnl = (exit_price - entry_price) * quantity`` for LONG and
  ``(entry_price - exit_price) * quantity`` for SHORT, minus those commissions.
- ``trade_id = f"{entry_execution_id}->{exit_execution_id}"``: deterministic, and unique
  because one exit fill closes a given lot at most once.

The matcher is incremental: feed it each day's new executions; its open lots carry over and are
saved with :meth:`FifoMatcher.to_state` / restored with :meth:`FifoMatcher.from_state`.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stratmon.domain.records import Execution, RoundTrip
from stratmon.errors import StratmonError

STATE_VERSION = 1
#: Quantities below this fraction of the fill/lot size count as zero (float dust).
_REL_EPS = 1e-9


class ExecutionOrderError(StratmonError, ValueError):
    """An execution at or before the last one already matched for its strategy and symbol."""


@dataclass(slots=True)
class OpenLot:
    """What remains open of one entry fill. ``quantity`` is signed (short < 0)."""

    execution_id: str
    timestamp: dt.datetime
    quantity: float
    price: float
    commission: float

    def to_json(self) -> dict[str, Any]:
        return {
            "execution_id": self.execution_id,
            "timestamp": self.timestamp.isoformat(),
            "quantity": self.quantity,
            "price": self.price,
            "commission": self.commission,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> OpenLot:
        return cls(
            str(d["execution_id"]),
            dt.datetime.fromisoformat(d["timestamp"]),
            float(d["quantity"]),
            float(d["price"]),
            float(d["commission"]),
        )


@dataclass(slots=True)
class _Book:
    lots: deque[OpenLot]
    last: tuple[dt.datetime, str] | None = None


def _order(e: Execution) -> tuple[dt.datetime, str]:
    return (e.timestamp, e.execution_id)


class FifoMatcher:
    """Incremental FIFO matcher of executions into :class:`RoundTrip` records.

    Examples
    --------
    >>> m = FifoMatcher()
    >>> trips = m.match(executions_of_the_day)  # doctest: +SKIP
    >>> saved = json.dumps(m.to_state())  # doctest: +SKIP
    >>> m2 = FifoMatcher.from_state(json.loads(saved))  # doctest: +SKIP
    """

    def __init__(self) -> None:
        self._books: dict[tuple[str, str], _Book] = {}

    # -- state --------------------------------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        """The open lots and per-book watermark as a JSON-safe dict.

        Returns
        -------
        dict
            ``{"version": 1, "books": [{"strategy_id", "symbol", "last": [iso, id] | None,
            "lots": [...]}, ...]}``; books with neither lots nor history are omitted.
        """
        books = []
        for (sid, symbol), book in sorted(self._books.items()):
            books.append(
                {
                    "strategy_id": sid,
                    "symbol": symbol,
                    "last": None if book.last is None else [book.last[0].isoformat(), book.last[1]],
                    "lots": [lot.to_json() for lot in book.lots],
                }
            )
        return {"version": STATE_VERSION, "books": books}

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> FifoMatcher:
        """Rebuild a matcher saved by :meth:`to_state`.

        Raises
        ------
        ValueError
            If the state's version is not supported.
        """
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"unsupported FifoMatcher state version {state.get('version')!r}")
        m = cls()
        for b in state["books"]:
            last = b.get("last")
            m._books[(b["strategy_id"], b["symbol"])] = _Book(
                deque(OpenLot.from_json(x) for x in b["lots"]),
                None if last is None else (dt.datetime.fromisoformat(last[0]), str(last[1])),
            )
        return m

    def open_positions(self) -> dict[tuple[str, str], float]:
        """Net open quantity per ``(strategy_id, symbol)`` (signed; flat books omitted)."""
        out = {}
        for key, book in self._books.items():
            qty = sum(lot.quantity for lot in book.lots)
            if book.lots:
                out[key] = qty
        return out

    def open_lots(self, strategy_id: str, symbol: str) -> list[OpenLot]:
        """Copies of the open lots of one book, oldest first."""
        book = self._books.get((strategy_id, symbol))
        if book is None:
            return []
        return [
            OpenLot(x.execution_id, x.timestamp, x.quantity, x.price, x.commission)
            for x in book.lots
        ]

    # -- matching -----------------------------------------------------------------------------

    def match(self, executions: Sequence[Execution] | Iterable[Execution]) -> list[RoundTrip]:
        """Match new executions against the open lots; return the round trips they close.

        Parameters
        ----------
        executions : sequence of Execution
            New fills, in any order: they are processed sorted by (timestamp, execution_id).

        Returns
        -------
        list of RoundTrip
            One per matched lot portion, in the order they closed.

        Raises
        ------
        ExecutionOrderError
            If a fill is not after the last fill already matched for its (strategy, symbol)
            (a repeated or late execution); nothing is changed then.

        References
        ----------
        pyfolio ``round_trips.extract_round_trips`` (FIFO, one round trip per lot portion).
        """
        ordered = sorted(executions, key=_order)
        # check everything first: all or nothing
        watermark: dict[tuple[str, str], tuple[dt.datetime, str] | None] = {}
        for e in ordered:
            key = (e.strategy_id, e.symbol)
            if key not in watermark:
                book = self._books.get(key)
                watermark[key] = None if book is None else book.last
            last = watermark[key]
            if last is not None and _order(e) <= last:
                raise ExecutionOrderError(
                    f"execution {e.execution_id!r} ({e.timestamp.isoformat()}) for "
                    f"{e.strategy_id}/{e.symbol} is not after the last matched one "
                    f"({last[1]!r} at {last[0].isoformat()}); each execution is matched once, "
                    "in time order"
                )
            watermark[key] = _order(e)
        out: list[RoundTrip] = []
        for e in ordered:
            out.extend(self._apply(e))
        return out

    def _apply(self, e: Execution) -> list[RoundTrip]:
        key = (e.strategy_id, e.symbol)
        book = self._books.get(key)
        if book is None:
            book = self._books[key] = _Book(deque())
        book.last = _order(e)
        sign = 1.0 if e.side == "BUY" else -1.0
        unit_cost = (e.commission + e.fees) / e.quantity
        remaining = e.quantity
        eps = _REL_EPS * e.quantity
        out: list[RoundTrip] = []
        while remaining > eps and book.lots and book.lots[0].quantity * sign < 0:
            lot = book.lots[0]
            lot_qty = abs(lot.quantity)
            qty = min(lot_qty, remaining)
            entry_cost = lot.commission * (qty / lot_qty)
            exit_cost = unit_cost * qty
            long = lot.quantity > 0
            gross = (e.price - lot.price) * qty if long else (lot.price - e.price) * qty
            out.append(
                RoundTrip(
                    trade_id=f"{lot.execution_id}->{e.execution_id}",
                    strategy_id=e.strategy_id,
                    symbol=e.symbol,
                    direction="LONG" if long else "SHORT",
                    entry_time=lot.timestamp,
                    exit_time=e.timestamp,
                    entry_price=lot.price,
                    exit_price=e.price,
                    quantity=qty,
                    pnl=gross - entry_cost - exit_cost,
                    commission=entry_cost + exit_cost,
                )
            )
            left = lot_qty - qty
            if left <= _REL_EPS * lot_qty:
                book.lots.popleft()
            else:
                lot.quantity = left if long else -left
                lot.commission -= entry_cost
            remaining -= qty
        if remaining > eps:
            book.lots.append(
                OpenLot(
                    e.execution_id, e.timestamp, sign * remaining, e.price, unit_cost * remaining
                )
            )
        return out
