"""The 0-100 health score: how consistent the live record is with its backtest.

``score = sum_i w_i v_i / sum_i w_i`` over the components that have data, with the
specification's weights (performance vs expectations 40 %, drawdown control 30 %, win-rate
consistency 20 %, trade frequency 10 %) renormalised over those components; ``None`` when none
has data. Each component's value is ``g(p)`` of a one-sided p-value of "live behaves like the
backtest" on that dimension (:mod:`stratmon.health.components`: the tests, the map ``g``, and
the rejected alternatives). A component without data is shown as such (value ``None``) and
does not move the score.

The whole live record is judged (with memory of change through the decay detector's CUSUM);
the same function over the recent window (30 sessions by default, decay statistic left NaN)
gives the "recent" view shown beside it.

Measured (``benchmarks/health.py``, 2026-12-03; Gaussian / t(4) / AR(1) ``--quick``, 200
strategies per scenario, GARCH(1,1)-t 1,000; annual Sharpe 1, 2, 3; backtest 2,520 sessions,
healthy live 1,260; the cone, drawdown and PSR read at the live volatility, see
:mod:`stratmon.health.components`): a strategy exactly like its backtest scores >= 60 on
95.4-98.0 % of its days after the first 60 (GARCH 95.4-96.1 %, 89.5-92.9 % before the
volatility scaling) and is ``on_track``/``watch`` on 95.9-97.9 % (GARCH 96.3-97.5 %, AR(1)
95.9-96.9 %: short of 97 % there); "health < 40" entries 0.21-0.28 per strategy-year (a
decay alarm, 0.2 a year by calibration, caps the score at 39). After a decay (Sharpe -> 0)
the score falls below 40
0.94-1.00 x the decay detector's median delay (the alarm caps the score), the verdict reaches
``investigate``/``act`` 0.87-1.00 x. The full table is in the docstring of
``benchmarks/health.py``.

Persisting: :meth:`HealthScore.to_dict` gives a JSON-safe row (``score``, ``components``
name -> value or null, ``details``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from stratmon.domain.assessment import HealthComponent
from stratmon.errors import ConfigError
from stratmon.health.components import (
    drawdown_component,
    performance_component,
    trade_frequency_component,
    win_rate_component,
)

__all__ = ["COMPONENTS", "HealthEvidence", "HealthScore", "HealthWeights", "health_score"]

COMPONENTS: tuple[str, ...] = ("performance", "drawdown", "win_rate", "trade_frequency")
_NAN = math.nan
# While the decay detector's alarm is active the score is held in the investigate band: the
# alarm is the most powerful single test of change there is (a false one arrives 0.2 times a
# strategy-year and stays active 21 sessions), and a score that averaged it away would read
# "healthy" beside an alarm -- the contradiction this record exists to remove.
ALARM_SCORE_CAP = 39.0


@dataclass(frozen=True, slots=True)
class HealthWeights:
    """Component weights; non-negative, summing to 1.

    Raises
    ------
    ConfigError
        When a weight is negative or not finite, or the weights do not sum to 1 (within 1e-9).
    """

    performance: float = 0.40
    drawdown: float = 0.30
    win_rate: float = 0.20
    trade_frequency: float = 0.10

    def __post_init__(self) -> None:
        values = self.as_dict()
        bad = {k: v for k, v in values.items() if not (math.isfinite(v) and v >= 0.0)}
        if bad:
            raise ConfigError(f"health weights must be finite and >= 0, got {bad}.")
        total = sum(values.values())
        if abs(total - 1.0) > 1e-9:
            raise ConfigError(f"health weights must sum to 1, got {total!r} from {values}.")

    def as_dict(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in COMPONENTS}


@dataclass(frozen=True)
class HealthEvidence:
    """What the health score reads, for the whole live record (or the recent window).

    NaN / 0 defaults mean "unknown". Fractions (0.05 = 5 %); Sharpe ratios annualised.

    Attributes
    ----------
    n_obs : int
        Live daily returns in the record (or in the recent window).
    periods_per_year : int
        252 by default (365 for crypto).
    decay_statistic, decay_threshold : float
        The decay detector's CUSUM statistic and calibrated threshold (nats); NaN for the
        recent view.
    psr_vs_backtest : float
        PSR of the live record against the backtest Sharpe ratio (probability).
    cone_percentile : float
        Rank (0-1) of the live cumulative return among the backtest bootstrap paths at this
        live day (:func:`stratmon.compare.cone.cone_percentile`).
    live_sharpe_ratio, backtest_sharpe_ratio : float
        Annualised; for the reasons only.
    current_drawdown : float
        <= 0.
    drawdown_probability : float
        :func:`stratmon.compare.drawdown_probability.drawdown_probability` at
        (current drawdown, n_obs).
    live_wins, live_trials : int
        Winning round trips and round trips, or winning days and sessions.
    win_basis : str
        ``"round_trips"`` or ``"days"`` (:func:`stratmon.health.components.win_rate_basis`).
    backtest_win_rate : float
        The backtest's rate on the same basis.
    live_trades : int
        Trades in the record.
    backtest_trades_per_day : float
        The backtest's trades per session.
    backtest_n_obs : int
        Backtest returns behind its Sharpe ratio: deflates the PSR for the backtest's own
        estimation error (0 = unknown, not deflated).
    backtest_win_trials : int
        Round trips (or sessions) behind ``backtest_win_rate``: the win-rate test then
        includes the rate's sampling error (0 = unknown, plain binomial).
    decay_alarm : bool
        The decay detector's alarm is active (:mod:`stratmon.decay.alarm`): the performance
        evidence is then at least the alarm's own (p = the null probability of an active
        alarm, 1.7 %) and the score is capped at ``ALARM_SCORE_CAP``.
    volatility_ratio : float
        Live / backtest volatility (:func:`stratmon.health.components.volatility_ratio`)
        that ``psr_vs_backtest``, ``cone_percentile`` and ``drawdown_probability`` were
        computed at (``volatility_scaled_sharpe``, ``cone_percentile(...,
        volatility_ratio=)``, ``drawdown_probability(..., volatility_ratio=)``); 1 = the
        backtest read unscaled. Only the PSR's deflation reads it here.
    """

    n_obs: int
    periods_per_year: int = 252
    decay_statistic: float = _NAN
    decay_threshold: float = _NAN
    psr_vs_backtest: float = _NAN
    cone_percentile: float = _NAN
    live_sharpe_ratio: float = _NAN
    backtest_sharpe_ratio: float = _NAN
    current_drawdown: float = _NAN
    drawdown_probability: float = _NAN
    live_wins: int = 0
    live_trials: int = 0
    win_basis: str = ""
    backtest_win_rate: float = _NAN
    live_trades: int = 0
    backtest_trades_per_day: float = _NAN
    backtest_n_obs: int = 0
    backtest_win_trials: int = 0
    decay_alarm: bool = False
    volatility_ratio: float = 1.0


@dataclass(frozen=True)
class HealthScore:
    """A day's health score.

    Attributes
    ----------
    score : float or None
        0-100; ``None`` when no component has data.
    components : tuple of HealthComponent
        Always the four, in :data:`COMPONENTS` order.
    """

    score: float | None
    components: tuple[HealthComponent, ...]

    def value(self, name: str) -> float | None:
        """The value of one component (``None`` without data).

        Raises
        ------
        KeyError
            An unknown component name.
        """
        for c in self.components:
            if c.name == name:
                return c.value
        raise KeyError(name)

    def component(self, name: str) -> HealthComponent:
        """One component record.

        Raises
        ------
        KeyError
            An unknown component name.
        """
        for c in self.components:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def coverage(self) -> float:
        """Share of the specification's weight (0-1) that rests on data."""
        return sum(c.weight for c in self.components if c.value is not None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe row: ``score``, ``components`` (name -> value or None), ``details``."""
        return {
            "score": self.score,
            "components": {c.name: c.value for c in self.components},
            "details": [c.to_dict() for c in self.components],
        }


def combine(values: dict[str, float | None], weights: HealthWeights) -> float | None:
    """Weighted mean of the components with data, weights renormalised; ``None`` if none.

    Parameters
    ----------
    values : dict
        Component name -> 0-100 or ``None``.
    weights : HealthWeights

    Returns
    -------
    float or None
    """
    w = weights.as_dict()
    have = [(w[n], v) for n, v in values.items() if v is not None and math.isfinite(v)]
    total = sum(wi for wi, _ in have)
    if not have or total <= 0:
        return None
    return min(100.0, max(0.0, sum(wi * v for wi, v in have) / total))


def health_score(ev: HealthEvidence, weights: HealthWeights | None = None) -> HealthScore:
    """Evidence-based health score 0-100 (module docstring).

    Parameters
    ----------
    ev : HealthEvidence
    weights : HealthWeights, optional
        Defaults to 40 / 30 / 20 / 10 %.

    Returns
    -------
    HealthScore
        The four components in :data:`COMPONENTS` order and their weighted mean.

    References
    ----------
    Page (1954), Bailey and Lopez de Prado (2012), Politis and Romano (1994): see
    :mod:`stratmon.health.components`.
    """
    w = weights if weights is not None else HealthWeights()
    wd = w.as_dict()
    if ev.n_obs < 1:
        return HealthScore(
            score=None,
            components=tuple(
                HealthComponent(n, None, None, "no data", "no live return yet", wd[n])
                for n in COMPONENTS
            ),
        )
    comps = (
        performance_component(
            weight=wd["performance"],
            n_obs=ev.n_obs,
            decay_statistic=ev.decay_statistic,
            decay_threshold=ev.decay_threshold,
            psr_vs_backtest=ev.psr_vs_backtest,
            cone_percentile=ev.cone_percentile,
            live_sharpe_ratio=ev.live_sharpe_ratio,
            backtest_sharpe_ratio=ev.backtest_sharpe_ratio,
            backtest_n_obs=ev.backtest_n_obs,
            decay_alarm=ev.decay_alarm,
            volatility_ratio=ev.volatility_ratio,
        ),
        drawdown_component(
            weight=wd["drawdown"],
            n_obs=ev.n_obs,
            current_drawdown=ev.current_drawdown,
            drawdown_probability=ev.drawdown_probability,
        ),
        win_rate_component(
            weight=wd["win_rate"],
            live_wins=ev.live_wins,
            live_trials=ev.live_trials,
            win_basis=ev.win_basis,
            backtest_win_rate=ev.backtest_win_rate,
            backtest_win_trials=ev.backtest_win_trials,
        ),
        trade_frequency_component(
            weight=wd["trade_frequency"],
            n_obs=ev.n_obs,
            live_trades=ev.live_trades,
            backtest_trades_per_day=ev.backtest_trades_per_day,
        ),
    )
    score = combine({c.name: c.value for c in comps}, w)
    if ev.decay_alarm and score is not None:
        score = min(score, ALARM_SCORE_CAP)
    return HealthScore(score=score, components=comps)
