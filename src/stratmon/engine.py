"""One evaluation as of a date, without side effects: metrics per window, live vs backtest
comparison, health score and alert conditions for every strategy.

The pipeline loads inputs from the store, calls :func:`evaluate`, and persists the result.
Metrics are computed with one 2-D ``summarize`` call per window for all strategies that share
the same dates (the common case: one exchange calendar), which keeps a 1,500-day replay fast.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from stratmon.alerts.config import AlertConfig
from stratmon.alerts.rules import Condition, RuleContext, evaluate_rules, expected_window_return
from stratmon.compare.bootstrap import bootstrap_sharpe_ci, bootstrap_sharpe_difference_ci
from stratmon.compare.drawdown_probability import drawdown_probability
from stratmon.compare.evidence import (
    BacktestEvidence,
    backtest_evidence,
    live_evidence,
    significance_batch,
    stable_seed,
)
from stratmon.compare.overlap import same_date_comparison
from stratmon.compare.status import MetricComparison, compare_metrics, overall_status
from stratmon.compare.status_judgement import StatusState, WindowEvidence, judge_status
from stratmon.decay.alarm import HOLD_SESSIONS
from stratmon.domain import RoundTrip, Strategy
from stratmon.domain.assessment import Assessment, StatusView
from stratmon.domain.numbers import as_float as _f
from stratmon.health.scaled import ScaledReadings, scaled_readings
from stratmon.health.score import HealthEvidence, HealthScore, health_score
from stratmon.health.trend import health_trend
from stratmon.metrics import returns_from_nav, summarize, trade_statistics

WINDOW_ALL = "all"
MIN_BOOTSTRAP = 30  # live returns before a bootstrap interval is computed
MIN_ROUND_TRIPS = 10  # closed trades before the win rate is judged on round trips (DESIGN.md)
STATUS_WINDOWS = {"all": "live to date", "90": "90 sessions", "30": "30 sessions"}


@dataclass(frozen=True)
class BacktestProfile:
    """What the backtest promises, from stratmon's own engine on the backtest returns
    (``metrics``), completed by the expected-metrics file for what returns cannot give
    (trade statistics). ``version`` is the backtest-returns version compared with;
    ``evidence`` the statistical summary (cone, moments, drawdown tiers) when returns exist."""

    metrics: dict[str, float]
    mean_daily_return: float
    daily_volatility: float
    trades_per_day: float
    n_obs: int
    version: int | None = None
    evidence: BacktestEvidence | None = None
    returns: np.ndarray | None = None
    dates: tuple[dt.date, ...] = ()
    cost_per_day: float = 0.0


@dataclass(frozen=True)
class DecayReading:
    """The decay detector's verdict for one strategy on the evaluation date."""

    available: bool
    alarm: bool = False
    alarm_date: dt.date | None = None
    statistic: float = math.nan
    threshold: float = math.nan
    reason: str = ""
    alarm_count: int = 0
    sessions_since_alarm: int | None = None


