"""The calibrated decay CUSUM: healthy vs decayed, batch == incremental, ARL0 calibration."""

from __future__ import annotations

import json

import numpy as np
import pytest

from stratmon.compare.significance import InsufficientDataError
from stratmon.decay import DecayDetector, calibrate, first_alarm
from stratmon.decay.calibration import increments

SD = 0.01


def _mu(annual_sharpe: float) -> float:
    return annual_sharpe * SD / np.sqrt(252)


@pytest.fixture(scope="module")
def backtest() -> np.ndarray:
    rng = np.random.default_rng(10)
    return rng.normal(_mu(2.0), SD, (2520, 4))


def test_no_alarm_on_healthy_short_series(backtest: np.ndarray) -> None:
    live = np.random.default_rng(11).normal(_mu(2.0), SD, (120, 4))
    out = first_alarm(live, backtest, n_paths=200)
    assert isinstance(out, np.ndarray) and out.shape == (4,)
    assert np.all(out == -1)


def test_alarm_on_clear_decay(backtest: np.ndarray) -> None:
    rng = np.random.default_rng(12)
    live = np.vstack([rng.normal(_mu(2.0), SD, (100, 4)), rng.normal(_mu(-5.0), SD, (400, 4))])
    out = first_alarm(live, backtest, n_paths=200)
    assert np.all(out >= 100)  # not before the change
    assert np.all(out < 300)


def test_one_dimensional_input_returns_int(backtest: np.ndarray) -> None:
    rng = np.random.default_rng(13)
    live = rng.normal(_mu(-3.0), SD, 600)
    out = first_alarm(live, backtest[:, 0], n_paths=200)
    assert isinstance(out, int) and 0 <= out < 600


def test_incremental_equals_batch_and_state_round_trips(backtest: np.ndarray) -> None:
    rng = np.random.default_rng(14)
    live = np.vstack([rng.normal(_mu(2.0), SD, (150, 4)), rng.normal(_mu(-1.0), SD, (450, 4))])
    live[40, 1] = np.nan  # a missing day: statistic unchanged, index still counts
    batch = first_alarm(live, backtest, n_paths=200)
    det = DecayDetector.from_backtest(backtest, n_paths=200)
    raised = np.full(4, -1)
    for t in range(live.shape[0]):
        if t == 300:  # persist and restore mid-way, through JSON
            det = DecayDetector.from_state(json.loads(json.dumps(det.to_state())))
        new = det.update(live[t])
        raised[new] = t
    np.testing.assert_array_equal(det.alarm_index, batch)
    np.testing.assert_array_equal(raised, batch)


def test_cusum_recursion_by_hand() -> None:
    bt = np.random.default_rng(1).normal(_mu(2.0), SD, 500)
    cal = calibrate(bt, n_paths=50)
    det = DecayDetector(cal)
    k, var0 = cal.reference[0], cal.initial_variance[0]
    rows = [-0.02, 0.005, -0.01]
    s, v = 0.0, var0
    for r in rows:
        vv = max(v, cal.floor_variance[0])
        w = var0 / vv
        u = np.sqrt(w) * np.clip(np.sqrt(w) * (r / np.sqrt(var0) - k), -cal.clip, cal.clip)
        s = max(0.0, s - u)
        v = cal.lam * vv + (1 - cal.lam) * r * r
        det.update(np.array([r]))
        assert det.statistic[0] == pytest.approx(s, rel=1e-12)
    assert increments(np.array([0.0]), np.array([1.0]), np.array([0.1]), 4.0)[0] == -0.1


def test_calibration_gives_target_arl0_in_gaussian_case() -> None:
    # iid normal backtest; fresh healthy paths from the *same* distribution should raise their
    # first alarm with mean run length near the target (rate estimated from censored runs).
    rng = np.random.default_rng(20)
    target = 250
    n = 150
    bt = rng.normal(_mu(2.0), SD, (2520, 1))
    live = rng.normal(bt.mean(), SD, (4 * target, n))
    out = first_alarm(live, np.repeat(bt, n, axis=1), false_alarm_days=target, n_paths=400)
    hit = out >= 0
    exposure = np.where(hit, out + 1, live.shape[0]).sum()
    arl = exposure / max(hit.sum(), 1)
    assert 0.6 * target < arl < 1.6 * target


def test_not_detectable_when_backtest_below_decayed_level() -> None:
    rng = np.random.default_rng(3)
    bt = rng.normal(_mu(-3.0), SD, 2520)
    cal = calibrate(bt, n_paths=50)
    assert cal.detectable == [False]
    assert first_alarm(rng.normal(-0.01, SD, 300), bt, n_paths=50) == -1


def test_short_backtest_raises_and_shape_mismatch() -> None:
    with pytest.raises(InsufficientDataError):
        first_alarm(np.zeros(10), np.full(50, 0.001))
    with pytest.raises(ValueError):
        first_alarm(np.zeros((10, 2)), np.random.default_rng(0).normal(0, 0.01, (300, 3)))
