"""Significance-gated comparison status with hysteresis: hand-computed rules, memory, flip rate."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stratmon.compare.status import compare_metrics
from stratmon.compare.status_judgement import (
    StatusConfig,
    StatusState,
    WindowEvidence,
    judge_status,
    memoryless_status,
)
from stratmon.errors import ConfigError

BT = {"sharpe_ratio": 1.0, "cagr": 0.10, "max_drawdown": -0.20}
METRICS = ("sharpe_ratio", "cagr", "max_drawdown")
NAN = math.nan


def ev(
    sharpe: float = 1.0,
    cagr: float = 0.10,
    mdd: float = -0.05,
    *,
    n: int = 250,
    p_sharpe: float = 0.5,
    p_mean: float = 0.5,
    p_dd: float = 0.5,
    window: str = "live to date",
) -> WindowEvidence:
    comps = compare_metrics(
        {"sharpe_ratio": sharpe, "cagr": cagr, "max_drawdown": mdd},
        BT,
        n_obs=n,
        n_trades=0,
        metrics=METRICS,
    )
    return WindowEvidence(window, n, comps, p_sharpe, p_mean, p_dd)


def status(e: WindowEvidence, cfg: StatusConfig | None = None) -> str:
    return memoryless_status(e, cfg).status


# --- memoryless rules, hand-computed ----------------------------------------------------------


def test_sharpe_below_band_and_significant_is_underperforming() -> None:
    # band lower edge 0.7; live 0.5 breaches it; PSR vs backtest 0.03 < 0.05
    view = memoryless_status(ev(sharpe=0.5, p_sharpe=0.03))
    assert view.status == "underperforming"
    assert view.window == "live to date"
    assert view.reason == "Sharpe 0.50 vs 1.00 (p = 0.03, PSR vs backtest) over live to date"


def test_band_breach_without_significance_is_on_track_and_says_so() -> None:
    view = memoryless_status(ev(sharpe=0.5, p_sharpe=0.21, window="90 sessions"))
    assert view.status == "on_track"
    assert "Sharpe 0.50 vs 1.00 below 0.7 x but not significant (p = 0.21" in view.reason
    assert view.reason.endswith("over 90 sessions")


def test_significant_difference_inside_the_band_is_on_track() -> None:
    # live 0.75 >= 0.7 x 1.0: a long record may make it significant, the band says on track
    assert status(ev(sharpe=0.75, p_sharpe=0.001)) == "on_track"


def test_alpha_is_strict_for_entry() -> None:
    assert status(ev(sharpe=0.5, p_sharpe=0.05)) == "on_track"
    assert status(ev(sharpe=0.5, p_sharpe=0.0499)) == "underperforming"
    assert status(ev(sharpe=0.5, p_sharpe=0.09), StatusConfig(alpha=0.1)) == "underperforming"


def test_cagr_uses_the_welch_p_value() -> None:
    # CAGR band: below 0.07 (0.7 x 10 %); live 2 % breaches; Welch p 0.004
    view = memoryless_status(ev(cagr=0.02, p_mean=0.004, p_sharpe=0.9))
    assert view.status == "underperforming"
    assert "CAGR 2.0% vs 10.0% (p = 0.004, Welch t-test of mean daily return)" in view.reason
    # the Sharpe p-value does not stand in for the mean test
    assert status(ev(cagr=0.02, p_mean=0.3, p_sharpe=0.001)) == "on_track"


def test_outperforming_needs_every_judged_key_metric_significantly_above() -> None:
    # above 1.3 x: Sharpe > 1.3, CAGR > 13 %; p of "below" 0.99 -> p of "above" 0.01
    both = ev(sharpe=1.8, cagr=0.2, p_sharpe=0.99, p_mean=0.98)
    view = memoryless_status(both)
    assert view.status == "outperforming"
    assert "Sharpe 1.80 vs 1.00 (p = 0.01, PSR vs backtest)" in view.reason
    assert "CAGR 20.0% vs 10.0% (p = 0.02" in view.reason
    # one of the two not significant (1 - 0.9 = 0.1 >= 0.05): on track
    assert status(ev(sharpe=1.8, cagr=0.2, p_sharpe=0.99, p_mean=0.9)) == "on_track"
    # CAGR inside the band: on track, whatever the Sharpe test says
    assert status(ev(sharpe=1.8, cagr=0.11, p_sharpe=0.999, p_mean=0.999)) == "on_track"


def test_underperformance_wins_over_outperformance() -> None:
    e = ev(sharpe=0.2, cagr=0.2, p_sharpe=0.01, p_mean=0.99)
    assert status(e) == "underperforming"


def test_drawdown_alert_needs_ratio_and_improbability() -> None:
    # -31 % is 1.55 x the backtest's -20 % (alert level -30 %)
    view = memoryless_status(ev(mdd=-0.31, p_dd=0.01))
    assert view.status == "alert"
    assert view.reason == (
        "max drawdown -31.0% vs -20.0% backtest (1.55 x > 1.5 x; P = 0.01 of one this deep in "
        "250 sessions, backtest bootstrap) over live to date"
    )
    assert status(ev(mdd=-0.31, p_dd=0.2)) == "on_track"  # deep, but not improbable
    # without a bootstrap probability the ratio rule alone decides, and the reason says so
    nan_view = memoryless_status(ev(mdd=-0.31, p_dd=NAN))
    assert nan_view.status == "alert" and "ratio rule only" in nan_view.reason


def test_drawdown_between_1_3_and_1_5_is_underperforming_when_improbable() -> None:
    assert status(ev(mdd=-0.28, p_dd=0.02)) == "underperforming"  # 1.4 x
    assert status(ev(mdd=-0.28, p_dd=0.3)) == "on_track"
    assert status(ev(mdd=-0.25, p_dd=0.001)) == "on_track"  # 1.25 x: inside the band


def test_short_record_rules() -> None:
    # below 30 returns: insufficient, except an improbable drawdown beyond 1.5 x
    view = memoryless_status(ev(sharpe=0.0, p_sharpe=0.0, n=29))
    assert view.status == "insufficient_data"
    assert view.reason == "29 daily returns < 30 required over live to date"
    assert status(ev(mdd=-0.35, p_dd=0.004, n=10)) == "alert"  # a week-two crash
    assert status(ev(mdd=-0.35, p_dd=0.3, n=10)) == "insufficient_data"  # chance: no alert
    assert status(ev(mdd=-0.28, p_dd=0.001, n=10)) == "insufficient_data"  # 1.4 x: wait
    assert status(ev(sharpe=0.0, p_sharpe=0.01, n=30)) == "underperforming"


def test_missing_p_value_leaves_a_breach_unjudged() -> None:
    view = memoryless_status(ev(sharpe=0.3, p_sharpe=NAN))
    assert view.status == "on_track"  # CAGR is judged (within band); Sharpe untested
    assert "Sharpe 0.30 vs 1.00 below 0.7 x but untested (no PSR vs backtest)" in view.reason
    both = memoryless_status(ev(sharpe=0.3, cagr=0.0, p_sharpe=NAN, p_mean=NAN))
    assert both.status == "insufficient_data"


def test_secondary_metrics_never_decide() -> None:
    comps = compare_metrics(
        {"sharpe_ratio": 1.0, "cagr": 0.1, "max_drawdown": -0.05, "win_rate": 0.1},
        {**BT, "win_rate": 0.6},
        n_obs=250,
        n_trades=50,
        metrics=(*METRICS, "win_rate"),
    )
    assert comps[-1].status == "underperforming"
    assert status(WindowEvidence("live to date", 250, comps)) == "on_track"


def test_no_backtest_values_is_insufficient() -> None:
    comps = compare_metrics({"sharpe_ratio": 1.0}, {}, n_obs=250, n_trades=0, metrics=METRICS)
    assert status(WindowEvidence("live to date", 250, comps, 0.01, 0.01, 0.01)) == (
        "insufficient_data"
    )


# --- hysteresis ------------------------------------------------------------------------------


FIVE = StatusConfig(exit_after=5)  # the mechanism tests below count to five faded sessions


def test_default_exit_after_is_three_sessions() -> None:
    under, faded = ev(sharpe=0.5, p_sharpe=0.01), ev(sharpe=0.9, p_sharpe=0.3)
    states = run([under, *[faded] * 3], StatusConfig())
    assert [s.status for s in states] == ["underperforming"] * 3 + ["on_track"]


def run(evs: list[WindowEvidence], cfg: StatusConfig | None = FIVE) -> list[StatusState]:
    state: StatusState | None = None
    out = []
    for e in evs:
        _, state = judge_status(e, state, cfg)
        out.append(state)
    return out


def test_first_session_is_the_memoryless_status() -> None:
    view, state = judge_status(ev(sharpe=0.5, p_sharpe=0.01), None)
    assert view.status == "underperforming"
    assert state == StatusState("underperforming", 0, None, 0)


def test_hysteresis_holds_through_p_wobbling_around_alpha() -> None:
    ps = [0.04, 0.06, 0.08, 0.045, 0.09, 0.07, 0.055, 0.1, 0.03, 0.06]
    evs = [ev(sharpe=0.5, p_sharpe=p) for p in ps]
    states = run(evs)
    assert [s.status for s in states] == ["underperforming"] * len(ps)
    assert [s.since_sessions for s in states] == list(range(len(ps)))
    assert all(s.pending is None for s in states)
    memoryless = [status(e) for e in evs]
    assert memoryless == [
        "underperforming" if p < 0.05 else "on_track" for p in ps
    ]  # 6 changes without memory, 0 with


def test_leaving_needs_exit_after_faded_sessions() -> None:
    evs = [ev(sharpe=0.5, p_sharpe=0.01)] + [ev(sharpe=0.5, p_sharpe=0.2)] * 5
    states = run(evs)
    assert [s.status for s in states] == ["underperforming"] * 5 + ["on_track"]
    assert [s.pending_sessions for s in states] == [0, 1, 2, 3, 4, 0]
    assert [s.pending for s in states] == [None, *["on_track"] * 4, None]
    assert states[-1].since_sessions == 0
    view, _ = judge_status(evs[1], states[0], FIVE)
    assert view.status == "underperforming"
    assert view.reason.startswith(
        "underperforming held, evidence faded 1 of 5 sessions (pending on_track): "
    )


def test_band_return_also_counts_as_faded_and_a_relapse_resets_the_count() -> None:
    faded = ev(sharpe=0.9, p_sharpe=0.3)  # back inside the band
    holding = ev(sharpe=0.5, p_sharpe=0.08)  # p <= exit level 0.10: evidence still there
    evs = [ev(sharpe=0.5, p_sharpe=0.01), faded, faded, faded, holding, *[faded] * 5]
    states = run(evs)
    assert [s.pending_sessions for s in states] == [0, 1, 2, 3, 0, 1, 2, 3, 4, 0]
    assert [s.status for s in states][-2:] == ["underperforming", "on_track"]


def test_exit_level_is_inclusive() -> None:
    evs = [ev(sharpe=0.5, p_sharpe=0.01), ev(sharpe=0.5, p_sharpe=0.10)]
    assert run(evs)[-1] == StatusState("underperforming", 1, None, 0)
    evs[-1] = ev(sharpe=0.5, p_sharpe=0.1001)
    assert run(evs)[-1] == StatusState("underperforming", 1, "on_track", 1)


def test_escalation_is_immediate_and_deescalation_waits() -> None:
    under = ev(sharpe=0.5, p_sharpe=0.01)
    alert = ev(sharpe=0.5, p_sharpe=0.01, mdd=-0.35, p_dd=0.01)
    states = run([under, alert, *[under] * 5])
    assert [s.status for s in states] == ["underperforming"] + ["alert"] * 5 + ["underperforming"]
    # from outperforming, significant underperformance takes over at once
    out = ev(sharpe=1.8, cagr=0.2, p_sharpe=0.999, p_mean=0.999)
    assert [s.status for s in run([out, under])] == ["outperforming", "underperforming"]
    # and the reverse waits for the underperformance evidence to fade
    assert [s.status for s in run([under, out])] == ["underperforming", "underperforming"]


def test_held_alert_reads_the_exit_level_evidence() -> None:
    alert = ev(mdd=-0.35, p_dd=0.01)
    weaker = ev(mdd=-0.35, p_dd=0.07)  # memoryless: on_track; within the exit level
    view, state = judge_status(weaker, run([alert])[0])
    assert view.status == "alert" and state.pending is None
    assert view.reason.startswith("alert held (evidence within exit level 0.1): max drawdown")


def test_insufficient_data_is_taken_and_left_at_once() -> None:
    under = ev(sharpe=0.5, p_sharpe=0.01)
    short = ev(n=20)
    assert [s.status for s in run([under, short, ev()])] == [
        "underperforming",
        "insufficient_data",
        "on_track",
    ]


def test_unchanged_status_counts_sessions() -> None:
    states = run([ev()] * 4)
    assert [s.since_sessions for s in states] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"alpha": 0.0},
        {"alpha": 0.5},
        {"alpha": 0.05, "exit_alpha": 0.04},
        {"exit_alpha": 1.0},
        {"exit_after": 0},
    ],
)
def test_config_validation(kwargs: dict[str, float]) -> None:
    with pytest.raises(ConfigError):
        StatusConfig(**kwargs)  # type: ignore[arg-type]


def test_evidence_validation() -> None:
    with pytest.raises(ValueError, match="sharpe_p_value"):
        ev(p_sharpe=1.2)
    with pytest.raises(ValueError, match="n_obs"):
        WindowEvidence("30 sessions", -1, ())


# --- properties ------------------------------------------------------------------------------

p_values = st.one_of(st.floats(0.0, 1.0), st.just(NAN))
evidence = st.builds(
    ev,
    sharpe=st.floats(-1.0, 2.5),
    cagr=st.floats(-0.2, 0.3),
    mdd=st.floats(-0.5, 0.0),
    n=st.integers(0, 500),
    p_sharpe=p_values,
    p_mean=p_values,
    p_dd=p_values,
)


@settings(max_examples=60, deadline=None)
@given(st.lists(evidence, min_size=1, max_size=25))
def test_no_memory_config_is_the_memoryless_judgement(evs: list[WindowEvidence]) -> None:
    cfg = StatusConfig(alpha=0.05, exit_alpha=0.05, exit_after=1)
    state: StatusState | None = None
    for e in evs:
        if 0.05 in (e.sharpe_p_value, 1 - e.sharpe_p_value, e.mean_p_value, e.drawdown_probability):
            continue  # entry is strict, holding inclusive: only p == alpha differs
        view, state = judge_status(e, state, cfg)
        assert view.status == memoryless_status(e, cfg).status


@settings(max_examples=60, deadline=None)
@given(st.lists(evidence, min_size=1, max_size=25))
def test_a_status_is_only_entered_on_significant_evidence(evs: list[WindowEvidence]) -> None:
    state: StatusState | None = None
    for e in evs:
        before = state.status if state else None
        view, state = judge_status(e, state)
        assert view.status == state.status
        assert view.window == e.window
        if view.status != before and view.status not in ("on_track", "insufficient_data"):
            assert memoryless_status(e).status == view.status
        if state.pending is not None:
            assert 1 <= state.pending_sessions < 5


# --- measured flip rate ----------------------------------------------------------------------


def _benchmark() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "status_flips.py"
    spec = importlib.util.spec_from_file_location("status_flips_benchmark", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def test_measured_flip_rate_is_lower_with_hysteresis() -> None:
    res = _benchmark().simulate(n_strategies=12, live_years=2, seed=11)
    for scenario in ("healthy", "decayed"):
        total_without = total_with = 0.0
        for window in ("live to date", "90 sessions", "30 sessions"):
            r = res[(scenario, window)]
            assert r["changes_per_year_without"] > r["changes_per_year_with"]
            total_without += r["changes_per_year_without"]
            total_with += r["changes_per_year_with"]
        assert total_without >= 1.5 * total_with
    # the significance gate keeps the healthy 30-session false alarms near the nominal 5 %
    assert res[("healthy", "30 sessions")]["bad_without"] < 0.10
    decayed, healthy = res[("decayed", "90 sessions")], res[("healthy", "90 sessions")]
    assert decayed["bad_with"] > healthy["bad_with"]
    assert decayed["under_share_with"] > decayed["under_share_without"]
    assert math.isfinite(decayed["median_delay_with"])