def backtest_profile(
    returns: np.ndarray,
    dates: Sequence[dt.date],
    expectation: Mapping[str, Any] | None,
    periods_per_year: int,
    version: int | None = None,
    strategy_id: str = "",
) -> BacktestProfile:
    """Summarise the backtest. File expectations fill only metrics the returns cannot give.

    With at least 30 returns the statistical evidence (moments, cone, drawdown tiers, DSR when
    the expectations give ``n_trials``) is computed too; ``strategy_id`` seeds the cone."""
    metrics: dict[str, float] = {}
    r = np.asarray(returns, dtype=float)
    if r.size >= 2:
        idx = pd.DatetimeIndex(pd.to_datetime(list(dates)))
        row = summarize(r, index=idx, periods_per_year=periods_per_year).iloc[0]
        metrics = {str(k): _f(v) for k, v in row.items()}
    expected = dict((expectation or {}).get("metrics", {}) or {})
    for key, value in expected.items():
        if key not in metrics or not math.isfinite(metrics[key]):
            metrics[key] = _f(value)
    finite = r[np.isfinite(r)]
    mean = float(finite.mean()) if finite.size else _f(expected.get("mean_daily_return"))
    vol = float(finite.std(ddof=1)) if finite.size > 1 else math.nan
    if not math.isfinite(vol) and math.isfinite(_f(expected.get("annual_volatility"))):
        vol = _f(expected["annual_volatility"]) / math.sqrt(periods_per_year)
    return BacktestProfile(
        metrics=metrics,
        mean_daily_return=mean,
        daily_volatility=vol,
        trades_per_day=_f(expected.get("trades_per_day")),
        n_obs=int(finite.size),
        version=version,
        evidence=backtest_evidence(
            finite,
            periods_per_year=periods_per_year,
            n_trials=(expectation or {}).get("n_trials"),
            trials_sharpe_variance=_f(expected.get("trials_sharpe_variance")),
            seed_key=strategy_id,
        ),
        returns=finite,
        dates=tuple(d for d, x in zip(dates, r, strict=False) if math.isfinite(x)),
        cost_per_day=_f(expected.get("cost_per_day")) if "cost_per_day" in expected else 0.0,
    )


@dataclass(frozen=True)
class StrategyInputs:
    """One strategy's stored data up to the evaluation date."""

    strategy: Strategy
    nav_dates: Sequence[dt.date]
    nav: np.ndarray
    cash_flow: np.ndarray
    round_trips: Sequence[RoundTrip]
    backtest: BacktestProfile | None
    previous_scores: Sequence[float] = ()
    decay: DecayReading | None = None
    live_costs: Mapping[dt.date, float] | None = None
    running_all: Mapping[str, float] | None = None
    previous: Assessment | None = None

    @cached_property
    def returns(self) -> np.ndarray:
        """Time-weighted daily returns from NAV and cash flows, shape (T-1,) (computed once;
        every step of an evaluation reads it)."""
        return returns_from_nav(self.nav, self.cash_flow)[1:]

    def evolve(self, **changes: Any) -> StrategyInputs:
        """``dataclasses.replace`` that keeps the computed returns when NAV and cash flows
        are unchanged (the pipeline adds running metrics, decay and costs one at a time)."""
        new = replace(self, **changes)
        if "returns" in self.__dict__ and not {"nav", "cash_flow"} & set(changes):
            new.__dict__["returns"] = self.__dict__["returns"]
        return new


@dataclass
class StrategyEvaluation:
    strategy_id: str
    as_of: dt.date
    metrics: dict[str, dict[str, float]]
    n_obs: dict[str, int]
    comparisons: list[MetricComparison]
    status: str
    health: HealthScore
    trend: str
    conditions: list[Condition]
    backtest_version: int | None = None
    statistics: dict[str, Any] = field(default_factory=dict)
    recent_health: HealthScore = field(default_factory=lambda: health_score(HealthEvidence(0)))
    status_view: StatusView = field(
        default_factory=lambda: StatusView("live to date", "insufficient_data")
    )
    status_recent: StatusView = field(
        default_factory=lambda: StatusView("30 sessions", "insufficient_data")
    )
    status_states: dict[str, dict[str, Any]] = field(default_factory=dict)


# Trade statistics of a window only change when a trade enters or leaves it, and the daily
# job's history keeps the same (immutable) RoundTrip objects from day to day: a window whose
# first and last trip are the same objects, in the same number, has the same statistics.
_TRADE_MEMO: dict[tuple[str, str, float | None], tuple[RoundTrip, RoundTrip, int, Any]] = {}


