"""Alert state machine: hand-written hysteresis sequences and hypothesis properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stratmon.alerts import (
    AlertConfig,
    AlertState,
    Condition,
    alert_config_from_dict,
    step,
    step_all,
)

D0 = dt.date(2024, 1, 1)


def cond(active: bool | None, rule: str = "drawdown", sid: str = "s1", value: float = -0.1):
    return Condition(rule, sid, "warning", active, value, -0.15, f"{rule} {active}")


def run(seq: list[bool | None], config: AlertConfig | None = None):
    """Feed a sequence; return per-step states and the list of (day index, from, to)."""
    state: AlertState | None = None
    states: list[str] = []
    transitions: list[tuple[int, str, str]] = []
    for i, a in enumerate(seq):
        state, events = step(state, cond(a), D0 + dt.timedelta(days=i), config)
        states.append(state.state)
        transitions += [(i, e.from_state, e.to_state) for e in events]
    assert state is not None
    return states, transitions, state


def test_fires_after_two_consecutive_true() -> None:
    states, tr, last = run([True, True])
    assert states == ["pending", "firing"]
    assert tr == [(0, "inactive", "pending"), (1, "pending", "firing")]
    assert last.started_at == D0 and last.fired_at == D0 + dt.timedelta(days=1)
    assert last.consecutive_true == 2


def test_pending_that_clears_goes_back_to_inactive() -> None:
    states, tr, last = run([True, False, True, False, False])
    assert states == ["pending", "inactive", "pending", "inactive", "inactive"]
    assert ("firing" not in states) and last.fired_at is None and last.started_at is None
    assert tr == [
        (0, "inactive", "pending"),
        (1, "pending", "inactive"),
        (2, "inactive", "pending"),
        (3, "pending", "inactive"),
    ]


def test_resolves_only_after_three_consecutive_false() -> None:
    seq: list[bool | None] = [True, True, False, False, True, False, False, False]
    states, tr, last = run(seq)
    assert states == [
        "pending",
        "firing",
        "firing",
        "firing",
        "firing",
        "firing",
        "firing",
        "resolved",
    ]
    assert tr[-1] == (7, "firing", "resolved")
    assert last.resolved_at == D0 + dt.timedelta(days=7)
    assert last.fired_at == D0 + dt.timedelta(days=1)


def test_resolved_alert_starts_a_new_episode() -> None:
    states, tr, last = run([True, True, False, False, False, True, True])
    assert states[-3:] == ["resolved", "pending", "firing"]
    assert tr[-2:] == [(5, "resolved", "pending"), (6, "pending", "firing")]
    assert last.started_at == D0 + dt.timedelta(days=5)
    assert last.resolved_at is None


def test_no_data_parks_the_alert_without_advancing_or_resetting() -> None:
    # True, (no data), True: the alert is no_data on day 1, and the two trues still count as
    # consecutive evaluations -> fires on day 2
    states, tr, _ = run([True, None, True])
    assert states == ["pending", "no_data", "firing"]
    assert tr[1:] == [
        (1, "pending", "no_data"),
        (2, "no_data", "pending"),
        (2, "pending", "firing"),
    ]
    # firing; False, None, False, False -> resolves on the third False
    states, tr, _ = run([True, True, False, None, False, False])
    assert states == ["pending", "firing", "firing", "no_data", "firing", "resolved"]
    assert (3, "firing", "no_data") in tr and (4, "no_data", "firing") in tr
    # None alone from scratch: stays inactive, no event
    states, tr, last = run([None, None])
    assert states == ["inactive", "inactive"] and tr == []
    assert last.last_evaluated_at == D0 + dt.timedelta(days=1)


def test_n_equal_one_fires_at_once_with_two_chained_events() -> None:
    cfg = AlertConfig(for_evaluations=1, clear_evaluations=1)
    states, tr, _ = run([True, False], cfg)
    assert states == ["firing", "resolved"]
    assert tr == [(0, "inactive", "pending"), (0, "pending", "firing"), (1, "firing", "resolved")]


def test_per_rule_override() -> None:
    cfg = alert_config_from_dict({"drawdown": {"for_evaluations": 3}})
    states, _, _ = run([True, True, True], cfg)
    assert states == ["pending", "pending", "firing"]


def test_events_carry_the_condition() -> None:
    _, events = step(None, cond(True, value=-0.18), D0)
    (e,) = events
    assert (e.rule, e.strategy_id, e.tier, e.at) == ("drawdown", "s1", "warning", D0)
    assert (e.value, e.threshold, e.message) == (-0.18, -0.15, "drawdown True")


def test_guards() -> None:
    s, _ = step(None, cond(True), D0)
    with pytest.raises(ValueError, match="not after"):
        step(s, cond(True), D0)
    with pytest.raises(ValueError, match="fed a condition"):
        step(s, cond(True, sid="other"), D0 + dt.timedelta(days=1))
    with pytest.raises(ValueError, match="two conditions"):
        step_all({}, [cond(True), cond(False)], D0)


# --- properties over random sequences ------------------------------------------------------

seqs = st.lists(st.sampled_from([True, False, None]), min_size=1, max_size=40)


@settings(max_examples=400, deadline=None)
@given(seq=seqs, n=st.integers(1, 4), m=st.integers(1, 4))
def test_hysteresis_properties(seq: list[bool | None], n: int, m: int) -> None:
    cfg = AlertConfig(for_evaluations=n, clear_evaluations=m)
    state: AlertState | None = None
    prev_to = "inactive"
    judged: list[bool] = []  # the evaluable conditions so far
    for i, a in enumerate(seq):
        before = state.state if state else "inactive"
        state, events = step(state, cond(a), D0 + dt.timedelta(days=i), cfg)
        if a is not None:
            judged.append(a)
        elif before in ("pending", "firing", "no_data"):
            # cannot be evaluated: an open episode is parked in no_data (one event at most)
            assert state.state == "no_data"
            assert [e.to_state for e in events] == ([] if before == "no_data" else ["no_data"])
        else:
            assert events == [] and state.state == before
        for e in events:  # events chain: each starts where the previous ended
            assert e.from_state == prev_to
            prev_to = e.to_state
        assert state.state == prev_to
        if any(e.to_state == "firing" and e.from_state == "pending" for e in events):
            # never firing without N consecutive true (evaluable) conditions
            assert len(judged) >= n and all(judged[-n:])
        if any(e.to_state == "resolved" for e in events):
            assert len(judged) >= m and not any(judged[-m:])
            assert before in ("firing", "no_data")
        # liveness: N trues in a row always fire; M falses in a row always resolve a firing one
        if state.state in ("inactive", "pending", "resolved") and len(judged) >= n:
            assert not all(judged[-n:]) or state.state == "firing"
        if len(judged) >= m and not any(judged[-m:]):
            assert state.state != "firing"
        # counters agree with the evaluable history
        tail_true = len(judged) - max((j + 1 for j, v in enumerate(judged) if not v), default=0)
        tail_false = len(judged) - max((j + 1 for j, v in enumerate(judged) if v), default=0)
        assert state.consecutive_true == tail_true
        assert state.consecutive_false == tail_false


@settings(max_examples=150, deadline=None)
@given(
    rounds=st.lists(
        st.lists(
            st.tuples(
                st.sampled_from(["underperformance", "drawdown", "win_rate"]),
                st.sampled_from(["a", "b", "c"]),
                st.sampled_from([True, False, None]),
            ),
            max_size=9,
            unique_by=lambda t: (t[0], t[1]),
        ),
        max_size=15,
    )
)
def test_one_state_per_identity(rounds: list[list[tuple[str, str, bool | None]]]) -> None:
    states: dict[tuple[str, str, str], AlertState] = {}
    seen: set[tuple[str, str, str]] = set()
    for i, rnd in enumerate(rounds):
        conds = [cond(a, rule=r, sid=s) for r, s, a in rnd]
        states, events = step_all(states, conds, D0 + dt.timedelta(days=i))
        seen |= {c.identity for c in conds}
        assert set(states) == seen
        assert all(st_.identity == key for key, st_ in states.items())
        assert all(e.identity in seen for e in events)
        # one identity moves at most twice per round (inactive->pending->firing when N=1)
        per_id: dict[tuple[str, str, str], int] = {}
        for e in events:
            per_id[e.identity] = per_id.get(e.identity, 0) + 1
        assert all(v <= 2 for v in per_id.values())


# --- severity up and down, milestones ------------------------------------------------------


def tier_cond(reached: str | None, value: float) -> Condition:
    """drawdown_tiers at one tier reached (None: within the first tier)."""
    return Condition(
        "drawdown_tiers",
        "s1",
        "warning",
        reached is not None,
        value,
        -0.10,
        f"dd {value}",
        severity=reached or "",
    )


def test_severity_steps_up_at_once_and_down_after_m_evaluations() -> None:
    cfg = AlertConfig(for_evaluations=1, clear_evaluations=3)
    # 21 % (emergency) for 2 days, then recovers to 12 % (warning) for 3 days, then 8 %
    path = [("emergency", -0.21)] * 2 + [("warning", -0.12)] * 3 + [(None, -0.08)] * 3
    state: AlertState | None = None
    sev: list[str] = []
    for i, (reached, v) in enumerate(path):
        state, _ = step(state, tier_cond(reached, v), D0 + dt.timedelta(days=i), cfg)
        sev.append(state.severity + ":" + state.state)
    assert sev == [
        "emergency:firing",
        "emergency:firing",
        "emergency:firing",  # one evaluation at warning: not yet (M = 3)
        "emergency:firing",
        "warning:firing",  # third consecutive evaluation at warning: steps down
        "warning:firing",  # clear: resolving at the current severity
        "warning:firing",
        "warning:resolved",
    ]


def test_a_value_hovering_at_a_tier_boundary_does_not_flap() -> None:
    cfg = AlertConfig(for_evaluations=1, clear_evaluations=2)
    path = ["critical", "warning", "critical", "warning", "critical", "warning", "warning"]
    state: AlertState | None = None
    sev = []
    for i, reached in enumerate(path):
        state, _ = step(state, tier_cond(reached, -0.15), D0 + dt.timedelta(days=i), cfg)
        sev.append(state.severity)
    assert sev == ["critical"] * 6 + ["warning"]


def test_milestone_is_an_event_never_firing() -> None:
    def m(active: bool | None) -> Condition:
        return Condition("profitable", "s1", "info", active, 0.01, 0.0, f"p {active}")

    state: AlertState | None = None
    kinds: list[tuple[int, str, str]] = []
    states: list[str] = []
    for i, a in enumerate([False, True, True, None, True, False, True]):
        state, evs = step(state, m(a), D0 + dt.timedelta(days=i), milestone=True)
        states.append(state.state)
        kinds += [(i, e.from_state, e.to_state) for e in evs]
    assert "firing" not in states and "pending" not in states
    assert states == ["inactive", "reached", "reached", "reached", "reached", "inactive", "reached"]
    assert kinds == [
        (1, "inactive", "reached"),
        (5, "reached", "inactive"),
        (6, "inactive", "reached"),
    ]
