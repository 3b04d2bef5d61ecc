"""Trade statistics from round trips, and capacity metrics, on hand-computed cases."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from stratmon.domain.records import RoundTrip
from stratmon.metrics import TRADE_METRICS, capacity_metrics, trade_statistics

T0 = dt.datetime(2024, 1, 1, 9, 30)


def _trip(i: int, pnl: float, hours: float, exit_day: int, price: float = 100.0) -> RoundTrip:
    exit_time = T0 + dt.timedelta(days=exit_day)
    return RoundTrip(
        trade_id=f"t{i}",
        strategy_id="s",
        symbol="AAA",
        direction="LONG",
        entry_time=exit_time - dt.timedelta(hours=hours),
        exit_time=exit_time,
        entry_price=price,
        exit_price=price + pnl / 10,
        quantity=10,
        pnl=pnl,
    )


def test_trade_statistics_hand_computed() -> None:
    # Given out of order; by exit day the pnl sequence is 50, 30, -20, 0, -10, -40, 20.
    trips = [
        _trip(5, -40.0, 2, 6),
        _trip(1, 50.0, 1, 1),
        _trip(3, -20.0, 3, 3),
        _trip(2, 30.0, 5, 2),
        _trip(4, 0.0, 4, 4),
        _trip(6, -10.0, 1, 5),
        _trip(7, 20.0, 8, 7),
    ]
    st = trade_statistics(trips, capital=10_000.0)
    assert list(st) == list(TRADE_METRICS)
    assert st["total_trades"] == 7
    assert st["profitable_trades"] == 3 and st["losing_trades"] == 3
    assert st["win_rate"] == pytest.approx(3 / 7)
    assert st["profit_factor"] == pytest.approx(100 / 70)
    assert st["avg_win"] == pytest.approx(100 / 3)
    assert st["avg_loss"] == pytest.approx(-70 / 3)
    assert st["payoff_ratio"] == pytest.approx(100 / 70)
    assert st["win_loss_ratio"] == pytest.approx(1.0)
    assert st["largest_win"] == 50 and st["largest_loss"] == -40
    assert st["expectancy"] == pytest.approx(30 / 7)
    assert st["avg_trade_duration_hours"] == pytest.approx(24 / 7)
    assert st["longest_winning_streak"] == 2  # 50, 30
    assert st["longest_losing_streak"] == 2  # -10, -40 (the scratch at day 4 broke -20's run)
    assert st["avg_position_size_pct"] == pytest.approx(1000 / 10_000)


def test_trade_statistics_empty_and_one_sided() -> None:
    st = trade_statistics([])
    assert st["total_trades"] == 0
    assert all(math.isnan(st[k]) for k in ("win_rate", "profit_factor", "expectancy"))
    st = trade_statistics([_trip(1, 10.0, 1, 1), _trip(2, 5.0, 1, 2)])
    assert math.isnan(st["profit_factor"]) and math.isnan(st["avg_loss"])
    assert math.isnan(st["avg_position_size_pct"])
    assert st["longest_winning_streak"] == 2 and st["longest_losing_streak"] == 0


def test_capacity_metrics_hand_computed() -> None:
    idx = pd.DatetimeIndex(["2024-01-30", "2024-01-31", "2024-02-01", "2024-02-02"])
    nav = np.array([100.0, 100.0, 200.0, 200.0])
    gross = np.array([50.0, 100.0, 100.0, 300.0])
    npos = np.array([1.0, 2.0, 0.0, 3.0])
    buys = np.array([10.0, 0.0, 20.0, 0.0])
    sells = np.array([0.0, 30.0, 0.0, 20.0])
    out = capacity_metrics(nav, gross, npos, buys=buys, sells=sells, index=idx).iloc[0]
    assert out["capital_utilization_mean"] == pytest.approx((0.5 + 1.0 + 0.5 + 1.5) / 4)
    assert out["capital_utilization_latest"] == pytest.approx(1.5)
    assert out["avg_position_size"] == pytest.approx((50 + 50 + 100) / 3)
    assert out["avg_position_size_pct"] == pytest.approx((0.5 + 0.5 + 0.5) / 3)
    # traded one-way 40, average NAV 150, 2 months
    assert out["turnover_monthly"] == pytest.approx(40 / 150 / 2)
    assert out["turnover_annual"] == pytest.approx(12 * 40 / 150 / 2)
    vol = capacity_metrics(nav, gross, trade_volume=buys + sells, periods_per_year=24).iloc[0]
    assert vol["turnover_monthly"] == pytest.approx(40 / 150 / 2)
    assert math.isnan(vol["avg_position_size"])
