"""The fast paths of summarize: the array API, episode-based drawdowns, tail-only sorting.

Each fast path is checked against a slow, obviously correct reference: ``summarize`` itself
for :func:`summarize_arrays`, a per-observation Python loop for the drawdown durations, and
numpy's full-sort percentile / min / max for the tail statistics.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from stratmon.metrics import METRIC_COLUMNS, summarize, summarize_arrays
from stratmon.metrics._array import Panel
from stratmon.metrics.drawdown import drawdown_stats
from stratmon.metrics.tail import conditional_value_at_risk, tail_ratio, value_at_risk


@pytest.mark.parametrize("with_benchmark", [False, True])
def test_summarize_arrays_equals_summarize(make_panel: Callable, with_benchmark: bool) -> None:
    r, bench, idx = make_panel(5, t_len=400, n_cols=70)  # two column blocks
    b = bench if with_benchmark else None
    names, values = summarize_arrays(r, benchmark=b, risk_free=0.01, index=idx)
    table = summarize(r, benchmark=b, risk_free=0.01, index=idx)
    assert names == list(METRIC_COLUMNS) == list(table.columns)
    assert values.shape == (70, len(METRIC_COLUMNS))
    np.testing.assert_array_equal(values, table.to_numpy())
    assert np.isnan(values[:, names.index("alpha")]).all() != with_benchmark


def test_summarize_arrays_takes_dates_from_a_frame(make_panel: Callable) -> None:
    r, _, idx = make_panel(6, t_len=90, n_cols=3)
    frame = pd.DataFrame(r, index=idx, columns=["a", "b", "c"])
    names, values = summarize_arrays(frame)
    table = summarize(frame)
    assert list(table.index) == ["a", "b", "c"]
    np.testing.assert_array_equal(values, table.to_numpy())
    assert np.isfinite(values[:, names.index("best_month")]).all()


def _durations_by_loop(col: np.ndarray, days: np.ndarray) -> tuple[float, float, float, float]:
    """(max duration, max duration in days, current duration, longest recovery) of one column.

    Walks the observations one by one, following the definitions of the drawdown module.
    """
    obs = [(i, x) for i, x in enumerate(col) if not math.isnan(x)]
    if not obs:
        return (math.nan,) * 4
    wealth, peak_wealth = 1.0, 1.0
    peak_obs, peak_day = -1, days[obs[0][0]]
    trough_obs, trough_dd = -1, 0.0
    max_dur, max_days, longest, any_under = 0.0, 0.0, -1.0, False
    for k, (i, x) in enumerate(obs):
        wealth *= 1.0 + x
        peak_wealth = max(peak_wealth, wealth)
        dd = wealth / peak_wealth - 1.0
        if dd >= 0.0:
            if k - peak_obs > 1:  # a recovery ends an episode
                max_dur = max(max_dur, k - peak_obs)
                max_days = max(max_days, days[i] - peak_day)
                longest = max(longest, k - trough_obs)
            peak_obs, peak_day, trough_dd = k, days[i], 0.0
        else:
            any_under = True
            max_dur = max(max_dur, k - peak_obs)
            max_days = max(max_days, days[i] - peak_day)
            if dd <= trough_dd:
                trough_obs, trough_dd = k, dd
    current = (len(obs) - 1) - peak_obs
    recovery = longest if longest >= 0 else (math.nan if any_under else 0.0)
    return float(max_dur), float(max_days), float(current), recovery


# Few distinct values so that ties, flat stretches and exact recoveries are common.
_steps = st.sampled_from([0.1, -0.1, 0.05, -0.05, 0.0, 0.02, -0.2, 0.25, math.nan])
_panels = st.integers(1, 4).flatmap(
    lambda n: hnp.arrays(np.float64, st.tuples(st.integers(1, 40), st.just(n)), elements=_steps)
)


@settings(max_examples=150, deadline=None)
@given(r=_panels, gaps=st.lists(st.integers(1, 5), min_size=40, max_size=40))
def test_drawdown_durations_match_observation_loop(r: np.ndarray, gaps: list[int]) -> None:
    days = np.cumsum(gaps[: r.shape[0]]).astype(np.float64)
    got = drawdown_stats(Panel(r), days)
    for j in range(r.shape[1]):
        want = _durations_by_loop(r[:, j], days)
        have = (
            got.max_drawdown_duration[j],
            got.max_drawdown_duration_days[j],
            got.current_drawdown_duration[j],
            got.longest_recovery[j],
        )
        np.testing.assert_array_equal(have, want, err_msg=f"column {j} of {r[:, j]}")


@settings(max_examples=100, deadline=None)
@given(
    r=hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 300), st.integers(1, 5)),
        elements=st.floats(-0.2, 0.2, allow_subnormal=False) | st.just(math.nan),
    )
)
def test_tail_statistics_match_a_full_sort(r: np.ndarray) -> None:
    panel = Panel(r)
    var95, var99 = value_at_risk(panel, 0.05), value_at_risk(panel, 0.01)
    cvar95 = conditional_value_at_risk(panel, 0.05)
    ratio = tail_ratio(panel)
    for j in range(r.shape[1]):
        x = np.sort(r[~np.isnan(r[:, j]), j])
        if not len(x):
            assert math.isnan(var95[j]) and math.isnan(panel.best[j])
            continue
        assert var95[j] == np.percentile(x, 5)
        assert var99[j] == np.percentile(x, 1)
        k = int((len(x) - 1) * 0.05)
        assert cvar95[j] == pytest.approx(x[: k + 1].mean(), rel=1e-12, abs=1e-15)
        p95, p5 = np.percentile(x, 95), np.percentile(x, 5)
        if p5 != 0:
            assert ratio[j] == pytest.approx(abs(p95) / abs(p5), rel=1e-12)
        assert (panel.worst[j], panel.best[j]) == (x[0], x[-1])
