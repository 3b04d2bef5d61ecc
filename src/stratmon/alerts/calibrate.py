"""What the alert rules cost when nothing is wrong, and how fast they catch a decay.

:func:`replay` runs the production condition functions (through the registry) day by day over
simulated live return paths, each judged against its own backtest, and passes the outcomes
through the alert state machine's for/clear hysteresis (:meth:`AlertConfig.hysteresis`): an
alert *fires* after ``N`` consecutive active evaluations, and resolves after ``M``
consecutive clear ones; a rule that cannot be evaluated (``active=None``) neither advances nor
resets anything (:mod:`stratmon.alerts.state`). A *firing* is one transition into the firing
state. The day's figures are those the engine gives the rules: ``summarize`` rows of the whole
live record and of each rule's trailing window, the PSR and the bootstrap drawdown
probabilities of the backtest evidence (:mod:`stratmon.compare.evidence`), and the decay
detector's alarm (restarted after each alarm, held ``HOLD_SESSIONS`` sessions). Rules that need
data a return path does not have (positions, exposure, margin, findings) are not simulated.
With daily returns only, the win-rate rule's trades are the window's sessions and a win is a
positive session (the backtest's win rate is its hit rate).

:func:`calibrate_strategy` is ``stratmon alerts calibrate``: a stationary bootstrap
(:mod:`stratmon.compare.bootstrap`) of the strategy's own backtest returns, as long as its live
record (at least a year), replayed as is ("live behaves like the backtest": expected firings
per strategy-year) and with the backtest's mean return removed from mid-path on
("Sharpe-to-zero decay": median delay to the first firing after the change).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from stratmon.alerts.conditions import AlertInputs
from stratmon.alerts.config import AlertConfig
from stratmon.alerts.registry import RULES, rule_spec
from stratmon.alerts.rules import RuleContext, expected_window_return
from stratmon.compare.bootstrap import politis_white_block_length, stationary_bootstrap_indices
from stratmon.compare.drawdown_probability import drawdown_probability
from stratmon.compare.evidence import BacktestEvidence, backtest_evidence, significance_batch
from stratmon.decay import first_alarm
from stratmon.decay.alarm import HOLD_SESSIONS
from stratmon.metrics.summary import summarize_arrays

Array = npt.NDArray[np.float64]
NOT_SIMULATED: tuple[str, ...] = ("concentration", "gross_exposure", "utilisation")
"""Rules whose figures a return path does not carry (positions, exposure, margin)."""
MIN_YEARS = 1.0
_NEEDED = (
    "n_obs",
    "total_return",
    "cagr",
    "annual_volatility",
    "mean_daily_return",
    "sharpe_ratio",
    "skew",
    "kurtosis",
    "max_drawdown",
    "current_drawdown",
    "value_at_risk_95",
    "hit_rate",
)


def simulated_rules(config: AlertConfig) -> tuple[str, ...]:
    """Enabled judgement and limit rules a return path can drive, in registry order."""
    out = []
    for name, spec in RULES.items():
        cfg = config.rule(name)
        if spec.kind not in ("judgement", "limit") or name in NOT_SIMULATED:
            continue
        if cfg is None or not cfg.enabled or spec.source == "ingest":
            continue
        out.append(name)
    return tuple(out)


@dataclass(frozen=True)
class Backtest:
    """One backtest's figures, as the engine derives them from its returns."""

    returns: Array
    metrics: dict[str, float]
    evidence: BacktestEvidence | None

    @property
    def mean(self) -> float:
        return float(self.returns.mean())

    @property
    def sd(self) -> float:
        return float(self.returns.std(ddof=1))


def backtest_of(returns: npt.ArrayLike, periods_per_year: int = 252, key: str = "") -> Backtest:
    """Summarise a backtest (``summarize`` row + evidence) once for many replays."""
    r = np.asarray(returns, dtype=float)
    r = r[np.isfinite(r)]
    names, values = summarize_arrays(r[:, None], periods_per_year=periods_per_year)
    metrics = {n: float(v) for n, v in zip(names, values[0], strict=True)}
    metrics["win_rate"] = metrics["hit_rate"]
    ev = backtest_evidence(r, periods_per_year=periods_per_year, seed_key=key or "calibrate")
    return Backtest(returns=r, metrics=metrics, evidence=ev)


