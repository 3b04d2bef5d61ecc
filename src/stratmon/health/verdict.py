"""The verdict: one judgement per strategy and day, with its action and reasons (pure).

:func:`decide_verdict` reads the day's evidence (:class:`VerdictEvidence`: health score and
components, decay alarm, firing alerts at their current severity, PSR, drawdown probability,
status) and the previous session's :class:`VerdictState`, and returns the verdict
(``on_track``, ``watch``, ``investigate``, ``act``), the rotation action and the two or three
pieces of evidence that decided it, in words. :func:`reconcile_status` keeps the comparison
status from contradicting the alerts. :func:`rank_strategies` orders a book by verdict.

Levels
------
Verdict and action form one ordered scale (worse = higher)::

    0 on_track/increase < 1 on_track/maintain < 2 watch < 3 investigate
      < 4 act/reduce < 5 act/retire_review < 6 act/suspend

Every rule below that holds raises the level to its own; the verdict is the highest level
reached ("memoryless" level), then hysteresis is applied. Thresholds are the fields of
:class:`VerdictConfig` (defaults in brackets).

Which alerts count: a firing alert of concern ``milestone`` never counts against a strategy,
nor does one at severity ``info``. "Counted" below means every other firing alert.

Rules (memoryless)
------------------
* **suspend** (6): a counted ``emergency`` alert of concern ``drawdown`` or ``risk`` (a risk
  limit breached, e.g. the 20 % drawdown tier), or ``drawdown_probability`` below
  ``suspend_drawdown_probability`` [1e-3]: a drawdown this deep this soon is incompatible with
  the backtest.
* **retire_review** (5): the decay alarm is active and it is not the first of the live record
  (at least ``retire_after_alarms`` [2] alarm events: the detector restarts after each one,
  so a repeat is new evidence) and the live Sharpe is not credibly positive
  (``psr_vs_zero`` below ``retire_psr_vs_zero`` [0.90]) or the backtest is clearly
  contradicted (``psr_vs_backtest`` below ``retire_psr_vs_backtest`` [0.01]).
* **reduce** (4): an active decay alarm; or health below ``reduce_health`` [25]; or a counted
  ``critical``/``emergency`` alert of concern ``performance`` or ``drawdown`` together with
  weak evidence (health below ``investigate_health`` [40], ``psr_vs_backtest`` below
  ``weak_psr_vs_backtest`` [0.05], ``drawdown_probability`` below ``weak_drawdown_probability``
  [0.01], or a performance component p below ``investigate_p_value`` [0.01]).
* **investigate** (3): health below ``investigate_health`` [40]; any counted ``critical`` or
  ``emergency`` alert (any concern); a component named in ``investigate_components``
  [performance] with p below ``investigate_p_value`` [0.01].
* **watch** (2): health below ``watch_health`` [60]; any counted ``warning`` (any concern).
* **on_track** (1 maintain / 0 increase) otherwise. ``increase`` needs all of: a whole-period
  status ``outperforming`` (significance-aware: :mod:`stratmon.compare.status_judgement`,
  after :func:`reconcile_status`) with a recent status that is neither ``underperforming`` nor
  ``alert``; ``psr_vs_backtest`` at least ``increase_psr_vs_backtest`` [0.95]; health at least
  ``increase_health`` [75]; no decay alarm; no counted alert; at least ``min_obs`` returns.

Insufficient data: with fewer than ``min_obs`` [30] live returns (DESIGN.md minimum data) the
health score, its components and the PSR are not judged; the alert rules, the decay alarm and
the drawdown probability (which already accounts for the length of the record) still are.
Without any of those the verdict is ``on_track``/``maintain`` with the reason "insufficient
data: N returns < 30": little data is not trouble, and it is never ``increase``.

Hysteresis
----------
* Health bands have an entry and an exit level: a strategy enters ``watch`` below
  ``watch_health`` [60] and, once at ``watch`` or worse, the band holds until health reaches
  ``watch_health_exit`` [65]; likewise ``investigate`` 40 / 45 and ``reduce`` 25 / 30; an
  ``increase`` is entered at health 75 and PSR 0.95 and held down to 70 and 0.90.
* A worse level takes effect at once. A better one takes effect only after the memoryless
  level has been better than the current one for ``improve_after`` [5] consecutive sessions;
  meanwhile the state carries ``pending`` (the candidate verdict: it equals the current verdict
  when only the action improves, e.g. suspend -> reduce) and ``pending_sessions``. The level
  then adopted is that session's memoryless level. ``improve_after = 1`` switches this off.
* ``since`` is the first session of the current verdict (an action change within ``act`` keeps
  it).

Invariants (by construction, and tested by ``tests/health/test_health_invariants.py``): no
``on_track`` with a counted ``critical``/``emergency`` alert or an active decay alarm; no
``increase`` with a counted alert of concern performance, drawdown or risk; ``act`` carries
reduce/suspend/retire_review and every other verdict increase/maintain. Holding a previous
level only ever keeps a *worse* verdict than the memoryless one, so it cannot break them.

False alarms
------------
The verdict's health bands read the evidence-based score of :mod:`stratmon.health.score`,
whose false-alarm behaviour on simulated strategies that behave exactly like their backtest is
measured by ``benchmarks/health.py`` (share of healthy strategy-days at ``on_track`` or
``watch``, target >= 97 %; delay to ``investigate``/``act`` after a decay); the decay alarm is
calibrated to one false alarm per 1,260 sessions (:mod:`stratmon.decay.calibration`); the alert
rules carry their own measured rates. Measured on the simulation of ``benchmarks/health.py``
(100 healthy strategies x 1,200 sessions after the first 60, seed 20261203), the share of days
at ``on_track`` or ``watch``: with the decay alarm left out, 99.4 % (Gaussian, Sharpe 1) and
99.5 % (t(4), Sharpe 2) -- the health bands, the performance p-value and the drawdown
probability together put a healthy strategy at ``investigate`` or ``act`` on 0.5-0.6 % of days;
with the decay alarm held active "from its crossing until the CUSUM returns to 0", 72.5 % and
84.9 %, because that alarm is then active on 27 % and 15 % of healthy days (every such day is
``act``). The verdict's delay to ``investigate``/``act`` after a decay (Gaussian, Sharpe 1) is
0.81 x the detector's own. ``suspend_drawdown_probability`` = 1e-3 is a tail
probability of the backtest bootstrap at the live horizon: by construction a strategy exactly
like its backtest is below it on about 0.1 % of days at a given horizon.

References
----------
Bailey, D. H. and López de Prado, M. (2012), "The Sharpe ratio efficient frontier", Journal of
Risk 15(2) (the PSR read here). Page, E. S. (1954), "Continuous inspection schemes",
Biometrika 41 (the CUSUM decay detector whose alarm is read here).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from stratmon.domain.assessment import (
    SEVERITY_RANK,
    Action,
    FiringAlert,
    HealthComponent,
    StatusView,
    Verdict,
)
from stratmon.errors import ConfigError

__all__ = [
    "LEVELS",
    "VerdictConfig",
    "VerdictDecision",
    "VerdictEvidence",
    "VerdictState",
    "counted_alerts",
    "decide_verdict",
    "level_of",
    "rank_strategies",
    "ranking_key",
    "reconcile_status",
]

_NAN = math.nan

# The ordered scale of (verdict, action): index = level (worse = higher).
LEVELS: tuple[tuple[Verdict, Action], ...] = (
    ("on_track", "increase"),
    ("on_track", "maintain"),
    ("watch", "maintain"),
    ("investigate", "maintain"),
    ("act", "reduce"),
    ("act", "retire_review"),
    ("act", "suspend"),
)
_INCREASE, _ON_TRACK, _WATCH, _INVESTIGATE, _REDUCE, _RETIRE, _SUSPEND = range(7)
_ACT_LEVEL: dict[str, int] = {"reduce": _REDUCE, "retire_review": _RETIRE, "suspend": _SUSPEND}
_ADVERSE_CONCERNS = frozenset({"performance", "drawdown", "risk"})


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class VerdictEvidence:
    """What the verdict reads about one strategy on one day.

    NaN / ``None`` mean "unknown" and never trigger a rule. Fractions (0.05 = 5 %); Sharpe
    ratios annualised.

    Attributes
    ----------
    n_obs : int
        Live daily returns in the record.
    health : float or None
        0-100 evidence-based health score; ``None`` when no component has data.
    components : tuple of HealthComponent
        The score's components (``value`` 0-100 or ``None``, ``p_value``).
    decay_alarm : bool
        The calibrated decay detector has an active alarm.
    decay_alarm_date : date or None
        When the alarm was declared.
    decay_sessions_since : int or None
        Sessions since the newest alarm event (``None`` = unknown, read as 0).
    decay_alarm_count : int
        Alarm events in the whole live record (the detector restarts after each).
    firing : tuple of FiringAlert
        Alerts firing after today's alert step, at their current severity.
    live_sharpe_ratio, backtest_sharpe_ratio : float
        Annualised; for the reasons.
    psr_vs_backtest, psr_vs_zero : float
        Probabilistic Sharpe Ratio of the whole live record against the backtest Sharpe and
        against 0 (0-1).
    current_drawdown : float
        <= 0, fraction.
    drawdown_probability : float
        P(a drawdown at least this deep within a live period this long | backtest), 0-1.
    status, status_recent : StatusView or None
        The comparison status of the whole live period and of the recent window.
    min_obs : int
        Minimum live returns before health, components and PSR are judged.
    """

    n_obs: int
    health: float | None
    components: tuple[HealthComponent, ...] = ()
    decay_alarm: bool = False
    decay_alarm_date: dt.date | None = None
    decay_sessions_since: int | None = None
    decay_alarm_count: int = 0
    firing: tuple[FiringAlert, ...] = ()
    live_sharpe_ratio: float = _NAN
    backtest_sharpe_ratio: float = _NAN
    psr_vs_backtest: float = _NAN
    psr_vs_zero: float = _NAN
    current_drawdown: float = _NAN
    drawdown_probability: float = _NAN
    status: StatusView | None = None
    status_recent: StatusView | None = None
    min_obs: int = 30


@dataclass(frozen=True)
class VerdictState:
    """What hysteresis needs from the previous session.

    ``pending`` is the milder verdict waiting out ``improve_after`` sessions (it equals
    ``verdict`` when only the action improves), ``pending_sessions`` how many it has held.
    """

    verdict: Verdict
    action: Action
    since: dt.date | None = None
    pending: Verdict | None = None
    pending_sessions: int = 0


@dataclass(frozen=True)
class VerdictConfig:
    """Every threshold of the verdict (see the module docstring for the rules).

    Attributes
    ----------
    watch_health, watch_health_exit : float
        Enter ``watch`` below 60; once at ``watch`` or worse, held below 65.
    investigate_health, investigate_health_exit : float
        Enter ``investigate`` below 40; held below 45. Also the "weak evidence" health level.
    reduce_health, reduce_health_exit : float
        Enter ``act``/``reduce`` below 25; held below 30.
    investigate_p_value : float
        A component of ``investigate_components`` with p below 0.01 -> ``investigate``.
    investigate_components : tuple of str
        Components whose p-value alone can trigger ``investigate`` [("performance",)].
    suspend_drawdown_probability : float
        ``drawdown_probability`` below 1e-3 -> ``suspend``.
    weak_psr_vs_backtest : float
        PSR vs backtest below 0.05 is weak evidence (with a critical alert -> ``reduce``).
    weak_drawdown_probability : float
        ``drawdown_probability`` below 0.01 is weak evidence.
    retire_after_alarms : int
        An active decay alarm that is at least the this-many-th of the live record [2]
        -> ``retire_review`` when...
    retire_psr_vs_zero : float
        ...PSR vs 0 is below 0.90 (live Sharpe not credibly positive), or...
    retire_psr_vs_backtest : float
        ...PSR vs backtest is below 0.01 (backtest clearly contradicted).
    increase_health, increase_health_exit : float
        ``increase`` needs health >= 75 to enter, >= 70 to hold.
    increase_psr_vs_backtest, increase_psr_vs_backtest_exit : float
        ``increase`` needs PSR vs backtest >= 0.95 to enter, >= 0.90 to hold.
    improve_after : int
        Consecutive sessions a better level must hold before it is adopted [5].
    min_obs : int or None
        Overrides ``VerdictEvidence.min_obs`` when set.

    Raises
    ------
    ConfigError
        When a band is out of order (reduce < investigate < watch <= exit levels, increase
        above watch), a probability is outside (0, 1), or a count is below 1.
    """

    watch_health: float = 60.0
    watch_health_exit: float = 65.0
    investigate_health: float = 40.0
    investigate_health_exit: float = 45.0
    reduce_health: float = 25.0
    reduce_health_exit: float = 30.0
    investigate_p_value: float = 0.01
    investigate_components: tuple[str, ...] = ("performance",)
    suspend_drawdown_probability: float = 1e-3
    weak_psr_vs_backtest: float = 0.05
    weak_drawdown_probability: float = 0.01
    retire_after_alarms: int = 2
    retire_psr_vs_zero: float = 0.90
    retire_psr_vs_backtest: float = 0.01
    increase_health: float = 75.0
    increase_health_exit: float = 70.0
    increase_psr_vs_backtest: float = 0.95
    increase_psr_vs_backtest_exit: float = 0.90
    improve_after: int = 5
    min_obs: int | None = None

    def __post_init__(self) -> None:
        bands = [
            ("reduce_health", self.reduce_health, "investigate_health", self.investigate_health),
            ("investigate_health", self.investigate_health, "watch_health", self.watch_health),
            ("reduce_health", self.reduce_health, "reduce_health_exit", self.reduce_health_exit),
            (
                "investigate_health",
                self.investigate_health,
                "investigate_health_exit",
                self.investigate_health_exit,
            ),
            ("watch_health", self.watch_health, "watch_health_exit", self.watch_health_exit),
            (
                "increase_health_exit",
                self.increase_health_exit,
                "increase_health",
                self.increase_health,
            ),
            (
                "watch_health_exit",
                self.watch_health_exit,
                "increase_health_exit",
                self.increase_health_exit,
            ),
            (
                "increase_psr_vs_backtest_exit",
                self.increase_psr_vs_backtest_exit,
                "increase_psr_vs_backtest",
                self.increase_psr_vs_backtest,
            ),
        ]
        for lo_name, lo, hi_name, hi in bands:
            if not (math.isfinite(lo) and math.isfinite(hi) and lo <= hi):
                raise ConfigError(
                    f"verdict config: {lo_name} ({lo!r}) must be <= {hi_name} ({hi!r})."
                )
        if not (self.reduce_health >= 0.0 and self.increase_health <= 100.0):
            raise ConfigError("verdict config: health levels must lie within 0-100.")
        probabilities = {
            "investigate_p_value": self.investigate_p_value,
            "suspend_drawdown_probability": self.suspend_drawdown_probability,
            "weak_psr_vs_backtest": self.weak_psr_vs_backtest,
            "weak_drawdown_probability": self.weak_drawdown_probability,
            "retire_psr_vs_zero": self.retire_psr_vs_zero,
            "retire_psr_vs_backtest": self.retire_psr_vs_backtest,
            "increase_psr_vs_backtest": self.increase_psr_vs_backtest,
            "increase_psr_vs_backtest_exit": self.increase_psr_vs_backtest_exit,
        }
        bad = {k: v for k, v in probabilities.items() if not 0.0 < v < 1.0}
        if bad:
            raise ConfigError(f"verdict config: probabilities must lie in (0, 1), got {bad}.")
        counts = {
            "improve_after": self.improve_after,
            "retire_after_alarms": self.retire_after_alarms,
        }
        if self.min_obs is not None:
            counts["min_obs"] = self.min_obs
        bad_counts = {k: v for k, v in counts.items() if v < 1}
        if bad_counts:
            raise ConfigError(f"verdict config: counts must be >= 1, got {bad_counts}.")


@dataclass(frozen=True)
class VerdictDecision:
    """The day's verdict, its action, the reasons for people and the state for tomorrow."""

    verdict: Verdict
    action: Action
    reasons: tuple[str, ...]
    state: VerdictState
    level: int = field(default=_ON_TRACK, compare=False)


