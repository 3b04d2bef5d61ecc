"""First-form alert rules: one :class:`Condition` per enabled rule and strategy.

Rules (thresholds from :class:`~stratmon.alerts.config.AlertConfig`)
--------------------------------------------------------------------
``underperformance``
    Active when the live return over the last ``window`` sessions is more than ``threshold``
    below the backtest's expected return over the same window: ``R < E - threshold * |E|``.
    For ``E > 0`` that is ``R < 0.8 E`` at the default 20 %; the ``|E|`` keeps the rule
    meaningful for a backtest that expected a loss over the window. ``E`` is computed by the
    caller, e.g. with :func:`expected_window_return`. Not evaluable (``active=None``) until the
    window holds ``window`` live sessions, or when ``R`` or ``E`` is missing.
``drawdown``
    Active when the current drawdown is beyond ``fraction_of_backtest`` x the backtest's max
    drawdown: ``DD < 0.75 * MDD_bt`` (both negative). Evaluable from the first session; not
    when either figure is missing. A backtest max drawdown of 0 makes any loss active.
``win_rate``
    Active when the live win rate is more than ``points_below`` under the backtest's:
    ``WR < WR_bt - 0.15``. Not evaluable below ``min_trades`` closed trades.

Boundaries: "more than" / "beyond" are strict, and a value within 1e-9 of the threshold
counts as *at* it (not active), so that e.g. a live win rate of 8/20 = 0.40 against a backtest
0.55 is exactly 15 points below, not "more than", despite floating-point rounding.

A NaN or infinite input makes a rule not evaluable (``active=None``). Disabled rules produce
no condition. ``value`` and ``threshold`` of a condition are in the
rule's units: window return and its alert level, current drawdown and its level, win rate and
its level, all fractions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from stratmon.alerts.config import AlertConfig, Tier

EPS = 1e-9

Identity = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class RuleContext:
    """Figures of one strategy on one evaluation day (fractions; NaN when unknown).

    Attributes
    ----------
    strategy_id : str
    window_sessions : int
        Live sessions (daily returns) available in the underperformance window.
    window_return : float
        Compounded live return over the window.
    expected_window_return : float
        The backtest's expected return over the same number of sessions.
    current_drawdown : float
        <= 0.
    backtest_max_drawdown : float
        <= 0.
    live_win_rate : float
        Over the win-rate window (last N trades or last N sessions, see the config).
    live_n_trades : int
        Closed trades behind ``live_win_rate``.
    backtest_win_rate : float
    """

    strategy_id: str
    window_sessions: int = 0
    window_return: float = math.nan
    expected_window_return: float = math.nan
    current_drawdown: float = math.nan
    backtest_max_drawdown: float = math.nan
    live_win_rate: float = math.nan
    live_n_trades: int = 0
    backtest_win_rate: float = math.nan


@dataclass(frozen=True, slots=True)
class Condition:
    """The outcome of one rule for one strategy on one evaluation.

    ``active`` is ``True``/``False``, or ``None`` when the rule cannot be evaluated
    (insufficient data). ``value`` and ``threshold`` are fractions in the rule's units.
    ``recovery_active`` (rules with a separate recovery threshold) says whether the value is
    still beyond the recovery level: a firing alert stays active while it is ``True``.
    ``severity`` is the tier reached by a tiered rule (empty: the identity's ``tier``).
    """

    rule: str
    strategy_id: str
    tier: Tier
    active: bool | None
    value: float
    threshold: float
    message: str
    recovery_active: bool | None = None
    severity: str = ""

    @property
    def identity(self) -> Identity:
        """``(rule, strategy_id, tier)``: one alert state per identity."""
        return (self.rule, self.strategy_id, self.tier)


def expected_window_return(backtest_mean_daily: float, window: int) -> float:
    """Backtest's expected compounded return over ``window`` sessions.

    Parameters
    ----------
    backtest_mean_daily : float
        Mean daily simple return of the backtest, fraction per session.
    window : int
        Number of sessions (>= 0).

    Returns
    -------
    float
        ``(1 + backtest_mean_daily) ** window - 1``.

    Raises
    ------
    ValueError
        When ``window < 0``.
    """
    if window < 0:
        raise ValueError(f"window must be >= 0, got {window}")
    return (1.0 + backtest_mean_daily) ** window - 1.0


def pct(x: float, digits: int = 1) -> str:
    """Human text for a fraction: ``0.0123 -> "1.2 %"``; NaN -> ``"n/a"``."""
    if math.isnan(x):
        return "n/a"
    return f"{100.0 * x:.{digits}f} %"


def _nan_in(*values: float) -> bool:
    """True when a value is NaN or infinite: no rule can judge it."""
    return not all(math.isfinite(v) for v in values)


def underperformance_condition(ctx: RuleContext, config: AlertConfig) -> Condition:
    """Evaluate the underperformance rule (module docstring).

    Parameters
    ----------
    ctx : RuleContext
    config : AlertConfig

    Returns
    -------
    Condition
    """
    cfg = config.underperformance
    r, e = ctx.window_return, ctx.expected_window_return
    level = e - cfg.threshold * abs(e) if math.isfinite(e) else math.nan
    lead = f"Return over the last {cfg.window} sessions"
    if ctx.window_sessions < cfg.window:
        active: bool | None = None
        msg = f"Not evaluated: {ctx.window_sessions} of {cfg.window} sessions in the window."
    elif _nan_in(r, e):
        active = None
        msg = f"Not evaluated: window return {pct(r)}, backtest expectation {pct(e)}."
    elif r < level - EPS:
        active = True
        msg = (
            f"{lead} is {pct(r)}, more than {pct(cfg.threshold, 0)} below the backtest "
            f"expectation of {pct(e)} (alert below {pct(level)})."
        )
    else:
        active = False
        msg = (
            f"{lead} is {pct(r)}, within {pct(cfg.threshold, 0)} of the backtest "
            f"expectation of {pct(e)} (alert below {pct(level)})."
        )
    return Condition("underperformance", ctx.strategy_id, cfg.tier, active, r, level, msg)


def drawdown_condition(ctx: RuleContext, config: AlertConfig) -> Condition:
    """Evaluate the drawdown rule (module docstring).

    Parameters
    ----------
    ctx : RuleContext
    config : AlertConfig

    Returns
    -------
    Condition
    """
    cfg = config.drawdown
    dd, mdd = ctx.current_drawdown, ctx.backtest_max_drawdown
    level = -cfg.fraction_of_backtest * abs(mdd) if math.isfinite(mdd) else math.nan
    frac = pct(cfg.fraction_of_backtest, 0)
    if _nan_in(dd, mdd):
        active: bool | None = None
        msg = f"Not evaluated: current drawdown {pct(dd)}, backtest max drawdown {pct(mdd)}."
    elif dd < level - EPS:
        active = True
        msg = (
            f"Current drawdown {pct(dd)} is beyond {frac} of the backtest max drawdown "
            f"{pct(mdd)} (alert beyond {pct(level)})."
        )
    else:
        active = False
        msg = (
            f"Current drawdown {pct(dd)} is within {frac} of the backtest max drawdown "
            f"{pct(mdd)} (alert beyond {pct(level)})."
        )
    return Condition("drawdown", ctx.strategy_id, cfg.tier, active, dd, level, msg)


def win_rate_condition(ctx: RuleContext, config: AlertConfig) -> Condition:
    """Evaluate the win-rate rule (module docstring).

    Parameters
    ----------
    ctx : RuleContext
    config : AlertConfig

    Returns
    -------
    Condition
    """
    cfg = config.win_rate
    wr, bt = ctx.live_win_rate, ctx.backtest_win_rate
    level = bt - cfg.points_below if math.isfinite(bt) else math.nan
    pts = f"{100 * cfg.points_below:.0f} points"
    if ctx.live_n_trades < cfg.min_trades:
        active: bool | None = None
        msg = f"Not evaluated: {ctx.live_n_trades} closed trades < {cfg.min_trades} required."
    elif _nan_in(wr, bt):
        active = None
        msg = f"Not evaluated: live win rate {pct(wr)}, backtest win rate {pct(bt)}."
    else:
        gap = 100.0 * (bt - wr)
        active = wr < level - EPS
        where = f"{gap:.1f} points below" if gap >= 0 else f"{-gap:.1f} points above"
        relation = f"more than {pts} below" if active else f"not more than {pts} below"
        msg = (
            f"Win rate {pct(wr)} over {ctx.live_n_trades} trades is {where} the backtest's "
            f"{pct(bt)}: {relation} (alert below {pct(level)})."
        )
    return Condition("win_rate", ctx.strategy_id, cfg.tier, active, wr, level, msg)


def evaluate_rules(ctx: RuleContext, config: AlertConfig | None = None) -> list[Condition]:
    """Evaluate every enabled first-form rule for one strategy.

    Parameters
    ----------
    ctx : RuleContext
        The strategy's figures on the evaluation day.
    config : AlertConfig, optional
        Defaults to ``AlertConfig()``.

    Returns
    -------
    list of Condition
        In the order underperformance, drawdown, win_rate; disabled rules are skipped.
    """
    cfg = config if config is not None else AlertConfig()
    out: list[Condition] = []
    if cfg.underperformance.enabled:
        out.append(underperformance_condition(ctx, cfg))
    if cfg.drawdown.enabled:
        out.append(drawdown_condition(ctx, cfg))
    if cfg.win_rate.enabled:
        out.append(win_rate_condition(ctx, cfg))
    return out
