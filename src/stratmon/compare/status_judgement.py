"""A comparison status that means something: ratio bands *and* significance, with hysteresis.

:func:`stratmon.compare.status.compare_metrics` says where each live metric sits against the
specification's ratio bands (Sharpe and CAGR below 0.7 x backtest, max drawdown beyond 1.3 x /
1.5 x). A band alone is not evidence: over 60 sessions a strategy exactly like a backtest of
annual Sharpe 1 shows a live Sharpe below 0.7 about 44 % of the time (standard error
sqrt(252/60)). :func:`judge_status` turns one window's band results plus the like-for-like
tests the engine already computed (:class:`WindowEvidence`) into one
:class:`~stratmon.domain.assessment.StatusView`, and keeps a small memory
(:class:`StatusState`) so that the status does not flip every few days.

Memoryless judgement at level ``a`` (``a = alpha`` to enter a status)
--------------------------------------------------------------------
* ``max_drawdown`` (any window length). Live max drawdown beyond ``drawdown_alert_ratio`` x
  the backtest's [1.5] **and** ``drawdown_probability < a`` -> ``alert``. Beyond the band
  (1.3 x) **and** ``drawdown_probability < a`` -> ``underperforming`` (only from ``min_obs``
  returns on). ``drawdown_probability`` is the probability, under the backtest bootstrap, of a
  drawdown at least this deep within a period of ``n_obs`` sessions: it already accounts for
  the length of the record, so a short record that breaks 1.5 x by chance is *not* an alert,
  while a crash in week one that the backtest makes improbable is one even before 30 returns.
  When the probability is NaN (no backtest returns to bootstrap) the drawdown is judged by the
  ratio rule alone and the reason says so: a deep drawdown is never silently ignored.
* Below ``min_obs`` returns [30] everything else is ``insufficient_data`` (DESIGN.md).
* ``sharpe_ratio`` and ``cagr`` (the key metrics). Band breached below **and** the one-sided
  p of "live below backtest" ``< a`` -> ``underperforming``; breached above **and** ``1 - p <
  a`` -> ``outperforming``. Sharpe uses ``sharpe_p_value`` (PSR against the backtest Sharpe,
  or the Mertens z-test), CAGR uses ``mean_p_value`` (Welch t-test of the mean daily return:
  the CAGR is a monotone function of the mean for a given volatility, and the Welch test is the
  like-for-like test already computed). A breach that is not significant is ``on_track`` and
  the reason says "not significant"; a breach without a p-value (NaN) leaves the metric
  *unjudged*.
* Other metrics (Sortino, volatility, win rate, profit factor) have no test in the evidence:
  they are shown by the callers from ``comparisons`` but never decide the status.
* Overall: ``alert`` > ``underperforming`` > ``outperforming`` (every judged key metric
  significantly outperforming) > ``on_track``; ``insufficient_data`` when no key metric could
  be judged and no drawdown finding exists.

Hysteresis (per window)
-----------------------
* Entering a status other than ``on_track`` needs the memoryless judgement at ``alpha``
  [0.05]: it happens on the first session the evidence is significant. A more serious status
  (rank ``alert`` 3 > ``underperforming`` 2 > ``outperforming`` 1 > ``on_track`` 0) replaces a
  less serious one immediately.
* A held status persists while its evidence is still there at the exit level ``exit_alpha``
  [0.10 = 2 alpha] (judgement at ``exit_alpha`` gives the same status, or a more serious one of
  the same direction). It is left only after the evidence has faded for ``exit_after`` [3]
  consecutive sessions; meanwhile the state carries the candidate as ``pending`` and the count
  as ``pending_sessions``. The status then becomes the memoryless status of that session.
* ``insufficient_data`` is a fact, not evidence: it is taken (and left) immediately.
* ``exit_alpha = alpha`` with ``exit_after = 1`` switches the memory off (the status is then
  exactly the memoryless judgement of each session).

Measured (``python benchmarks/status_flips.py --sharpe-test z``: Gaussian returns, volatility
1 % a day, a 2,520-session backtest with annual Sharpe 1, 4 live years, 200 strategies per
scenario, seed 20240613; "decayed" = Sharpe 1 -> 0 after one live year; the Mertens two-sample
z-test as the Sharpe test, which is what the daily job uses; defaults alpha 0.05, exit_alpha
0.10, exit_after 3). Status changes per strategy-year, memoryless -> with the hysteresis:

==============  ==============  ==============
window          healthy         decayed
==============  ==============  ==============
live to date    1.70 -> 0.37    2.11 -> 0.48
90 sessions     5.53 -> 2.27    6.79 -> 2.53
30 sessions     10.43 -> 5.80   11.28 -> 6.13
==============  ==============  ==============

False alarms (share of healthy strategy-days shown ``underperforming`` or ``alert``):
6.2 / 5.0 / 5.5 % memoryless (live to date / 90 / 30 sessions) and 8.6 / 7.9 / 9.6 % with
hysteresis -- the memory holds every alarm, true or false, ``exit_after`` sessions longer. That
is the price of a status that does not flip every few days, and it is why the status informs
the verdict but never decides an action alone. With PSR against the backtest Sharpe as the
test (``--sharpe-test psr``, which treats the backtest Sharpe as known) the live-to-date share
was 7.8 % memoryless. Entry is never delayed by the memory: the median delay from the decay to
``underperforming`` is 125 -> 119 sessions (90 sessions) and 58 -> 56 (30 sessions).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from stratmon.compare.status import ComparisonThresholds, MetricComparison, Status
from stratmon.domain.assessment import StatusView
from stratmon.errors import ConfigError

__all__ = [
    "STATUS_RANK",
    "StatusConfig",
    "StatusState",
    "WindowEvidence",
    "judge_status",
    "memoryless_status",
]

STATUS_RANK: dict[str, int] = {
    "insufficient_data": -1,
    "on_track": 0,
    "outperforming": 1,
    "underperforming": 2,
    "alert": 3,
}


@dataclass(frozen=True)
class WindowEvidence:
    """Everything :func:`judge_status` reads about one window of live returns.

    Attributes
    ----------
    window : str
        ``"live to date"``, ``"90 sessions"`` or ``"30 sessions"``: printed in every reason.
    n_obs : int
        Live daily returns in the window.
    comparisons : sequence of MetricComparison
        Band results from :func:`stratmon.compare.status.compare_metrics` for this window
        (live vs backtest values). Only ``sharpe_ratio``, ``cagr`` and ``max_drawdown`` decide.
    sharpe_p_value : float
        One-sided p of "live Sharpe below the backtest Sharpe" in [0, 1] (the PSR against the
        backtest Sharpe, or the Mertens z-test with ``alternative="less"``); the p of
        outperformance is ``1 - sharpe_p_value``. NaN when not computed.
    mean_p_value : float
        One-sided p of "live mean daily return below the backtest's" (Welch t-test,
        ``alternative="less"``); outperformance uses ``1 - mean_p_value``. NaN when not computed.
    drawdown_probability : float
        P(a max drawdown at least as deep as the live one within ``n_obs`` sessions), under the
        bootstrap of the backtest returns. NaN when not computed.
    sharpe_test, mean_test, drawdown_test : str
        Names of the tests, printed in reasons.
    """

    window: str
    n_obs: int
    comparisons: Sequence[MetricComparison]
    sharpe_p_value: float = math.nan
    mean_p_value: float = math.nan
    drawdown_probability: float = math.nan
    sharpe_test: str = "PSR vs backtest"
    mean_test: str = "Welch t-test of mean daily return"
    drawdown_test: str = "backtest bootstrap"

    def __post_init__(self) -> None:
        for name in ("sharpe_p_value", "mean_p_value", "drawdown_probability"):
            v = float(getattr(self, name))
            if not (math.isnan(v) or 0.0 <= v <= 1.0):
                raise ValueError(f"{name} must be a probability in [0, 1] or NaN, got {v!r}")
        if self.n_obs < 0:
            raise ValueError(f"n_obs must be >= 0, got {self.n_obs!r}")


@dataclass(frozen=True)
class StatusState:
    """Hysteresis memory of one window, carried from one session to the next.

    Attributes
    ----------
    status : Status
        The status shown.
    since_sessions : int
        Sessions the status has been held *before* this one (0 on the session it is entered).
    pending : Status or None
        The status that would replace it once the evidence has faded long enough.
    pending_sessions : int
        Consecutive sessions with faded evidence so far (0 when ``pending`` is None).
    """

    status: Status
    since_sessions: int = 0
    pending: Status | None = None
    pending_sessions: int = 0


@dataclass(frozen=True)
class StatusConfig:
    """Levels of :func:`judge_status` (see the module docstring).

    Parameters
    ----------
    alpha : float
        One-sided significance level needed to enter a status, in (0, 0.5) [0.05].
    exit_alpha : float
        A held status persists while its p stays ``<= exit_alpha``; in [alpha, 1) [0.10].
    exit_after : int
        Consecutive sessions of faded evidence before a status is left, >= 1 [3].
    thresholds : ComparisonThresholds
        The ratio bands and minimum data (``min_obs`` [30]) of the comparisons.

    Raises
    ------
    ConfigError
        When a value is out of range.
    """

    alpha: float = 0.05
    exit_alpha: float = 0.10
    exit_after: int = 3
    thresholds: ComparisonThresholds = field(default_factory=ComparisonThresholds)

    def __post_init__(self) -> None:
        if not 0.0 < self.alpha < 0.5:
            raise ConfigError(f"alpha must be in (0, 0.5), got {self.alpha!r}.")
        if not self.alpha <= self.exit_alpha < 1.0:
            raise ConfigError(
                f"exit_alpha must be in [alpha, 1) = [{self.alpha!r}, 1), got {self.exit_alpha!r}."
            )
        if self.exit_after < 1:
            raise ConfigError(f"exit_after must be >= 1, got {self.exit_after!r}.")


# --- memoryless judgement ------------------------------------------------------------------


@dataclass(frozen=True)
class _Judgement:
    status: Status
    findings: tuple[str, ...]  # texts of the findings that decided a non-on_track status
    notes: tuple[str, ...]  # texts for on_track / insufficient_data


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.2g}"


def _figures(c: MetricComparison) -> str:
    if c.metric == "sharpe_ratio":
        return f"Sharpe {c.live:.2f} vs {c.backtest:.2f}"
    if c.metric == "cagr":
        return f"CAGR {c.live:.1%} vs {c.backtest:.1%}"
    return f"{c.metric} {c.live:.4g} vs {c.backtest:.4g}"


def _significant(p: float, level: float, inclusive: bool) -> bool:
    """Entry needs ``p < alpha``; holding a status needs ``p <= exit_alpha``."""
    return p <= level if inclusive else p < level


def _drawdown_finding(
    ev: WindowEvidence,
    c: MetricComparison,
    level: float,
    inclusive: bool,
    th: ComparisonThresholds,
) -> tuple[Status, str] | None:
    if c.status not in ("alert", "underperforming"):
        return None
    if c.status == "underperforming" and ev.n_obs < th.min_obs:
        return None
    ratio = c.live / c.backtest if c.backtest < 0 else math.inf
    beyond = th.drawdown_alert_ratio if c.status == "alert" else 2.0 - th.underperform_ratio
    text = f"max drawdown {c.live:.1%} vs {c.backtest:.1%} backtest ({ratio:.2f} x > {beyond:g} x"
    prob = ev.drawdown_probability
    if math.isnan(prob):
        text += f"; ratio rule only, no {ev.drawdown_test} probability)"
    elif _significant(prob, level, inclusive):
        text += f"; P = {prob:.2g} of one this deep in {ev.n_obs} sessions, {ev.drawdown_test})"
    else:
        return None
    return c.status, text


def memoryless_status(
    ev: WindowEvidence, config: StatusConfig | None = None, *, level: float | None = None
) -> StatusView:
    """The status of one window from today's evidence alone (no hysteresis).

    Parameters
    ----------
    ev : WindowEvidence
    config : StatusConfig, optional
    level : float, optional
        Significance level; defaults to ``config.alpha``.

    Returns
    -------
    StatusView
        ``window`` = ``ev.window``; ``reason`` names the metrics, the figures and the tests.

    References
    ----------
    Bailey and Lopez de Prado (2012), PSR; Mertens (2002); Welch (1947).
    """
    cfg = config if config is not None else StatusConfig()
    j = _judge(ev, cfg, cfg.alpha if level is None else level)
    return StatusView(ev.window, j.status, _reason(j, ev.window))


def _judge(
    ev: WindowEvidence, cfg: StatusConfig, level: float, inclusive: bool = False
) -> _Judgement:
    th = cfg.thresholds
    comps = {c.metric: c for c in ev.comparisons}
    findings: dict[Status, list[str]] = {"alert": [], "underperforming": [], "outperforming": []}
    dd = comps.get("max_drawdown")
    if dd is not None:
        f = _drawdown_finding(ev, dd, level, inclusive, th)
        if f is not None:
            findings[f[0]].append(f[1])
    if ev.n_obs < th.min_obs:
        if findings["alert"]:
            return _Judgement("alert", tuple(findings["alert"]), ())
        return _Judgement(
            "insufficient_data", (), (f"{ev.n_obs} daily returns < {th.min_obs} required",)
        )
    notes: list[str] = []
    judged: list[Status] = []
    tests = (
        ("sharpe_ratio", ev.sharpe_p_value, ev.sharpe_test),
        ("cagr", ev.mean_p_value, ev.mean_test),
    )
    for metric, p_below, test in tests:
        c = comps.get(metric)
        if c is None:
            continue
        if c.status == "insufficient_data":
            notes.append(f"{metric}: {c.reason}")
            continue
        if c.status == "on_track":
            judged.append("on_track")
            notes.append(f"{_figures(c)} within the band")
            continue
        below = c.status == "underperforming"
        side = "below" if below else "above"
        multiple = th.underperform_ratio if below else th.outperform_ratio
        if math.isnan(p_below):
            notes.append(f"{_figures(c)} {side} {multiple:g} x but untested (no {test})")
            continue
        p = p_below if below else 1.0 - p_below
        text = f"{_figures(c)} ({_p(p)}, {test})"
        if _significant(p, level, inclusive):
            findings[c.status].append(text)
            judged.append(c.status)
        else:
            judged.append("on_track")
            notes.append(
                f"{_figures(c)} {side} {multiple:g} x but not significant ({_p(p)}, {test})"
            )
    for s in ("alert", "underperforming"):
        if findings[s]:
            return _Judgement(s, tuple(findings[s]), ())
    if not judged:
        return _Judgement("insufficient_data", (), tuple(notes) or ("no key metric compared",))
    if all(s == "outperforming" for s in judged):
        return _Judgement("outperforming", tuple(findings["outperforming"]), ())
    return _Judgement("on_track", (), tuple(notes))


def _reason(j: _Judgement, window: str) -> str:
    parts = j.findings if j.findings else j.notes
    return f"{'; '.join(parts)} over {window}"


# --- hysteresis ------------------------------------------------------------------------------


def _holds(current: Status, at_exit: Status) -> bool:
    if current == "underperforming":
        return at_exit in ("underperforming", "alert")
    return at_exit == current


def judge_status(
    ev: WindowEvidence,
    previous: StatusState | None,
    config: StatusConfig | None = None,
) -> tuple[StatusView, StatusState]:
    """Today's comparison status of one window, with hysteresis (see the module docstring).

    Parameters
    ----------
    ev : WindowEvidence
        Today's evidence for the window (band results, one-sided p-values, drawdown
        probability).
    previous : StatusState or None
        The state returned for the same window on the previous session; ``None`` on the first.
    config : StatusConfig, optional
        Defaults: ``alpha`` 0.05 to enter, ``exit_alpha`` 0.10 and ``exit_after`` 3 sessions to
        leave, the specification's bands (0.7 / 1.3 / 1.5) and 30 returns minimum.

    Returns
    -------
    (StatusView, StatusState)
        The status shown today (window, status, reason naming the metric, figures, test and
        window) and the state to pass back tomorrow.

    Notes
    -----
    False-alarm and flip rates of the defaults (``benchmarks/status_flips.py``): see the module
    docstring.

    References
    ----------
    Bailey and Lopez de Prado (2012), "The Sharpe ratio efficient frontier" (PSR); Mertens
    (2002); Welch (1947); hysteresis as in two-threshold (Schmitt) decision rules.
    """
    cfg = config if config is not None else StatusConfig()
    today = _judge(ev, cfg, cfg.alpha)
    reason = _reason(today, ev.window)
    if previous is None:
        return StatusView(ev.window, today.status, reason), StatusState(today.status)
    current = previous.status
    if today.status == current:
        state = StatusState(current, previous.since_sessions + 1)
        return StatusView(ev.window, current, reason), state
    if (
        current in ("on_track", "insufficient_data")
        or today.status == "insufficient_data"
        or STATUS_RANK[today.status] > STATUS_RANK[current]
    ):
        return StatusView(ev.window, today.status, reason), StatusState(today.status)
    at_exit = _judge(ev, cfg, cfg.exit_alpha, inclusive=True)
    if _holds(current, at_exit.status):
        held = f"{current} held (evidence within exit level {cfg.exit_alpha:g}): "
        state = StatusState(current, previous.since_sessions + 1)
        return StatusView(ev.window, current, held + _reason(at_exit, ev.window)), state
    faded = previous.pending_sessions + 1 if previous.pending is not None else 1
    if faded >= cfg.exit_after:
        return StatusView(ev.window, today.status, reason), StatusState(today.status)
    held = (
        f"{current} held, evidence faded {faded} of {cfg.exit_after} sessions "
        f"(pending {today.status}): "
    )
    state = StatusState(current, previous.since_sessions + 1, today.status, faded)
    return StatusView(ev.window, current, held + reason), state