def _window_trades(
    trips: Sequence[RoundTrip],
    exit_dates: Sequence[dt.date],
    start: dt.date | None,
    capital: float | None,
    memo_key: tuple[str, str] | None = None,
) -> dict[str, float]:
    """Trade statistics of the round trips closed on or after ``start`` (all when None);
    ``exit_dates`` are the trips' exit dates, sorted, so a window is one bisection."""
    chosen = trips if start is None else trips[bisect.bisect_left(exit_dates, start) :]
    key = None if memo_key is None or not chosen else (*memo_key, capital)
    if key is not None:
        hit = _TRADE_MEMO.get(key)
        if (
            hit is not None
            and hit[0] is chosen[0]
            and hit[1] is chosen[-1]
            and hit[2] == len(chosen)
        ):
            return dict(hit[3])
    stats = {k: _f(v) for k, v in trade_statistics(chosen, capital=capital).items()}
    if key is not None:
        _TRADE_MEMO[key] = (chosen[0], chosen[-1], len(chosen), stats)
    return dict(stats)


def _win_rate_window(
    trips: Sequence[RoundTrip], dates: Sequence[dt.date], config: AlertConfig
) -> tuple[float, int]:
    """Live win rate for the win-rate rule: last ``window_trades`` trades when configured,
    else trades closed in the last ``window_sessions`` sessions."""
    cfg = config.win_rate
    if cfg.window_trades is not None:
        chosen = list(trips[-cfg.window_trades :])
    elif len(dates) > 1:
        start = dates[max(1, len(dates) - cfg.window_sessions)]
        chosen = [t for t in trips if t.exit_time.date() >= start]
    else:
        chosen = []
    wins = sum(1 for t in chosen if t.pnl > 0)
    return (wins / len(chosen) if chosen else math.nan), len(chosen)


def group_by_dates(items: Sequence[StrategyInputs]) -> list[list[StrategyInputs]]:
    """Strategies sharing periods_per_year and exactly the same NAV dates (at least two), in
    input order. List equality is a C-level compare, cheaper than hashing years of dates."""
    grouped: list[tuple[int, Sequence[dt.date], list[StrategyInputs]]] = []
    for it in items:
        if len(it.nav_dates) < 2:
            continue
        ppy = it.strategy.periods_per_year
        for g_ppy, g_dates, members in grouped:
            if g_ppy == ppy and g_dates == it.nav_dates:
                members.append(it)
                break
        else:
            grouped.append((ppy, it.nav_dates, [it]))
    return [members for _, _, members in grouped]


def window_metrics(
    items: Sequence[StrategyInputs], windows: Sequence[int]
) -> dict[str, dict[str, dict[str, float]]]:
    """Metrics per strategy per window ('all' and each window length in sessions).

    One 2-D ``summarize`` call per group of strategies sharing the same dates: the trailing
    windows are extra columns whose earlier rows are NaN, which ``summarize`` excludes (a NaN
    day is not a 0 % day), so each column equals a separate call on the window alone.
    """
    out: dict[str, dict[str, dict[str, float]]] = {it.strategy.strategy_id: {} for it in items}
    for members in group_by_dates(items):
        ppy = members[0].strategy.periods_per_year
        rets = np.column_stack([m.returns for m in members])
        t, n = rets.shape
        dates = members[0].nav_dates[1:]
        # The whole-period window comes from the stored running state when the pipeline has
        # it (no pass over years of history); otherwise it is one more column block.
        running = all(m.running_all is not None for m in members)
        labels = [*([] if running else [WINDOW_ALL]), *(str(w) for w in windows)]
        if running:
            for m in members:
                out[m.strategy.strategy_id][WINDOW_ALL] = dict(m.running_all or {})
        blocks = [] if running else [rets]
        if running and windows:  # trailing windows only need their own rows
            keep = min(t, max(windows))
            rets, dates, t = rets[-keep:], dates[-keep:], keep
        idx = pd.DatetimeIndex(list(dates))
        for w in windows:
            block = np.full_like(rets, np.nan)
            k = min(w, t)
            block[t - k :] = rets[t - k :]
            blocks.append(block)
        if not blocks:
            continue
        table = summarize(np.hstack(blocks), index=idx, periods_per_year=ppy)
        values = table.to_numpy(dtype=float)
        columns = [str(c) for c in table.columns]
        for b, label in enumerate(labels):
            for j, m in enumerate(members):
                row = values[b * n + j].tolist()
                out[m.strategy.strategy_id][label] = dict(zip(columns, row, strict=True))
    return out


