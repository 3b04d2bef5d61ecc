"""The full rule set: conditions from one strategy's evaluation (metrics, statistics, positions,
findings), beyond the first-form rules of :mod:`stratmon.alerts.rules`.

Every rule gives one :class:`~stratmon.alerts.rules.Condition` per strategy (``active=None``
when it cannot be judged: too few observations, a figure missing) with ``value`` and
``threshold`` in the rule's units. Rules, by category:

performance
    ``relative_sharpe`` (live Sharpe over the window < factor x backtest Sharpe, backtest > 0),
    ``relative_return`` (live CAGR over the window < factor x backtest CAGR, backtest > 0),
    ``max_drawdown_vs_backtest`` (live max drawdown < factor x backtest max drawdown),
    ``drawdown_tiers`` (current drawdown deeper than 10 / 15 / 20 %: warning / critical /
    emergency, one alert whose severity escalates), ``statistical_drawdown`` (beyond the
    backtest-implied MaxDD-95 / MaxDD-99), ``drawdown_duration`` (under water for more than
    ``max_days`` calendar days), ``psr`` (PSR against the backtest Sharpe below threshold).
risk
    ``volatility`` (annualised volatility over the window > factor x backtest's),
    ``value_at_risk`` (historical VaR-95 over the window beyond ``-limit``),
    ``concentration`` (largest |position| / NAV > ``max_weight``), ``gross_exposure``
    (gross exposure / NAV > ``max_leverage``), ``utilisation`` (margin used / NAV).
milestone (info)
    ``profitable`` (live total return > 0), ``annual_return_target`` (year-to-date return
    >= target), ``new_max_drawdown`` (today set a new live max drawdown deeper than
    ``min_depth``).
data_quality
    ``stale_data`` (more than ``max_missing_sessions`` sessions without data),
    ``outlier`` and ``nav_disconnect`` (an ingest finding of that kind on the latest data day).

Boundaries are strict ("more than", "beyond") with the 1e-9 tolerance of the first-form rules.
A rule's ``recovery`` is written like its main parameter (a factor for the factor rules, a
depth for ``drawdown_tiers``, a limit for the limit rules) and yields ``recovery_active``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np

from stratmon.alerts.config import TIER_RANK, AlertConfig
from stratmon.alerts.rules import EPS, Condition, gate_text, pct
from stratmon.alerts.significance import (
    fmt_p,
    mean_shortfall_p_value,
    sharpe_shortfall_p_value,
    significant,
    volatility_excess_p_value,
)
from stratmon.domain.numbers import as_float as _f
from stratmon.metrics import returns_from_nav


def _n(x: Any) -> int:
    v = _f(x)
    return int(v) if math.isfinite(v) else 0


@dataclass(frozen=True)
class AlertInputs:
    """One strategy's figures on one evaluation day (fractions; NaN when unknown).

    Attributes
    ----------
    strategy_id : str
    as_of : datetime.date
    metrics : mapping window -> mapping metric -> float
        ``summarize`` rows keyed ``"all"`` and the trailing window lengths (``"30"``...),
        each with ``n_obs``.
    statistics : mapping
        The evaluation's live-vs-backtest statistics (``psr_vs_backtest``, ``drawdown`` with
        ``max_drawdown_95``/``_99``...).
    backtest_metrics : mapping metric -> float
        The backtest's ``summarize`` row (``sharpe_ratio``, ``cagr``, ``max_drawdown``,
        ``annual_volatility``...).
    nav_dates : sequence of date, shape (T,)
    nav, cash_flow : ndarray, shape (T,)
    missing_sessions : int or None
        Sessions of the strategy's calendar after its last data date, up to ``as_of``.
    positions : sequence of mappings with ``market_value``, or None
        The positions snapshot of ``as_of`` itself; ``None`` when that day has none (positions
        unknown: the position rules are not evaluated). Zero market values are a flat book.
    gross_exposure, margin_used : float
        From the latest daily record (money).
    findings : sequence of mappings with ``kind`` and ``date``
        Ingest findings of the strategy.
    returns : ndarray, shape (T-1,), optional
        The time-weighted daily returns of ``nav`` and ``cash_flow`` when the caller already
        has them (the daily job); computed from NAV otherwise.
    periods_per_year : int
        Of the strategy's calendar (de-annualises the Sharpe ratio and volatility).
    """

    strategy_id: str
    as_of: dt.date
    metrics: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    statistics: Mapping[str, Any] = field(default_factory=dict)
    backtest_metrics: Mapping[str, Any] = field(default_factory=dict)
    nav_dates: Sequence[dt.date] = ()
    nav: np.ndarray | None = None
    cash_flow: np.ndarray | None = None
    missing_sessions: int | None = None
    positions: Sequence[Mapping[str, Any]] | None = None
    gross_exposure: float = math.nan
    margin_used: float = math.nan
    findings: Sequence[Mapping[str, Any]] = ()
    returns: np.ndarray | None = None
    periods_per_year: int = 252

    @cached_property
    def wealth(self) -> np.ndarray | None:
        """Compounded wealth from 1.0 on the first NAV day, shape (T,); missing returns
        count as flat. ``None`` with fewer than two NAV days."""
        if self.nav is None or self.nav.size < 2:
            return None
        r = (
            self.returns
            if self.returns is not None
            else returns_from_nav(self.nav, self.cash_flow)[1:]
        )
        r = np.where(np.isfinite(r), r, 0.0)
        return np.concatenate([[1.0], np.cumprod(1.0 + r)])

    def window(self, label: str | int) -> Mapping[str, Any]:
        return self.metrics.get(str(label), {})

    @property
    def last_nav(self) -> float:
        return float(self.nav[-1]) if self.nav is not None and self.nav.size else math.nan


def _cond(
    rule: str,
    inp: AlertInputs,
    config: AlertConfig,
    active: bool | None,
    value: float,
    threshold: float,
    message: str,
    *,
    recovery_active: bool | None = None,
    severity: str = "",
    metrics: Mapping[str, float] | None = None,
    window: str = "",
) -> Condition:
    cfg = config.rule(rule)
    assert cfg is not None
    return Condition(
        rule,
        inp.strategy_id,
        cfg.tier,
        active,
        value,
        threshold,
        message,
        recovery_active=recovery_active,
        severity=severity,
        metrics=dict(metrics or {}),
        window=window,
    )


def _below(value: float, level: float) -> bool:
    return value < level - EPS


def _above(value: float, level: float) -> bool:
    return value > level + EPS


PValue = Callable[[Mapping[str, Any], AlertInputs], float]


def _factor_rule(
    rule: str,
    inp: AlertInputs,
    config: AlertConfig,
    metric: str,
    label: str,
    *,
    backtest_positive: bool,
    below: bool,
    p_value: PValue,
) -> Condition:
    """live < factor x backtest (``below``) or live > factor x backtest over the window, AND
    the gate's one-sided ``p_value(window metrics, inputs) < significance``."""
    cfg = config.rule(rule)
    assert cfg is not None
    factor = float(cfg.factor)  # type: ignore[attr-defined]
    level_p = float(cfg.significance)  # type: ignore[attr-defined]
    window = getattr(cfg, "window", None)
    min_obs = int(getattr(cfg, "min_obs", 1))
    m = inp.window(window) if window is not None else inp.window("all")
    win = f"{window} sessions" if window is not None else "live record"
    where = f"over the last {window} sessions" if window is not None else "over the live record"
    n = _n(m.get("n_obs")) if m else 0
    live, bt = _f(m.get(metric)), _f(inp.backtest_metrics.get(metric))
    p = p_value(m, inp) if m else math.nan
    figures = {"live": live, "backtest": bt, "n_obs": float(n), "p_value": p}

    def out(active: bool | None, level: float, msg: str, rec: bool | None = None) -> Condition:
        return _cond(
            rule,
            inp,
            config,
            active,
            live,
            level,
            msg,
            recovery_active=rec,
            metrics=figures,
            window=win,
        )

    if not m:
        return out(None, math.nan, f"Not evaluated: no {where} data.")
    if n < min_obs:
        return out(None, math.nan, f"Not evaluated: {n} of {min_obs} returns {where}.")
    if not (math.isfinite(live) and math.isfinite(bt)) or (backtest_positive and bt <= 0):
        return out(None, math.nan, f"Not evaluated: live {label} {live:.3g}, backtest {bt:.3g}.")
    level = factor * bt
    test = _below if below else _above
    beyond = test(live, level)
    word = "below" if below else "above"
    if beyond and not math.isfinite(p) and level_p < 1:
        msg = (
            f"Not evaluated: {label} {where} is {live:.3g}, {word} {factor:g} x the backtest's "
            f"{bt:.3g}, but the significance test lacks a figure."
        )
        return out(None, level, msg)
    active = beyond and significant(p, level_p)
    rec = None
    if cfg.recovery is not None:
        rec = test(live, cfg.recovery * bt)
    verdict = "" if beyond else "not "
    gate = gate_text(p, level_p, where) if beyond else fmt_p(p)
    msg = (
        f"{label} {where} is {live:.3g}, {verdict}{word} {factor:g} x the backtest's "
        f"{bt:.3g} (alert {word} {level:.3g}); {gate}."
    )
    return out(active, level, msg, rec)


