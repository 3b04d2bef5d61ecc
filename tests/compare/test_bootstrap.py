"""Stationary-bootstrap Sharpe intervals."""

from __future__ import annotations

import numpy as np
import pytest

from stratmon.compare.bootstrap import (
    bootstrap_sharpe_ci,
    bootstrap_sharpe_difference_ci,
    politis_white_block_length,
    stationary_bootstrap_indices,
)
from stratmon.compare.significance import InsufficientDataError


def test_interval_covers_true_sharpe_in_simulation() -> None:
    rng = np.random.default_rng(0)
    true_sr = 1.0  # annualised
    mu, sigma = true_sr * 0.01 / np.sqrt(252), 0.01
    covered = 0
    trials = 40
    for i in range(trials):
        r = rng.normal(mu, sigma, 504)
        ci = bootstrap_sharpe_ci(r, n_replications=300, seed=i)
        assert ci.lower < ci.estimate < ci.upper
        covered += ci.lower <= true_sr <= ci.upper
    assert covered >= 33  # nominal 95 %: 38 of 40; allow sampling noise


def test_interval_width_close_to_normal_theory() -> None:
    r = np.random.default_rng(1).normal(0.0005, 0.01, 1000)
    ci = bootstrap_sharpe_ci(r, n_replications=1000, seed=1, periods_per_year=1)
    se = np.sqrt((1 + ci.estimate**2 / 2) / 1000)
    assert ci.upper - ci.lower == pytest.approx(2 * 1.96 * se, rel=0.15)


def test_seeded_and_difference_interval() -> None:
    rng = np.random.default_rng(2)
    live, bt = rng.normal(0.0, 0.01, 250), rng.normal(0.001, 0.01, 2520)
    a = bootstrap_sharpe_difference_ci(live, bt, n_replications=300, seed=9)
    b = bootstrap_sharpe_difference_ci(live, bt, n_replications=300, seed=9)
    assert a == b
    sl = live.mean() / live.std(ddof=1) * np.sqrt(252)
    sb = bt.mean() / bt.std(ddof=1) * np.sqrt(252)
    assert a.estimate == pytest.approx(sl - sb)
    assert a.lower < a.estimate < a.upper


def test_indices_follow_blocks() -> None:
    idx = stationary_bootstrap_indices(100, 500, 50, 10.0, np.random.default_rng(0))
    assert idx.shape == (500, 50) and idx.min() >= 0 and idx.max() < 100
    steps = np.diff(idx, axis=1)
    continued = np.mean((steps == 1) | (steps == -99))
    assert continued == pytest.approx(0.9 + 0.1 / 100, abs=0.01)  # jump prob 1/10


def test_block_length_grows_with_dependence() -> None:
    rng = np.random.default_rng(4)
    e = rng.normal(size=3000)
    ar = np.empty_like(e)
    ar[0] = e[0]
    for t in range(1, e.size):
        ar[t] = 0.8 * ar[t - 1] + e[t]
    assert politis_white_block_length(ar) > 3 * politis_white_block_length(e)


def test_short_series_raises() -> None:
    with pytest.raises(InsufficientDataError):
        bootstrap_sharpe_ci(np.ones(5) * 0.01)
