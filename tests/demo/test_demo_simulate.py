"""Simulation bookkeeping: NAV continuity, PnL = position x price change - costs, FIFO,
executions vs positions, cost levels, periods."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import deque

import numpy as np
import pytest

from stratmon.demo.costs import BACKTEST_COSTS, LIVE_COSTS, CostModel
from stratmon.demo.market import MarketData
from stratmon.demo.simulate import SimResult, _match_fifo, simulate
from stratmon.demo.strategies import DemoStrategy


def _all(backtests: dict[str, SimResult], lives: dict[str, SimResult]) -> list[SimResult]:
    return [*backtests.values(), *lives.values()]


def _cents(x: np.ndarray) -> np.ndarray:
    return np.round(x * 100).astype(np.int64)


def test_periods(backtests: dict[str, SimResult], lives: dict[str, SimResult]) -> None:
    for r in backtests.values():
        assert (r.dates[0], r.dates[-1]) == (dt.date(1999, 1, 4), dt.date(2012, 12, 31))
        assert not r.live and len(r.dates) == 3521
    for r in lives.values():
        assert (r.dates[0], r.dates[-1]) == (dt.date(2013, 1, 2), dt.date(2018, 12, 31))
        assert r.live and len(r.dates) == 1510
        assert r.capital == r.strategy.spec.allocated_capital


def test_nav_continuity_to_the_cent(
    backtests: dict[str, SimResult], lives: dict[str, SimResult]
) -> None:
    for r in _all(backtests, lives):
        for arr in (r.nav, r.daily_pnl, r.realized_pnl, r.unrealized_pnl, r.cash_balance):
            np.testing.assert_allclose(arr * 100, np.round(arr * 100), atol=1e-4)  # whole cents
        nav, pnl, cf = _cents(r.nav), _cents(r.daily_pnl), _cents(r.cash_flow)
        assert (nav[1:] == nav[:-1] + pnl[1:] + cf[1:]).all(), r.strategy_id
        assert nav[0] == _cents(np.array([r.capital]))[0] + pnl[0]
        # NAV = capital + realized + unrealized, exactly
        assert (
            nav == round(r.capital * 100) + _cents(r.realized_pnl) + _cents(r.unrealized_pnl)
        ).all()
        # NAV = cash + market value of the positions
        assert (nav == _cents(r.cash_balance) + _cents(r.net_exposure)).all()


def test_pnl_is_position_times_price_change_minus_costs(
    market: MarketData, backtests: dict[str, SimResult], lives: dict[str, SimResult]
) -> None:
    for r in _all(backtests, lives):
        i0 = market.index_of(r.dates[0])
        px = np.column_stack([market.close[s][i0 : i0 + len(r.dates)] for s in r.symbols])
        held = np.vstack([np.zeros((1, len(r.symbols))), r.quantity[:-1]])
        prev_px = np.vstack([px[:1], px[:-1]])
        expected = (held * (px - prev_px)).sum(axis=1) - r.costs
        np.testing.assert_allclose(r.daily_pnl, expected, atol=0.006, err_msg=r.strategy_id)
        assert (r.costs[r.num_trades == 0] == 0).all()
        assert (r.costs[r.num_trades > 0] > 0).all()


def test_hand_checked_buy_and_hold_slice(
    market: MarketData, strategies: list[DemoStrategy]
) -> None:
    s = next(x for x in strategies if x.strategy_id == "spx_buy_hold")
    r = simulate(
        s, market, dt.date(1999, 1, 4), dt.date(1999, 1, 8), 1_000_000.0, BACKTEST_COSTS, False
    )
    # SPX closes 1999-01-04..08: 1228.10 1244.78 1272.34 1269.73 1275.09
    # slippage 2 bp of 1228.10 = 0.2456 -> one 0.25 tick -> buy fill 1228.35
    # quantity = trunc(1e6 / (1228.35 * 1.0001)) = 814 ; commission = 1 bp of 814 * 1228.35
    assert r.quantity[:, 0].tolist() == [814] * 5
    (ex,) = r.executions
    assert (ex.side, ex.quantity, ex.price) == ("BUY", 814.0, 1228.35)
    assert ex.commission == pytest.approx(99.99)  # 0.0001 * 999,876.90 = 99.98769
    assert ex.timestamp == dt.datetime(1999, 1, 4, 21, 0)
    cash = 1_000_000 - 814 * 1228.35 - 99.99
    assert r.cash_balance[0] == pytest.approx(cash)
    assert r.nav[0] == pytest.approx(cash + 814 * 1228.10)
    assert r.daily_pnl[0] == pytest.approx(-(814 * 0.25 + 99.99))
    closes = [1228.10, 1244.78, 1272.34, 1269.73, 1275.09]
    for t in range(1, 5):
        assert r.daily_pnl[t] == pytest.approx(814 * (closes[t] - closes[t - 1]), abs=1e-6)
        assert r.unrealized_pnl[t] == pytest.approx(814 * (closes[t] - 1228.35), abs=1e-6)
    assert (r.realized_pnl == -99.99).all()  # nothing closed; commission is realized
    np.testing.assert_allclose(r.returns(), np.diff(r.nav) / r.nav[:-1])


def test_executions_net_to_position_changes(
    market: MarketData, backtests: dict[str, SimResult], lives: dict[str, SimResult]
) -> None:
    for r in _all(backtests, lives):
        net = np.zeros_like(r.quantity)
        for ex, t in zip(r.executions, r.exec_day.tolist(), strict=True):
            k = r.symbols.index(ex.symbol)
            assert ex.quantity > 0 and ex.quantity == int(ex.quantity)
            assert ex.side in ("BUY", "SELL")
            net[t, k] += int(ex.quantity) if ex.side == "BUY" else -int(ex.quantity)
            assert ex.timestamp == market.close_times_utc[market.index_of(r.dates[t])]
            assert ex.strategy_id == r.strategy_id
            close = market.close[ex.symbol][market.index_of(r.dates[t])]
            assert (ex.price > close) if ex.side == "BUY" else (ex.price < close)
        np.testing.assert_array_equal(np.cumsum(net, axis=0), r.quantity)
        assert np.bincount(r.exec_day, minlength=len(r.dates)).tolist() == r.num_trades.tolist()
        vol = np.zeros(len(r.dates))
        np.add.at(vol, r.exec_day, [e.quantity * e.price for e in r.executions])
        np.testing.assert_allclose(r.trade_volume, vol, atol=1e-6)
    ids = [e.execution_id for r in _all(backtests, lives) for e in r.executions]
    assert len(ids) == len(set(ids))


def test_no_wti_trade_without_a_print(
    market: MarketData, backtests: dict[str, SimResult], lives: dict[str, SimResult]
) -> None:
    for r in _all(backtests, lives):
        for ex, t in zip(r.executions, r.exec_day.tolist(), strict=True):
            if ex.symbol == "WTI":
                assert market.tradable["WTI"][market.index_of(r.dates[t])]


def test_trade_waits_for_next_wti_print(market: MarketData, strategies: list[DemoStrategy]) -> None:
    base = next(x for x in strategies if x.strategy_id == "wti_trend")
    hole = market.index_of(dt.date(2017, 7, 3))  # NYSE open, no WTI print
    assert not market.tradable["WTI"][hole]

    def rule(m: MarketData) -> np.ndarray:
        w = np.zeros((len(m), 1))
        w[hole:] = 0.5
        return w

    s = dataclasses.replace(base, weight_rule=rule)
    r = simulate(s, market, dt.date(2017, 6, 26), dt.date(2017, 7, 10), 1e6, BACKTEST_COSTS, True)
    (ex,) = r.executions
    assert r.dates[int(r.exec_day[0])] == dt.date(2017, 7, 5)  # 07-04 is a holiday
    assert ex.execution_id == "wti_trend-L20170705-WTI"
    # marked, not traded, on the hole: the position is 0 until the fill
    assert r.quantity[r.index_of(dt.date(2017, 7, 3)), 0] == 0


def test_weights_translate_to_exposure(lives: dict[str, SimResult], market: MarketData) -> None:
    """After a fill, market value / NAV before trading is the target weight (to ~0.1 %)."""
    for r in lives.values():
        w = r.strategy.target_weights(market)[market.index_of(r.dates[0]) :]
        for ex, t in list(zip(r.executions, r.exec_day.tolist(), strict=True))[:40]:
            k = r.symbols.index(ex.symbol)
            nav_before = r.nav[t] + r.costs[t]
            assert r.market_value[t, k] / nav_before == pytest.approx(w[t, k], abs=2e-3)


def test_live_costs_exceed_backtest_costs(
    market: MarketData, strategies: list[DemoStrategy]
) -> None:
    for sym, bt in BACKTEST_COSTS.items():
        lv = LIVE_COSTS[sym]
        assert lv.slippage_bps == pytest.approx(1.5 * bt.slippage_bps)
        assert lv.commission_bps == pytest.approx(1.2 * bt.commission_bps)
    for s in strategies:
        a = simulate(
            s, market, dt.date(2013, 1, 2), dt.date(2018, 12, 31), 1e7, BACKTEST_COSTS, True
        )
        b = simulate(s, market, dt.date(2013, 1, 2), dt.date(2018, 12, 31), 1e7, LIVE_COSTS, True)
        assert b.costs.sum() > a.costs.sum() > 0
        assert b.nav[-1] < a.nav[-1]


def test_slippage_ticks() -> None:
    c = CostModel(commission_bps=1.0, slippage_bps=2.0, tick_size=0.25)
    assert c.slippage_ticks(1228.10) == 1  # 0.2456 -> 1 tick
    assert c.slippage_ticks(2500.0) == 2  # 0.5 exactly -> 2 ticks
    assert c.slippage_ticks(2600.0) == 3  # 0.52 -> 3 ticks
    assert CostModel(1.0, 2.0, 0.01).slippage_ticks(11.0) == 1  # at least one tick


def test_fifo_matching() -> None:
    lots: deque[list[int]] = deque()
    assert _match_fifo(lots, 10, 100) == 0
    assert _match_fifo(lots, 5, 110) == 0
    assert _match_fifo(lots, -12, 120) == 10 * 20 + 2 * 10  # oldest lot first
    assert list(lots) == [[3, 110]]
    assert _match_fifo(lots, -5, 90) == 3 * (90 - 110)  # flip: 2 short at 90 remain
    assert list(lots) == [[-2, 90]]
    assert _match_fifo(lots, 2, 80) == 2 * (90 - 80)
    assert not lots


def test_simulate_rejects_bad_input(market: MarketData, strategies: list[DemoStrategy]) -> None:
    with pytest.raises(ValueError):
        simulate(
            strategies[0], market, dt.date(2013, 1, 2), dt.date(2013, 2, 1), 0.0, LIVE_COSTS, True
        )
    with pytest.raises(ValueError):
        simulate(
            strategies[0], market, dt.date(2020, 1, 2), dt.date(2020, 2, 1), 1e6, LIVE_COSTS, True
        )


def test_records_views(lives: dict[str, SimResult]) -> None:
    r = lives["spx_nasdaq_relative"]
    i = 300
    rec = r.daily_record(i)
    assert (rec.strategy_id, rec.date, rec.nav) == (r.strategy_id, r.dates[i], r.nav[i])
    assert rec.daily_pnl == pytest.approx(r.nav[i] - r.nav[i - 1], abs=0.005)
    pos = r.positions(i)
    assert [p.symbol for p in pos] == [s for k, s in enumerate(r.symbols) if r.quantity[i, k]]
    assert sum(p.market_value for p in pos) == pytest.approx(rec.net_exposure_usd)
    assert sum(abs(p.market_value) for p in pos) == pytest.approx(rec.gross_exposure_usd)
    assert r.index_of(dt.date(2012, 12, 31)) is None
    assert r.executions_on(int(r.exec_day[0]))[0] is r.executions[0]