@dataclass
class ReplayResult:
    """Firing states of every simulated rule on every session of every path.

    Attributes
    ----------
    rules : tuple of str
    firing : mapping rule -> bool ndarray, shape (T, N)
        Whether the rule's alert is in the firing state after session t's evaluation.
    sessions : int
        T, live sessions per path.
    periods_per_year : int
    """

    rules: tuple[str, ...]
    firing: dict[str, npt.NDArray[np.bool_]]
    sessions: int
    periods_per_year: int = 252
    evaluable: dict[str, npt.NDArray[np.bool_]] = field(default_factory=dict)

    @property
    def n_paths(self) -> int:
        return next(iter(self.firing.values())).shape[1] if self.firing else 0

    @property
    def years(self) -> float:
        return self.sessions / self.periods_per_year

    def union(self, rules: Sequence[str]) -> npt.NDArray[np.bool_]:
        """Firing state of "any of ``rules`` fires" (one episode while any is firing)."""
        chosen = [self.firing[r] for r in rules if r in self.firing]
        if not chosen:
            return np.zeros((self.sessions, self.n_paths), dtype=bool)
        return np.logical_or.reduce(chosen)


def starts(firing: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Sessions where a firing episode starts (rising edges), shape (T, N)."""
    prev = np.vstack([np.zeros((1, firing.shape[1]), dtype=bool), firing[:-1]])
    out: npt.NDArray[np.bool_] = firing & ~prev
    return out


def firings_per_year(firing: npt.NDArray[np.bool_], periods_per_year: int = 252) -> float:
    """Firing episodes per path-year: rising edges / (paths x years)."""
    t, n = firing.shape
    if t == 0 or n == 0:
        return math.nan
    return float(starts(firing).sum() / (n * t / periods_per_year))


def delays(firing: npt.NDArray[np.bool_], change_at: int) -> Array:
    """Per path, sessions from the change to the first firing that starts at or after it
    (1 = fired on the first changed session); ``inf`` for a path never caught."""
    s = starts(firing)[change_at:]
    out: Array = np.where(s.any(axis=0), s.argmax(axis=0) + 1.0, np.inf)
    return out


def median_delay(firing: npt.NDArray[np.bool_], change_at: int) -> float:
    """Median over paths of :func:`delays` (``inf`` when most paths are never caught)."""
    d = delays(firing, change_at)
    return float(np.median(d)) if d.size else math.nan


def _hysteresis(active: npt.NDArray[np.int8], n_for: int, m_clear: int) -> npt.NDArray[np.bool_]:
    """The state machine's firing state per session: 1 active, 0 clear, -1 not evaluated."""
    t_len, n = active.shape
    firing = np.zeros(n, dtype=bool)
    on = np.zeros(n, dtype=np.int64)
    off = np.zeros(n, dtype=np.int64)
    out = np.zeros((t_len, n), dtype=bool)
    for t in range(t_len):
        a = active[t]
        yes, no = a == 1, a == 0
        on = np.where(yes, on + 1, np.where(no, 0, on))
        off = np.where(no, off + 1, np.where(yes, 0, off))
        firing = np.where(firing, ~(off >= m_clear), on >= n_for)
        off = np.where(firing, off, 0)
        out[t] = firing
    return out


def _decay_active(live: Array, bt: Array, periods_per_year: int) -> npt.NDArray[np.int8]:
    """Decay condition per session: alarm events with restarts, each held HOLD_SESSIONS."""
    t_len, n = live.shape
    active = np.zeros((t_len, n), dtype=np.int8)
    start = np.zeros(n, dtype=np.int64)
    todo = np.ones(n, dtype=bool)
    rows = np.arange(t_len)[:, None]
    cols = np.arange(n)[None, :]
    while todo.any():
        tt = rows + start[None, :]
        valid = (tt < t_len) & todo[None, :]
        sub = np.where(valid, live[np.minimum(tt, t_len - 1), cols], np.nan)
        idx = np.asarray(
            first_alarm(sub, bt, false_alarm_days=1260, periods_per_year=periods_per_year),
            dtype=np.int64,
        )
        hit = todo & (idx >= 0)
        at = start + idx
        for j in np.flatnonzero(hit):
            active[at[j] : at[j] + HOLD_SESSIONS, j] = 1
        start = np.where(hit, at + 1, start)
        todo &= hit & (start < t_len)
    return active


def _code(active: bool | None) -> int:
    return -1 if active is None else int(active)


def replay(
    backtests: Sequence[Backtest],
    group: npt.ArrayLike,
    live: npt.ArrayLike,
    config: AlertConfig | None = None,
    *,
    periods_per_year: int = 252,
    rules: Sequence[str] | None = None,
    start: dt.date = dt.date(2020, 1, 6),
) -> ReplayResult:
    """Run the rules day by day over live paths and return their firing states.

    Parameters
    ----------
    backtests : sequence of Backtest
        From :func:`backtest_of`.
    group : array of int, shape (N,)
        ``backtests[group[j]]`` is path j's backtest.
    live : ndarray, shape (T, N)
        Live simple daily returns (fractions), oldest first.
    config : AlertConfig, optional
        Defaults to ``AlertConfig()``.
    periods_per_year : int
    rules : sequence of str, optional
        Default :func:`simulated_rules`.
    start : datetime.date
        A Monday: the first NAV's date (business days follow; only the drawdown duration
        reads them).

    Returns
    -------
    ReplayResult
    """
    cfg = config if config is not None else AlertConfig()
    x = np.asarray(live, dtype=float)
    g = np.asarray(group, dtype=np.int64)
    t_len, n = x.shape
    names = tuple(rules) if rules is not None else simulated_rules(cfg)
    windows = sorted({*cfg.metric_windows(), cfg.win_rate.window_sessions})
    dates = [start + dt.timedelta(days=k) for k in _business_offsets(t_len + 1)]
    wealth = np.vstack([np.ones((1, n)), np.cumprod(1.0 + x, axis=0)])
    codes = {r: np.full((t_len, n), -1, dtype=np.int8) for r in names}
    bts = [backtests[int(k)] for k in g]
    evid = [b.evidence for b in bts]
    for t in range(2, t_len + 1):
        rows = {"all": _rows(x[:t], periods_per_year)}
        for w in windows:
            rows[str(w)] = _rows(x[max(0, t - w) : t], periods_per_year)
        stats_day = _statistics(rows["all"], evid, g, backtests, t)
        for j in range(n):
            bt = bts[j]
            metrics = {label: r[j] for label, r in rows.items()}
            inp = AlertInputs(
                strategy_id=str(j),
                as_of=dates[t],
                metrics=metrics,
                statistics=stats_day[j],
                backtest_metrics=bt.metrics,
                nav_dates=dates[: t + 1],
                nav=wealth[: t + 1, j],
                returns=x[:t, j],
                periods_per_year=periods_per_year,
            )
            ctx = _context(metrics, stats_day[j], bt, cfg, periods_per_year)
            for r in names:
                spec = rule_spec(r)
                if spec.condition is None:
                    continue
                cond = spec.condition(ctx if spec.source == "context" else inp, cfg)
                codes[r][t - 1, j] = _code(cond.active)
    if "decay" in names:
        bt_matrix = np.column_stack([b.returns[-min(len(b.returns) for b in bts) :] for b in bts])
        codes["decay"] = _decay_active(x, bt_matrix, periods_per_year)
    firing = {}
    evaluable = {}
    for r in names:
        n_for, m_clear = cfg.hysteresis(r)
        firing[r] = _hysteresis(codes[r], n_for, m_clear)
        evaluable[r] = codes[r] >= 0
    return ReplayResult(names, firing, t_len, periods_per_year, evaluable)


def _business_offsets(k: int) -> list[int]:
    """Calendar-day offsets of ``k`` consecutive business days from a Monday."""
    out, day = [], 0
    for _ in range(k):
        out.append(day)
        day += 3 if (day % 7) == 4 else 1
    return out


def _rows(x: Array, ppy: int) -> list[dict[str, float]]:
    names, values = summarize_arrays(x, periods_per_year=ppy)
    idx = [names.index(k) for k in _NEEDED]
    sub = values[:, idx].tolist()
    return [dict(zip(_NEEDED, row, strict=True)) for row in sub]


def _statistics(
    whole: list[dict[str, float]],
    evid: list[BacktestEvidence | None],
    group: npt.NDArray[np.int64],
    backtests: Sequence[Backtest],
    horizon: int,
) -> list[dict[str, Any]]:
    ok = [i for i, e in enumerate(evid) if e is not None]
    sig = significance_batch([whole[i] for i in ok], [evid[i] for i in ok])  # type: ignore[misc]
    out: list[dict[str, Any]] = [{} for _ in whole]
    for i, s in zip(ok, sig, strict=True):
        out[i] = {"psr_vs_backtest": s["psr_vs_backtest"]}
    for k in np.unique(group):
        ev = backtests[int(k)].evidence
        members = np.flatnonzero(group == k)
        if ev is None or ev.drawdown_table is None:
            continue
        cur = np.minimum([whole[j]["current_drawdown"] for j in members], 0.0)
        mdd = np.minimum([whole[j]["max_drawdown"] for j in members], 0.0)
        h = np.full(members.size, horizon)
        p_cur = np.atleast_1d(drawdown_probability(ev.drawdown_table, np.nan_to_num(cur), h))
        p_max = np.atleast_1d(drawdown_probability(ev.drawdown_table, np.nan_to_num(mdd), h))
        for pos, j in enumerate(members):
            out[j]["drawdown_probability"] = float(p_cur[pos])
            out[j]["max_drawdown_probability"] = float(p_max[pos])
            out[j]["drawdown"] = ev.drawdown
    return out


def _context(
    metrics: Mapping[str, Mapping[str, float]],
    stats: Mapping[str, Any],
    bt: Backtest,
    cfg: AlertConfig,
    ppy: int,
) -> RuleContext:
    w = cfg.underperformance.window
    um = metrics.get(str(w), {})
    wm = metrics.get(str(cfg.win_rate.window_sessions), {})
    whole = metrics["all"]
    n_w = int(wm.get("n_obs", 0) or 0)
    return RuleContext(
        strategy_id="",
        window_sessions=int(um.get("n_obs", 0) or 0),
        window_return=float(um.get("total_return", math.nan)),
        expected_window_return=expected_window_return(bt.mean, w),
        current_drawdown=float(whole["current_drawdown"]),
        backtest_max_drawdown=bt.metrics["max_drawdown"],
        live_win_rate=float(wm.get("hit_rate", math.nan)),
        live_n_trades=n_w,
        backtest_win_rate=bt.metrics["win_rate"],
        window_mean_return=float(um.get("mean_daily_return", math.nan)),
        backtest_mean_return=bt.mean,
        backtest_daily_volatility=bt.sd,
        live_sessions=int(whole["n_obs"]),
        drawdown_probability=float(stats.get("drawdown_probability", math.nan)),
        window_volatility=float(um.get("annual_volatility", math.nan)) / math.sqrt(ppy),
        backtest_n_obs=int(bt.returns.size),
    )


@dataclass(frozen=True)
class RuleCalibration:
    """One rule's (or one union's) measured cost and speed on a strategy's own backtest.

    ``firings_per_year``: firings per strategy-year when live behaves like the backtest;
    ``median_delay``: sessions from a Sharpe-to-zero decay to the first firing (``inf``: most
    paths not caught within the rest of the path)."""

    rule: str
    kind: str
    concern: str
    firings_per_year: float
    median_delay: float

    def to_dict(self) -> dict[str, Any]:
        d = self.median_delay
        return {
            "rule": self.rule,
            "kind": self.kind,
            "concern": self.concern,
            "firings_per_year": self.firings_per_year,
            "median_delay_sessions": d if math.isfinite(d) else None,
        }


@dataclass(frozen=True)
class Calibration:
    """``stratmon alerts calibrate`` for one strategy.

    Attributes
    ----------
    strategy_id : str
    sessions : int
        Length of each simulated path (the live record, at least a year).
    paths : int
    change_at : int
        Session of the decay (mid-path).
    rules : tuple of RuleCalibration
        Every simulated rule (judgement and limit), registry order.
    judgement : RuleCalibration
        Union of all judgement rules (one episode while any fires).
    concerns : tuple of RuleCalibration
        Union of the judgement rules of each concern.
    limits : RuleCalibration
        Union of the simulated limits.
    """

    strategy_id: str
    sessions: int
    paths: int
    change_at: int
    rules: tuple[RuleCalibration, ...]
    judgement: RuleCalibration
    concerns: tuple[RuleCalibration, ...]
    limits: RuleCalibration

    def to_dict(self) -> dict[str, Any]:
        return {
            "strategy_id": self.strategy_id,
            "sessions": self.sessions,
            "paths": self.paths,
            "change_at": self.change_at,
            "rules": [r.to_dict() for r in self.rules],
            "judgement": self.judgement.to_dict(),
            "concerns": [c.to_dict() for c in self.concerns],
            "limits": self.limits.to_dict(),
        }


def calibrate_strategy(
    strategy_id: str,
    backtest_returns: npt.ArrayLike,
    live_sessions: int,
    config: AlertConfig | None = None,
    *,
    n_paths: int = 50,
    periods_per_year: int = 252,
    seed: int = 0,
) -> Calibration:
    """Expected firings per strategy-year and median delay after a decay, per rule.

    Parameters
    ----------
    strategy_id : str
    backtest_returns : ndarray, shape (B,)
        The strategy's backtest daily simple returns (NaN dropped; at least 126).
    live_sessions : int
        Length of its live record; the paths are ``max(live_sessions, periods_per_year)`` long.
    config : AlertConfig, optional
        Already resolved for the strategy (:meth:`AlertConfig.for_strategy`).
    n_paths : int
        Stationary-bootstrap paths (Politis-White mean block length).
    periods_per_year : int
    seed : int

    Returns
    -------
    Calibration

    Raises
    ------
    ValueError
        With fewer than 126 finite backtest returns.

    References
    ----------
    Politis, D. N. and Romano, J. P. (1994), "The stationary bootstrap"; Politis and White
    (2004) for the block length (:mod:`stratmon.compare.bootstrap`).
    """
    cfg = config if config is not None else AlertConfig()
    r = np.asarray(backtest_returns, dtype=float)
    r = r[np.isfinite(r)]
    if r.size < 126:
        raise ValueError(f"needs at least 126 backtest returns, got {r.size}")
    length = max(int(live_sessions), int(periods_per_year * MIN_YEARS))
    rng = np.random.default_rng(seed)
    block = politis_white_block_length(r)
    idx = stationary_bootstrap_indices(r.size, n_paths, length, block, rng)
    paths = r[idx].T
    bt = backtest_of(r, periods_per_year, key=strategy_id)
    group = np.zeros(n_paths, dtype=np.int64)
    change = length // 2
    healthy = replay([bt], group, paths, cfg, periods_per_year=periods_per_year)
    drop = np.where(np.arange(length) >= change, bt.mean, 0.0)[:, None]
    decayed = replay([bt], group, paths - drop, cfg, periods_per_year=periods_per_year)

    def one(name: str, kind: str, concern: str, members: Sequence[str]) -> RuleCalibration:
        return RuleCalibration(
            name,
            kind,
            concern,
            firings_per_year(healthy.union(members), periods_per_year),
            median_delay(decayed.union(members), change),
        )

    rules = tuple(one(n, rule_spec(n).kind, rule_spec(n).concern, [n]) for n in healthy.rules)
    judged = [n for n in healthy.rules if rule_spec(n).kind == "judgement"]
    limits = [n for n in healthy.rules if rule_spec(n).kind == "limit"]
    concerns = tuple(
        one(f"{c} (judgement)", "judgement", c, [n for n in judged if rule_spec(n).concern == c])
        for c in dict.fromkeys(rule_spec(n).concern for n in judged)
    )
    return Calibration(
        strategy_id=strategy_id,
        sessions=length,
        paths=n_paths,
        change_at=change,
        rules=rules,
        judgement=one("all judgement rules", "judgement", "", judged),
        concerns=concerns,
        limits=one("limits", "limit", "", limits),
    )