def evaluate(
    items: Sequence[StrategyInputs],
    as_of: dt.date,
    *,
    windows: Sequence[int] = (30, 90),
    health_lookback: int = 30,
    alert_config: AlertConfig | None = None,
    bootstrap: bool = False,
) -> list[StrategyEvaluation]:
    """Evaluate every strategy as of ``as_of`` (inputs already cut at that date).

    ``bootstrap`` adds stationary-bootstrap confidence intervals of the live Sharpe and of the
    live-minus-backtest difference (1,000 replications each, ~50-150 ms per strategy), so a
    long replay can skip them on intermediate days."""
    alert_config = alert_config if alert_config is not None else AlertConfig()
    all_windows = sorted({*windows, health_lookback, *alert_config.metric_windows()})
    by_window = window_metrics(items, all_windows)
    statistics = _statistics(items, by_window, health_lookback)
    if bootstrap:
        _add_bootstrap(items, statistics)
    results = []
    for it in items:
        s = it.strategy
        mets = by_window.get(s.strategy_id, {})
        dates = list(it.nav_dates)
        capital = s.allocated_capital
        if not mets:
            mets = {WINDOW_ALL: {}}
        exit_dates = [t.exit_time.date() for t in it.round_trips]
        # Trade statistics: whole live period and per window (by exit date).
        for label, m in mets.items():
            start = None
            if label != WINDOW_ALL and len(dates) > 1:
                w = int(label)
                start = dates[max(1, len(dates) - w)]
            memo = (s.strategy_id, label)
            m.update(_window_trades(it.round_trips, exit_dates, start, capital, memo))
        whole = mets[WINDOW_ALL]
        stats_today = statistics.get(s.strategy_id, {})
        n_obs = {k: int(_f(v.get("n_obs", 0)) or 0) for k, v in mets.items()}
        bt = it.backtest
        n_trades = int(_f(whole.get("total_trades", 0)) or 0)
        comparisons = compare_metrics(
            whole, bt.metrics if bt else {}, n_obs=n_obs.get(WINDOW_ALL, 0), n_trades=n_trades
        )
        look_label = str(health_lookback)
        look = mets.get(look_label, whole)
        look_obs = n_obs.get(look_label, 0)
        window_trips = _trips_since(it.round_trips, exit_dates, dates, health_lookback)
        bt_ev = it.backtest.evidence if it.backtest is not None else None
        health = health_score(
            _health_evidence(
                it,
                whole,
                stats_today,
                it.round_trips,
                it.returns,
                decay=it.decay,
                scaled=_scaled(whole, bt_ev, _f(whole.get("current_drawdown")), cone=True),
            )
        )
        recent = health_score(
            _health_evidence(
                it,
                look,
                {
                    "psr_vs_backtest": stats_today.get("lookback_psr_vs_backtest"),
                    "drawdown_probability": stats_today.get("lookback_drawdown_probability"),
                },
                window_trips,
                it.returns[-look_obs:] if look_obs else it.returns[:0],
                decay=None,
                current_drawdown=_f(look.get("max_drawdown")),
                scaled=_scaled(look, bt_ev, _f(look.get("max_drawdown")), cone=False),
            )
        )
        prev_states = (it.previous.evidence.get("status_states") or {}) if it.previous else {}
        views: dict[str, StatusView] = {}
        states: dict[str, dict[str, Any]] = {}
        for label, window_name in STATUS_WINDOWS.items():
            wm = mets.get(label)
            if wm is None:
                continue
            view, state = judge_status(
                _window_evidence(label, window_name, wm, bt, stats_today, n_obs.get(label, 0)),
                _status_state(prev_states.get(label)),
            )
            views[label] = view
            states[label] = _state_dict(state)
        status = views["all"].status if "all" in views else overall_status(comparisons)
        trend = health_trend([*it.previous_scores, _score_or_nan(health.score)])
        rule_config = alert_config.for_strategy(s.strategy_id, s.pool)  # overrides applied
        uw = str(rule_config.underperformance.window)
        um = mets.get(uw, {})
        wr_rate, wr_n = _win_rate_window(it.round_trips, dates, rule_config)
        ctx = RuleContext(
            strategy_id=s.strategy_id,
            window_sessions=n_obs.get(uw, 0),
            window_return=_f(um.get("total_return")),
            expected_window_return=(
                expected_window_return(bt.mean_daily_return, rule_config.underperformance.window)
                if bt
                else math.nan
            ),
            current_drawdown=_f(whole.get("current_drawdown")),
            backtest_max_drawdown=_f(bt.metrics.get("max_drawdown")) if bt else math.nan,
            live_win_rate=wr_rate,
            live_n_trades=wr_n,
            backtest_win_rate=_f(bt.metrics.get("win_rate")) if bt else math.nan,
            window_mean_return=_f(um.get("mean_daily_return")),
            backtest_mean_return=bt.mean_daily_return if bt else math.nan,
            backtest_daily_volatility=bt.daily_volatility if bt else math.nan,
            live_sessions=n_obs.get(WINDOW_ALL, 0),
            drawdown_probability=_f(stats_today.get("drawdown_probability")),
            window_volatility=_f(um.get("annual_volatility")) / math.sqrt(s.periods_per_year),
            backtest_n_obs=bt.n_obs if bt else 0,
        )
        conditions = evaluate_rules(ctx, rule_config)
        if it.decay is not None:
            conditions.append(_decay_condition(s.strategy_id, it.decay))
            stats_today["decay"] = {
                "available": it.decay.available,
                "alarm": it.decay.alarm,
                "alarm_date": it.decay.alarm_date,
                "statistic": it.decay.statistic,
                "threshold": it.decay.threshold,
                "reason": it.decay.reason,
                "alarm_count": it.decay.alarm_count,
                "sessions_since_alarm": it.decay.sessions_since_alarm,
            }
        results.append(
            StrategyEvaluation(
                strategy_id=s.strategy_id,
                as_of=as_of,
                metrics=mets,
                n_obs=n_obs,
                comparisons=comparisons,
                status=status,
                health=health,
                trend=trend,
                conditions=conditions,
                backtest_version=bt.version if bt else None,
                statistics=stats_today,
                recent_health=recent,
                status_view=views.get("all", StatusView("live to date", status)),
                status_recent=views.get(
                    look_label, StatusView(f"{health_lookback} sessions", "insufficient_data")
                ),
                status_states=states,
            )
        )
    return results


