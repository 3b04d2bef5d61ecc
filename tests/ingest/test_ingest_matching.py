"""FIFO matching of executions into round trips: hand-computed cases and properties."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stratmon.domain.records import Execution, RoundTrip, Side
from stratmon.ingest import FifoMatcher
from stratmon.ingest.matching import ExecutionOrderError

T0 = dt.datetime(2024, 1, 2, 15, 0)


def ex(
    n: int,
    side: Side,
    qty: float,
    price: float,
    commission: float = 0.0,
    fees: float = 0.0,
    symbol: str = "AAPL",
    sid: str = "EQ1",
) -> Execution:
    return Execution(
        f"E{n}",
        sid,
        T0 + dt.timedelta(minutes=n),
        symbol,
        side,
        qty,
        price,
        commission,
        fees,
    )


def summary(trips: list[RoundTrip]) -> list[tuple[str, str, float, float]]:
    return [(t.trade_id, t.direction, t.quantity, round(t.pnl, 10)) for t in trips]


def test_simple_long_with_commissions() -> None:
    trips = FifoMatcher().match([ex(1, "BUY", 100, 10.0, 1.0), ex(2, "SELL", 100, 12.0, 0.5, 0.5)])
    (t,) = trips
    assert (t.trade_id, t.direction, t.quantity, t.entry_price, t.exit_price) == (
        "E1->E2",
        "LONG",
        100,
        10,
        12,
    )
    assert t.commission == pytest.approx(2.0)
    assert t.pnl == pytest.approx(200 - 2)  # (12 - 10) x 100 - 2
    assert (t.entry_time, t.exit_time) == (
        T0 + dt.timedelta(minutes=1),
        T0 + dt.timedelta(minutes=2),
    )


def test_short_first() -> None:
    (t,) = FifoMatcher().match([ex(1, "SELL", 10, 100.0), ex(2, "BUY", 10, 90.0)])
    assert (t.direction, t.pnl) == ("SHORT", pytest.approx(100.0))  # (100 - 90) x 10


def test_lot_closed_by_several_sells_commission_pro_rata() -> None:
    # entry commission 10 on 100 shares: 3 goes with the first 30, 7 with the last 70
    trips = FifoMatcher().match(
        [ex(1, "BUY", 100, 10.0, 10.0), ex(2, "SELL", 30, 11.0, 3.0), ex(3, "SELL", 70, 12.0, 7.0)]
    )
    assert summary(trips) == [("E1->E2", "LONG", 30, 24.0), ("E1->E3", "LONG", 70, 126.0)]
    # 30 x 1 - 3 - 3 = 24 ; 70 x 2 - 7 - 7 = 126
    assert [t.commission for t in trips] == [pytest.approx(6.0), pytest.approx(14.0)]


def test_sell_closes_several_lots_fifo() -> None:
    m = FifoMatcher()
    trips = m.match([ex(1, "BUY", 100, 10.0), ex(2, "BUY", 50, 11.0), ex(3, "SELL", 120, 12.0)])
    assert summary(trips) == [("E1->E3", "LONG", 100, 200.0), ("E2->E3", "LONG", 20, 20.0)]
    (lot,) = m.open_lots("EQ1", "AAPL")
    assert (lot.execution_id, lot.quantity, lot.price) == ("E2", 30, 11.0)
    assert m.open_positions() == {("EQ1", "AAPL"): 30}


def test_flip_long_to_short_and_back() -> None:
    m = FifoMatcher()
    trips = m.match([ex(1, "BUY", 100, 10.0), ex(2, "SELL", 150, 12.0, 15.0)])
    # the sell's commission 15 is split 10 (closing 100) / 5 (opening the 50 short)
    assert summary(trips) == [("E1->E2", "LONG", 100, 190.0)]
    (lot,) = m.open_lots("EQ1", "AAPL")
    assert (lot.quantity, lot.commission) == (-50, pytest.approx(5.0))
    trips = m.match([ex(3, "BUY", 80, 11.0, 8.0)])
    # short 50 covered at 11: (12 - 11) x 50 - 5 - 5 = 40; then 30 long opened (commission 3)
    assert summary(trips) == [("E2->E3", "SHORT", 50, 40.0)]
    assert m.open_positions() == {("EQ1", "AAPL"): 30}
    assert m.open_lots("EQ1", "AAPL")[0].commission == pytest.approx(3.0)


def test_symbols_and_strategies_are_separate_books() -> None:
    m = FifoMatcher()
    trips = m.match(
        [
            ex(1, "BUY", 10, 100.0, symbol="AAPL"),
            ex(2, "SELL", 5, 50.0, symbol="MSFT"),
            ex(3, "BUY", 10, 100.0, symbol="AAPL", sid="EQ2"),
            ex(4, "SELL", 10, 101.0, symbol="AAPL"),
            ex(5, "BUY", 5, 55.0, symbol="MSFT"),
        ]
    )
    assert [(t.strategy_id, t.symbol, t.direction, t.pnl) for t in trips] == [
        ("EQ1", "AAPL", "LONG", pytest.approx(10.0)),
        ("EQ1", "MSFT", "SHORT", pytest.approx(-25.0)),
    ]
    assert m.open_positions() == {("EQ2", "AAPL"): 10}


def test_input_order_does_not_matter() -> None:
    fills = [ex(1, "BUY", 100, 10.0), ex(2, "SELL", 40, 11.0), ex(3, "SELL", 60, 9.0)]
    assert FifoMatcher().match(fills) == FifoMatcher().match(list(reversed(fills)))


def test_state_round_trip_through_json() -> None:
    fills = [
        ex(1, "BUY", 100, 10.0, 1.0),
        ex(2, "BUY", 50, 11.0, 0.5),
        ex(3, "SELL", 120, 12.0, 1.2),
        ex(4, "SELL", 60, 13.0, 0.6),  # closes 30, opens short 30
        ex(5, "BUY", 30, 12.5, 0.3, symbol="MSFT"),
        ex(6, "BUY", 30, 12.0, 0.3),
    ]
    whole = FifoMatcher().match(fills)
    m = FifoMatcher()
    part = m.match(fills[:4])
    saved = json.dumps(m.to_state())
    m2 = FifoMatcher.from_state(json.loads(saved))
    part += m2.match(fills[4:])
    assert part == whole
    assert m2.to_state()["books"][0]["lots"] == []  # EQ1/AAPL flat at the end
    # the watermark survives the round trip: a repeated fill is refused
    with pytest.raises(ExecutionOrderError):
        FifoMatcher.from_state(json.loads(saved)).match([fills[3]])


def test_late_execution_refused_and_nothing_changed() -> None:
    m = FifoMatcher()
    m.match([ex(1, "BUY", 10, 100.0), ex(5, "SELL", 5, 101.0)])
    state = m.to_state()
    with pytest.raises(ExecutionOrderError, match="E3"):
        m.match([ex(6, "SELL", 1, 101.0), ex(3, "SELL", 1, 99.0)])
    assert m.to_state() == state


def test_bad_state_version() -> None:
    with pytest.raises(ValueError, match="version"):
        FifoMatcher.from_state({"version": 99, "books": []})


@st.composite
def fill_sequences(draw: st.DrawFn) -> list[Execution]:
    n = draw(st.integers(1, 12))
    out = []
    position = 0
    for i in range(n):
        qty = draw(st.integers(1, 50))
        side: Side = draw(st.sampled_from(["BUY", "SELL"]))
        price = draw(st.integers(50, 150)) / 2
        comm = draw(st.integers(0, 10)) / 4
        out.append(ex(i + 1, side, float(qty), price, comm))
        position += qty if side == "BUY" else -qty
    if position:  # end flat
        out.append(ex(n + 1, "SELL" if position > 0 else "BUY", float(abs(position)), 100.0, 1.0))
    return out


@settings(max_examples=150, deadline=None)
@given(fill_sequences())
def test_flat_book_pnl_equals_cash_flows(fills: list[Execution]) -> None:
    """Ending flat, total round-trip PnL = sell proceeds - buy costs - all commissions."""
    trips = FifoMatcher().match(fills)
    cash = sum((f.price if f.side == "SELL" else -f.price) * f.quantity for f in fills)
    costs = sum(f.commission + f.fees for f in fills)
    assert sum(t.pnl for t in trips) == pytest.approx(cash - costs, abs=1e-7)
    assert sum(t.commission for t in trips) == pytest.approx(costs, abs=1e-9)
    bought = sum(f.quantity for f in fills if f.side == "BUY")
    assert sum(t.quantity for t in trips) == pytest.approx(
        bought
    )  # each share opened and closed once
    assert len({t.trade_id for t in trips}) == len(trips)
    for t in trips:
        assert t.quantity > 0 and t.exit_time > t.entry_time