# --------------------------------------------------------------------------- helpers


def _ok(x: float | None) -> bool:
    return x is not None and math.isfinite(x)


def _pct(x: float, digits: int = 1) -> str:
    return f"{x * 100:.{digits}f} %"


def _share_deeper(p: float) -> str:
    """``1 - p`` as a share of paths, with enough digits to not read 100 %."""
    q = 1.0 - p
    if p < 1e-3:
        return "over 99.9 %"
    if p < 0.01:
        return _pct(q, 1)
    return f"{q * 100:.0f} %"


def _label(verdict: str, action: str) -> str:
    if verdict == "act":
        return f"act ({action.replace('_', ' ')})"
    if action == "increase":
        return "on track (increase)"
    return verdict.replace("_", " ")


def level_of(verdict: str, action: str) -> int:
    """The level of a (verdict, action) pair on the scale of the module docstring.

    Inconsistent pairs (``act`` without an act action, another verdict with one, ``increase``
    outside ``on_track``) are read as the nearest consistent pair: ``act`` -> reduce at least,
    an act action outside ``act`` and ``increase`` outside ``on_track`` -> the verdict alone.
    """
    if verdict == "act":
        return _ACT_LEVEL.get(action, _REDUCE)
    if verdict == "on_track":
        return _INCREASE if action == "increase" else _ON_TRACK
    return {"watch": _WATCH, "investigate": _INVESTIGATE}.get(verdict, _ON_TRACK)


