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
    # day 2 breaks the first run; days 3, (4 not evaluable: no_data), 5, 6 -> fires on day 6
    assert fired_on == [6]
    with store.read() as conn:
        (alert,) = aq.list_alerts(conn)
        assert alert["started_at"] == D0 + dt.timedelta(days=3)
        hist = aq.alert_history(conn, alert["id"])
    assert [(h["from_state"], h["to_state"]) for h in hist] == [
        ("inactive", "pending"),
        ("pending", "inactive"),
        ("inactive", "pending"),
        ("pending", "no_data"),  # day 4: the rule cannot be evaluated
        ("no_data", "pending"),  # day 5: back where the episode was, count kept
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


@pytest.mark.parametrize("notify_down", [False, True])
def test_severity_steps_up_at_once_and_down_with_hysteresis(
    store: Store, notify_down: bool
) -> None:
    config = tiers_only(clear_evaluations=2, notify_deescalation=notify_down)
    path = [-0.11, -0.16, -0.21, -0.16, -0.30, -0.12, -0.12, -0.02, -0.02]
    severities, messages = [], []
    for k, d in enumerate(path):
        run(store, config, build_conditions(inputs(d), config), k)
        with store.read() as conn:
            severities.append(aq.list_alerts(conn)[0]["severity"])
            messages.append(aq.list_alerts(conn)[0]["message"])
    # while the severity is held above today's tier, the message says why
    assert messages[3] == (
        "Current drawdown -16.0 % is beyond the critical level of -15.0 %. "
        "Severity stays emergency until 2 sessions in a row are below it."
    )
    assert messages[4] == "Current drawdown -30.0 % is beyond the emergency level of -20.0 %."
    # up at once; one session at a lower tier (-16 % after -21 %) is not enough to step down
    # (M = 2), two at -12 % are: emergency -> warning; then two clear sessions resolve it
    assert severities == [
        "warning",
        "critical",
        "emergency",
        "emergency",
        "emergency",
        "emergency",
        "warning",
        "warning",
        "warning",
    ]
    with store.read() as conn:
        (a,) = aq.list_alerts(conn)
        hist = aq.alert_history(conn, a["id"])
    assert (a["state"], a["tier"], a["severity"]) == ("resolved", "warning", "warning")
    assert [h["kind"] for h in hist] == [
        "transition",
        "transition",
        "escalated",
        "escalated",
        "deescalated",
        "transition",
    ]
    assert [h["severity"] for h in hist if h["kind"] != "transition"] == [
        "critical",
        "emergency",
        "warning",
    ]
    # each change records the day's value and the tier level it went beyond
    changes = [h for h in hist if h["kind"] != "transition"]
    assert [(h["value"], h["threshold"], h["actor"]) for h in changes] == [
        (pytest.approx(-0.16), pytest.approx(-0.15), "stratmon"),
        (pytest.approx(-0.21), pytest.approx(-0.20), "stratmon"),
        (pytest.approx(-0.12), pytest.approx(-0.10), "stratmon"),
    ]
    assert changes[0]["text"].startswith("warning -> critical: ")
    assert changes[2]["text"].startswith("emergency -> warning: ")
    # the resolving day's message is that day's condition: it does not say "is beyond"
    assert "within the first tier" in a["message"]
    assert outbox_kinds(store) == [
        ("firing", "warning"),
        ("escalated", "critical"),
        ("escalated", "emergency"),
        *([("deescalated", "warning")] if notify_down else []),
        ("resolved", "warning"),
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
    # digest messages are queued as they happen; the immediate ones at the end of the round,
    # one per strategy and channel
    assert box == [
        ("email", "FX", "firing", "digest"),
        ("pager", "MOM", "firing", "pending"),
        ("email", "MOM", "firing", "pending"),
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
        # one message for the strategy's changes of the day; the inhibited one is not in it
        ((rules, kind, subject, body),) = [
            (m["rule"], m["kind"], m["subject"], m["body"]) for m in aq.outbox(conn)
        ]
    assert (rules, kind) == ("stale_data,concentration", "grouped")
    assert subject == "[stratmon] WARNING MOM: 2 changes (stale_data FIRING, concentration FIRING)"
    assert "relative_sharpe" not in body and body.count("FIRING (WARNING)") == 2
    fresh = Condition("stale_data", "MOM", "warning", False, 0.0, 1.0, "data is current")
    run(store, config, [perf, risk, fresh], 1)
    with store.read() as conn:
        assert [(m["rule"], m["kind"]) for m in aq.outbox(conn)][1:] == [
            # announced once the data is fresh again, with the resolution
            ("stale_data,relative_sharpe", "grouped"),
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


def test_milestone_is_an_event_notified_once_never_firing(store: Store) -> None:
    config = cfg()
    prof = [True, True, False, True]
    for k, a in enumerate(prof):
        c = Condition("profitable", "MOM", "info", a, 0.05, 0.0, f"cumulative return day {k}")
        run(store, config, [c], k)
        with store.read() as conn:
            assert aq.firing_by_strategy(conn) == {}  # a milestone never counts as firing
    assert states(store) == [("profitable", "reached")]
    # reached on day 0 (once, although still true on day 1), again on day 3 after a false day
    assert outbox_kinds(store) == [("reached", "info"), ("reached", "info")]


def test_no_data_is_not_firing_and_returns_to_firing(store: Store) -> None:
    config = cfg(drawdown={"for_evaluations": 1})
    run(store, config, [cond(True)], 0)
    with store.read() as conn:
        assert aq.firing_by_strategy(conn) == {"MOM": [("drawdown", "warning", "m")]}
    na = Condition("drawdown", "MOM", "warning", None, float("nan"), -0.075, "no NAV on day 1")
    run(store, config, [na], 1)
    with store.read() as conn:
        (a,) = aq.list_alerts(conn)
        assert aq.firing_by_strategy(conn) == {}
    assert (a["state"], a["message"]) == ("no_data", "no NAV on day 1")
    run(store, config, [cond(True)], 2)
    assert states(store) == [("drawdown", "firing")]
    # fired once; the no_data spell and the return are not news
    assert outbox_kinds(store) == [("firing", "warning")]