def _bt(inp: AlertInputs, key: str) -> float:
    return _f(inp.backtest_metrics.get(key))


def _sharpe_p(m: Mapping[str, Any], inp: AlertInputs) -> float:
    root = math.sqrt(inp.periods_per_year)
    n_bt = _n(inp.backtest_metrics.get("n_obs"))
    return sharpe_shortfall_p_value(
        _n(m.get("n_obs")),
        _f(m.get("sharpe_ratio")) / root,
        _bt(inp, "sharpe_ratio") / root,
        _bt(inp, "skew"),
        _bt(inp, "kurtosis") + 3.0,
        n_bt if n_bt >= 2 else None,
    )


def _mean_p(m: Mapping[str, Any], inp: AlertInputs) -> float:
    root = math.sqrt(inp.periods_per_year)
    n_bt = _n(inp.backtest_metrics.get("n_obs"))
    return mean_shortfall_p_value(
        _n(m.get("n_obs")),
        _f(m.get("mean_daily_return")),
        _f(m.get("annual_volatility")) / root,
        _bt(inp, "mean_daily_return"),
        _bt(inp, "annual_volatility") / root,
        n_bt if n_bt >= 2 else None,
    )


def _vol_p(m: Mapping[str, Any], inp: AlertInputs) -> float:
    return volatility_excess_p_value(
        _n(m.get("n_obs")),
        _f(m.get("annual_volatility")),
        _bt(inp, "annual_volatility"),
        _bt(inp, "kurtosis"),
    )