def counted_alerts(firing: Sequence[FiringAlert]) -> tuple[FiringAlert, ...]:
    """The firing alerts that count against a strategy: not ``milestone``, not ``info``."""
    return tuple(
        a
        for a in firing
        if a.concern != "milestone" and SEVERITY_RANK.get(a.severity, 0) >= SEVERITY_RANK["warning"]
    )


def _p_below(c: HealthComponent, level: float) -> bool:
    return c.p_value is not None and math.isfinite(c.p_value) and c.p_value < level


def _alert_text(a: FiringAlert) -> str:
    head = f"{a.rule.replace('_', ' ')} {a.severity} firing"
    msg = a.message.strip().rstrip(".")
    return f"{head} ({msg})" if msg else head


def _sharpe_text(ev: VerdictEvidence) -> str | None:
    if not _ok(ev.live_sharpe_ratio):
        return None
    text = f"live Sharpe {ev.live_sharpe_ratio:.2f}"
    if _ok(ev.backtest_sharpe_ratio):
        text += f" vs {ev.backtest_sharpe_ratio:.2f} promised"
    if _ok(ev.psr_vs_backtest):
        text += f" (PSR vs backtest {_pct(ev.psr_vs_backtest, 0)})"
    return text


def _decay_text(ev: VerdictEvidence) -> str:
    when = ev.decay_alarm_date.isoformat() if ev.decay_alarm_date else "on an unknown date"
    text = f"decay detector alarmed {when}"
    if ev.decay_sessions_since is not None:
        text += f", {ev.decay_sessions_since:,} sessions ago"
    return text


