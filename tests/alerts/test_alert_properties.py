"""Hypothesis: random condition sequences through the state machine (pure) and through the
store (process_conditions), checking the invariants of the alert lifecycle."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stratmon.alerts.config import AlertConfig, alert_config_from_dict
from stratmon.alerts.processor import process_conditions
from stratmon.alerts.rules import Condition
from stratmon.alerts.state import AlertState, step
from stratmon.domain import Strategy
from stratmon.store import Store, open_store
from stratmon.store import alerts_queries as aq
from stratmon.store import repositories as repo

D0 = dt.date(2024, 1, 1)
# (active, recovery_active): None = not evaluable / no recovery threshold
OBS = st.tuples(st.sampled_from([True, False, None]), st.sampled_from([None, True, False]))


def _cond(sid: str, obs: tuple[bool | None, bool | None]) -> Condition:
    active, rec = obs
    return Condition("drawdown", sid, "warning", active, -0.1, -0.075, "m", recovery_active=rec)


@settings(max_examples=300, deadline=None)
@given(
    seq=st.lists(OBS, max_size=40),
    n_for=st.integers(1, 4),
    keep=st.integers(0, 3),
)
def test_state_machine_invariants(
    seq: list[tuple[bool | None, bool | None]], n_for: int, keep: int
) -> None:
    config = alert_config_from_dict(
        {"drawdown": {"for_evaluations": n_for, "keep_firing_for": keep}}
    )
    state: AlertState | None = None
    effective: list[bool] = []  # the evaluable verdicts, as the machine judged them
    day = D0
    for obs in seq:
        # a firing episode, also while it waits in no_data (it returns to firing)
        was_firing = state is not None and (
            state.state == "firing"
            or (
                state.state == "no_data"
                and state.fired_at is not None
                and state.resolved_at is None
            )
        )
        state, events = step(state, _cond("s", obs), day, config)
        day += dt.timedelta(days=1)
        # not evaluable (obs[0] None) counts for nothing, whatever the recovery level says
        active = obs[1] if was_firing and obs[1] is not None and obs[0] is not None else obs[0]
        if active is not None:
            effective.append(active)
        for e in events:
            if e.to_state == "no_data":
                assert obs[0] is None  # only a condition that cannot be evaluated
            if e.from_state == "no_data":
                assert obs[0] is not None
            if e.to_state == "firing" and e.from_state == "pending":
                # never firing without `for` consecutive true evaluations
                assert len(effective) >= n_for and all(effective[-n_for:])
            if e.to_state == "resolved":
                # resolved only after keep_firing_for + 1 consecutive clear evaluations
                assert len(effective) >= keep + 1 and not any(effective[-(keep + 1) :])
        # events chain: each starts where the previous ended
        assert all(a.to_state == b.from_state for a, b in itertools.pairwise(events))
    # every firing alert resolves once the condition is clear for long enough
    for _ in range(keep + 1):
        state, _ = step(state, _cond("s", (False, False)), day, config)
        day += dt.timedelta(days=1)
    assert state is not None and state.state in ("inactive", "resolved")


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path: Path = tmp_path_factory.mktemp("props") / "p.db"
    return open_store(f"sqlite:///{path}")


_counter = itertools.count()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seq=st.lists(OBS, min_size=1, max_size=25), n_for=st.integers(1, 3), keep=st.integers(0, 2))
def test_store_never_holds_two_open_alerts_per_identity(
    shared_store: Store, seq: list[tuple[bool | None, bool | None]], n_for: int, keep: int
) -> None:
    sid = f"P{next(_counter)}"
    with shared_store.transaction() as conn:
        repo.upsert_strategies(conn, [Strategy(sid, sid)])
    config: AlertConfig = alert_config_from_dict(
        {"for_evaluations": n_for, "drawdown": {"keep_firing_for": keep}}
    )
    day = D0
    for obs in [*seq, *[(False, False)] * (keep + 1)]:
        with shared_store.transaction() as conn:
            process_conditions(conn, [_cond(sid, obs)], day, config)
        with shared_store.read() as conn:
            rows = aq.list_alerts(conn, strategy_id=sid)
        assert sum(r["state"] in ("pending", "firing") for r in rows) <= 1
        for r in rows:  # a fired alert always has its firing in its history
            if r["fired_at"] is not None:
                with shared_store.read() as conn:
                    hist = aq.alert_history(conn, r["id"])
                assert ("pending", "firing") in [(h["from_state"], h["to_state"]) for h in hist]
        day += dt.timedelta(days=1)
    with shared_store.read() as conn:
        rows = aq.list_alerts(conn, strategy_id=sid)
    assert all(r["state"] in ("inactive", "resolved") for r in rows)
