"""RunningMetrics: same values as summarize on the full history, state round trip."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from stratmon.metrics import RunningMetrics, summarize
from stratmon.metrics.running import RUNNING_EXTRA_COLUMNS

ORDER_STATS = [
    "tail_ratio",
    "value_at_risk_95",
    "value_at_risk_99",
    "conditional_value_at_risk_95",
    "conditional_value_at_risk_99",
]
BENCH_STATS = [
    "alpha",
    "beta",
    "information_ratio",
    "tracking_error",
    "correlation",
    "up_capture",
    "down_capture",
    "capture_ratio",
    "bull_market_sharpe",
    "bear_market_sharpe",
    "sideways_market_sharpe",
]


def _compare(r: np.ndarray, idx: pd.DatetimeIndex | None, rf: float = 0.0) -> None:
    rm = RunningMetrics(r.shape[1], risk_free=rf)
    for t in range(r.shape[0]):
        rm.update(r[t], None if idx is None else idx[t])
    got = rm.snapshot().drop(columns=ORDER_STATS + BENCH_STATS)
    want = summarize(r, index=idx, risk_free=rf).drop(columns=ORDER_STATS + BENCH_STATS)
    pd.testing.assert_frame_equal(got, want, rtol=1e-9, atol=1e-9)
    assert rm.snapshot()[ORDER_STATS].isna().all().all()


returns_matrix = hnp.arrays(
    np.float64,
    st.tuples(st.integers(1, 60), st.integers(1, 4)),
    elements=st.one_of(
        # Realistic magnitudes: below 1e-10 the fourth moment underflows to subnormals.
        st.floats(-0.2, 0.2, allow_nan=False).filter(lambda v: v == 0 or abs(v) > 1e-10),
        st.sampled_from([0.0, 0.01, -0.01, np.nan]),
    ),
)


@settings(max_examples=60, deadline=None)
@given(r=returns_matrix, rf=st.sampled_from([0.0, 0.03]))
def test_running_equalssummarize(r: np.ndarray, rf: float) -> None:
    idx = pd.bdate_range("2023-12-20", periods=r.shape[0])
    _compare(r, idx, rf)


def test_running_on_long_random_history() -> None:
    rng = np.random.default_rng(3)
    r = rng.normal(0.0004, 0.012, (1500, 5))
    r[rng.random(r.shape) < 0.03] = np.nan
    _compare(r, pd.bdate_range("2015-01-01", periods=1500))
    _compare(r[:300], None)


def test_state_round_trip_is_json_and_continues() -> None:
    rng = np.random.default_rng(4)
    r = rng.normal(0, 0.01, (120, 3))
    r[5:9, 1] = np.nan
    idx = pd.bdate_range("2024-01-01", periods=120)
    a = RunningMetrics(3, periods_per_year=252)
    for t in range(60):
        a.update(r[t], idx[t])
    b = RunningMetrics.from_state(json.loads(json.dumps(a.to_state(), allow_nan=False)))
    for t in range(60, 120):
        a.update(r[t], idx[t])
        b.update(r[t], idx[t])
    pd.testing.assert_frame_equal(a.snapshot(), b.snapshot())
    extra = a.snapshot(include_running=True)
    assert set(RUNNING_EXTRA_COLUMNS) <= set(extra.columns)


def test_period_streaks() -> None:
    rm = RunningMetrics(1)
    for x in [0.01, 0.02, np.nan, 0.01, 0.0, -0.01, -0.02, 0.03]:
        rm.update(np.array([x]))
    snap = rm.snapshot(include_running=True).iloc[0]
    assert snap["longest_winning_period_streak"] == 3  # NaN day skipped, zero breaks
    assert snap["longest_losing_period_streak"] == 2
    assert snap["current_winning_period_streak"] == 1
    assert np.isnan(snap["winning_months"])  # no dates given


def test_bad_updates_raise() -> None:
    from stratmon.metrics import MetricsInputError

    rm = RunningMetrics(2)
    with pytest.raises(MetricsInputError):
        rm.update(np.zeros(3))
    rm.update(np.zeros(2), "2024-01-05")
    with pytest.raises(MetricsInputError):
        rm.update(np.zeros(2), "2024-01-04")
    with pytest.raises(MetricsInputError):
        RunningMetrics.from_state({"version": 99})


def test_select_concat_and_order_statistics_completesummarize() -> None:
    """Split/join of running state per strategy, plus order statistics from the stored window,
    reproduce summarize on the full history (the daily job's 'all' window)."""
    import datetime as _dt

    from stratmon.metrics import ORDER_STATISTICS, MetricsInputError, order_statistics

    rng = np.random.default_rng(5)
    r = rng.normal(0.0005, 0.01, (300, 3))
    r[17, 1] = np.nan
    days = [_dt.date(2020, 1, 1) + _dt.timedelta(days=i) for i in range(300)]
    whole = RunningMetrics(3)
    for row, day in zip(r[:200], days[:200], strict=True):
        whole.update(row, day)
    parts = [whole.select([j]) for j in range(3)]
    joined = RunningMetrics.concat([RunningMetrics.from_state(p.to_state()) for p in parts])
    for row, day in zip(r[200:], days[200:], strict=True):
        joined.update(row, day)
    snap = joined.snapshot()
    ref = summarize(r, index=days)
    order = order_statistics(r)
    for name in ORDER_STATISTICS:
        np.testing.assert_allclose(order[name], ref[name].to_numpy(), rtol=1e-12)
        snap[name] = order[name]
    for name in ("sharpe_ratio", "max_drawdown", "cagr", "max_drawdown_duration_days", "stability"):
        np.testing.assert_allclose(snap[name].to_numpy(), ref[name].to_numpy(), rtol=1e-9)
    with pytest.raises(MetricsInputError):
        RunningMetrics.concat([whole.select([0]), RunningMetrics(1)])  # fed 200 periods vs none