def _drawdown_text(ev: VerdictEvidence) -> str:
    p = ev.drawdown_probability
    dd = f"drawdown {_pct(ev.current_drawdown)}" if _ok(ev.current_drawdown) else "drawdown"
    return f"{dd} is deeper than {_share_deeper(p)} of backtest paths of this length"


@dataclass
class _Findings:
    """Evidence found today, by level; the texts of the deciding level come first."""

    items: list[tuple[int, str]] = field(default_factory=list)

    def add(self, level: int, text: str) -> None:
        if (level, text) not in self.items:
            self.items.append((level, text))

    def level(self, floor: int) -> int:
        return max([floor, *(lvl for lvl, _ in self.items)])

    def reasons(self, level: int, context: Sequence[str], limit: int = 3) -> tuple[str, ...]:
        top = [t for lvl, t in self.items if lvl == level]
        rest = [t for lvl, t in sorted(self.items, key=lambda x: -x[0]) if lvl != level]
        out: list[str] = []
        for t in [*top, *rest, *context]:
            if t not in out:
                out.append(t)
        return tuple(out[:limit])


def _normalise(prev: VerdictState) -> tuple[int, VerdictState]:
    lvl = level_of(prev.verdict, prev.action)
    verdict, action = LEVELS[lvl]
    if (verdict, action) == (prev.verdict, prev.action):
        return lvl, prev
    return lvl, VerdictState(verdict, action, prev.since, prev.pending, prev.pending_sessions)


