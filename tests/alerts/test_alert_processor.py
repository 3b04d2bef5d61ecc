"""The alert system through the store: for, recovery threshold, keep_firing_for, escalation,
acknowledgement and repeats, silences, inhibition, manual resolution, re-runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stratmon.alerts import actions
from stratmon.alerts.conditions import AlertInputs, build_conditions
from stratmon.alerts.config import AlertConfig, alert_config_from_dict
from stratmon.alerts.processor import process_conditions
from stratmon.alerts.rules import Condition
from stratmon.alerts.state import AlertEvent
from stratmon.domain import Strategy
from stratmon.store import Store, open_store
from stratmon.store import alerts_queries as aq
from stratmon.store import repositories as repo

D0 = dt.date(2024, 1, 1)
NOW = dt.datetime(2024, 6, 1, 12, 0)
HOOK = {"hook": {"url": "json://127.0.0.1:9/never-sent"}}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    with s.transaction() as conn:
        repo.upsert_strategies(
            conn,
            [Strategy("MOM", "Momentum", pool="equities"), Strategy("FX", "FX", pool="fx")],
        )
    yield s
    s.dispose()


def cfg(**table: Any) -> AlertConfig:
    base: dict[str, Any] = {"channels": HOOK, "routes": [{"channels": ["hook"]}]}
    return alert_config_from_dict({**base, **table})


def run(
    store: Store,
    config: AlertConfig,
    conds: list[Condition],
    day: int,
    now: dt.datetime = NOW,
) -> list[AlertEvent]:
    with store.transaction() as conn:
        return process_conditions(conn, conds, D0 + dt.timedelta(days=day), config, now=now)


def cond(active: bool | None, rule: str = "drawdown", sid: str = "MOM", **kw: Any) -> Condition:
    return Condition(rule, sid, kw.pop("tier", "warning"), active, -0.1, -0.075, "m", **kw)


def outbox_kinds(store: Store) -> list[tuple[str, str]]:
    with store.read() as conn:
        return [(str(m["kind"]), str(m["severity"])) for m in aq.outbox(conn)]


def states(store: Store, sid: str = "MOM") -> list[tuple[str, str]]:
    with store.read() as conn:
        return [(a["rule"], a["state"]) for a in reversed(aq.list_alerts(conn, strategy_id=sid))]


def test_for_needs_consecutive_true_evaluations(store: Store) -> None:
    config = cfg(**{"drawdown": {"for": 3}})
    seq = [True, True, False, True, None, True, True]
    fired_on = []
    for k, a in enumerate(seq):
        evs = run(store, config, [cond(a)], k)
        fired_on += [k for e in evs if e.to_state == "firing"]
    # day 2 breaks the first run; days 3, (4 not evaluable), 5, 6 -> fires on day 6
    assert fired_on == [6]
    with store.read() as conn:
        (alert,) = aq.list_alerts(conn)
        assert alert["started_at"] == D0 + dt.timedelta(days=3)
        hist = aq.alert_history(conn, alert["id"])
    assert [(h["from_state"], h["to_state"]) for h in hist] == [
        ("inactive", "pending"),
        ("pending", "inactive"),
        ("inactive", "pending"),
        ("pending", "firing"),
    ]


def inputs(drawdown: float, sid: str = "MOM") -> AlertInputs:
    return AlertInputs(sid, D0, metrics={"all": {"current_drawdown": drawdown, "n_obs": 50}})


def tiers_only(**top: Any) -> AlertConfig:
    """Only the drawdown_tiers rule (recovery 5 %), N = M = 1, plus ``top`` settings."""
    return alert_config_from_dict({**_table(), **top})


def test_recovery_threshold_keeps_it_firing_until_the_value_recovers(store: Store) -> None:
    config = tiers_only()
    path = [-0.12, -0.08, -0.06, -0.04, -0.08, -0.11]
    seen = []
    for k, d in enumerate(path):
        conds = build_conditions(inputs(d), config)
        assert [c.rule for c in conds] == ["drawdown_tiers"]
        run(store, config, conds, k)
        seen.append(states(store)[-1][1])
    # fires beyond 10 %, stays firing at 8 % and 6 % (beyond the 5 % recovery level),
    # resolves at 4 %; at 8 % a new episode does not start (8 % is within the 10 % tier)
    assert seen == ["firing", "firing", "firing", "resolved", "resolved", "firing"]
    assert [s for _, s in states(store)] == ["resolved", "firing"]


def test_keep_firing_for(store: Store) -> None:
    config = cfg(for_evaluations=1, drawdown={"keep_firing_for": 2})
    assert config.hysteresis("drawdown") == (1, 3)
    seq = [True, False, False, True, False, False, False]
    out = []
    for k, a in enumerate(seq):
        run(store, config, [cond(a)], k)
        out.append(states(store)[-1][1])
    assert out == ["firing"] * 6 + ["resolved"]


def test_escalation_is_one_alert_notified_again(store: Store) -> None:
    config = tiers_only()
    for k, d in enumerate([-0.11, -0.16, -0.21, -0.16, -0.30, -0.02]):
        run(store, config, build_conditions(inputs(d), config), k)
    with store.read() as conn:
        (a,) = aq.list_alerts(conn)
        hist = aq.alert_history(conn, a["id"])
    assert (a["state"], a["tier"], a["severity"]) == ("resolved", "warning", "emergency")
    # -16 % after -21 % does not de-escalate (no flapping); -30 % is still emergency
    assert [h["kind"] for h in hist] == [
        "transition",
        "transition",
        "escalated",
        "escalated",
        "transition",
    ]
    assert [h["severity"] for h in hist if h["kind"] != "transition"] == [
        "critical",
        "emergency",
    ]
    # each escalation records the day's value and the tier level it went beyond
    escalations = [h for h in hist if h["kind"] == "escalated"]
    assert [(h["value"], h["threshold"], h["actor"]) for h in escalations] == [
        (pytest.approx(-0.16), pytest.approx(-0.15), "stratmon"),
        (pytest.approx(-0.21), pytest.approx(-0.20), "stratmon"),
    ]
    assert escalations[0]["text"].startswith("warning -> critical: ")
    assert outbox_kinds(store) == [
        ("firing", "warning"),
        ("escalated", "critical"),
        ("escalated", "emergency"),
        ("resolved", "emergency"),
    ]


def test_severity_routing(store: Store) -> None:
    config = alert_config_from_dict(
        {
            "for_evaluations": 1,
            "channels": {
                "pager": {"url": "json://127.0.0.1:9/pager"},
                "email": {"url": "json://127.0.0.1:9/email", "send_resolved": False},
                "chat": {"url": "json://127.0.0.1:9/chat"},
            },
            "routes": [
                {"severities": ["emergency"], "channels": ["pager", "email"]},
                {"severities": ["warning"], "channels": ["email"], "mode": "digest"},
                {"pools": ["fx"], "channels": ["chat"]},
            ],
        }
    )
    run(store, config, [cond(True, tier="emergency"), cond(True, sid="FX")], 0)
    run(store, config, [cond(False, tier="emergency"), cond(True, sid="FX")], 1)
    run(store, config, [cond(False, tier="emergency"), cond(True, sid="FX")], 2)
    run(store, config, [cond(False, tier="emergency"), cond(True, sid="FX")], 3)
    with store.read() as conn:
        box = [(m["channel"], m["strategy_id"], m["kind"], m["status"]) for m in aq.outbox(conn)]
    assert box == [
        ("pager", "MOM", "firing", "pending"),
        ("email", "MOM", "firing", "pending"),
        ("email", "FX", "firing", "digest"),
        ("chat", "FX", "firing", "pending"),
        ("pager", "MOM", "resolved", "pending"),  # email does not send resolved messages
    ]


def test_acknowledge_stops_repeats_until_escalation(store: Store) -> None:
    config = tiers_only(repeat_every=2)
    days = iter(range(100))

    def step(d: float) -> None:
        run(store, config, build_conditions(inputs(d), config), next(days))

    step(-0.11)  # fires (day 0)
    step(-0.11)
    step(-0.11)  # day 2: repeat
    assert [k for k, _ in outbox_kinds(store)] == ["firing", "renotified"]
    with store.read() as conn:
        (a,) = aq.list_alerts(conn)
    event = actions.acknowledge(store, a["id"], "alice", "looking into it", now=NOW)
    assert (event.kind, event.actor, event.note) == ("acknowledged", "alice", "looking into it")
    for _ in range(5):
        step(-0.11)
    assert [k for k, _ in outbox_kinds(store)] == ["firing", "renotified"]
    step(-0.16)  # escalation notifies and lapses the acknowledgement
    step(-0.16)
    step(-0.16)  # two days after the escalation: repeats again
    assert [k for k, _ in outbox_kinds(store)] == [
        "firing",
        "renotified",
        "escalated",
        "renotified",
    ]
    with store.read() as conn:
        after = aq.alert(conn, a["id"])
        assert after is not None
        assert after["acknowledged_at"] == NOW and after["acknowledged_by"] is None
        hist = aq.alert_history(conn, a["id"])
    ack = next(h for h in hist if h["kind"] == "acknowledged")
    assert (ack["actor"], ack["text"]) == ("alice", "looking into it")


def _table() -> dict[str, Any]:
    """The [alerts] table of ``tiers_only``."""
    off = {
        name: {"enabled": False}
        for name in (
            "relative_sharpe",
            "relative_return",
            "max_drawdown_vs_backtest",
            "statistical_drawdown",
            "drawdown_duration",
            "volatility",
            "value_at_risk",
            "concentration",
            "gross_exposure",
            "utilisation",
            "psr",
            "profitable",
            "annual_return_target",
            "new_max_drawdown",
            "stale_data",
            "outlier",
            "nav_disconnect",
        )
    }
    return {
        "channels": HOOK,
        "routes": [{"channels": ["hook"]}],
        "for_evaluations": 1,
        "clear_evaluations": 1,
        "drawdown_tiers": {"recovery": 0.05},
        **off,
    }


def test_silence_holds_notifications_back_until_it_ends(store: Store) -> None:
    config = cfg(for_evaluations=1)
    sid = actions.silence(
        store, duration=actions.parse_duration("2d"), by="bob", strategy_id="MOM", now=NOW
    )
    actions.silence(store, duration=dt.timedelta(hours=1), by="bob", pool="fx", now=NOW)
    run(store, config, [cond(True), cond(True, sid="FX")], 0, now=NOW + dt.timedelta(hours=1))
    assert outbox_kinds(store) == [("firing", "warning")]  # FX's silence ended; MOM's holds
    run(store, config, [cond(True), cond(True, sid="FX")], 1, now=NOW + dt.timedelta(days=1))
    assert len(outbox_kinds(store)) == 1
    with store.read() as conn:
        mom = aq.list_alerts(conn, strategy_id="MOM")[0]
        hist = aq.alert_history(conn, mom["id"])
    assert [h["kind"] for h in hist][-1] == "suppressed"
    assert f"silence #{sid} (bob)" in hist[-1]["text"]
    run(store, config, [cond(True), cond(True, sid="FX")], 2, now=NOW + dt.timedelta(days=3))
    with store.read() as conn:
        assert [(m["strategy_id"], m["kind"]) for m in aq.outbox(conn)] == [
            ("FX", "firing"),
            ("MOM", "firing"),  # announced once the silence is over
        ]


def test_stale_data_inhibits_performance_but_not_risk(store: Store) -> None:
    config = cfg(for_evaluations=1, clear_evaluations=1)
    stale = Condition("stale_data", "MOM", "warning", True, 3.0, 1.0, "no data for 3 sessions")
    perf = cond(True, rule="relative_sharpe")
    risk = cond(True, rule="concentration")
    run(store, config, [perf, risk, stale], 0)  # data quality is processed first
    with store.read() as conn:
        assert sorted((m["rule"], m["kind"]) for m in aq.outbox(conn)) == [
            ("concentration", "firing"),
            ("stale_data", "firing"),
        ]
    fresh = Condition("stale_data", "MOM", "warning", False, 0.0, 1.0, "data is current")
    run(store, config, [perf, risk, fresh], 1)
    with store.read() as conn:
        assert [(m["rule"], m["kind"]) for m in aq.outbox(conn)][2:] == [
            ("stale_data", "resolved"),
            ("relative_sharpe", "firing"),  # announced once the data is fresh again
        ]


def test_manual_resolve_then_a_new_episode(store: Store) -> None:
    config = cfg(for_evaluations=1)
    run(store, config, [cond(True)], 0)
    with store.read() as conn:
        (a,) = aq.list_alerts(conn)
    event = actions.resolve(store, a["id"], "carol", "false alarm", now=NOW, config=config)
    assert (event.from_state, event.to_state, event.actor) == ("firing", "resolved", "carol")
    with pytest.raises(actions.AlertActionError, match="already resolved"):
        actions.resolve(store, a["id"], "carol", "again", now=NOW)
    with pytest.raises(actions.AlertActionError, match="No alert #99"):
        actions.acknowledge(store, 99, "carol")
    assert [k for k, _ in outbox_kinds(store)] == ["firing", "resolved"]
    run(store, config, [cond(True)], 1)  # still true: a new alert
    assert [s for _, s in states(store)] == ["resolved", "firing"]
    with store.read() as conn:
        hist = aq.alert_history(conn, a["id"])
        stats = aq.resolution_stats(conn)
    assert [(h["kind"], h["to_state"], h["actor"]) for h in hist][-2:] == [
        ("transition", "resolved", ""),
        ("resolved", None, "carol"),
    ]
    assert stats["drawdown"]["fired"] == 2 and stats["drawdown"]["resolved"] == 1


def test_rerun_of_a_day_changes_nothing(store: Store) -> None:
    config = cfg(for_evaluations=2)
    for k in range(3):
        run(store, config, [cond(True)], k)
    before = (states(store), outbox_kinds(store))
    for k in range(3):
        assert run(store, config, [cond(True)], k) == []
    assert (states(store), outbox_kinds(store)) == before
    with pytest.raises(ValueError, match="two conditions"):
        run(store, config, [cond(True), cond(False)], 5)