def _score_or_nan(score: float | None) -> float:
    return math.nan if score is None else float(score)


def _trips_since(
    trips: Sequence[RoundTrip], exit_dates: Sequence[dt.date], dates: Sequence[dt.date], w: int
) -> Sequence[RoundTrip]:
    """Round trips closed within the last ``w`` sessions (by exit date)."""
    if len(dates) < 2:
        return trips[:0]
    start = dates[max(1, len(dates) - w)]
    return trips[bisect.bisect_left(exit_dates, start) :]


def _scaled(
    m: Mapping[str, Any], ev: BacktestEvidence | None, drawdown: float, *, cone: bool
) -> ScaledReadings | None:
    """The health readings at the live volatility (:mod:`stratmon.health.scaled`) of one span;
    None without backtest evidence. ``cone=False`` (a recent window) reads no cone."""
    return None if ev is None else scaled_readings(m, ev, current_drawdown=drawdown, cone=cone)


def _health_evidence(
    it: StrategyInputs,
    m: Mapping[str, float],
    stats: Mapping[str, Any],
    trips: Sequence[RoundTrip],
    returns: np.ndarray,
    *,
    decay: DecayReading | None,
    current_drawdown: float | None = None,
    scaled: ScaledReadings | None = None,
) -> HealthEvidence:
    """What the health score reads about one strategy over one span (the whole live record,
    or the recent window with ``decay=None`` and the window's deepest drawdown).

    Win rate: on closed round trips when there are at least ``MIN_ROUND_TRIPS`` and the
    backtest gives a win rate; otherwise on winning days (share of sessions with a return > 0)
    against the backtest's share of winning days, like for like."""
    bt = it.backtest
    ev = bt.evidence if bt is not None else None
    r = returns[np.isfinite(returns)]
    bt_win = _f(bt.metrics.get("win_rate")) if bt is not None else math.nan
    if len(trips) >= MIN_ROUND_TRIPS and math.isfinite(bt_win):
        wins, trials, basis, rate = (
            sum(1 for t in trips if t.pnl > 0),
            len(trips),
            "round_trips",
            bt_win,
        )
        bt_trials = int(_f(bt.metrics.get("total_trades")) or 0) if bt is not None else 0
    else:
        rate = ev.winning_day_rate if ev is not None else math.nan
        wins, trials, basis = int((r > 0).sum()), int(r.size), "days"
        bt_trials = ev.n_obs if ev is not None else 0
    alarm_ok = decay is not None and decay.available
    sc = scaled  # the backtest read at the live volatility (None: no backtest evidence)
    return HealthEvidence(
        n_obs=int(r.size),
        periods_per_year=it.strategy.periods_per_year,
        decay_statistic=decay.statistic if alarm_ok and decay is not None else math.nan,
        decay_threshold=decay.threshold if alarm_ok and decay is not None else math.nan,
        psr_vs_backtest=sc.psr_vs_backtest if sc else _f(stats.get("psr_vs_backtest")),
        cone_percentile=(
            sc.cone_percentile if sc else _f((stats.get("cone") or {}).get("percentile"))
        ),
        live_sharpe_ratio=_f(m.get("sharpe_ratio")),
        backtest_sharpe_ratio=_f(bt.metrics.get("sharpe_ratio")) if bt is not None else math.nan,
        current_drawdown=_f(m.get("current_drawdown"))
        if current_drawdown is None
        else current_drawdown,
        drawdown_probability=(
            sc.drawdown_probability if sc else _f(stats.get("drawdown_probability"))
        ),
        volatility_ratio=sc.volatility_ratio if sc else 1.0,
        live_wins=wins,
        live_trials=trials,
        win_basis=basis,
        backtest_win_rate=rate,
        live_trades=len(trips),
        backtest_trades_per_day=bt.trades_per_day if bt is not None else math.nan,
        backtest_n_obs=ev.n_obs if ev is not None else 0,
        backtest_win_trials=bt_trials,
        decay_alarm=bool(alarm_ok and decay is not None and decay.alarm),
    )