def relative_sharpe_condition(inp: AlertInputs, config: AlertConfig) -> Condition:
    """Live Sharpe ratio over the window below ``factor`` x the backtest Sharpe, AND
    significantly below it: one-sided Mertens z-test with the backtest's skew and kurtosis and
    its estimation error, ``p < significance`` (default 0.002). Measured
    (``benchmarks/alerts.py``): 0.033 firings per strategy-year (worst cell 0.058).

    References
    ----------
    Mertens (2002); Opdyke (2007).
    """
    return _factor_rule(
        "relative_sharpe",
        inp,
        config,
        "sharpe_ratio",
        "Sharpe ratio",
        backtest_positive=True,
        below=True,
        p_value=_sharpe_p,
    )


def relative_return_condition(inp: AlertInputs, config: AlertConfig) -> Condition:
    """Live annualised return (CAGR) over the window below ``factor`` x the backtest's, AND
    the window's mean daily return significantly below the backtest's (one-sided Welch
    t-test, ``p < significance``, default 0.002). Measured (``benchmarks/alerts.py``): 0.044
    firings per strategy-year (worst cell 0.125)."""
    return _factor_rule(
        "relative_return",
        inp,
        config,
        "cagr",
        "Annualised return",
        backtest_positive=True,
        below=True,
        p_value=_mean_p,
    )


