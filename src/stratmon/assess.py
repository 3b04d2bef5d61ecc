"""The assessment step of the daily job: one :class:`Assessment` per strategy, after the alert
step, from the engine's evaluation, the alerts firing now and the previous session's
assessment (pure: the pipeline reads and writes the store around it).

Order of the judgement:

1. the comparison status of each window (significance-aware, with hysteresis: computed by the
   engine), reconciled with the firing performance alerts
   (:func:`stratmon.health.verdict.reconcile_status`);
2. the verdict and its action (:func:`stratmon.health.verdict.decide_verdict`, with the
   previous session's state for hysteresis);
3. the book's allocation proposal over every assessed strategy
   (:func:`stratmon.health.allocation.propose_allocation`): the recommendation with a size;
4. the changes since the previous session (:mod:`stratmon.changes`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from stratmon.changes import strategy_changes
from stratmon.domain.assessment import Assessment, FiringAlert, StatusView
from stratmon.domain.numbers import as_float as _f
from stratmon.health.allocation import AllocationInput, BookProposal, propose_allocation
from stratmon.health.verdict import (
    VerdictEvidence,
    VerdictState,
    decide_verdict,
    reconcile_status,
)


def previous_state(previous: Assessment | None) -> VerdictState | None:
    """The hysteresis memory carried by the previous session's assessment."""
    if previous is None:
        return None
    return VerdictState(
        verdict=previous.verdict,
        action=previous.action,
        since=previous.verdict_since,
        pending=previous.pending,  # type: ignore[arg-type]
        pending_sessions=previous.pending_sessions,
    )


def firing_alerts(rows: Sequence[tuple[str, str, str]]) -> tuple[FiringAlert, ...]:
    """``(rule, current severity, message)`` rows as records."""
    return tuple(FiringAlert(rule, severity, message) for rule, severity, message in rows)  # type: ignore[arg-type]