def _one_sided_lower(welch: Mapping[str, Any]) -> float:
    """One-sided p of "live mean below the backtest's" from the stored Welch t and df."""
    t, df = _f(welch.get("t")), _f(welch.get("df"))
    if not (math.isfinite(t) and math.isfinite(df) and df > 0):
        return math.nan
    return float(special.stdtr(df, t))


def _sharpe_lower(test: Mapping[str, Any]) -> float:
    """One-sided p of "live Sharpe below the backtest's" from the stored two-sample z-test
    (Mertens variances of both estimates): the backtest Sharpe is an estimate too, which PSR
    against a fixed target ignores (PSR alarmed on 7.8 % of healthy days live to date, the
    z-test on 6.2 %: benchmarks/status_flips.py)."""
    z = _f(test.get("z"))
    return float(special.ndtr(z)) if math.isfinite(z) else math.nan


def _window_evidence(
    label: str,
    window: str,
    m: Mapping[str, float],
    bt: BacktestProfile | None,
    stats: Mapping[str, Any],
    n: int,
) -> WindowEvidence:
    """One window's comparison and its like-for-like tests, for :func:`judge_status`."""
    sig = stats if label == WINDOW_ALL else (stats.get("windows") or {}).get(label, {})
    n_trades = int(_f(m.get("total_trades", 0)) or 0)
    return WindowEvidence(
        window=window,
        n_obs=n,
        comparisons=compare_metrics(m, bt.metrics if bt else {}, n_obs=n, n_trades=n_trades),
        sharpe_p_value=_sharpe_lower(sig.get("sharpe_test") or {}),
        mean_p_value=_one_sided_lower(sig.get("welch") or {}),
        sharpe_test="Sharpe z-test (Mertens)",
        drawdown_probability=_f(sig.get("max_drawdown_probability")),
    )


