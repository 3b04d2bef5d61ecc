"""Demo strategy rules: indicators by hand, rules at chosen sessions, no look-ahead."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from stratmon.demo.costs import BACKTEST_COSTS
from stratmon.demo.market import MarketData
from stratmon.demo.simulate import simulate
from stratmon.demo.strategies import (
    DemoStrategy,
    month_end_mask,
    rolling_std,
    rsi_wilder,
    sma,
)


def _by_id(strategies: list[DemoStrategy], sid: str) -> DemoStrategy:
    return next(s for s in strategies if s.strategy_id == sid)


def test_catalogue(strategies: list[DemoStrategy]) -> None:
    assert len(strategies) >= 6
    assert len({s.strategy_id for s in strategies}) == len(strategies)
    classes = {s.spec.asset_class for s in strategies}
    assert {"equity", "commodity", "multi_asset"} <= classes
    for s in strategies:
        assert s.spec.allocation_date == dt.date(2013, 1, 2)
        assert s.spec.calendar == "XNYS" and s.spec.periods_per_year == 252
        assert s.spec.backtest_source == "file"
        assert (s.spec.allocated_capital or 0) > 0
        assert s.rule and s.reference


def test_sma_and_rolling_std_by_hand() -> None:
    x = np.array([1.0, 2.0, 4.0, 7.0, 11.0])
    np.testing.assert_allclose(sma(x, 3), [np.nan, np.nan, 7 / 3, 13 / 3, 22 / 3])
    s = rolling_std(x, 3)
    assert np.isnan(s[:2]).all()
    assert s[2] == pytest.approx(
        np.sqrt(((1 - 7 / 3) ** 2 + (2 - 7 / 3) ** 2 + (4 - 7 / 3) ** 2) / 2)
    )


def test_rsi_wilder_by_hand() -> None:
    # changes: +1, -2, +3, +1 ; n = 2
    x = np.array([10.0, 11.0, 9.0, 12.0, 13.0])
    rsi = rsi_wilder(x, 2)
    assert np.isnan(rsi[:2]).all()
    ag, al = 0.5, 1.0  # mean of gains (1, 0) and losses (0, 2)
    assert rsi[2] == pytest.approx(100 - 100 / (1 + ag / al))
    ag, al = (ag * 1 + 3) / 2, (al * 1 + 0) / 2
    assert rsi[3] == pytest.approx(100 - 100 / (1 + ag / al))
    ag, al = (ag + 1) / 2, al / 2
    assert rsi[4] == pytest.approx(100 - 100 / (1 + ag / al))


def test_month_end_mask() -> None:
    days = (dt.date(2013, 1, 30), dt.date(2013, 1, 31), dt.date(2013, 2, 1), dt.date(2013, 2, 4))
    assert month_end_mask(days).tolist() == [False, True, False, True]


def test_trend_rule_at_a_chosen_session(market: MarketData, strategies: list[DemoStrategy]) -> None:
    w = _by_id(strategies, "spx_trend").target_weights(market)[:, 0]
    p = market.close["SPX"].tolist()
    assert (w[:199] == 0).all()  # warm-up: flat
    for t in (199, 1000, 2500, 4000, 5030):
        avg = sum(p[t - 199 : t + 1]) / 200
        assert w[t] == (1.0 if p[t] > avg else 0.0)


def test_momentum_rule_at_month_ends(market: MarketData, strategies: list[DemoStrategy]) -> None:
    w = _by_id(strategies, "nasdaq_momentum").target_weights(market)[:, 0]
    p = market.close["IXIC"]
    ends = np.flatnonzero(month_end_mask(market.sessions))
    for t in ends[ends >= 252][::17]:
        expected = 1.0 if p[t - 21] / p[t - 252] - 1 > 0 else 0.0
        assert w[t] == expected
        nxt = ends[ends > t]
        if len(nxt):
            assert (w[t : nxt[0]] == expected).all()  # held until the next month end


def test_wti_and_pair_rules(market: MarketData, strategies: list[DemoStrategy]) -> None:
    w = _by_id(strategies, "wti_trend").target_weights(market)[:, 0]
    p = market.close["WTI"]
    t = 3000
    assert w[t] == (0.5 if p[t - 49 : t + 1].mean() > p[t - 199 : t + 1].mean() else -0.5)
    pair = _by_id(strategies, "spx_nasdaq_relative").target_weights(market)
    np.testing.assert_array_equal(pair[:, 0], -pair[:, 1])  # dollar neutral targets
    x = np.log(market.close["SPX"]) - np.log(market.close["IXIC"])
    assert pair[t, 0] == (0.5 if x[t] > x[t - 119 : t + 1].mean() else -0.5)


def test_meanrev_entries_follow_the_rule(
    market: MarketData, strategies: list[DemoStrategy]
) -> None:
    w = _by_id(strategies, "spx_meanrev").target_weights(market)[:, 0]
    p = market.close["SPX"]
    rsi, lt, st = rsi_wilder(p, 2), sma(p, 200), sma(p, 5)
    entries = np.flatnonzero((w[1:] == 1) & (w[:-1] == 0)) + 1
    exits = np.flatnonzero((w[1:] == 0) & (w[:-1] == 1)) + 1
    assert len(entries) > 20
    assert (rsi[entries] < 10).all() and (p[entries] > lt[entries]).all()
    assert (p[exits] > st[exits]).all()


def test_invvol_weights(market: MarketData, strategies: list[DemoStrategy]) -> None:
    w = _by_id(strategies, "multi_asset_invvol").target_weights(market)
    assert (w >= 0).all() and (w.sum(axis=1) <= 1 + 1e-9).all()
    both = (w > 0).all(axis=1)
    t = int(np.flatnonzero(both & month_end_mask(market.sessions))[10])
    vols = []
    for sym in ("SPX", "WTI"):
        p = market.close[sym]
        vols.append(np.std(p[t - 59 : t + 1] / p[t - 60 : t] - 1, ddof=1))
    inv = 1 / np.array(vols)
    np.testing.assert_allclose(w[t], inv / inv.sum(), atol=5e-5)


@pytest.mark.parametrize("cut", [1500, 3600])
def test_no_look_ahead(market: MarketData, strategies: list[DemoStrategy], cut: int) -> None:
    """Perturbing prices after session ``cut`` changes nothing up to and including ``cut``."""
    rng = np.random.default_rng(cut)
    close = {}
    for sym, p in market.close.items():
        q = p.copy()
        q[cut + 1 :] = np.round(q[cut + 1 :] * rng.uniform(0.7, 1.3, len(q) - cut - 1), 2)
        close[sym] = q
    other = dataclasses.replace(market, close=close)
    end = market.sessions[cut]
    for s in strategies:
        fresh = dataclasses.replace(s)
        w0, w1 = s.target_weights(market), fresh.target_weights(other)
        np.testing.assert_array_equal(w0[: cut + 1], w1[: cut + 1], err_msg=s.strategy_id)
        assert not np.array_equal(w0, w1) or s.strategy_id == "spx_buy_hold"
        a = simulate(s, market, market.sessions[0], market.sessions[-1], 1e6, BACKTEST_COSTS, False)
        b = simulate(fresh, other, market.sessions[0], end, 1e6, BACKTEST_COSTS, False)
        np.testing.assert_array_equal(a.nav[: cut + 1], b.nav)
        np.testing.assert_array_equal(a.quantity[: cut + 1], b.quantity)
