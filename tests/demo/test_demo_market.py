"""Market data: XNYS alignment, WTI marking rule, Fama-French month decoding."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from stratmon.demo.market import MarketData


def test_sessions_are_the_5031_xnys_sessions(market: MarketData) -> None:
    assert len(market) == 5031  # ECOSYSTEM.md: NYSE 1999-2018 has 5,031 sessions
    assert market.sessions[0] == dt.date(1999, 1, 4)
    assert market.sessions[-1] == dt.date(2018, 12, 31)
    for closed in (dt.date(2001, 9, 11), dt.date(2004, 6, 11), dt.date(2012, 10, 29)):
        with pytest.raises(KeyError):
            market.index_of(closed)
    assert all(a < b for a, b in zip(market.sessions, market.sessions[1:], strict=False))


def test_index_closes_match_arch_loader(market: MarketData) -> None:
    import arch.data.nasdaq
    import arch.data.sp500

    for sym, mod in (("SPX", arch.data.sp500), ("IXIC", arch.data.nasdaq)):
        ref = mod.load()["Adj Close"].to_numpy()
        np.testing.assert_allclose(market.close[sym], ref, atol=0.0051)
        assert market.tradable[sym].all()
    assert market.close["SPX"][0] == 1228.10  # raw file: 1228.099976 on 1/4/1999


def test_wti_marked_to_last_print_and_not_tradable(market: MarketData) -> None:
    import arch.data.wti

    raw = arch.data.wti.load()["DCOILWTICO"]
    i = market.index_of(dt.date(2018, 12, 31))  # no WTI print that day
    assert np.isnan(raw.loc["2018-12-31"])
    assert not market.tradable["WTI"][i]
    assert market.close["WTI"][i] == pytest.approx(raw.loc["2018-12-28"])  # last print
    j = market.index_of(dt.date(2018, 12, 28))
    assert market.tradable["WTI"][j]
    assert (~market.tradable["WTI"]).sum() == 19
    # every tradable session carries its own print
    days = [d for d, ok in zip(market.sessions, market.tradable["WTI"], strict=True) if ok]
    ref = raw.loc[[np.datetime64(d) for d in days]].to_numpy()
    np.testing.assert_allclose(market.close["WTI"][market.tradable["WTI"]], ref, atol=1e-9)


def test_close_times_are_xnys_closes_in_naive_utc(market: MarketData) -> None:
    t = market.close_times_utc
    assert t[market.index_of(dt.date(2013, 1, 2))] == dt.datetime(2013, 1, 2, 21, 0)  # EST
    assert t[market.index_of(dt.date(2013, 7, 1))] == dt.datetime(2013, 7, 1, 20, 0)  # EDT
    # day after Thanksgiving: 13:00 New York close
    assert t[market.index_of(dt.date(2013, 11, 29))] == dt.datetime(2013, 11, 29, 18, 0)
    assert all(x.tzinfo is None for x in t)


def test_french_rf_decoded_from_integer_month_codes(market: MarketData) -> None:
    import arch.data.frenchdata

    ff = arch.data.frenchdata.load()
    codes = ff.index.asi8  # the YYYYMM code hidden in the nanosecond value
    assert market.risk_free_monthly[(1926, 7)] == pytest.approx(0.0022)
    assert len(market.risk_free_monthly) == len(codes)
    for code, rf in zip(codes[-5:], ff["RF"].to_numpy()[-5:], strict=True):
        assert market.risk_free_monthly[(code // 100, code % 100)] == pytest.approx(rf / 100)
    # one month only: the annual rate is that month compounded 12 times
    rf = market.risk_free_rate(dt.date(2018, 11, 1), dt.date(2018, 11, 30))
    assert rf == pytest.approx((1 + market.risk_free_monthly[(2018, 11)]) ** 12 - 1)
    with pytest.raises(ValueError):
        market.risk_free_rate(dt.date(2019, 1, 1), dt.date(2019, 2, 1))


def test_benchmark_returns(market: MarketData) -> None:
    r = market.benchmark_returns("SPX")
    assert np.isnan(r[0])
    assert r[1] == pytest.approx(1244.78 / 1228.10 - 1)