def volatility_condition(inp: AlertInputs, config: AlertConfig) -> Condition:
    """Annualised volatility over the window above ``factor`` x the backtest's, AND
    significantly above it (chi-square test of the variance with the backtest's kurtosis,
    ``p < significance``, default 0.0002). Measured (``benchmarks/alerts.py``): 0.247 firings
    per strategy-year, all of it on GARCH-t paths (0.46-0.49; 0.01-0.03 on Gaussian ones):
    volatility clustering the chi-square test does not model."""
    return _factor_rule(
        "volatility",
        inp,
        config,
        "annual_volatility",
        "Annualised volatility",
        backtest_positive=True,
        below=False,
        p_value=_vol_p,
    )


def max_drawdown_condition(inp: AlertInputs, config: AlertConfig) -> Condition:
    """Live max drawdown worse than ``factor`` x the backtest's max drawdown (both <= 0), AND
    improbable under the backtest: ``statistics["max_drawdown_probability"]`` (P(a max
    drawdown that deep within the live record's length | the backtest's bootstrap)) below
    ``significance`` (default 0.001). Measured (``benchmarks/alerts.py``): 0.019 firings per
    strategy-year (worst cell 0.042)."""
    cfg = config.max_drawdown_vs_backtest
    live = _f(inp.window("all").get("max_drawdown"))
    bt = _f(inp.backtest_metrics.get("max_drawdown"))
    p = _f(inp.statistics.get("max_drawdown_probability"))
    n = _n(inp.window("all").get("n_obs"))
    figures = {"live_max_drawdown": live, "backtest_max_drawdown": bt, "p_value": p}
    where = f"over the live record ({n} sessions)"

    def out(active: bool | None, level: float, msg: str, rec: bool | None = None) -> Condition:
        return _cond(
            "max_drawdown_vs_backtest",
            inp,
            config,
            active,
            live,
            level,
            msg,
            recovery_active=rec,
            metrics=figures,
            window="live record",
        )

    if not (math.isfinite(live) and math.isfinite(bt)) or bt >= 0:
        return out(
            None, math.nan, f"Not evaluated: live max drawdown {pct(live)}, backtest {pct(bt)}."
        )
    level = cfg.factor * bt
    beyond = _below(live, level)
    if beyond and not math.isfinite(p) and cfg.significance < 1:
        msg = (
            f"Not evaluated: live max drawdown {pct(live)} is worse than {cfg.factor:g} x the "
            f"backtest's {pct(bt)}, but its probability under the backtest is unknown."
        )
        return out(None, level, msg)
    active = beyond and significant(p, cfg.significance)
    rec = None if cfg.recovery is None else _below(live, cfg.recovery * bt)
    gate = gate_text(p, cfg.significance, where) if beyond else fmt_p(p)
    msg = (
        f"Live max drawdown {pct(live)} is {'' if beyond else 'not '}worse than "
        f"{cfg.factor:g} x the backtest's {pct(bt)} (alert beyond {pct(level)}); {gate}."
    )
    return out(active, level, msg, rec)