def _status_state(d: Mapping[str, Any] | None) -> StatusState | None:
    if not d:
        return None
    return StatusState(
        status=d["status"],
        since_sessions=int(d.get("since_sessions", 0)),
        pending=d.get("pending"),
        pending_sessions=int(d.get("pending_sessions", 0)),
    )


def _state_dict(s: StatusState) -> dict[str, Any]:
    return {
        "status": s.status,
        "since_sessions": s.since_sessions,
        "pending": s.pending,
        "pending_sessions": s.pending_sessions,
    }


def _decay_condition(strategy_id: str, d: DecayReading) -> Condition:
    """The decay detector's alarm as an alert condition (rule ``decay``, critical)."""
    if not d.available:
        return Condition(
            "decay",
            strategy_id,
            "critical",
            None,
            d.statistic,
            d.threshold,
            f"Not evaluated: {d.reason}",
        )
    if d.alarm:
        repeat = f" (alarm {d.alarm_count} of the live record)" if d.alarm_count > 1 else ""
        msg = (
            f"Decay alarm on {d.alarm_date}{repeat}: the CUSUM of the Sharpe ratio's drop from "
            f"the backtest level crossed its threshold (calibrated for one false alarm per "
            f"1,260 sessions); the detector restarted and the alarm holds for "
            f"{HOLD_SESSIONS} sessions."
        )
    else:
        msg = f"No decay alarm: CUSUM {d.statistic:.2f} below its threshold {d.threshold:.2f}."
    return Condition(
        "decay",
        strategy_id,
        "critical",
        d.alarm,
        d.statistic,
        d.threshold,
        msg,
        metrics={"statistic": d.statistic, "threshold": d.threshold},
        window="live record",
    )


def _add_bootstrap(items: Sequence[StrategyInputs], statistics: dict[str, dict[str, Any]]) -> None:
    """Bootstrap intervals (arch-style stationary bootstrap, Politis-White block length) of the
    live Sharpe and of live minus backtest Sharpe, annualised, 95 %."""
    for it in items:
        stats = statistics.get(it.strategy.strategy_id)
        bt = it.backtest
        if stats is None or bt is None or bt.returns is None:
            continue
        live = it.returns
        live = live[np.isfinite(live)]
        if live.size < MIN_BOOTSTRAP:
            stats["bootstrap"] = {"reason": f"needs {MIN_BOOTSTRAP} live returns"}
            continue
        seed = stable_seed(f"{it.strategy.strategy_id}:{live.size}")
        ppy = it.strategy.periods_per_year
        ci = bootstrap_sharpe_ci(live, seed=seed, periods_per_year=ppy)
        diff = bootstrap_sharpe_difference_ci(live, bt.returns, seed=seed, periods_per_year=ppy)
        stats["bootstrap"] = {
            "sharpe": {"estimate": ci.estimate, "lower": ci.lower, "upper": ci.upper},
            "sharpe_minus_backtest": {
                "estimate": diff.estimate,
                "lower": diff.lower,
                "upper": diff.upper,
            },
            "confidence": ci.confidence,
            "n_replications": ci.n_replications,
            "block_length": ci.block_length,
        }


