"""Invariants of the verdict, the status reconciliation and the ranking, over random evidence
and random previous states (issue 13, section 1)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from stratmon.domain.assessment import (
    ACT_ACTIONS,
    ACTIONS,
    RULE_CONCERNS,
    SEVERITIES,
    SEVERITY_RANK,
    VERDICTS,
    FiringAlert,
    HealthComponent,
    StatusView,
)
from stratmon.health.verdict import (
    VerdictConfig,
    VerdictEvidence,
    VerdictState,
    decide_verdict,
    rank_strategies,
    reconcile_status,
)

DAY = dt.date(2018, 12, 31)
STATUSES = ("on_track", "underperforming", "outperforming", "alert", "insufficient_data")

alert = st.builds(
    FiringAlert,
    rule=st.sampled_from([*RULE_CONCERNS, "some_new_rule"]),
    severity=st.sampled_from(SEVERITIES),
    message=st.sampled_from(["", "Current drawdown -20.2 % is beyond the emergency level."]),
)
alerts = st.lists(alert, max_size=6).map(tuple)
prob = st.one_of(
    st.just(math.nan), st.floats(0.0, 1.0), st.sampled_from([0.0, 1e-4, 0.009, 0.05, 0.95])
)
health = st.one_of(st.none(), st.floats(0.0, 100.0), st.sampled_from([24.9, 39.9, 59.9, 75.0]))
component = st.builds(
    HealthComponent,
    name=st.sampled_from(["performance", "drawdown", "win_rate", "trade_frequency"]),
    value=st.one_of(st.none(), st.floats(0.0, 100.0)),
    p_value=st.one_of(st.none(), st.floats(0.0, 1.0)),
    test=st.just("t"),
    reason=st.sampled_from(["", "live Sharpe 0.1 vs 1.0"]),
    weight=st.just(0.25),
)
status = st.one_of(
    st.none(),
    st.builds(
        StatusView,
        window=st.sampled_from(["live to date", "30 sessions"]),
        status=st.sampled_from(STATUSES),
    ),
)
evidence = st.builds(
    VerdictEvidence,
    n_obs=st.integers(0, 3000),
    health=health,
    components=st.lists(component, max_size=4).map(tuple),
    decay_alarm=st.booleans(),
    decay_alarm_date=st.one_of(st.none(), st.just(dt.date(2017, 3, 14))),
    decay_sessions_since=st.one_of(st.none(), st.integers(0, 1000)),
    decay_alarm_count=st.integers(0, 5),
    firing=alerts,
    live_sharpe_ratio=st.one_of(st.just(math.nan), st.floats(-3.0, 3.0)),
    backtest_sharpe_ratio=st.one_of(st.just(math.nan), st.floats(-1.0, 3.0)),
    psr_vs_backtest=prob,
    psr_vs_zero=prob,
    current_drawdown=st.one_of(st.just(math.nan), st.floats(-1.0, 0.0)),
    drawdown_probability=prob,
    status=status,
    status_recent=status,
)
previous = st.one_of(
    st.none(),
    st.builds(
        VerdictState,
        verdict=st.sampled_from(VERDICTS),
        action=st.sampled_from(ACTIONS),
        since=st.one_of(st.none(), st.just(dt.date(2018, 6, 1))),
        pending=st.one_of(st.none(), st.sampled_from(VERDICTS)),
        pending_sessions=st.integers(0, 10),
    ),
)
config = st.one_of(st.none(), st.builds(VerdictConfig, improve_after=st.integers(1, 8)))


def counted(a: FiringAlert) -> bool:
    return a.concern != "milestone" and SEVERITY_RANK[a.severity] >= SEVERITY_RANK["warning"]


@settings(max_examples=800, deadline=None)
@given(evidence, previous, config)
def test_verdict_invariants(
    ev: VerdictEvidence, prev: VerdictState | None, cfg: VerdictConfig | None
) -> None:
    d = decide_verdict(ev, prev, DAY, cfg)
    serious = [a for a in ev.firing if counted(a) and a.severity in ("critical", "emergency")]
    adverse = [
        a for a in ev.firing if counted(a) and a.concern in ("performance", "drawdown", "risk")
    ]
    # 1. never on_track with a critical/emergency alert or an active decay alarm
    if serious or ev.decay_alarm:
        assert d.verdict != "on_track"
    # 2. never increase with a warning-or-worse performance/drawdown/risk alert
    if adverse or ev.decay_alarm:
        assert d.action != "increase"
    # 3. act carries reduce/suspend/retire_review, other verdicts increase/maintain
    assert (d.verdict == "act") == (d.action in ACT_ACTIONS)
    if d.action == "increase":
        assert d.verdict == "on_track"
        assert ev.n_obs >= ev.min_obs
    # the state agrees with the decision and is well formed
    improve_after = (cfg or VerdictConfig()).improve_after
    assert (d.state.verdict, d.state.action) == (d.verdict, d.action)
    assert (d.state.pending is None) == (d.state.pending_sessions == 0)
    assert 0 <= d.state.pending_sessions < improve_after
    assert d.state.since is not None
    assert 1 <= len(d.reasons) <= 3 and all(isinstance(r, str) and r for r in d.reasons)
    # an emergency breach of a limit suspends at once, whatever the previous state
    if any(
        counted(a) and a.severity == "emergency" and a.concern in ("drawdown", "risk")
        for a in ev.firing
    ):
        assert d.action == "suspend"


@settings(max_examples=200, deadline=None)
@given(evidence)
def test_little_data_without_alarms_is_not_trouble(ev: VerdictEvidence) -> None:
    quiet = VerdictEvidence(
        n_obs=ev.n_obs % ev.min_obs,
        health=ev.health,
        components=ev.components,
        psr_vs_backtest=ev.psr_vs_backtest,
        psr_vs_zero=ev.psr_vs_zero,
        status=ev.status,
        firing=tuple(a for a in ev.firing if not counted(a)),
    )
    d = decide_verdict(quiet, None, DAY)
    assert (d.verdict, d.action) == ("on_track", "maintain")
    assert d.reasons[0].startswith("insufficient data: ")


@settings(max_examples=300, deadline=None)
@given(
    st.builds(
        StatusView,
        window=st.sampled_from(["live to date", "30 sessions"]),
        status=st.sampled_from(STATUSES),
        reason=st.sampled_from(["", "Sharpe 1.6"]),
    ),
    alerts,
)
def test_reconcile_status_never_outperforming_against_a_performance_alert(
    s: StatusView, firing: tuple[FiringAlert, ...]
) -> None:
    out = reconcile_status(s, firing)
    assert out.window == s.window
    if any(counted(a) and a.concern == "performance" for a in firing):
        assert out.status != "outperforming"
    if s.status != "outperforming":
        assert out == s
    if out.status != s.status:
        assert out.status == "on_track" and s.window in out.reason


@dataclass(frozen=True)
class Row:
    strategy_id: str
    verdict: str
    action: str
    health: float | None
    firing_alerts: tuple[FiringAlert, ...]


@settings(max_examples=120, deadline=None)
@given(st.lists(evidence, min_size=1, max_size=8), health)
def test_worst_evidence_never_ranked_above_none(
    evs: list[VerdictEvidence], clean_health: float | None
) -> None:
    clean = VerdictEvidence(
        n_obs=500, health=clean_health if clean_health is None or clean_health >= 65 else 65.0
    )
    rows = []
    for i, ev in enumerate([clean, *evs]):
        d = decide_verdict(ev, None, DAY)
        rows.append(Row(f"s{i}", d.verdict, d.action, ev.health, ev.firing))
    order = [r.strategy_id for r in rank_strategies(rows)]
    for i, ev in enumerate(evs, start=1):
        worst = ev.decay_alarm or any(
            counted(a) and a.severity in ("critical", "emergency") for a in ev.firing
        )
        if worst:
            assert order.index("s0") < order.index(f"s{i}")
    # the ranking never puts a worse verdict level above a better one
    levels = [(VERDICTS.index(r.verdict), r.action) for r in rank_strategies(rows)]
    verdict_ranks = [v for v, _ in levels]
    assert verdict_ranks == sorted(verdict_ranks)
