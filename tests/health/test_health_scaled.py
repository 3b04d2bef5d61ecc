"""The health score's readings at the live volatility: identical to the unscaled figures
until 30 live returns exist (k = 1), and the volatility-scaled ones after."""

from __future__ import annotations

import math

import numpy as np
import pytest

from stratmon.compare.cone import cone_percentile
from stratmon.compare.drawdown_probability import drawdown_probability
from stratmon.compare.evidence import backtest_evidence
from stratmon.compare.significance import probabilistic_sharpe_ratio
from stratmon.health.scaled import scaled_readings


@pytest.fixture(scope="module")
def ev():  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(7)
    out = backtest_evidence(rng.normal(0.0005, 0.01, 1500), cone_horizon=300, seed_key="t")
    assert out is not None
    return out


def _metrics(n: int, vol_daily: float) -> dict[str, float]:
    return {
        "n_obs": n,
        "sharpe_ratio": 0.5,
        "annual_volatility": vol_daily * math.sqrt(252),
        "skew": -0.2,
        "kurtosis": 1.0,
        "total_return": -0.04,
    }


def test_fewer_than_30_returns_read_the_backtest_unscaled(ev) -> None:  # type: ignore[no-untyped-def]
    r = scaled_readings(_metrics(20, 0.03), ev, current_drawdown=-0.06)
    assert r.volatility_ratio == 1.0
    assert r.cone_percentile == pytest.approx(float(cone_percentile(ev.cone, -0.04, 20)))
    assert r.drawdown_probability == pytest.approx(
        float(drawdown_probability(ev.drawdown_table, -0.06, 20))
    )
    psr = probabilistic_sharpe_ratio(0.5 / math.sqrt(252), 20, -0.2, 4.0, ev.sharpe)
    assert r.psr_vs_backtest == pytest.approx(float(psr))


def test_twice_the_volatility_reads_the_backtest_at_twice_the_noise(ev) -> None:  # type: ignore[no-untyped-def]
    sd = 2 * math.sqrt(ev.variance)
    r = scaled_readings(_metrics(200, sd), ev, current_drawdown=-0.12)
    assert r.volatility_ratio == pytest.approx(2.0)
    assert r.drawdown_probability == pytest.approx(
        float(drawdown_probability(ev.drawdown_table, -0.12, 200, volatility_ratio=2.0))
    )
    # a 12 % drawdown is much less surprising at twice the backtest's volatility
    assert r.drawdown_probability > float(drawdown_probability(ev.drawdown_table, -0.12, 200))
    assert r.cone_percentile == pytest.approx(
        float(cone_percentile(ev.cone, -0.04, 200, volatility_ratio=2.0))
    )
    # the PSR's benchmark is the backtest Sharpe at the live volatility (half of it)
    psr = probabilistic_sharpe_ratio(0.5 / math.sqrt(252), 200, -0.2, 4.0, ev.sharpe / 2)
    assert r.psr_vs_backtest == pytest.approx(float(psr))


def test_beyond_the_cone_horizon_there_is_no_cone_reading(ev) -> None:  # type: ignore[no-untyped-def]
    r = scaled_readings(_metrics(400, 0.01), ev, current_drawdown=0.0)
    assert math.isnan(r.cone_percentile)
    assert math.isfinite(r.drawdown_probability)


def test_a_window_reads_no_cone(ev) -> None:  # type: ignore[no-untyped-def]
    # a window's return is not a cumulative return from the first live day
    whole = scaled_readings(_metrics(200, 0.01), ev, current_drawdown=-0.05)
    window = scaled_readings(_metrics(200, 0.01), ev, current_drawdown=-0.05, cone=False)
    assert math.isfinite(whole.cone_percentile) and math.isnan(window.cone_percentile)
    assert window.drawdown_probability == whole.drawdown_probability
    assert window.psr_vs_backtest == whole.psr_vs_backtest