# --------------------------------------------------------------------------- the verdict


def _memoryless(
    ev: VerdictEvidence, prev_level: int, cfg: VerdictConfig
) -> tuple[int, tuple[str, ...]]:
    """The level the evidence reaches today (health bands depend on ``prev_level``)."""
    f = _Findings()
    min_obs = cfg.min_obs if cfg.min_obs is not None else ev.min_obs
    enough = ev.n_obs >= min_obs
    counted = counted_alerts(ev.firing)
    health = ev.health if enough and _ok(ev.health) else None
    comps = {c.name: c for c in ev.components} if enough else {}
    dd_p = ev.drawdown_probability if _ok(ev.drawdown_probability) else None

    # suspend: risk limits breached, drawdown incompatible with the backtest
    for a in counted:
        if a.severity == "emergency" and a.concern in ("drawdown", "risk"):
            f.add(_SUSPEND, _alert_text(a))
    if dd_p is not None and dd_p < cfg.suspend_drawdown_probability:
        f.add(_SUSPEND, _drawdown_text(ev))

    # retire review / reduce: the decay alarm
    if ev.decay_alarm:
        long_alarm = ev.decay_alarm_count >= cfg.retire_after_alarms
        psr0, psrb = ev.psr_vs_zero, ev.psr_vs_backtest
        not_positive = _ok(psr0) and psr0 < cfg.retire_psr_vs_zero
        contradicted = _ok(psrb) and psrb < cfg.retire_psr_vs_backtest
        if long_alarm and enough and (not_positive or contradicted):
            f.add(_RETIRE, _decay_text(ev))
            if not_positive:
                f.add(_RETIRE, f"live Sharpe not credibly positive (PSR vs 0 {_pct(psr0, 0)})")
            if contradicted:
                f.add(_RETIRE, f"backtest contradicted (PSR vs backtest {_pct(psrb, 1)})")
        else:
            f.add(_REDUCE, _decay_text(ev))

    # weak evidence (for critical alerts), health bands, components
    weak: list[str] = []
    perf = comps.get("performance")
    if health is not None and health < cfg.investigate_health:
        weak.append(f"health {health:.0f}")
    if enough and _ok(ev.psr_vs_backtest) and ev.psr_vs_backtest < cfg.weak_psr_vs_backtest:
        weak.append(_sharpe_text(ev) or f"PSR vs backtest {_pct(ev.psr_vs_backtest, 1)}")
    if dd_p is not None and dd_p < cfg.weak_drawdown_probability:
        weak.append(_drawdown_text(ev))
    if perf is not None and _p_below(perf, cfg.investigate_p_value):
        weak.append(perf.reason or f"performance evidence p = {perf.p_value:.3g}")
    for a in counted:
        if SEVERITY_RANK[a.severity] >= SEVERITY_RANK["critical"]:
            if a.concern in ("performance", "drawdown") and weak:
                f.add(_REDUCE, _alert_text(a))
                f.add(_REDUCE, weak[0])
            else:
                f.add(_INVESTIGATE, _alert_text(a))
        else:
            f.add(_WATCH, _alert_text(a))

    if health is not None:
        reduce_at = cfg.reduce_health_exit if prev_level >= _REDUCE else cfg.reduce_health
        inv_at = (
            cfg.investigate_health_exit if prev_level >= _INVESTIGATE else cfg.investigate_health
        )
        watch_at = cfg.watch_health_exit if prev_level >= _WATCH else cfg.watch_health
        if health < reduce_at:
            f.add(_REDUCE, f"health {health:.0f} < {reduce_at:g}")
        elif health < inv_at:
            f.add(_INVESTIGATE, f"health {health:.0f} < {inv_at:g}")
        elif health < watch_at:
            f.add(_WATCH, f"health {health:.0f} < {watch_at:g}")
    for name in cfg.investigate_components:
        c = comps.get(name)
        if c is not None and _p_below(c, cfg.investigate_p_value):
            f.add(_INVESTIGATE, c.reason or f"{name} evidence p = {c.p_value:.3g}")

    context: list[str] = []
    if not enough:
        context.append(f"insufficient data: {ev.n_obs} returns < {min_obs}")
    sharpe = _sharpe_text(ev) if enough else None
    if sharpe:
        context.append(sharpe)
    if health is not None:
        context.append(f"health {health:.0f}")
    elif enough:
        context.append("health: no data")
    if not counted:
        context.append("no warning firing")

    level = f.level(_ON_TRACK)
    if level == _ON_TRACK and enough:
        inc = _increase_reasons(ev, health, prev_level, cfg)
        if inc is not None:
            return _INCREASE, inc
    return level, f.reasons(level, context)


