"""Published cases of PSR, MinTRL and DSR; Mertens variance by hand; two-sample tests."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from stratmon.compare.significance import (
    InsufficientDataError,
    deflated_sharpe_ratio,
    expected_maximum_sharpe_ratio,
    mean_return_welch_test,
    min_trl_from_returns,
    minimum_track_record_length,
    probabilistic_sharpe_ratio,
    psr_from_returns,
    sharpe_difference_test,
    sharpe_ratio_variance,
)


def test_psr_published_normal_case() -> None:
    # Bailey & Lopez de Prado (2012): SR 0.458 per month over 24 months -> 0.982
    assert probabilistic_sharpe_ratio(0.458, 24) == pytest.approx(0.982, abs=5e-4)


def test_psr_published_non_normal_case() -> None:
    assert probabilistic_sharpe_ratio(0.458, 24, skew=-2.448, kurtosis=10.164) == pytest.approx(
        0.913, abs=5e-4
    )


def test_psr_is_half_at_the_benchmark_and_vectorised() -> None:
    out = probabilistic_sharpe_ratio(
        np.array([0.1, 0.2]), 100, benchmark_sharpe=np.array([0.1, 0.0])
    )
    assert isinstance(out, np.ndarray)
    assert out[0] == pytest.approx(0.5)
    assert out[1] == pytest.approx(stats.norm.cdf(0.2 * math.sqrt(99) / math.sqrt(1 + 0.02)))


@pytest.mark.parametrize(
    ("sr", "skew", "kurt", "expected"),
    [(0.7079, -0.2250, 2.9570, 8.583), (0.8183, -1.4455, 7.0497, 13.912)],
)
def test_min_trl_published_cases(sr: float, skew: float, kurt: float, expected: float) -> None:
    assert minimum_track_record_length(sr, skew, kurt) == pytest.approx(expected, abs=2e-3)


def test_min_trl_is_where_psr_reaches_the_confidence() -> None:
    trl = minimum_track_record_length(0.3, -0.5, 5.0, benchmark_sharpe=0.1, confidence=0.9)
    assert probabilistic_sharpe_ratio(0.3, trl, -0.5, 5.0, 0.1) == pytest.approx(0.9, abs=1e-12)


def test_min_trl_infinite_when_not_beating_benchmark() -> None:
    assert minimum_track_record_length(0.1, benchmark_sharpe=0.2) == math.inf


def test_dsr_published_example() -> None:
    # Bailey & Lopez de Prado (2014): 100 trials, Var(annual SR) 0.5, T=1250 days,
    # annual SR 2.5, skew -3, kurtosis 10 -> DSR ~ 0.90 (paper annualises with 250 days).
    ppy = 250
    sr0 = expected_maximum_sharpe_ratio(100, 0.5 / ppy)
    assert sr0 * math.sqrt(ppy) == pytest.approx(1.7894, abs=1e-3)
    dsr = deflated_sharpe_ratio(2.5 / math.sqrt(ppy), 1250, 100, 0.5 / ppy, -3.0, 10.0)
    assert dsr == pytest.approx(0.9004, abs=1e-3)


def test_expected_max_single_trial_is_the_mean() -> None:
    assert expected_maximum_sharpe_ratio(1, 0.3, mean_sharpe=0.05) == pytest.approx(0.05)


def test_mertens_variance_by_hand() -> None:
    # SR 0.1, T 250, skew -1, kurt 6: (1 + 0.005 + 0.1 + 0.0075) / 250
    expected = (1 + 0.1**2 / 2 - (-1) * 0.1 + (6 - 3) / 4 * 0.1**2) / 250
    assert expected == pytest.approx(1.1125 / 250)
    assert sharpe_ratio_variance(0.1, 250, -1.0, 6.0) == pytest.approx(expected, rel=1e-12)
    assert sharpe_ratio_variance(0.0, 100) == pytest.approx(0.01)


def test_psr_from_returns_uses_sample_moments() -> None:
    rng = np.random.default_rng(3)
    r = rng.standard_t(5, size=(500, 2)) * 0.01 + 0.001
    out = psr_from_returns(r)
    for j in range(2):
        x = r[:, j]
        sr = x.mean() / x.std(ddof=1)
        want = probabilistic_sharpe_ratio(sr, 500, stats.skew(x), stats.kurtosis(x, fisher=False))
        assert out[j] == pytest.approx(want, rel=1e-12)
    assert min_trl_from_returns(r[:, 0]) > 1


def test_sharpe_difference_test_hand_computed() -> None:
    rng = np.random.default_rng(5)
    live = rng.normal(0.0, 0.01, 300)
    bt = rng.normal(0.001, 0.01, 2000)
    res = sharpe_difference_test(live, bt, alternative="less")
    sl, sb = live.mean() / live.std(ddof=1), bt.mean() / bt.std(ddof=1)
    vl = sharpe_ratio_variance(sl, 300, stats.skew(live), stats.kurtosis(live, fisher=False))
    vb = sharpe_ratio_variance(sb, 2000, stats.skew(bt), stats.kurtosis(bt, fisher=False))
    z = (sl - sb) / math.sqrt(vl + vb)
    assert res.statistic == pytest.approx(z, rel=1e-12)
    assert res.p_value == pytest.approx(stats.norm.cdf(z), rel=1e-12)
    two = sharpe_difference_test(live, bt)
    assert two.p_value == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-12)


def test_sharpe_difference_test_size_under_null() -> None:
    rng = np.random.default_rng(11)
    rejections = sum(
        sharpe_difference_test(rng.normal(5e-4, 0.01, 250), rng.normal(5e-4, 0.01, 1000)).p_value
        < 0.05
        for _ in range(400)
    )
    assert 8 <= rejections <= 35  # 5 % of 400 = 20


def test_welch_agrees_with_scipy() -> None:
    rng = np.random.default_rng(2)
    live, bt = rng.normal(0, 0.02, 60), rng.normal(0.001, 0.01, 500)
    res = mean_return_welch_test(live, bt, alternative="less")
    ref = stats.ttest_ind(live, bt, equal_var=False, alternative="less")
    assert res.statistic == pytest.approx(ref.statistic)
    assert res.p_value == pytest.approx(ref.pvalue)


def test_too_short_raises() -> None:
    with pytest.raises(InsufficientDataError):
        sharpe_difference_test([0.01, 0.02], np.ones(10))
