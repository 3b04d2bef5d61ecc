"""Real delivery through apprise to local receivers (SMTP via aiosmtpd, a JSON webhook), both
on 127.0.0.1: exact messages, firing then resolved, nothing twice across a re-run, a channel
that is down keeps its messages in the outbox until it is back, digests, redaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from alert_receivers import free_port, smtp_server, webhook_server

from stratmon.alerts.config import AlertConfig, alert_config_from_dict
from stratmon.alerts.dispatch import dispatch_outbox, test_channels
from stratmon.alerts.processor import process_conditions
from stratmon.alerts.rules import Condition
from stratmon.domain import Strategy
from stratmon.store import Store, open_store
from stratmon.store import alerts_queries as aq
from stratmon.store import repositories as repo

D0 = dt.date(2024, 3, 4)
NOW = dt.datetime(2024, 3, 4, 18, 0)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'alerts.db'}")
    with s.transaction() as conn:
        repo.upsert_strategies(
            conn,
            [
                Strategy("MOM", "Momentum", pool="equities"),
                Strategy("CARRY", "Carry", pool="rates"),
            ],
        )
    yield s
    s.dispose()


def config(smtp_port: int, hook_port: int, **extra: object) -> AlertConfig:
    table: dict[str, object] = {
        "for_evaluations": 2,
        "clear_evaluations": 2,
        "channels": {
            "email": {
                "url": f"mailto://127.0.0.1:{smtp_port}?from=stratmon@example.com"
                "&to=ops@example.com&mode=insecure",
                "backoff_seconds": 0.0,
            },
            "hook": {"url": f"json://127.0.0.1:{hook_port}/hook", "backoff_seconds": 0.0},
        },
        "routes": [{"channels": ["email", "hook"]}],
    }
    table.update(extra)
    return alert_config_from_dict(table)


def dd(active: bool, value: float, sid: str = "MOM") -> Condition:
    level = -0.075
    return Condition("drawdown", sid, "warning", active, value, level, f"Drawdown {value:.2%}.")


def evaluate(store: Store, cfg: AlertConfig, day: dt.date, conds: list[Condition]) -> None:
    with store.transaction() as conn:
        process_conditions(conn, conds, day, cfg, now=NOW)


def plain(msg: object) -> str:
    part = next(p for p in msg.walk() if p.get_content_type() == "text/plain")  # type: ignore[attr-defined]
    return part.get_payload(decode=True).decode().replace("\r\n", "\n").strip()


FIRING_BODY = """FIRING (WARNING) - drawdown on strategy MOM (Momentum)

What: Drawdown -9.00%.
Value: -9.0 % (threshold -7.5 %)
Since: 2024-03-05 (condition true since 2024-03-04)
Alert #1: rule drawdown, category performance, tier warning, evaluated 2024-03-05.
Command: stratmon alerts show 1
Acknowledge: stratmon alerts ack 1 --by NAME --note "..." """.rstrip()

RESOLVED_BODY = """RESOLVED (WARNING) - drawdown on strategy MOM (Momentum)

