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

Significance gates: each of these rules judges live against the backtest, so it fires only
when its parameter's condition holds AND the difference is significant over the window named
in its message (``significance`` of the rule's config; 1 switches the test off):
underperformance -- one-sided Welch t-test of the window's mean daily return against the
backtest's; drawdown -- the probability of a drawdown that deep within the live record under
the backtest's bootstrap; win_rate -- exact one-sided binomial test of the wins against the
backtest's win rate. A rule whose test lacks a figure is not evaluated. The condition's
``metrics`` carry the live and backtest figures and the p-value, ``window`` the window.

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
from collections.abc import Mapping
from dataclasses import dataclass, field

from stratmon.alerts.config import AlertConfig, Tier
from stratmon.alerts.significance import (
    fmt_p,
    mean_shortfall_p_value,
    significant,
    win_rate_p_value,
)

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
    window_mean_return : float
        Arithmetic mean daily return over the underperformance window.
    backtest_mean_return, backtest_daily_volatility : float
        Mean and standard deviation of the backtest's daily returns.
    live_sessions : int
        Live returns of the whole record (the drawdown rule's window).
    drawdown_probability : float
        P(a drawdown at least as deep as the current one within ``live_sessions`` sessions |
        the backtest's bootstrap): the drawdown rule's p-value.
    window_volatility : float
        Standard deviation (ddof=1) of the daily returns over the underperformance window.
    backtest_n_obs : int
        The backtest's number of returns (0: unknown; its mean is then taken as known).
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
    window_mean_return: float = math.nan
    backtest_mean_return: float = math.nan
    backtest_daily_volatility: float = math.nan
    live_sessions: int = 0
    drawdown_probability: float = math.nan
    window_volatility: float = math.nan
    backtest_n_obs: int = 0


@dataclass(frozen=True, slots=True)
class Condition:
    """The outcome of one rule for one strategy on one evaluation.

    ``active`` is ``True``/``False``, or ``None`` when the rule cannot be evaluated
    (insufficient data). ``value`` and ``threshold`` are fractions in the rule's units.
    ``recovery_active`` (rules with a separate recovery threshold) says whether the value is
    still beyond the recovery level: a firing alert stays active while it is ``True``.
    ``severity`` is the tier reached by a tiered rule (empty: the identity's ``tier``).
    ``metrics`` holds the live and backtest figures (and the p-value) behind the outcome;
    ``window`` names the window they were measured over (``"30 sessions"``, ``"live record"``).
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
    metrics: Mapping[str, float] = field(default_factory=dict)
    window: str = ""

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


def gate_text(p: float, level: float, where: str) -> str:
    """``"significant over the last 30 sessions (p = 0.004 < 0.01)"`` or its negation."""
    if level >= 1.0:
        return f"significance test off ({fmt_p(p)} {where})"
    if p < level:
        return f"significant {where} ({fmt_p(p)} < {level:g})"
    return f"not significant {where} ({fmt_p(p)}, alert below {level:g})"


def underperformance_condition(ctx: RuleContext, config: AlertConfig) -> Condition:
    """Evaluate the underperformance rule (module docstring).

    Active when ``R < E - threshold * |E|`` AND the window's mean daily return is
    significantly below the backtest's: one-sided Welch t-test ``p < significance``
    (:func:`~stratmon.alerts.significance.mean_shortfall_p_value`). Measured with the
    defaults (30 sessions, 20 %, significance 0.001, for 2 / clear 3) on strategies that behave
    exactly like their backtests (``benchmarks/alerts.py``, 720 strategy-years): 0.037 firings
    per strategy-year (worst cell 0.092); at 1 % it was 0.55. See docs/alerts.md.

    Parameters
    ----------
    ctx : RuleContext
    config : AlertConfig

    Returns
    -------
    Condition
        ``metrics``: ``window_return``, ``expected_window_return``, ``p_value``.
    """
    cfg = config.underperformance
    r, e = ctx.window_return, ctx.expected_window_return
    level = e - cfg.threshold * abs(e) if math.isfinite(e) else math.nan
    window = f"{cfg.window} sessions"
    where = f"over the last {window}"
    lead = f"Return {where}"
    p = mean_shortfall_p_value(
        ctx.window_sessions,
        ctx.window_mean_return,
        ctx.window_volatility,
        ctx.backtest_mean_return,
        ctx.backtest_daily_volatility,
        ctx.backtest_n_obs or None,
    )
    figures = {"window_return": r, "expected_window_return": e, "p_value": p}
    if ctx.window_sessions < cfg.window:
        active: bool | None = None
        msg = f"Not evaluated: {ctx.window_sessions} of {cfg.window} sessions in the window."
    elif _nan_in(r, e):
        active = None
        msg = f"Not evaluated: window return {pct(r)}, backtest expectation {pct(e)}."
    elif _nan_in(p) and cfg.significance < 1:
        active = None
        msg = (
            f"Not evaluated: no significance test {where} (window mean or volatility, or the "
            "backtest's, unknown)."
        )
    elif r < level - EPS:
        active = significant(p, cfg.significance)
        msg = (
            f"{lead} is {pct(r)}, more than {pct(cfg.threshold, 0)} below the backtest "
            f"expectation of {pct(e)} (alert below {pct(level)}): "
            f"{gate_text(p, cfg.significance, where)}."
        )
    else:
        active = False
        msg = (
            f"{lead} is {pct(r)}, within {pct(cfg.threshold, 0)} of the backtest "
            f"expectation of {pct(e)} (alert below {pct(level)}; {fmt_p(p)})."
        )
    return Condition(
        "underperformance",
        ctx.strategy_id,
        cfg.tier,
        active,
        r,
        level,
        msg,
        metrics=figures,
        window=window,
    )


def drawdown_condition(ctx: RuleContext, config: AlertConfig) -> Condition:
    """Evaluate the drawdown rule (module docstring).

    Active when the current drawdown is beyond ``fraction_of_backtest`` x the backtest's max
    drawdown AND a drawdown that deep within the live record is improbable under the
    backtest's bootstrap: ``drawdown_probability < significance`` (default 0.001). Measured
    (``benchmarks/alerts.py``): 0.062 firings per strategy-year (worst cell 0.15, GARCH-t; 0.008
    on Gaussian paths). See docs/alerts.md.

    Parameters
    ----------
    ctx : RuleContext
    config : AlertConfig

    Returns
    -------
    Condition
        ``metrics``: ``current_drawdown``, ``backtest_max_drawdown``, ``p_value``.
    """
    cfg = config.drawdown
    dd, mdd = ctx.current_drawdown, ctx.backtest_max_drawdown
    level = -cfg.fraction_of_backtest * abs(mdd) if math.isfinite(mdd) else math.nan
    frac = pct(cfg.fraction_of_backtest, 0)
    p = ctx.drawdown_probability
    window = "live record"
    where = f"over the live record ({ctx.live_sessions} sessions)"
    figures = {"current_drawdown": dd, "backtest_max_drawdown": mdd, "p_value": p}
    if _nan_in(dd, mdd):
        active: bool | None = None
        msg = f"Not evaluated: current drawdown {pct(dd)}, backtest max drawdown {pct(mdd)}."
    elif dd < level - EPS:
        if _nan_in(p) and cfg.significance < 1:
            active = None
            msg = (
                f"Not evaluated: current drawdown {pct(dd)} is beyond {frac} of the backtest "
                f"max drawdown {pct(mdd)}, but its probability under the backtest is unknown."
            )
        else:
            active = significant(p, cfg.significance)
            msg = (
                f"Current drawdown {pct(dd)} is beyond {frac} of the backtest max drawdown "
                f"{pct(mdd)} (alert beyond {pct(level)}): {gate_text(p, cfg.significance, where)}."
            )
    else:
        active = False
        msg = (
            f"Current drawdown {pct(dd)} is within {frac} of the backtest max drawdown "
            f"{pct(mdd)} (alert beyond {pct(level)})."
        )
    return Condition(
        "drawdown",
        ctx.strategy_id,
        cfg.tier,
        active,
        dd,
        level,
        msg,
        metrics=figures,
        window=window,
    )


def win_rate_condition(ctx: RuleContext, config: AlertConfig) -> Condition:
    """Evaluate the win-rate rule (module docstring).

    Active when the live win rate is more than ``points_below`` under the backtest's AND the
    exact one-sided binomial test of the wins against the backtest rate gives
    ``p < significance`` (default 0.002). Measured (``benchmarks/alerts.py``, trades = sessions,
    wins = positive sessions): 0.106 firings per strategy-year (worst cell 0.27, GARCH-t
    Sharpe 3). See docs/alerts.md.

    Parameters
    ----------
    ctx : RuleContext
    config : AlertConfig

    Returns
    -------
    Condition
        ``metrics``: ``live_win_rate``, ``backtest_win_rate``, ``n_trades``, ``p_value``.
    """
    cfg = config.win_rate
    wr, bt = ctx.live_win_rate, ctx.backtest_win_rate
    level = bt - cfg.points_below if math.isfinite(bt) else math.nan
    pts = f"{100 * cfg.points_below:.0f} points"
    n = ctx.live_n_trades
    window = (
        f"last {cfg.window_trades} trades"
        if cfg.window_trades is not None
        else f"{cfg.window_sessions} sessions"
    )
    wins = round(wr * n) if math.isfinite(wr) else 0
    p = win_rate_p_value(wins, n, bt) if math.isfinite(wr) else math.nan
    figures = {"live_win_rate": wr, "backtest_win_rate": bt, "n_trades": float(n), "p_value": p}
    if n < cfg.min_trades:
        active: bool | None = None
        msg = f"Not evaluated: {n} closed trades < {cfg.min_trades} required."
    elif _nan_in(wr, bt) or (_nan_in(p) and cfg.significance < 1):
        active = None
        msg = f"Not evaluated: live win rate {pct(wr)}, backtest win rate {pct(bt)}."
    else:
        gap = 100.0 * (bt - wr)
        below = wr < level - EPS
        active = below and significant(p, cfg.significance)
        where = f"{gap:.1f} points below" if gap >= 0 else f"{-gap:.1f} points above"
        relation = f"more than {pts} below" if below else f"not more than {pts} below"
        gate = gate_text(p, cfg.significance, f"over {n} trades") if below else fmt_p(p)
        msg = (
            f"Win rate {pct(wr)} over {n} trades ({window}) is {where} the backtest's "
            f"{pct(bt)}: {relation} (alert below {pct(level)}); {gate}."
        )
    return Condition(
        "win_rate",
        ctx.strategy_id,
        cfg.tier,
        active,
        wr,
        level,
        msg,
        metrics=figures,
        window=window,
    )


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
    from stratmon.alerts.registry import build_context_conditions

    return build_context_conditions(ctx, config if config is not None else AlertConfig())