def drawdown_tiers_condition(inp: AlertInputs, config: AlertConfig) -> Condition:
    """Current drawdown beyond the tier depths; ``severity`` is the deepest tier reached.

    A limit (no significance test): with 1 % daily volatility it fired 1.02 times per
    strategy-year (``benchmarks/alerts.py``; 1.6 at Sharpe 1), reported apart from the
    judgement rules."""
    cfg = config.drawdown_tiers
    dd = _f(inp.window("all").get("current_drawdown"))
    tiers = sorted(cfg.tiers.items(), key=lambda kv: kv[1])
    lowest = -tiers[0][1]
    if not math.isfinite(dd):
        msg = "Not evaluated: no current drawdown."
        return _cond("drawdown_tiers", inp, config, None, dd, lowest, msg)
    rec = None if cfg.recovery is None else _below(dd, -cfg.recovery)
    reached = [(name, depth) for name, depth in tiers if _below(dd, -depth)]
    if reached:
        name, depth = max(reached, key=lambda kv: (kv[1], TIER_RANK[kv[0]]))
        msg = f"Current drawdown {pct(dd)} is beyond the {name} level of {pct(-depth)}."
        return _cond(
            "drawdown_tiers", inp, config, True, dd, -depth, msg, recovery_active=rec, severity=name
        )
    msg = f"Current drawdown {pct(dd)} is within the first tier ({pct(lowest)})."
    return _cond("drawdown_tiers", inp, config, False, dd, lowest, msg, recovery_active=rec)


def statistical_drawdown_condition(inp: AlertInputs, config: AlertConfig) -> Condition:
    """Current drawdown beyond the backtest-implied MaxDD-95 (``tier_95``) / MaxDD-99, AND a
    drawdown that deep within the live record improbable under the backtest's bootstrap
    (``statistics["drawdown_probability"] < significance``). Without the gate a strategy like
    its backtest crossed MaxDD-95 2.5 times a year (``benchmarks/alerts.py``): MaxDD-95 is the
    95 % level of one path's deepest drawdown, not of the drawdown of any day. With the gate
    (default 0.001): 0.064 firings per strategy-year (worst cell 0.15)."""
    cfg = config.statistical_drawdown
    dd = _f(inp.window("all").get("current_drawdown"))
    tiers = inp.statistics.get("drawdown") or {}
    d95, d99 = _f(tiers.get("max_drawdown_95")), _f(tiers.get("max_drawdown_99"))
    p = _f(inp.statistics.get("drawdown_probability"))
    n = _n(inp.window("all").get("n_obs"))
    where = f"over the live record ({n} sessions)"
    figures = {"current_drawdown": dd, "max_drawdown_95": d95, "max_drawdown_99": d99, "p_value": p}

    def out(active: bool | None, level: float, msg: str, severity: str = "") -> Condition:
        return _cond(
            "statistical_drawdown",
            inp,
            config,
            active,
            dd,
            level,
            msg,
            severity=severity,
            metrics=figures,
            window="live record",
        )

    if not math.isfinite(dd):
        return out(None, d95, "Not evaluated: no current drawdown.")
    if not math.isfinite(d95):
        return out(
            None,
            d95,
            "Not evaluated: the backtest's MaxDD-95 is undefined (its mean return is too small "
            "for its volatility to bound the drawdown: the triple penance depth is beyond -100 %"
            " or the mean is not positive).",
        )
    beyond_99 = math.isfinite(d99) and _below(dd, d99)
    if not (beyond_99 or _below(dd, d95)):
        return out(
            False,
            d95,
            f"Current drawdown {pct(dd)} is within the backtest's MaxDD-95 of {pct(d95)}.",
        )
    name, level, tier = (
        ("MaxDD-99", d99, cfg.tier_99) if beyond_99 else ("MaxDD-95", d95, cfg.tier_95)
    )
    if not math.isfinite(p) and cfg.significance < 1:
        msg = (
            f"Not evaluated: current drawdown {pct(dd)} is beyond the backtest's {name} of "
            f"{pct(level)}, but its probability under the backtest is unknown."
        )
        return out(None, level, msg)
    active = significant(p, cfg.significance)
    msg = (
        f"Current drawdown {pct(dd)} is beyond the backtest's {name} of {pct(level)}: "
        f"{gate_text(p, cfg.significance, where)}."
    )
    return out(active, level, msg, tier if active else "")