What: Drawdown -2.00%.
Value: -2.0 % (threshold -7.5 %)
Fired on 2024-03-05, resolved on 2024-03-07.
Alert #1: rule drawdown, category performance, tier warning, evaluated 2024-03-07.
Command: stratmon alerts show 1"""


def test_firing_then_resolved_exact_messages_and_none_twice(store: Store) -> None:
    with smtp_server() as (smtp_port, mails), webhook_server() as (hook_port, posts):
        cfg = config(smtp_port, hook_port)
        days = [D0 + dt.timedelta(days=k) for k in range(4)]
        values = [(True, -0.08), (True, -0.09), (False, -0.03), (False, -0.02)]
        for k, (day, (active, value)) in enumerate(zip(days, values, strict=True)):
            evaluate(store, cfg, day, [dd(active, value)])
            report = dispatch_outbox(store, cfg, as_of=day)
            assert report.pending == 0 and report.errors == []
            # a re-run of the same day, and a second dispatch, change nothing
            evaluate(store, cfg, day, [dd(active, value)])
            assert dispatch_outbox(store, cfg, as_of=day).sent == 0
            if k == 1:
                assert [m["Subject"] for m in mails] == [
                    "[stratmon] WARNING FIRING: drawdown on MOM"
                ]
        assert [m["Subject"] for m in mails] == [
            "[stratmon] WARNING FIRING: drawdown on MOM",
            "[stratmon] WARNING RESOLVED: drawdown on MOM",
        ]
        assert [m["To"] for m in mails] == ["ops@example.com"] * 2
        assert plain(mails[0]) == FIRING_BODY
        assert plain(mails[1]) == RESOLVED_BODY
        assert [p["path"] for p in posts] == ["/hook", "/hook"]
        assert [(p["json"]["title"], p["json"]["type"]) for p in posts] == [
            ("[stratmon] WARNING FIRING: drawdown on MOM", "warning"),
            ("[stratmon] WARNING RESOLVED: drawdown on MOM", "success"),
        ]
        assert posts[0]["json"]["message"].strip() == FIRING_BODY
        assert posts[1]["json"]["message"].strip() == RESOLVED_BODY
    with store.read() as conn:
        box = aq.outbox(conn)
    assert [(m["channel"], m["kind"], m["status"], m["attempts"]) for m in box] == [
        ("email", "firing", "sent", 1),
        ("hook", "firing", "sent", 1),
        ("email", "resolved", "sent", 1),
        ("hook", "resolved", "sent", 1),
    ]


def test_channel_down_keeps_the_message_until_it_is_back(store: Store) -> None:
    hook_port = free_port()  # nothing listens there yet
    with smtp_server() as (smtp_port, mails):
        cfg = config(
            smtp_port,
            hook_port,
            channels={
                "hook": {
                    "url": f"json://127.0.0.1:{hook_port}/hook",
                    "retries": 2,
                    "backoff_seconds": 0.5,
                }
            },
            routes=[{"channels": ["hook"]}],
        )
        waits: list[float] = []
        for k in range(2):
            evaluate(store, cfg, D0 + dt.timedelta(days=k), [dd(True, -0.1)])
        first = dispatch_outbox(store, cfg, as_of=D0 + dt.timedelta(days=1), sleep=waits.append)
        assert (first.sent, first.failed, first.pending) == (0, 1, 1)
        assert waits == [0.5, 1.0]  # exponential back-off between the 3 attempts
        with store.read() as conn:
            (msg,) = aq.outbox(conn)
            assert (msg["status"], msg["attempts"]) == ("pending", 3)
            assert "127.0.0.1" in (msg["last_error"] or "")
            assert [d["ok"] for d in aq.deliveries(conn)] == [False, False, False]
        # still down on the next run: kept again
        assert dispatch_outbox(store, cfg, sleep=waits.append).pending == 1
        with webhook_server(hook_port) as (_, posts):
            again = dispatch_outbox(store, cfg, sleep=waits.append)
            assert (again.sent, again.pending) == (1, 0)
            assert dispatch_outbox(store, cfg, sleep=waits.append).sent == 0
        assert [p["json"]["title"] for p in posts] == ["[stratmon] WARNING FIRING: drawdown on MOM"]
        assert mails == []
    with store.read() as conn:
        (msg,) = aq.outbox(conn)
        assert (msg["status"], msg["attempts"], msg["last_error"]) == ("sent", 7, None)


def test_credentials_never_appear_in_errors(store: Store) -> None:
    port = free_port()
    cfg = alert_config_from_dict(
        {
            "for_evaluations": 1,
            "channels": {
                "hook": {
                    "url": f"json://{{env:HOOK_USER}}:{{env:HOOK_PASSWORD}}@127.0.0.1:{port}/x",
                    "retries": 0,
                }
            },
            "routes": [{"channels": ["hook"]}],
        }
    )
    env = {"HOOK_USER": "robot", "HOOK_PASSWORD": "s3cr3t-Pa55"}
    evaluate(store, cfg, D0, [dd(True, -0.1)])
    report = dispatch_outbox(store, cfg, environ=env)
    assert report.pending == 1
    with store.read() as conn:
        (msg,) = aq.outbox(conn)
        texts = [*report.errors, msg["last_error"], *(d["error"] for d in aq.deliveries(conn))]
    assert texts and all(t and "s3cr3t-Pa55" not in t for t in texts)
    # a missing variable is named, not guessed
    missing = dispatch_outbox(store, cfg, environ={"HOOK_USER": "robot"})
    assert missing.errors == ["channel hook: environment variable HOOK_PASSWORD not set."]
    results = test_channels(cfg, environ=env)
    assert not results["hook"].ok and "s3cr3t-Pa55" not in (results["hook"].error or "")


def test_digest_groups_by_strategy_and_waits_for_the_period(store: Store) -> None:
    with webhook_server() as (hook_port, posts):
        cfg = alert_config_from_dict(
            {
                "for_evaluations": 1,
                "channels": {"hook": {"url": f"json://127.0.0.1:{hook_port}/d"}},
                "routes": [{"channels": ["hook"], "mode": "digest", "every": "weekly"}],
            }
        )
        monday = dt.date(2024, 3, 4)
        evaluate(store, cfg, monday, [dd(True, -0.1, "MOM"), dd(True, -0.2, "CARRY")])
        assert dispatch_outbox(store, cfg, as_of=monday).sent == 0  # the week is not over
        friday = monday + dt.timedelta(days=4)
        evaluate(store, cfg, friday, [dd(False, -0.01, "MOM"), dd(True, -0.2, "CARRY")])
        assert dispatch_outbox(store, cfg, as_of=friday).sent == 0
        next_monday = monday + dt.timedelta(days=7)
        report = dispatch_outbox(store, cfg, as_of=next_monday)
        assert (report.digests, report.sent) == (1, 1)
        assert dispatch_outbox(store, cfg, as_of=next_monday).sent == 0
    (post,) = posts
    assert post["json"]["title"] == "[stratmon] digest 2024-W10: 2 alert messages"
    assert post["json"]["message"].splitlines()[:6] == [
        "Alert digest for 2024-W10 (hook), grouped by strategy.",
        "",
        "== CARRY ==",
        "- 2024-03-04 WARNING firing drawdown #2",
        "",
        "== MOM ==",
    ]


def _assessed(store: Store, day: dt.date, sid: str, changes: tuple[str, ...]) -> None:
    """One stored assessment of ``sid`` on ``day`` whose change lines are ``changes``."""
    from stratmon.domain.assessment import Assessment, Recommendation, StatusView
    from stratmon.store import assessments as sa

    a = Assessment(
        strategy_id=sid,
        as_of=day,
        verdict="watch",
        action="maintain",
        health=55.0,
        health_trend="stable",
        health_components=(),
        recent_health=None,
        status=StatusView("live to date", "on_track"),
        status_recent=StatusView("30 sessions", "on_track"),
        reasons=("drawdown warning firing", "health 55"),
        recommendation=Recommendation("maintain"),
        changes=changes,
    )
    with store.transaction() as conn:
        eval_id = repo.start_evaluation(conn, day)
        sa.save_assessments(conn, [a], eval_id)
        sa.save_book_changes(conn, eval_id, ["file rejected: bad.csv (nav_positive)"])
        repo.finish_evaluation(conn, eval_id, 1)


def test_daily_digest_is_headed_by_what_changed(store: Store) -> None:
    with webhook_server() as (hook_port, posts):
        cfg = alert_config_from_dict(
            {
                "for_evaluations": 1,
                "channels": {"hook": {"url": f"json://127.0.0.1:{hook_port}/d"}},
                "routes": [{"channels": ["hook"], "mode": "digest", "every": "daily"}],
            }
        )
        day = dt.date(2024, 3, 4)
        evaluate(store, cfg, day, [dd(True, -0.1, "MOM")])
        _assessed(store, day, "MOM", ("verdict on_track (maintain) -> watch (maintain)",))
        report = dispatch_outbox(store, cfg, as_of=day)
        assert (report.digests, report.sent) == (1, 1)
    (post,) = posts
    assert post["json"]["message"].splitlines()[:6] == [
        "Alert digest for 2024-03-04 (hook), grouped by strategy.",
        "",
        "What changed since the previous session:",
        "- file rejected: bad.csv (nav_positive)",
        "- MOM: verdict on_track (maintain) -> watch (maintain)",
        "",
    ]
