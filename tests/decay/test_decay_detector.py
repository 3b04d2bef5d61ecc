"""The calibrated decay CUSUM: healthy vs decayed, batch == incremental, ARL0 calibration."""

from __future__ import annotations

import json

import numpy as np
import pytest

from stratmon.compare.significance import InsufficientDataError
from stratmon.decay import DecayDetector, calibrate, first_alarm

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
    mu0, mu1, nu = cal.location[0], cal.decayed_location[0], cal.nu[0]
    om, al, be = cal.omega[0], cal.alpha[0], cal.beta[0]
    rows = [-0.02, 0.005, np.nan, -0.01]
    s, v = 0.0, cal.initial_variance[0]
    for r in rows:
        det.update(np.array([r]))
        if np.isnan(r):  # missing: nothing moves
            assert det.statistic[0] == pytest.approx(s, rel=1e-12)
            continue
        vv = max(v, cal.floor_variance[0])
        z, d = (r - mu0) / np.sqrt(vv), (mu0 - mu1) / np.sqrt(vv)
        f = (nu + 1) / 2
        s = max(0.0, s + f * (np.log(1 + z * z / (nu - 2)) - np.log(1 + (z + d) ** 2 / (nu - 2))))
        v = om + al * (r - mu0) ** 2 + be * vv
        assert det.statistic[0] == pytest.approx(s, rel=1e-12)
        assert det.variance[0] == pytest.approx(v, rel=1e-12)
    assert s > 0  # a -2 % day (2 sd) is evidence of a drop


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


def test_unknown_state_version_is_rejected(backtest: np.ndarray) -> None:
    state = DecayDetector.from_backtest(backtest, n_paths=50).to_state()
    state["version"] = 99
    with pytest.raises(ValueError, match="version"):
        DecayDetector.from_state(state)


def _v1_state() -> dict:
    """A version-1 state as earlier releases stored it (EWMA-weighted Gaussian CUSUM)."""
    return {
        "version": 1,
        "calibration": {
            "reference": [0.05],
            "threshold": [3.0],
            "initial_variance": [1e-4],
            "floor_variance": [4e-6],
            "detectable": [True],
            "backtest_sharpe": [1.6],
            "block_length": [1.0],
            "clip": 4.0,
            "lam": 0.94,
            "false_alarm_days": 1260,
            "decayed_sharpe": 0.0,
            "periods_per_year": 252,
            "n_paths": 500,
        },
        "statistic": [0.5],
        "variance": [1e-4],
        "alarm_index": [-1],
        "periods": 10,
    }


def test_version1_state_keeps_its_own_recursion() -> None:
    det = DecayDetector.from_state(json.loads(json.dumps(_v1_state())))
    s, v = 0.5, 1e-4
    rows = [-0.02, -0.08, 0.001, -0.015, -0.012]
    alarm = -1
    for i, r in enumerate(rows):
        vv = max(v, 4e-6)
        w = 1e-4 / vv
        u = np.sqrt(w) * np.clip(np.sqrt(w) * (r / 0.01 - 0.05), -4.0, 4.0)
        s = max(0.0, s - u)
        v = 0.94 * vv + 0.06 * r * r
        if alarm < 0 and s > 3.0:
            alarm = 10 + i
        det.update(np.array([r]))
        assert det.statistic[0] == pytest.approx(s, rel=1e-12)
        assert det.variance[0] == pytest.approx(v, rel=1e-12)
    # -2 % adds 2.05 (S = 2.55); -8 % is clipped at 4 sd and adds 4 * sqrt(0.847) = 3.68
    assert alarm == 11
    assert det.statistic[0] > 3.0 and det.statistic[0] == pytest.approx(s)
    assert det.alarm_index[0] == alarm
    saved = det.to_state()
    assert saved["version"] == 1  # an old detector is saved in its own layout
    again = DecayDetector.from_state(json.loads(json.dumps(saved)))
    assert again.statistic[0] == det.statistic[0] and again.periods == 15


def test_calibration_gives_target_arl0_under_garch_t() -> None:
    # each strategy: a 10-year GARCH(1,1)-t backtest and, on the same path, a healthy live
    # period; the false-alarm promise is on average over backtests (estimation error included)
    rng = np.random.default_rng(21)
    n, b, live_len, target = 120, 2520, 1000, 250
    omega, alpha, beta, nu = 0.02, 0.10, 0.88, 5.0
    s2 = np.ones(n)
    x = np.empty((b + live_len, n))
    for t in range(-300, b + live_len):
        e = np.sqrt(s2) * rng.standard_t(nu, n) * np.sqrt((nu - 2) / nu)
        if t >= 0:
            x[t] = e
        s2 = omega + alpha * e * e + beta * s2
    r = (x + 2.0 / np.sqrt(252)) * SD  # annual Sharpe 2 on unit unconditional variance
    out = first_alarm(r[b:], r[:b], false_alarm_days=target, n_paths=300)
    hit = out >= 0
    arl = np.where(hit, out + 1, live_len).sum() / max(hit.sum(), 1)
    assert 0.6 * target < arl < 1.6 * target
