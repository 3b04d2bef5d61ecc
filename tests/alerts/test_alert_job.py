"""The alert system inside the daily job: drawdown tiers escalate and resolve, stale data
fires, messages reach a local webhook once each across re-runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import tomli_w
from alert_receivers import webhook_server

from stratmon.alerts.config import RULE_NAMES
from stratmon.config import CONFIG_NAME, Workspace, create_workspace, load_config
from stratmon.domain import Strategy
from stratmon.ingest import sessions_between
from stratmon.intake import ingest_paths
from stratmon.pipeline import DailyJob
from stratmon.store import Store, open_store
from stratmon.store import alerts_queries as aq
from stratmon.store import repositories as repo

SID = "TIER"
BT_DAYS = sessions_between("XNYS", dt.date(2023, 1, 3), dt.date(2023, 6, 30))
LIVE = sessions_between("XNYS", dt.date(2024, 1, 2), dt.date(2024, 2, 29))
KEEP = ("drawdown_tiers", "stale_data", "concentration")


@pytest.fixture
def env(tmp_path: Path) -> Iterator[tuple[Workspace, Store, list[dict[str, object]]]]:
    with webhook_server() as (port, posts):
        ws = create_workspace(tmp_path / "ws")
        cfg = load_config(ws.root / CONFIG_NAME)
        alerts = cfg["alerts"]
        alerts.update({"for_evaluations": 1, "clear_evaluations": 1})
        for rule in RULE_NAMES:
            alerts.setdefault(rule, {})["enabled"] = rule in KEEP
        alerts["channels"] = {"hook": {"url": f"json://127.0.0.1:{port}/h", "retries": 0}}
        alerts["routes"] = [{"channels": ["hook"]}]
        (ws.root / CONFIG_NAME).write_text(tomli_w.dumps(cfg), encoding="utf-8")
        ws = Workspace(ws.root, load_config(ws.root / CONFIG_NAME))
        store = open_store(ws.database_url)
        with store.transaction() as conn:
            repo.upsert_strategies(conn, [Strategy(SID, "Tiered", allocated_capital=1e6)])
        rets = np.full(len(BT_DAYS), 0.001)
        rets[60] = -0.10
        lines = [
            f"{d.isoformat()},{SID},{r!r}" for d, r in zip(BT_DAYS, rets.tolist(), strict=True)
        ]
        bt = tmp_path / "bt.csv"
        bt.write_text("date,strategy_id,return\n" + "\n".join(lines) + "\n", encoding="utf-8")
        (out,) = ingest_paths(ws, store, [bt], today=LIVE[0])
        assert out.outcome == "accepted", out.error
        yield ws, store, posts
        store.dispose()


def drop(ws: Workspace, day: dt.date, nav: float) -> None:
    p = ws.inbox / f"performance_data_{day.isoformat()}.csv"
    p.write_text(f"date,strategy_id,nav\n{day.isoformat()},{SID},{nav!r}\n", encoding="utf-8")


def test_tiers_escalate_resolve_and_nothing_twice(
    env: tuple[Workspace, Store, list[dict[str, object]]],
) -> None:
    ws, store, posts = env
    job = DailyJob(ws, store)
    navs = [100.0, 100.0, 88.0, 84.0, 79.0, 95.0]
    for day, nav in zip(LIVE, navs, strict=False):
        drop(ws, day, nav)
        result = job.run(day, write_report=False, today=day)
        assert result.dispatch is not None and result.dispatch.pending == 0
    titles = [p["json"]["title"] for p in posts]  # type: ignore[index]
    assert titles == [
        f"[stratmon] WARNING FIRING: drawdown_tiers on {SID}",  # -12 %
        f"[stratmon] CRITICAL ESCALATED: drawdown_tiers on {SID}",  # -16 %
        f"[stratmon] EMERGENCY ESCALATED: drawdown_tiers on {SID}",  # -21 %
        f"[stratmon] EMERGENCY RESOLVED: drawdown_tiers on {SID}",  # -5 %
    ]
    # re-running every day with a fresh job sends nothing again
    for day in LIVE[: len(navs)]:
        again = DailyJob(ws, store).run(day, write_report=False, ingest=False)
        assert again.events == []
    assert len(posts) == 4
    with store.read() as conn:
        (alert,) = aq.list_alerts(conn, strategy_id=SID)
        kinds = [h["kind"] for h in aq.alert_history(conn, alert["id"])]
    assert kinds == ["transition", "transition", "escalated", "escalated", "transition"]


def test_stale_data_fires_after_two_missing_sessions(
    env: tuple[Workspace, Store, list[dict[str, object]]],
) -> None:
    ws, store, posts = env
    job = DailyJob(ws, store)
    drop(ws, LIVE[0], 100.0)
    job.run(LIVE[0], write_report=False, today=LIVE[0])
    drop(ws, LIVE[1], 85.0)  # -15 %: warning tier
    job.run(LIVE[1], write_report=False, today=LIVE[1])
    # no file for two sessions: stale data fires (and nothing else is announced)
    job.run(LIVE[3], write_report=False, ingest=False)
    titles = [p["json"]["title"] for p in posts]  # type: ignore[index]
    assert titles == [
        f"[stratmon] WARNING FIRING: drawdown_tiers on {SID}",
        f"[stratmon] WARNING FIRING: stale_data on {SID}",
    ]
    with store.read() as conn:
        stale = aq.list_alerts(conn, rule="stale_data")[0]
    assert stale["last_value"] == 2.0  # two sessions without data
