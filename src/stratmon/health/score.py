"""The 0-100 health score of one strategy on one day, over a 30-day lookback.

``score = sum(weight_i * component_i)`` with the issue's weights: performance vs expectations
40 %, drawdown control 30 %, win-rate consistency 20 %, trade frequency 10 %. Each component's
mapping to 0-100 is documented in :mod:`stratmon.health.components`.

Insufficient data
-----------------
A component that cannot be judged (fewer than 30 daily returns for performance, fewer than 10
closed trades for win rate, no backtest scale...) takes the **neutral value 50** and keeps its
weight; it is listed in ``HealthScore.insufficient`` and ``coverage`` says which share of the
weight rests on data. Redistributing the weight instead was rejected: on day 5 a strategy with
no drawdown yet would score 100 ("perfect health") from drawdown alone, and one in a
drawdown would score near 0, both far more confident than five days allow. A neutral 50 pulls
an unjudged component towards "unknown", and the score moves away from 50 only as evidence
accrues.

Persisting: :meth:`HealthScore.to_dict` gives a flat, JSON-safe row (score, the four
components, coverage) for the store to keep one row per strategy per day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from stratmon.errors import ConfigError
from stratmon.health.components import (
    drawdown_component,
    performance_component,
    trade_frequency_component,
    win_rate_component,
)

COMPONENTS: tuple[str, ...] = ("performance", "drawdown", "win_rate", "trade_frequency")
NEUTRAL = 50.0
_NAN = math.nan


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


@dataclass(frozen=True, slots=True)
class HealthInputs:
    """What the health score needs, computed by the caller over the lookback window.

    Live figures are over the window (30 sessions by default); backtest figures describe the
    whole backtest. Fractions throughout (0.05 = 5 %); Sharpe ratios annualised. A figure that
    is not available is NaN (the default), never 0.

    Attributes
    ----------
    n_obs : int
        Live daily returns in the window.
    live_sharpe_ratio : float
        Annualised, from the window's daily returns.
    live_total_return : float
        Compounded return over the window.
    current_drawdown : float
        <= 0, from the running peak of NAV.
    live_max_drawdown : float
        <= 0, deepest drawdown within the window.
    live_win_rate : float
        Share of the window's closed round trips with pnl > 0.
    live_n_trades : int
        Closed round trips in the window.
    live_trades_per_day : float
        Closed round trips per trading day in the window.
    backtest_sharpe_ratio : float
        Annualised.
    backtest_mean_daily_return, backtest_daily_volatility : float
        Per period (std with ddof=1).
    backtest_max_drawdown : float
        < 0.
    backtest_win_rate, backtest_trades_per_day : float
    periods_per_year : int
        252 by default (365 for crypto).
    live_psr_vs_backtest : float
        PSR of the window's returns against the backtest Sharpe (probability); when given,
        the performance component's Sharpe part uses it (see ``performance_component``).
    """

    n_obs: int
    live_sharpe_ratio: float = _NAN
    live_total_return: float = _NAN
    current_drawdown: float = _NAN
    live_max_drawdown: float = _NAN
    live_win_rate: float = _NAN
    live_n_trades: int = 0
    live_trades_per_day: float = _NAN
    backtest_sharpe_ratio: float = _NAN
    backtest_mean_daily_return: float = _NAN
    backtest_daily_volatility: float = _NAN
    backtest_max_drawdown: float = _NAN
    backtest_win_rate: float = _NAN
    backtest_trades_per_day: float = _NAN
    periods_per_year: int = 252
    live_psr_vs_backtest: float = _NAN


@dataclass(frozen=True, slots=True)
class HealthScore:
    """A day's health score.

    ``score`` and each of ``components`` are in [0, 100]; ``reasons`` holds one short sentence
    per component; ``insufficient`` names the components that took the neutral value;
    ``coverage`` is the share of the weight (0-1) that rests on data.
    """

    score: float
    components: dict[str, float]
    reasons: dict[str, str]
    insufficient: frozenset[str] = field(default_factory=frozenset)
    coverage: float = 1.0

    def to_dict(self) -> dict[str, float]:
        """Flat row for persistence: ``score``, ``performance``, ... , ``coverage``."""
        row = {"score": self.score, **self.components, "coverage": self.coverage}
        return {k: float(v) for k, v in row.items()}


def health_score(
    inputs: HealthInputs,
    weights: HealthWeights | None = None,
    *,
    min_obs: int = 30,
    min_trades: int = 10,
    min_expected_trades: float = 5.0,
) -> HealthScore:
    """Health score 0-100 from the window's live figures and the backtest's.

    Parameters
    ----------
    inputs : HealthInputs
    weights : HealthWeights, optional
        Defaults to 40 / 30 / 20 / 10 %.
    min_obs : int
        Daily returns needed for the performance component (DESIGN.md: 30).
    min_trades : int
        Closed trades needed for the win-rate component (DESIGN.md: 10).
    min_expected_trades : float
        Trades the backtest must expect over the window for the frequency component.

    Returns
    -------
    HealthScore

    References
    ----------
    Lo, A. W. (2002), The Statistics of Sharpe Ratios, for the Sharpe z-score.
    """
    w = weights if weights is not None else HealthWeights()
    x = inputs
    raw: dict[str, tuple[float | None, str]] = {
        "performance": performance_component(
            live_sharpe_ratio=x.live_sharpe_ratio,
            live_total_return=x.live_total_return,
            backtest_sharpe_ratio=x.backtest_sharpe_ratio,
            backtest_mean_daily_return=x.backtest_mean_daily_return,
            backtest_daily_volatility=x.backtest_daily_volatility,
            n_obs=x.n_obs,
            periods_per_year=x.periods_per_year,
            min_obs=min_obs,
            live_psr_vs_backtest=x.live_psr_vs_backtest,
        ),
        "drawdown": drawdown_component(
            current_drawdown=x.current_drawdown,
            live_max_drawdown=x.live_max_drawdown,
            backtest_max_drawdown=x.backtest_max_drawdown,
            n_obs=x.n_obs,
        ),
        "win_rate": win_rate_component(
            live_win_rate=x.live_win_rate,
            live_n_trades=x.live_n_trades,
            backtest_win_rate=x.backtest_win_rate,
            min_trades=min_trades,
        ),
        "trade_frequency": trade_frequency_component(
            live_trades_per_day=x.live_trades_per_day,
            backtest_trades_per_day=x.backtest_trades_per_day,
            n_obs=x.n_obs,
            min_expected_trades=min_expected_trades,
        ),
    }
    weight = w.as_dict()
    components: dict[str, float] = {}
    reasons: dict[str, str] = {}
    insufficient: set[str] = set()
    for name, (value, reason) in raw.items():
        if value is None:
            components[name] = NEUTRAL
            insufficient.add(name)
        else:
            components[name] = min(100.0, max(0.0, value))
        reasons[name] = reason
    score = sum(weight[n] * components[n] for n in COMPONENTS)
    coverage = sum(weight[n] for n in COMPONENTS if n not in insufficient)
    return HealthScore(
        score=min(100.0, max(0.0, score)),
        components=components,
        reasons=reasons,
        insufficient=frozenset(insufficient),
        coverage=coverage,
    )