def overlaps(live_dates: Sequence[dt.date], backtest_dates: Sequence[dt.date]) -> bool:
    """Whether a backtest re-run covers part of the live period (dates sorted)."""
    return bool(
        len(live_dates) > 1
        and backtest_dates
        and backtest_dates[-1] >= live_dates[1]
        and backtest_dates[0] <= live_dates[-1]
    )


def _statistics(
    items: Sequence[StrategyInputs],
    by_window: Mapping[str, Mapping[str, Mapping[str, float]]],
    lookback: int,
) -> dict[str, dict[str, Any]]:
    """Live-vs-backtest evidence per strategy (vectorised over strategies)."""
    chosen = [
        it
        for it in items
        if it.backtest is not None
        and it.backtest.evidence is not None
        and WINDOW_ALL in by_window.get(it.strategy.strategy_id, {})
    ]
    if not chosen:
        return {}
    evid = [it.backtest.evidence for it in chosen if it.backtest and it.backtest.evidence]
    whole = [by_window[it.strategy.strategy_id][WINDOW_ALL] for it in chosen]
    labels = sorted({str(lookback), *(k for k in STATUS_WINDOWS if k != WINDOW_ALL)})
    per_window = {
        label: [by_window[it.strategy.strategy_id].get(label, {}) for it in chosen]
        for label in labels
    }
    sig_all = significance_batch(whole, evid)
    sig_windows = {label: significance_batch(rows, evid) for label, rows in per_window.items()}
    out: dict[str, dict[str, Any]] = {}
    for i, (it, ev, sig, m) in enumerate(zip(chosen, evid, sig_all, whole, strict=True)):
        windows = by_window[it.strategy.strategy_id]
        live_day = int(_f(m.get("n_obs")) or 0)
        stats = live_evidence(
            sig,
            windows,
            ev,
            cumulative_return=_f(m.get("total_return")),
            live_day=live_day,
        )
        stats["drawdown_probability"] = _dd_probability(ev, m.get("current_drawdown"), live_day)
        stats["max_drawdown_probability"] = _dd_probability(ev, m.get("max_drawdown"), live_day)
        stats["windows"] = {}
        for label in labels:
            wm = per_window[label][i]
            entry = dict(sig_windows[label][i])
            entry["max_drawdown_probability"] = _dd_probability(
                ev, wm.get("max_drawdown"), int(_f(wm.get("n_obs")) or 0)
            )
            stats["windows"][label] = entry
        look = stats["windows"][str(lookback)]
        stats["lookback_psr_vs_backtest"] = look["psr_vs_backtest"]
        stats["lookback_drawdown_probability"] = look["max_drawdown_probability"]
        bt = it.backtest
        if bt is not None and bt.returns is not None and overlaps(it.nav_dates, bt.dates):
            stats["same_dates"] = same_date_comparison(
                list(it.nav_dates[1:]),
                it.returns,
                bt.dates,
                bt.returns,
                live_cost_fraction=it.live_costs,
                backtest_cost_per_day=bt.cost_per_day,
                periods_per_year=it.strategy.periods_per_year,
            )
        out[it.strategy.strategy_id] = stats
    return out


def _dd_probability(ev: BacktestEvidence, depth: Any, horizon: int) -> float:
    """P(a drawdown at least ``depth`` deep within ``horizon`` sessions | backtest bootstrap);
    NaN when unknown."""
    d = _f(depth)
    if ev.drawdown_table is None or horizon < 1 or not math.isfinite(d):
        return math.nan
    return float(drawdown_probability(ev.drawdown_table, min(d, 0.0), horizon))