def _increase_reasons(
    ev: VerdictEvidence, health: float | None, prev_level: int, cfg: VerdictConfig
) -> tuple[str, ...] | None:
    """The reasons for ``increase`` when the evidence is strong and positive, else ``None``."""
    holding = prev_level == _INCREASE
    h_at = cfg.increase_health_exit if holding else cfg.increase_health
    p_at = cfg.increase_psr_vs_backtest_exit if holding else cfg.increase_psr_vs_backtest
    status, recent = ev.status, ev.status_recent
    if (
        ev.decay_alarm
        or any(a.concern in _ADVERSE_CONCERNS for a in counted_alerts(ev.firing))
        or status is None
        or status.status != "outperforming"
        or (recent is not None and recent.status in ("underperforming", "alert"))
        or health is None
        or health < h_at
        or not _ok(ev.psr_vs_backtest)
        or ev.psr_vs_backtest < p_at
    ):
        return None
    first = f"outperforming significantly ({status.window})"
    if status.reason:
        first += f": {status.reason}"
    return (
        first,
        _sharpe_text(ev) or f"PSR vs backtest {_pct(ev.psr_vs_backtest, 0)}",
        f"health {health:.0f}, no warning firing",
    )


def decide_verdict(
    ev: VerdictEvidence,
    previous: VerdictState | None,
    as_of: dt.date,
    config: VerdictConfig | None = None,
) -> VerdictDecision:
    """The verdict, action and reasons of one strategy on one day (rules: module docstring).

    Parameters
    ----------
    ev : VerdictEvidence
        Today's evidence (after today's alert step).
    previous : VerdictState or None
        The previous session's state (``None`` on a strategy's first assessment).
        Inconsistent states are read as the nearest consistent level (:func:`level_of`).
    as_of : datetime.date
        The evaluation date (becomes ``state.since`` when the verdict changes).
    config : VerdictConfig, optional
        Thresholds; the defaults of :class:`VerdictConfig`.

    Returns
    -------
    VerdictDecision
        ``verdict``, ``action``, up to three ``reasons`` for people, and the ``state`` to pass
        back tomorrow.

    References
    ----------
    Hysteresis by entry/exit bands and a minimum holding time, as in Page's CUSUM with
    restart and in the status judgement of :mod:`stratmon.compare.status_judgement`.
    """
    cfg = config or VerdictConfig()
    if previous is None:
        prev_level, prev = -1, None
    else:
        prev_level, prev = _normalise(previous)
    raw_level, raw_reasons = _memoryless(ev, prev_level, cfg)
    verdict, action = LEVELS[raw_level]

    if prev is None or raw_level >= prev_level:
        return _adopt(raw_level, raw_reasons, prev, as_of)
    held = (prev.pending_sessions if prev.pending is not None else 0) + 1
    if held >= cfg.improve_after:
        return _adopt(raw_level, raw_reasons, prev, as_of)
    head = (
        f"{_label(prev.verdict, prev.action)} held: evidence points to "
        f"{_label(verdict, action)} for {held} of {cfg.improve_after} sessions"
    )
    state = VerdictState(prev.verdict, prev.action, prev.since or as_of, verdict, held)
    return VerdictDecision(prev.verdict, prev.action, (head, *raw_reasons[:2]), state, prev_level)