def drawdown_duration_condition(inp: AlertInputs, config: AlertConfig) -> Condition:
    """Calendar days since the last peak of compounded wealth, while under water (a limit:
    0.55 firings per strategy-year in ``benchmarks/alerts.py``)."""
    cfg = config.drawdown_duration
    wealth = inp.wealth
    if wealth is None or len(inp.nav_dates) != wealth.size:
        msg = "Not evaluated: fewer than two NAV days."
        return _cond("drawdown_duration", inp, config, None, math.nan, cfg.max_days, msg)
    at_peak = np.flatnonzero(wealth >= np.maximum.accumulate(wealth) - 1e-15)
    peak = int(at_peak[-1])
    days = (inp.nav_dates[-1] - inp.nav_dates[peak]).days
    active = days > cfg.max_days
    msg = (
        f"Under water for {days} days since the peak of {inp.nav_dates[peak]}"
        f" (alert after {cfg.max_days} days)."
        if days
        else "At a new high: not under water."
    )
    return _cond("drawdown_duration", inp, config, active, float(days), cfg.max_days, msg)


def value_at_risk_condition(inp: AlertInputs, config: AlertConfig) -> Condition:
    """Historical 1-day VaR-95 over the window beyond ``-limit`` (a limit: 0.15 firings per
    strategy-year in ``benchmarks/alerts.py``, all on GARCH-t paths)."""
    cfg = config.value_at_risk
    m = inp.window(cfg.window)
    n = _n(m.get("n_obs")) if m else 0
    var = _f(m.get("value_at_risk_95"))
    if n < cfg.min_obs or not math.isfinite(var):
        msg = f"Not evaluated: {n} of {cfg.min_obs} returns in the last {cfg.window} sessions."
        return _cond("value_at_risk", inp, config, None, var, -cfg.limit, msg)
    active = _below(var, -cfg.limit)
    rec = None if cfg.recovery is None else _below(var, -cfg.recovery)
    msg = (
        f"1-day VaR-95 over the last {cfg.window} sessions is {pct(var, 2)}, "
        f"{'beyond' if active else 'within'} the limit of {pct(-cfg.limit, 2)}."
    )
    return _cond("value_at_risk", inp, config, active, var, -cfg.limit, msg, recovery_active=rec)


def _limit_rule(
    rule: str, inp: AlertInputs, config: AlertConfig, value: float, limit: float, what: str
) -> Condition:
    cfg = config.rule(rule)
    assert cfg is not None
    if not math.isfinite(value):
        return _cond(rule, inp, config, None, value, limit, f"Not evaluated: no {what}.")
    active = _above(value, limit)
    rec = None if cfg.recovery is None else _above(value, cfg.recovery)
    msg = f"{what} is {pct(value)} of NAV, {'above' if active else 'within'} {pct(limit)}."
    return _cond(rule, inp, config, active, value, limit, msg, recovery_active=rec)


def concentration_condition(inp: AlertInputs, config: AlertConfig) -> Condition:
    """Largest |market value| / NAV above ``max_weight`` (a limit: no significance gate).

    Not evaluated (``active=None``, "positions unknown for DATE") when ``as_of`` has no
    positions snapshot: never the last known book. A flat book (all zero) is not active."""
    if inp.positions is None:
        msg = f"Not evaluated: positions unknown for {inp.as_of} (no snapshot that day)."
        return _cond(
            "concentration", inp, config, None, math.nan, config.concentration.max_weight, msg
        )
    nav = inp.last_nav
    weights = [abs(_f(p.get("market_value"))) / nav for p in inp.positions if nav > 0]
    weights = [w for w in weights if math.isfinite(w)]
    top = max(weights) if weights else math.nan
    symbol = ""
    if weights:
        best = max(inp.positions, key=lambda p: abs(_f(p.get("market_value"))))
        symbol = f" ({best.get('symbol', '?')})"
    return _limit_rule(
        "concentration",
        inp,
        config,
        top,
        config.concentration.max_weight,
        f"The largest position{symbol}",
    )


def gross_exposure_condition(inp: AlertInputs, config: AlertConfig) -> Condition:
    """Gross exposure / NAV above ``max_leverage``."""
    nav = inp.last_nav
    value = inp.gross_exposure / nav if nav > 0 else math.nan
    return _limit_rule(
        "gross_exposure",
        inp,
        config,
        value,
        config.gross_exposure.max_leverage,
        "Gross exposure",
    )


