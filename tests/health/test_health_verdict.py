"""The verdict: hand-computed cases of each rule, hysteresis, reasons, status, ranking."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pytest

from stratmon.domain.assessment import FiringAlert, HealthComponent, StatusView
from stratmon.errors import ConfigError
from stratmon.health.verdict import (
    VerdictConfig,
    VerdictDecision,
    VerdictEvidence,
    VerdictState,
    counted_alerts,
    decide_verdict,
    level_of,
    rank_strategies,
    reconcile_status,
)

DAY = dt.date(2018, 12, 31)
OUT = StatusView("live to date", "outperforming", "Sharpe 1.60 vs 1.00, p = 0.01")


def ev(**kw: object) -> VerdictEvidence:
    base: dict[str, object] = {"n_obs": 500, "health": 70.0}
    base.update(kw)
    return VerdictEvidence(**base)  # type: ignore[arg-type]


def decide(e: VerdictEvidence, prev: VerdictState | None = None, **cfg: object) -> VerdictDecision:
    return decide_verdict(e, prev, DAY, VerdictConfig(**cfg) if cfg else None)  # type: ignore[arg-type]


def va(e: VerdictEvidence, prev: VerdictState | None = None) -> tuple[str, str]:
    d = decide(e, prev)
    return d.verdict, d.action


# --------------------------------------------------------------------------- rules


def test_insufficient_data_is_on_track_maintain_with_the_reason() -> None:
    d = decide(ev(n_obs=12, health=10.0, psr_vs_zero=0.01))  # health/PSR not judged yet
    assert (d.verdict, d.action) == ("on_track", "maintain")
    assert d.reasons[0] == "insufficient data: 12 returns < 30"
    # ... but alerts still count, and it is never increase
    crit = FiringAlert("underperformance", "critical")
    assert va(ev(n_obs=12, firing=(crit,))) == ("investigate", "maintain")
    strong = ev(n_obs=12, health=95.0, psr_vs_backtest=0.99, status=OUT)
    assert va(strong) == ("on_track", "maintain")
    # the evidence's own minimum can be overridden by the config
    assert decide(ev(n_obs=12, health=10.0), min_obs=10).verdict == "act"


def test_wti_trend_repeated_decay_alarm_without_credible_sharpe_is_retire_review() -> None:
    e = ev(
        health=74.0,
        decay_alarm=True,
        decay_alarm_date=dt.date(2017, 3, 14),
        decay_sessions_since=447,
        decay_alarm_count=2,
        live_sharpe_ratio=0.12,
        backtest_sharpe_ratio=0.37,
        psr_vs_zero=0.62,
        psr_vs_backtest=0.2,
    )
    d = decide(e)
    assert (d.verdict, d.action) == ("act", "retire_review")
    assert d.reasons[0] == "decay detector alarmed 2017-03-14, 447 sessions ago"
    assert d.reasons[1] == "live Sharpe not credibly positive (PSR vs 0 62 %)"
    assert len(d.reasons) <= 3
    # a first alarm is reduce; a repeated one with a credibly positive Sharpe is reduce too
    assert va(replace(e, decay_alarm_count=1)) == ("act", "reduce")
    assert va(replace(e, psr_vs_zero=0.95)) == ("act", "reduce")
    # ... unless the backtest is clearly contradicted
    assert va(replace(e, psr_vs_zero=0.95, psr_vs_backtest=0.005)) == ("act", "retire_review")
    # a missing figure never triggers a rule: unknown PSR vs 0 leaves it at reduce
    assert va(replace(e, psr_vs_zero=float("nan"))) == ("act", "reduce")


def test_emergency_drawdown_tier_suspends_nasdaq_momentum() -> None:
    warnings = tuple(
        FiringAlert(r, "warning")
        for r in ("relative_sharpe", "volatility", "value_at_risk", "psr", "drawdown")
    )
    tier = FiringAlert(
        "drawdown_tiers", "emergency", "Current drawdown -20.2 % is beyond the emergency level"
    )
    e = ev(health=80.0, firing=(*warnings, tier), status=OUT)
    d = decide(e)
    assert (d.verdict, d.action) == ("act", "suspend")
    assert d.reasons[0] == (
        "drawdown tiers emergency firing (Current drawdown -20.2 % is beyond the emergency level)"
    )
    # an emergency of concern performance or data is not a breached limit: investigate
    assert va(ev(firing=(FiringAlert("psr", "emergency"),))) == ("investigate", "maintain")
    assert va(ev(firing=(FiringAlert("stale_data", "emergency"),))) == ("investigate", "maintain")
    # unknown rules count as risk: emergency suspends
    assert va(ev(firing=(FiringAlert("brand_new_rule", "emergency"),))) == ("act", "suspend")


def test_improbable_drawdown_suspends_with_the_share_of_paths() -> None:
    d = decide(ev(current_drawdown=-0.253, drawdown_probability=4e-4))
    assert (d.verdict, d.action) == ("act", "suspend")
    assert (
        d.reasons[0]
        == "drawdown -25.3 % is deeper than over 99.9 % of backtest paths of this length"
    )
    # p = 0.07 is not a trigger by itself (it is context only)
    assert va(ev(current_drawdown=-0.153, drawdown_probability=0.07)) == ("on_track", "maintain")


def test_critical_alert_with_weak_evidence_reduces_otherwise_investigates() -> None:
    crit = FiringAlert("relative_sharpe", "critical", "Sharpe 0.2 below 0.7 x 1.0")
    assert va(ev(firing=(crit,), health=70.0, psr_vs_backtest=0.4)) == ("investigate", "maintain")
    # weak: PSR vs backtest below 5 %
    d = decide(
        ev(
            firing=(crit,),
            psr_vs_backtest=0.03,
            live_sharpe_ratio=0.12,
            backtest_sharpe_ratio=0.37,
        )
    )
    assert (d.verdict, d.action) == ("act", "reduce")
    assert d.reasons[:2] == (
        "relative sharpe critical firing (Sharpe 0.2 below 0.7 x 1.0)",
        "live Sharpe 0.12 vs 0.37 promised (PSR vs backtest 3 %)",
    )
    # weak: drawdown probability below 1 %
    assert va(ev(firing=(crit,), drawdown_probability=0.005)) == ("act", "reduce")
    # a critical risk alert with weak evidence is investigate, not reduce
    vol = FiringAlert("volatility", "critical")
    assert va(ev(firing=(vol,), psr_vs_backtest=0.03)) == ("investigate", "maintain")


def test_health_bands() -> None:
    assert va(ev(health=61.0)) == ("on_track", "maintain")
    assert va(ev(health=59.9)) == ("watch", "maintain")
    assert va(ev(health=39.0)) == ("investigate", "maintain")
    assert va(ev(health=24.0)) == ("act", "reduce")
    assert decide(ev(health=39.0)).reasons[0] == "health 39 < 40"
    # no data: not trouble
    d = decide(ev(health=None))
    assert (d.verdict, d.action) == ("on_track", "maintain")
    assert "health: no data" in d.reasons


def test_performance_component_p_below_one_percent_investigates() -> None:
    comp = HealthComponent(
        "performance", 62.0, 0.004, "Simes", "live Sharpe 0.1 vs 1.0: PSR 0.4 %", 0.4
    )
    d = decide(ev(health=75.0, components=(comp,)))
    assert (d.verdict, d.action) == ("investigate", "maintain")
    assert d.reasons[0] == "live Sharpe 0.1 vs 1.0: PSR 0.4 %"
    other = HealthComponent("trade_frequency", 30.0, 0.004, "Poisson", "", 0.1)
    assert va(ev(health=75.0, components=(other,))) == ("on_track", "maintain")


def test_warnings_watch_milestones_and_info_never_count() -> None:
    assert va(ev(firing=(FiringAlert("stale_data", "warning"),))) == ("watch", "maintain")
    assert va(ev(firing=(FiringAlert("concentration", "warning"),))) == ("watch", "maintain")
    harmless = (
        FiringAlert("profitable", "warning"),
        FiringAlert("new_max_drawdown", "emergency"),  # milestone concern
        FiringAlert("drawdown_tiers", "info"),
    )
    assert counted_alerts(harmless) == ()
    assert va(ev(firing=harmless)) == ("on_track", "maintain")


def test_increase_needs_strong_positive_evidence() -> None:
    strong = ev(
        health=80.0,
        psr_vs_backtest=0.97,
        status=OUT,
        live_sharpe_ratio=1.6,
        backtest_sharpe_ratio=1.0,
    )
    d = decide(strong)
    assert (d.verdict, d.action) == ("on_track", "increase")
    assert d.reasons[0].startswith("outperforming significantly (live to date)")
    assert va(replace(strong, firing=(FiringAlert("profitable", "warning"),))) == (
        "on_track",
        "increase",
    )
    assert va(replace(strong, psr_vs_backtest=0.93)) == ("on_track", "maintain")
    assert va(replace(strong, health=74.0)) == ("on_track", "maintain")
    assert va(replace(strong, status=StatusView("live to date", "on_track"))) == (
        "on_track",
        "maintain",
    )
    recent_bad = StatusView("30 sessions", "underperforming")
    assert va(replace(strong, status_recent=recent_bad)) == ("on_track", "maintain")
    # held with the exit levels once in increase
    prev = VerdictState("on_track", "increase", dt.date(2018, 6, 1))
    assert va(replace(strong, psr_vs_backtest=0.93, health=72.0), prev) == (
        "on_track",
        "increase",
    )
    assert va(replace(strong, psr_vs_backtest=0.89), prev) == ("on_track", "maintain")


# --------------------------------------------------------------------------- hysteresis


def test_worse_at_once_better_after_five_sessions() -> None:
    healthy = ev(health=80.0)
    start = dt.date(2018, 1, 2)
    d = decide_verdict(ev(health=30.0), None, start)
    assert d.verdict == "investigate" and d.state.since == start
    days = [start + dt.timedelta(days=i) for i in range(1, 7)]
    state = d.state
    seen = []
    for day in days[:5]:
        d = decide_verdict(healthy, state, day)
        state = d.state
        seen.append((d.verdict, state.pending, state.pending_sessions))
    assert seen == [
        ("investigate", "on_track", 1),
        ("investigate", "on_track", 2),
        ("investigate", "on_track", 3),
        ("investigate", "on_track", 4),
        ("on_track", None, 0),
    ]
    assert state.since == days[4]
    # a worse day takes effect at once
    d = decide_verdict(ev(health=20.0), state, days[5])
    assert (d.verdict, d.action, d.state.since) == ("act", "reduce", days[5])


def test_held_verdict_reasons_and_broken_run() -> None:
    prev = VerdictState("watch", "maintain", dt.date(2018, 1, 2), "on_track", 3)
    d = decide(ev(health=80.0), prev)
    assert d.verdict == "watch"
    assert d.reasons[0] == "watch held: evidence points to on track for 4 of 5 sessions"
    # a session at the current level resets the run; since is kept
    d = decide(ev(health=62.0), prev)  # 62 < 65, the exit level of watch
    assert (d.verdict, d.state.pending, d.state.pending_sessions) == ("watch", None, 0)
    assert d.state.since == dt.date(2018, 1, 2)
    # improve_after = 1 switches the memory off
    assert decide(ev(health=80.0), prev, improve_after=1).verdict == "on_track"


def test_health_exit_bands() -> None:
    watch = VerdictState("watch", "maintain", DAY)
    assert decide(ev(health=63.0), watch).state.pending is None  # still watch: 63 < 65
    assert decide(ev(health=66.0), watch).state.pending == "on_track"
    inv = VerdictState("investigate", "maintain", DAY)
    assert decide(ev(health=42.0), inv).verdict == "investigate"
    assert decide(ev(health=42.0), inv).state.pending is None
    red = VerdictState("act", "reduce", DAY)
    assert decide(ev(health=28.0), red).state.pending is None


def test_action_improvement_within_act_waits_too() -> None:
    prev = VerdictState("act", "suspend", dt.date(2018, 3, 1))
    d = decide(ev(decay_alarm=True, decay_sessions_since=3), prev)
    assert (d.verdict, d.action) == ("act", "suspend")
    assert (d.state.pending, d.state.pending_sessions) == ("act", 1)


def test_inconsistent_previous_state_is_normalised() -> None:
    assert level_of("act", "maintain") == level_of("act", "reduce")
    assert level_of("watch", "increase") == level_of("watch", "maintain")
    assert level_of("watch", "suspend") == level_of("watch", "maintain")
    d = decide(ev(health=80.0), VerdictState("act", "increase", DAY))
    assert (d.verdict, d.action) == ("act", "reduce")


def test_config_is_validated() -> None:
    with pytest.raises(ConfigError, match="watch_health"):
        VerdictConfig(watch_health=70.0, watch_health_exit=65.0)
    with pytest.raises(ConfigError, match="investigate_health"):
        VerdictConfig(investigate_health=65.0)
    with pytest.raises(ConfigError, match="probabilities"):
        VerdictConfig(suspend_drawdown_probability=0.0)
    with pytest.raises(ConfigError, match="improve_after"):
        VerdictConfig(improve_after=0)


# --------------------------------------------------------------------------- status


def test_reconcile_status() -> None:
    warn = FiringAlert("relative_sharpe", "warning", "Sharpe 0.5 below 0.7 x 1.0.")
    s = reconcile_status(OUT, [warn])
    assert (s.window, s.status) == ("live to date", "on_track")
    assert s.reason == (
        "outperformance over live to date not confirmed while relative_sharpe (warning) fires: "
        "Sharpe 0.5 below 0.7 x 1.0; was: Sharpe 1.60 vs 1.00, p = 0.01"
    )
    assert reconcile_status(OUT, [FiringAlert("drawdown_tiers", "critical")]).status == "on_track"
    # info, milestones and other concerns leave it alone
    for a in (
        FiringAlert("relative_sharpe", "info"),
        FiringAlert("profitable", "warning"),
        FiringAlert("stale_data", "critical"),
    ):
        assert reconcile_status(OUT, [a]) is OUT
    under = StatusView("30 sessions", "underperforming")
    assert reconcile_status(under, [warn]) is under


# --------------------------------------------------------------------------- ranking


@dataclass(frozen=True)
class Row:
    strategy_id: str
    verdict: str
    action: str
    health: float | None
    firing_alerts: tuple[FiringAlert, ...] = ()


def test_ranking_verdict_first_then_alerts_then_health() -> None:
    rows = [
        Row("wti_trend", "act", "retire_review", 74.0),
        Row("spx_trend", "watch", "maintain", 58.0),
        Row("nasdaq_momentum", "act", "suspend", 80.0),
        Row("new", "on_track", "maintain", None),
        Row("steady", "on_track", "maintain", 66.0),
        Row("star", "on_track", "increase", 81.0),
        Row("noisy", "watch", "maintain", 90.0, (FiringAlert("volatility", "warning"),)),
        Row("decayed", "act", "reduce", 20.0),
    ]
    order = [r.strategy_id for r in rank_strategies(rows)]
    assert order == [
        "star",
        "steady",
        "new",
        "spx_trend",
        "noisy",
        "decayed",
        "wti_trend",
        "nasdaq_momentum",
    ]