def assess(
    evaluations: Sequence[Any],
    items: Sequence[Any],
    as_of: dt.date,
    *,
    firing: Mapping[str, Sequence[tuple[str, str, str]]],
    events: Sequence[Any],
    previous: Mapping[str, Assessment],
    missing_sessions: Mapping[str, int | None],
    verdict_config: Any = None,
    allocation_config: Any = None,
) -> tuple[list[Assessment], BookProposal]:
    """Assess every evaluated strategy (see the module docstring).

    Parameters
    ----------
    evaluations : sequence of StrategyEvaluation
    items : sequence of StrategyInputs
        The same strategies' inputs (capital, returns).
    as_of : datetime.date
    firing : mapping
        strategy_id -> firing alerts after today's alert step, ``(rule, severity, message)``.
    events : sequence of AlertEvent
        Today's alert transitions (all strategies).
    previous : mapping
        strategy_id -> the previous session's assessment.
    missing_sessions : mapping
        strategy_id -> sessions without data up to ``as_of``.

    Returns
    -------
    (list of Assessment, BookProposal)
    """
    by_id = {it.strategy.strategy_id: it for it in items}
    drafts: list[tuple[Any, Any, Any, tuple[FiringAlert, ...], StatusView, StatusView]] = []
    for ev in evaluations:
        it = by_id[ev.strategy_id]
        fired = firing_alerts(firing.get(ev.strategy_id, ()))
        status = reconcile_status(ev.status_view, fired)
        status_recent = reconcile_status(ev.status_recent, fired)
        decay = it.decay
        alarm = bool(decay is not None and decay.available and decay.alarm)
        alarm_date = decay.alarm_date if alarm and decay is not None else None
        stats = ev.statistics
        whole = ev.metrics.get("all", {})
        verdict_ev = VerdictEvidence(
            n_obs=int(ev.n_obs.get("all", 0)),
            health=ev.health.score,
            components=ev.health.components,
            decay_alarm=alarm,
            decay_alarm_date=alarm_date,
            decay_sessions_since=decay.sessions_since_alarm if decay is not None else None,
            decay_alarm_count=decay.alarm_count if decay is not None else 0,
            firing=fired,
            live_sharpe_ratio=_f(whole.get("sharpe_ratio")),
            backtest_sharpe_ratio=_f(stats.get("backtest_sharpe_annual")),
            psr_vs_backtest=_f(stats.get("psr_vs_backtest")),
            psr_vs_zero=_f(stats.get("psr_vs_zero")),
            current_drawdown=_f(whole.get("current_drawdown")),
            drawdown_probability=_f(stats.get("drawdown_probability")),
            status=status,
            status_recent=status_recent,
        )
        decision = decide_verdict(
            verdict_ev, previous_state(previous.get(ev.strategy_id)), as_of, verdict_config
        )
        drafts.append((ev, it, decision, fired, status, status_recent))
    book = propose_allocation(
        [
            AllocationInput(
                strategy_id=ev.strategy_id,
                action=decision.action,
                current_capital=it.strategy.allocated_capital,
                daily_volatility=_f(ev.metrics.get("all", {}).get("annual_volatility"))
                / math.sqrt(it.strategy.periods_per_year),
                p_intact=(ev.health.score / 100.0) if ev.health.score is not None else math.nan,
            )
            for ev, it, decision, *_ in drafts
        ],
        allocation_config,
    )
    out: list[Assessment] = []
    for ev, it, decision, fired, status, status_recent in drafts:
        sid = ev.strategy_id
        whole = ev.metrics.get("all", {})
        decay = it.decay
        prev = previous.get(sid)
        rec = book.recommendations[sid]
        evidence = {
            "live_sharpe_ratio": _f(whole.get("sharpe_ratio")),
            "backtest_sharpe_ratio": _f(ev.statistics.get("backtest_sharpe_annual")),
            "psr_vs_backtest": _f(ev.statistics.get("psr_vs_backtest")),
            "psr_vs_zero": _f(ev.statistics.get("psr_vs_zero")),
            "current_drawdown": _f(whole.get("current_drawdown")),
            "max_drawdown": _f(whole.get("max_drawdown")),
            "drawdown_probability": _f(ev.statistics.get("drawdown_probability")),
            "total_return": _f(whole.get("total_return")),
            "decay_statistic": decay.statistic if decay is not None else math.nan,
            "decay_threshold": decay.threshold if decay is not None else math.nan,
            "status_states": ev.status_states,
        }
        draft = Assessment(
            strategy_id=sid,
            as_of=as_of,
            verdict=decision.verdict,
            action=decision.action,
            health=ev.health.score,
            health_trend=ev.trend,
            health_components=ev.health.components,
            recent_health=ev.recent_health.score,
            status=status,
            status_recent=status_recent,
            reasons=decision.reasons,
            recommendation=rec,
            decay_alarm=bool(decay is not None and decay.available and decay.alarm),
            decay_alarm_date=decay.alarm_date if decay is not None and decay.alarm else None,
            firing_alerts=fired,
            n_obs=int(ev.n_obs.get("all", 0)),
            verdict_since=decision.state.since,
            pending=decision.state.pending,
            pending_sessions=decision.state.pending_sessions,
            evidence=_json_safe(evidence),
        )
        changes = strategy_changes(
            draft,
            prev,
            [e for e in events if e.strategy_id == sid],
            max_drawdown=_f(whole.get("max_drawdown")),
            previous_max_drawdown=_f(prev.evidence.get("max_drawdown")) if prev else math.nan,
            missing_sessions=missing_sessions.get(sid),
            last_data=it.nav_dates[-1] if it.nav_dates else None,
        )
        out.append(_with_changes(draft, changes))
    return out, book


def _with_changes(a: Assessment, changes: list[str]) -> Assessment:
    return replace(a, changes=tuple(changes))


def _json_safe(x: Any) -> Any:
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, Mapping):
        return {str(k): _json_safe(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_json_safe(v) for v in x]
    return x