def utilisation_condition(inp: AlertInputs, config: AlertConfig) -> Condition:
    """Margin used / NAV above ``max_utilisation``."""
    nav = inp.last_nav
    value = inp.margin_used / nav if nav > 0 else math.nan
    return _limit_rule(
        "utilisation", inp, config, value, config.utilisation.max_utilisation, "Margin used"
    )


def psr_condition(inp: AlertInputs, config: AlertConfig) -> Condition:
    """PSR of the live record against the backtest Sharpe below ``threshold`` (the PSR is the
    one-sided p-value of "live Sharpe >= backtest Sharpe", so ``threshold`` is the level: 0.001
    by default, from ``benchmarks/alerts.py``: 0.033 firings per strategy-year, worst cell 0.075;
    at 0.05 it fired 0.26 times a year, re-testing the growing record every day).

    References
    ----------
    Bailey & Lopez de Prado (2012), "The Sharpe ratio efficient frontier".
    """
    cfg = config.psr
    n = _n(inp.window("all").get("n_obs"))
    psr = _f(inp.statistics.get("psr_vs_backtest"))
    if n < cfg.min_obs or not math.isfinite(psr):
        msg = f"Not evaluated: {n} of {cfg.min_obs} live returns, PSR {psr:.3g}."
        return _cond("psr", inp, config, None, psr, cfg.threshold, msg)
    active = _below(psr, cfg.threshold)
    rec = None if cfg.recovery is None else _below(psr, cfg.recovery)
    msg = (
        f"Probability that the live Sharpe beats the backtest's over the live record ({n} "
        f"sessions) is {psr:.3f}, {'below' if active else 'not below'} {cfg.threshold:g}."
    )
    return _cond(
        "psr",
        inp,
        config,
        active,
        psr,
        cfg.threshold,
        msg,
        recovery_active=rec,
        metrics={"psr_vs_backtest": psr, "n_obs": float(n)},
        window="live record",
    )


def profitable_condition(inp: AlertInputs, config: AlertConfig) -> Condition:
    """Milestone: the live total return is above zero."""
    m = inp.window("all")
    tr = _f(m.get("total_return"))
    if not math.isfinite(tr):
        return _cond("profitable", inp, config, None, tr, 0.0, "Not evaluated: no live return.")
    active = _above(tr, 0.0)
    msg = f"Live total return {pct(tr)}: {'profitable' if active else 'not profitable'}."
    return _cond("profitable", inp, config, active, tr, 0.0, msg)


def year_to_date_return(inp: AlertInputs) -> float:
    """Compounded return of the NAV days of ``as_of``'s calendar year (NaN without one)."""
    wealth = inp.wealth
    if wealth is None:
        return math.nan
    dates = list(inp.nav_dates)
    first = bisect.bisect_left(dates, dt.date(inp.as_of.year, 1, 1))
    last = bisect.bisect_right(dates, inp.as_of) - 1
    if first > last or (first == 0 and last < 1):
        return math.nan
    start = max(first - 1, 0)
    return float(wealth[last] / wealth[start] - 1.0)


def annual_return_target_condition(inp: AlertInputs, config: AlertConfig) -> Condition:
    """Milestone: the year-to-date return reached ``target``."""
    cfg = config.annual_return_target
    ytd = year_to_date_return(inp)
    if not math.isfinite(ytd):
        msg = "Not evaluated: no return this year."
        return _cond("annual_return_target", inp, config, None, ytd, cfg.target, msg)
    active = ytd >= cfg.target - EPS
    msg = (
        f"Return {inp.as_of.year} to date is {pct(ytd)}: target of {pct(cfg.target)} "
        f"{'reached' if active else 'not reached'}."
    )
    return _cond("annual_return_target", inp, config, active, ytd, cfg.target, msg)


