"""Contributions add up exactly to the portfolio's total (PnL to the cent, returns to
rounding), agree with hand-computed cases and with the aggregate NAV's return."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stratmon.attribution import (
    contributions,
    group_contributions,
    period_bounds,
    strategy_returns,
)
from stratmon.errors import StratmonError

D0 = dt.date(2024, 1, 1)


def _days(n: int) -> list[dt.date]:
    return [D0 + dt.timedelta(days=i) for i in range(n)]


def test_hand_computed_two_strategies_two_days() -> None:
    days = _days(3)
    a = strategy_returns(days, np.array([100.0, 110.0, 99.0]), np.zeros(3))
    b = strategy_returns(days, np.array([300.0, 300.0, 330.0]), np.zeros(3))
    c = contributions({"a": a, "b": b}, days[1], days[2])
    # day 1: weights 0.25 / 0.75, returns 10 % / 0 %  -> R1 = 2.5 %
    # day 2: weights 110/410, 300/410, returns -10 % / +10 % -> R2 = (-11 + 30) / 410
    r1, r2 = 0.025, 19.0 / 410.0
    assert c.portfolio_return == pytest.approx((1 + r1) * (1 + r2) - 1, abs=1e-15)
    assert c.return_contribution["a"] == pytest.approx(0.025 + (-11 / 410) * (1 + r1), abs=1e-15)
    assert c.return_contribution["b"] == pytest.approx(0.0 + (30 / 410) * (1 + r1), abs=1e-15)
    assert c.pnl == {"a": -1.0, "b": 30.0}
    assert c.total_pnl == 29.0
    assert c.strategy_return["a"] == pytest.approx(1.1 * 0.9 - 1)


def test_period_without_returns_is_empty_not_filled() -> None:
    days = _days(2)
    a = strategy_returns(days, np.array([100.0, 110.0]), np.zeros(2))
    for series in ({}, {"a": a}):
        # a period after the data, and (for "a") its first day, which has no return
        for start, end in ((D0 + dt.timedelta(days=5), D0 + dt.timedelta(days=9)), (D0, D0)):
            c = contributions(series, start, end)
            assert c.dates == []
            assert c.daily_portfolio_return.shape == (0,)
            assert c.portfolio_return == 0.0
            assert c.total_pnl == sum(c.pnl.values()) == 0.0
    c = contributions({"a": a}, D0, D0)
    assert math.isnan(c.strategy_return["a"]) and math.isnan(c.average_weight["a"])


def test_cash_flows_are_not_returns() -> None:
    days = _days(3)
    s = strategy_returns(days, np.array([100.0, 210.0, 231.0]), np.array([0.0, 100.0, 0.0]))
    assert s.returns[1] == pytest.approx(0.10)
    assert s.returns[2] == pytest.approx(0.10)
    assert s.pnl.tolist() == [0.0, 10.0, 21.0]


def test_stored_pnl_is_used_where_given() -> None:
    days = _days(3)
    s = strategy_returns(
        days, np.array([100.0, 101.0, 103.0]), np.zeros(3), np.array([-5.0, np.nan, 2.5])
    )
    assert s.pnl.tolist() == [-5.0, 1.0, 2.5]


@st.composite
def portfolios(
    draw: st.DrawFn,
) -> dict[str, tuple[list[dt.date], np.ndarray, np.ndarray, np.ndarray]]:
    n = draw(st.integers(1, 5))
    out = {}
    for k in range(n):
        t = draw(st.integers(1, 30))
        offset = draw(st.integers(0, 10))
        days = [D0 + dt.timedelta(days=offset + i) for i in range(t)]
        cents = draw(st.lists(st.integers(-5_000_000, 5_000_000), min_size=t, max_size=t))
        pnl = np.array(cents, dtype=float) / 100.0
        # a book whose NAV stays positive: flooring a NAV at 1.0 made daily returns of
        # millions of percent, where no product and sum of floats agree to 1e-12
        start = draw(st.integers(2 * 5_000_000 * t, 100 * 5_000_000 * t)) / 100.0
        nav = start + np.cumsum(pnl)
        out[f"s{k}"] = (days, nav, np.zeros(t), pnl)
    return out


@settings(max_examples=150, deadline=None)
@given(portfolios(), st.integers(0, 40), st.integers(0, 40))
def test_contributions_reconcile_exactly(
    book: dict[str, tuple[list[dt.date], np.ndarray, np.ndarray, np.ndarray]], a: int, b: int
) -> None:
    series = {k: strategy_returns(d, nav, cf, pnl) for k, (d, nav, cf, pnl) in book.items()}
    start, end = D0 + dt.timedelta(days=min(a, b)), D0 + dt.timedelta(days=max(a, b))
    c = contributions(series, start, end)
    expected_pnl = math.fsum(
        float(p)
        for d, _, _, pnl in book.values()
        for day, p in zip(d, pnl, strict=True)
        if start <= day <= end
    )
    # PnL: exactly to the cent, against the raw stored values
    assert round(math.fsum(c.pnl.values()), 2) == round(expected_pnl, 2)
    assert round(c.total_pnl, 2) == round(expected_pnl, 2)
    # returns: contributions add up to the compounded portfolio return
    assert math.fsum(c.return_contribution.values()) == pytest.approx(
        c.portfolio_return, rel=1e-12, abs=1e-12
    )
    groups = group_contributions(c, {k: ("even" if int(k[1:]) % 2 == 0 else "odd") for k in book})
    assert round(math.fsum(g.pnl for g in groups.values()), 2) == round(expected_pnl, 2)
    assert math.fsum(g.return_contribution for g in groups.values()) == pytest.approx(
        c.portfolio_return, rel=1e-12, abs=1e-12
    )


def test_portfolio_return_equals_aggregate_nav_return() -> None:
    rng = np.random.default_rng(7)
    days = _days(40)
    navs: dict[str, np.ndarray] = {k: 1e6 * np.cumprod(1 + rng.normal(0, 0.01, 40)) for k in "abc"}
    series = {k: strategy_returns(days, v, np.zeros(40)) for k, v in navs.items()}
    c = contributions(series, days[0], days[-1])
    total = navs["a"] + navs["b"] + navs["c"]
    assert c.portfolio_return == pytest.approx(total[-1] / total[0] - 1, rel=1e-12)


def test_period_bounds() -> None:
    d = dt.date(2018, 8, 15)
    assert period_bounds(d, "mtd") == (dt.date(2018, 8, 1), d)
    assert period_bounds(d, "qtd") == (dt.date(2018, 7, 1), d)
    assert period_bounds(d, "ytd") == (dt.date(2018, 1, 1), d)
    assert period_bounds(d, "itd", dt.date(2013, 1, 2)) == (dt.date(2013, 1, 2), d)
    assert period_bounds(dt.date(2018, 12, 31), "qtd")[0] == dt.date(2018, 10, 1)
    with pytest.raises(StratmonError, match="Unknown period"):
        period_bounds(d, "wtd")
