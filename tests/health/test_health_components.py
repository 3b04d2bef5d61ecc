"""Health components: the map g, each test's p-value against hand values and scipy."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from stratmon.health.components import (
    binomial_p_value,
    cusum_p_value,
    drawdown_component,
    performance_component,
    performance_p_value,
    poisson_p_value,
    psr_p_value,
    score_from_p,
    trade_frequency_component,
    weighted_bonferroni,
    win_rate_basis,
    win_rate_component,
)


def test_g_knots_and_log_linear_between() -> None:
    knots = score_from_p([1.0, 0.5, 0.1, 0.01, 1e-3, 1e-4, 1e-9, 0.0])
    np.testing.assert_allclose(knots, [100, 85, 60, 35, 15, 0, 0, 0])
    # halfway between 0.1 and 0.01 in log10 p (p = 10^-1.5) is halfway between 60 and 35
    assert score_from_p(10**-1.5)[0] == pytest.approx(47.5)
    assert np.isnan(score_from_p(np.nan)[0])


@given(st.floats(0, 1), st.floats(0, 1))
@settings(max_examples=200, deadline=None)
def test_g_is_monotone(a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    assert score_from_p(lo)[0] <= score_from_p(hi)[0]


def test_cusum_p_value_exponential_tail_in_nats() -> None:
    p = cusum_p_value([0.0, 2.0, 4.0, np.nan, 1.0], [3.0, 3.0, 3.0, 3.0, np.nan], theta=0.5)
    np.testing.assert_allclose(p[:3], [1.0, math.exp(-1.0), math.exp(-2.0)])
    assert np.isnan(p[3]) and np.isnan(p[4])  # no statistic / no calibrated threshold
    assert np.isnan(cusum_p_value(1.0, 0.0)[0])


def test_weighted_bonferroni_hand_values() -> None:
    # min(p_i / w_i): 0.01 / 0.5 = 0.02, 0.04 / 0.25 = 0.16, 0.5 / 0.25 = 2 -> 0.02
    assert performance_p_value(0.01, 0.04, 0.5)[0] == pytest.approx(0.02)
    # a missing test: weights renormalised over the other two (1/2, 1/2)
    assert performance_p_value(np.nan, 0.04, 0.5)[0] == pytest.approx(0.08)
    assert weighted_bonferroni([[0.9], [0.8]], [0.5, 0.5])[0] == 1.0
    assert np.isnan(performance_p_value(np.nan, np.nan, np.nan)[0])


def test_weighted_bonferroni_is_valid_for_dependent_uniforms() -> None:
    rng = np.random.default_rng(0)
    z = rng.standard_normal(200_000)
    # three strongly dependent one-sided p-values
    ps = [stats.norm.cdf((z + 0.5 * rng.standard_normal(z.size)) / 1.25**0.5) for _ in range(3)]
    p = performance_p_value(*ps)
    assert np.mean(p <= 0.05) <= 0.05
    assert np.mean(p <= 0.01) <= 0.01


def test_psr_p_value_deflation() -> None:
    # n = B: the z-score is divided by sqrt(2)
    z = stats.norm.ppf(0.05)
    assert psr_p_value(0.05, 101, 101)[0] == pytest.approx(stats.norm.cdf(z / math.sqrt(2)))
    assert psr_p_value(0.05, 101, 0)[0] == pytest.approx(0.05)  # unknown backtest length
    assert np.isnan(psr_p_value(np.nan, 100, 100)[0])


def test_binomial_p_value_agrees_with_scipy_binomtest() -> None:
    for k, n, r in [(3, 20, 0.5), (40, 100, 0.53), (0, 10, 0.2), (10, 10, 0.9)]:
        ref = stats.binomtest(k, n, r, alternative="less").pvalue
        assert binomial_p_value(k, n, r)[0] == pytest.approx(ref, rel=1e-10)
    assert np.isnan(binomial_p_value(0, 0, 0.5)[0])
    assert np.isnan(binomial_p_value(3, 10, np.nan)[0])


def test_beta_binomial_accounts_for_the_backtest_rate_error() -> None:
    # one trial: P(X = 0) = E[1 - p] under Beta(B r + 1/2, B (1 - r) + 1/2)
    b, r = 10, 0.6
    a1, b1 = b * r + 0.5, b * (1 - r) + 0.5
    assert binomial_p_value(0, 1, r, b)[0] == pytest.approx(b1 / (a1 + b1))
    # a noisy backtest rate makes a low live count less surprising
    plain = binomial_p_value(40, 100, 0.55)[0]
    assert binomial_p_value(40, 100, 0.55, 200)[0] > plain
    assert binomial_p_value(40, 100, 0.55, 10**7)[0] == pytest.approx(plain, rel=1e-3)


def test_poisson_p_value_hand_values() -> None:
    # 0.5 expected, no trade: P(X <= 0) = e^-0.5 = 0.61, doubled and capped -> 1
    assert poisson_p_value(0, 0.5)[0] == 1.0
    # 10 expected, 2 seen: 2 * P(X <= 2)
    lower = math.exp(-10) * (1 + 10 + 50)
    assert poisson_p_value(2, 10.0)[0] == pytest.approx(2 * lower)
    # 10 expected, 20 seen: 2 * P(X >= 20)
    assert poisson_p_value(20, 10.0)[0] == pytest.approx(2 * stats.poisson.sf(19, 10.0))
    # a backtest that never traded: any live trade is impossible under it
    assert poisson_p_value(1, 0.0)[0] == 0.0 and poisson_p_value(0, 0.0)[0] == 1.0
    assert np.isnan(poisson_p_value(3, np.nan)[0])


def test_win_rate_basis_prefers_round_trips_from_ten() -> None:
    kw: dict[str, Any] = {
        "round_trip_wins": 6,
        "backtest_round_trip_win_rate": 0.55,
        "winning_days": 130,
        "sessions": 250,
        "backtest_winning_day_rate": 0.53,
    }
    assert win_rate_basis(round_trips=10, **kw) == (6, 10, "round_trips", 0.55)
    assert win_rate_basis(round_trips=9, **kw) == (130, 250, "days", 0.53)
    kw["backtest_round_trip_win_rate"] = math.nan
    assert win_rate_basis(round_trips=50, **kw)[2] == "days"


def test_performance_component_combines_and_explains() -> None:
    c = performance_component(
        weight=0.4,
        n_obs=500,
        decay_statistic=4.0,
        decay_threshold=3.0,
        psr_vs_backtest=0.5,
        cone_percentile=0.3,
        live_sharpe_ratio=0.4,
        backtest_sharpe_ratio=1.5,
    )
    p_c = math.exp(-0.70 * 4.0)
    # weighted Bonferroni: min(p_c / 0.5, 0.5 / 0.25, 0.3 / 0.25) -> 2 p_c
    assert c.p_value == pytest.approx(2 * p_c)
    assert c.value == pytest.approx(score_from_p(2 * p_c)[0])
    assert "live Sharpe 0.40 vs 1.50" in c.reason and "decay statistic 4.00" in c.reason
    # under 30 returns the PSR is not read
    early = performance_component(weight=0.4, n_obs=10, psr_vs_backtest=1e-6, cone_percentile=0.5)
    assert early.p_value == pytest.approx(0.5)  # the cone alone
    none = performance_component(weight=0.4, n_obs=10)
    assert none.value is None and none.p_value is None


def test_drawdown_component_reason_and_no_data() -> None:
    c = drawdown_component(
        weight=0.3, n_obs=1510, current_drawdown=-0.153, drawdown_probability=0.07
    )
    assert c.p_value == 0.07
    assert c.reason == "drawdown -15.3 % is deeper than 93.0 % of backtest paths of 1,510 sessions"
    top = drawdown_component(weight=0.3, n_obs=5, current_drawdown=0.0)
    assert top.value == 100.0
    assert drawdown_component(weight=0.3, n_obs=5, current_drawdown=-0.1).value is None
    assert drawdown_component(weight=0.3, n_obs=0).value is None


def test_win_rate_and_trade_frequency_components() -> None:
    w = win_rate_component(
        weight=0.2, live_wins=4, live_trials=20, win_basis="round_trips", backtest_win_rate=0.5
    )
    assert w.p_value == pytest.approx(stats.binom.cdf(4, 20, 0.5))
    assert w.test == "binomial test of round trips vs 50.0 %"
    d = win_rate_component(
        weight=0.2, live_wins=130, live_trials=250, win_basis="days", backtest_win_rate=0.531
    )
    assert "winning days" in d.test and "130 of 250 sessions" in d.reason
    assert (
        win_rate_component(
            weight=0.2, live_wins=0, live_trials=0, win_basis="days", backtest_win_rate=0.5
        ).value
        is None
    )
    t = trade_frequency_component(weight=0.1, n_obs=100, live_trades=2, backtest_trades_per_day=0.1)
    assert t.p_value == pytest.approx(2 * math.exp(-10) * 61)
    assert (
        trade_frequency_component(
            weight=0.1, n_obs=100, live_trades=2, backtest_trades_per_day=math.nan
        ).value
        is None
    )