def new_max_drawdown_condition(inp: AlertInputs, config: AlertConfig) -> Condition:
    """Milestone: today's drawdown is the deepest of the live record (beyond ``min_depth``)."""
    cfg = config.new_max_drawdown
    m = inp.window("all")
    dd, mdd = _f(m.get("current_drawdown")), _f(m.get("max_drawdown"))
    if not (math.isfinite(dd) and math.isfinite(mdd)):
        msg = "Not evaluated: no drawdown."
        return _cond("new_max_drawdown", inp, config, None, dd, -cfg.min_depth, msg)
    active = abs(dd - mdd) <= EPS and _below(dd, -cfg.min_depth)
    msg = (
        f"New live max drawdown: {pct(dd)}."
        if active
        else f"Current drawdown {pct(dd)}; live max drawdown {pct(mdd)}."
    )
    return _cond("new_max_drawdown", inp, config, active, dd, -cfg.min_depth, msg)


def stale_data_condition(inp: AlertInputs, config: AlertConfig) -> Condition:
    """More than ``max_missing_sessions`` sessions without data up to ``as_of``."""
    cfg = config.stale_data
    limit = float(cfg.max_missing_sessions)
    if inp.missing_sessions is None:
        return _cond("stale_data", inp, config, None, math.nan, limit, "Not evaluated.")
    n = inp.missing_sessions
    last = inp.nav_dates[-1] if inp.nav_dates else None
    active = n > cfg.max_missing_sessions
    msg = (
        f"No data for {n} session(s) up to {inp.as_of} (last data {last}; "
        f"alert after {cfg.max_missing_sessions})."
    )
    return _cond("stale_data", inp, config, active, float(n), limit, msg)


def _finding_rule(rule: str, kind: str, inp: AlertInputs, config: AlertConfig) -> Condition:
    last = inp.nav_dates[-1] if inp.nav_dates else None
    if last is None:
        return _cond(rule, inp, config, None, math.nan, 0.0, "Not evaluated: no data.")
    hits = [f for f in inp.findings if f.get("kind") == kind and f.get("date") == last]
    active = bool(hits)
    msg = (
        f"{len(hits)} {kind} finding(s) on {last}: {hits[0].get('message', '')}"
        if hits
        else f"No {kind} finding on {last}."
    )
    return _cond(rule, inp, config, active, float(len(hits)), 0.0, msg)


def outlier_condition(inp: AlertInputs, config: AlertConfig) -> Condition:
    """An ``outlier`` finding (|PnL| above the ingest limit x NAV) on the latest data day."""
    return _finding_rule("outlier", "outlier", inp, config)


def nav_disconnect_condition(inp: AlertInputs, config: AlertConfig) -> Condition:
    """A ``nav_disconnect`` finding on the latest data day."""
    return _finding_rule("nav_disconnect", "nav_disconnect", inp, config)


def build_conditions(inp: AlertInputs, config: AlertConfig | None = None) -> list[Condition]:
    """Evaluate every enabled rule of this module for one strategy.

    Parameters
    ----------
    inp : AlertInputs
    config : AlertConfig, optional
        Already resolved for the strategy (:meth:`AlertConfig.for_strategy`); defaults to
        ``AlertConfig()``.

    Returns
    -------
    list of Condition
        In the order of :data:`stratmon.alerts.registry.RULES` (its ``inputs`` rules);
        disabled rules are skipped.
    """
    from stratmon.alerts.registry import build_input_conditions

    return build_input_conditions(inp, config if config is not None else AlertConfig())


def apply_rule_settings(conditions: Sequence[Condition], config: AlertConfig) -> list[Condition]:
    """Drop conditions of disabled rules and give each the configured identity tier.

    The engine builds the ``decay`` condition with a fixed tier; this applies the
    ``[alerts.decay]`` settings (and any per-strategy override already in ``config``).
    """
    out = []
    for c in conditions:
        rule_cfg = config.rule(c.rule)
        if rule_cfg is None:
            out.append(c)
        elif rule_cfg.enabled:
            out.append(c if c.tier == rule_cfg.tier else replace(c, tier=rule_cfg.tier))
    return out