def _adopt(
    level: int, reasons: tuple[str, ...], prev: VerdictState | None, as_of: dt.date
) -> VerdictDecision:
    verdict, action = LEVELS[level]
    since = as_of
    if prev is not None and prev.verdict == verdict and prev.since is not None:
        since = prev.since
    state = VerdictState(verdict, action, since, None, 0)
    return VerdictDecision(verdict, action, reasons, state, level)


# --------------------------------------------------------------------------- status


def reconcile_status(status: StatusView, firing: Sequence[FiringAlert]) -> StatusView:
    """Never show ``outperforming`` next to a firing adverse performance or drawdown alert.

    Parameters
    ----------
    status : StatusView
        A comparison status (whole period or recent window), already significance-aware.
    firing : sequence of FiringAlert
        The alerts firing now, at their current severity.

    Returns
    -------
    StatusView
        ``status`` unchanged, unless it is ``outperforming`` while a counted (warning or worse,
        not milestone) alert of concern ``performance`` or ``drawdown`` fires: then
        ``on_track`` over the same window, with a reason naming the alert and the window.
        Drawdown alerts count too: a live record deeper under water than the limits is not
        "outperforming" to a reader, whatever its Sharpe.

    References
    ----------
    stratmon issue 13, section 3 (no "outperforming" unless significant and no performance
    alert of the opposite sign fires).
    """
    if status.status != "outperforming":
        return status
    against = [a for a in counted_alerts(firing) if a.concern in ("performance", "drawdown")]
    if not against:
        return status
    worst = max(against, key=lambda a: SEVERITY_RANK[a.severity])
    names = ", ".join(f"{a.rule} ({a.severity})" for a in against)
    reason = (
        f"outperformance over {status.window} not confirmed while {names} "
        f"{'fires' if len(against) == 1 else 'fire'}"
    )
    if worst.message:
        reason += f": {worst.message.strip().rstrip('.')}"
    if status.reason:
        reason += f"; was: {status.reason}"
    return StatusView(status.window, "on_track", reason)


