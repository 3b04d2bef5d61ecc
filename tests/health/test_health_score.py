"""Health score: weights, renormalisation over components with data, bounds, monotonicity."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stratmon.errors import ConfigError
from stratmon.health import COMPONENTS, HealthEvidence, HealthWeights, health_score
from stratmon.health.components import score_from_p

# every p-value chosen on a knot of g: performance 0.1 (60), drawdown 0.01 (35), win rate
# 0.5 (85), trade frequency 1 (100)
FULL = HealthEvidence(
    n_obs=252,
    cone_percentile=0.1,  # the cone alone (weight renormalised to 1): p = 0.1
    current_drawdown=-0.2,
    drawdown_probability=0.01,
    live_wins=1,
    live_trials=1,
    win_basis="round_trips",
    backtest_win_rate=0.5,  # P(X <= 1 | n = 1) = 1 ... replaced below
    live_trades=25,
    backtest_trades_per_day=25 / 252,
)


def _ev(**kw: object) -> HealthEvidence:
    return dataclasses.replace(FULL, **kw)  # type: ignore[arg-type]


def test_hand_computed_score() -> None:
    ev = _ev(live_wins=0, live_trials=1, backtest_win_rate=0.5)  # P(X <= 0) = 0.5 -> 85
    h = health_score(ev)
    assert [c.name for c in h.components] == list(COMPONENTS)
    assert h.value("performance") == pytest.approx(60.0)
    assert h.value("drawdown") == pytest.approx(35.0)
    assert h.value("win_rate") == pytest.approx(85.0)
    assert h.value("trade_frequency") == pytest.approx(100.0)  # 25 seen, 25 expected
    assert h.score == pytest.approx(0.4 * 60 + 0.3 * 35 + 0.2 * 85 + 0.1 * 100)
    w = HealthWeights(0.25, 0.25, 0.25, 0.25)
    assert health_score(ev, w).score == pytest.approx((60 + 35 + 85 + 100) / 4)


def test_missing_component_does_not_move_the_score() -> None:
    ev = _ev(live_wins=0, live_trials=1, backtest_trades_per_day=math.nan)
    h = health_score(ev)
    assert h.value("trade_frequency") is None
    assert h.component("trade_frequency").p_value is None
    assert h.score == pytest.approx((0.4 * 60 + 0.3 * 35 + 0.2 * 85) / 0.9)
    assert h.coverage == pytest.approx(0.9)
    nothing = health_score(HealthEvidence(n_obs=0))
    assert nothing.score is None and all(c.value is None for c in nothing.components)
    assert nothing.to_dict()["components"] == dict.fromkeys(COMPONENTS)
    with pytest.raises(KeyError):
        nothing.value("sharpe")


def test_weights_are_validated() -> None:
    with pytest.raises(ConfigError, match="sum to 1"):
        HealthWeights(0.5, 0.5, 0.5, 0.0)
    with pytest.raises(ConfigError, match=">= 0"):
        HealthWeights(1.2, -0.2, 0.0, 0.0)
    assert HealthWeights().as_dict() == {
        "performance": 0.40,
        "drawdown": 0.30,
        "win_rate": 0.20,
        "trade_frequency": 0.10,
    }


_p = st.floats(1e-9, 1.0)


@given(_p, _p, st.integers(0, 50), st.floats(0.0, 1.0))
@settings(max_examples=150, deadline=None)
def test_score_bounded_and_monotone_in_evidence(
    cone: float, dd: float, wins: int, worse: float
) -> None:
    ev = _ev(cone_percentile=cone, drawdown_probability=dd, live_wins=wins, live_trials=50)
    h = health_score(ev)
    assert h.score is not None and 0.0 <= h.score <= 100.0
    # less favourable evidence on any dimension never raises the score
    assert health_score(_ev(**{**_fields(ev), "cone_percentile": cone * worse})).score <= h.score  # type: ignore[operator]
    assert health_score(_ev(**{**_fields(ev), "drawdown_probability": dd * worse})).score <= h.score  # type: ignore[operator]
    if wins > 0:
        fewer = _ev(**{**_fields(ev), "live_wins": wins - 1})
        assert health_score(fewer).score <= h.score  # type: ignore[operator]


def _fields(ev: HealthEvidence) -> dict[str, object]:
    return {f.name: getattr(ev, f.name) for f in dataclasses.fields(ev)}


def test_decay_statistic_lowers_performance() -> None:
    calm = health_score(_ev(decay_statistic=0.0, decay_threshold=3.0, cone_percentile=0.5))
    hot = health_score(_ev(decay_statistic=8.0, decay_threshold=3.0, cone_percentile=0.5))
    assert calm.value("performance") == 100.0
    # CUSUM and cone, weights 1/2 and 1/4 renormalised to 2/3 and 1/3: p = p_c / (2/3)
    p = 1.5 * math.exp(-0.70 * 8.0)
    assert hot.component("performance").p_value == pytest.approx(p)
    assert hot.value("performance") == pytest.approx(score_from_p(p)[0])