# --------------------------------------------------------------------------- ranking


class Rankable(Protocol):
    """What :func:`rank_strategies` reads (an :class:`~stratmon.domain.assessment.Assessment`
    has all of it)."""

    @property
    def strategy_id(self) -> str: ...
    @property
    def verdict(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def health(self) -> float | None: ...
    @property
    def firing_alerts(self) -> tuple[FiringAlert, ...]: ...


def ranking_key(item: Rankable) -> tuple[int, int, int, int, float, str]:
    """Sort key of :func:`rank_strategies` (smaller = better ranked).

    In order: the level of (verdict, action) (on_track/increase first, act/suspend last;
    :data:`LEVELS`), then the severity of the worst counted alert, then the number of counted
    alerts, then health descending (unknown health after every known one), then the id.
    """
    counted = counted_alerts(item.firing_alerts)
    worst = max((SEVERITY_RANK[a.severity] for a in counted), default=0)
    health = item.health if _ok(item.health) else None
    return (
        level_of(item.verdict, item.action),
        worst,
        len(counted),
        1 if health is None else 0,
        -(health or 0.0),
        item.strategy_id,
    )


_T = TypeVar("_T", bound=Rankable)


def rank_strategies(items: Sequence[_T]) -> list[_T]:
    """Order a book best first (rank 1 = the list's first item).

    Parameters
    ----------
    items : sequence of Assessment (or any :class:`Rankable`)

    Returns
    -------
    list
        Sorted by :func:`ranking_key`: the verdict decides first, so a strategy with evidence
        of trouble (a worse verdict) is never ranked above one without; health only orders
        strategies of the same verdict, action and alerts. Reverse it for the urgency order.
    """
    return sorted(items, key=ranking_key)
