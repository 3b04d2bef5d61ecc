"""Runs over the API, the scheduler's decisions, the run lock and the /metrics exposition."""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select
from svc_workspace import Env

from stratmon.config import find_workspace
from stratmon.domain.assessment import VERDICTS
from stratmon.errors import ConfigError
from stratmon.service.scheduler import build_scheduler, daily_tick
from stratmon.service.settings import ServiceSettings
from stratmon.store import alerts_queries as aq
from stratmon.store import assessments as sa
from stratmon.store.models import EvaluationRow
from stratmon.store.run_lock import RunLockTimeoutError, run_lock


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_run_over_the_api(env: Env) -> None:
    day = env.built.days[-2]
    r = env.client.post("/api/v1/runs", json={"as_of": day.isoformat()}, headers=env.h("operator"))
    assert r.status_code == 202
    run = r.json()
    assert run["status"] in ("queued", "running") and run["requested_by"] == "test-operator"
    assert r.headers["location"] == f"/api/v1/runs/{run['id']}"
    env.client.app.state.runner.wait(60)  # type: ignore[attr-defined]
    done = env.client.get(f"/api/v1/runs/{run['id']}", headers=env.h("viewer")).json()
    assert done["status"] == "succeeded", done
    assert done["as_of"] == day.isoformat() and done["n_strategies"] == 2
    assert done["seconds"] > 0
    assert env.client.get("/api/v1/runs/424242", headers=env.h("viewer")).status_code == 404
    text = env.client.get("/metrics", headers=env.h("viewer")).text
    assert "stratmon_evaluation_duration_seconds_count 1.0" in text
    assert 'stratmon_runs_total{status="succeeded"} 1.0' in text


def test_exposition_values(env: Env) -> None:
    env.client.get("/api/v1/strategies/good", headers=env.h("viewer"))
    r = env.client.get("/metrics", headers=env.h("viewer"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    s = _samples(r.text)
    good = (
        ("asset_class", "equity"),
        ("pool", "core"),
        ("sector", "Tech"),
        ("strategy_id", "good"),
    )
    nav = env.built.navs["good"]
    assert s[("stratmon_strategy_nav", good)] == pytest.approx(nav[-1], rel=1e-12)
    assert s[("stratmon_strategy_current_drawdown", good)] == pytest.approx(
        nav[-1] / nav.max() - 1.0, rel=1e-9
    )
    days_since = (dt.date.today() - env.built.days[-1]).days
    assert s[("stratmon_strategy_days_since_last_data", good)] == days_since
    gap = s[("stratmon_strategy_sharpe_gap", good)]
    live = s[("stratmon_strategy_sharpe_ratio_live", good)]
    bt = s[("stratmon_strategy_sharpe_ratio_backtest", good)]
    assert math.isclose(gap, live - bt, rel_tol=1e-12)
    assert 0.0 <= s[("stratmon_strategy_psr", good)] <= 1.0
    with env.store.read() as conn:
        alerts = aq.list_alerts(conn, state="firing")
        assessed = {a.strategy_id: a for a in sa.latest_assessments(conn)}
    assert assessed.keys() == {"good", "bad"}
    for sid in ("good", "bad"):
        labels = next(
            k[1] for k in s if k[0] == "stratmon_strategy_nav" and ("strategy_id", sid) in k[1]
        )
        a = assessed[sid]
        for sev in ("info", "warning", "critical", "emergency"):
            n = sum(f.severity == sev for f in a.firing_alerts)
            # right after the daily job the record and the alert table agree
            assert n == sum(x["strategy_id"] == sid and x["severity"] == sev for x in alerts)
            key = ("stratmon_strategy_firing_alerts", tuple(sorted((*labels, ("severity", sev)))))
            assert s[key] == n, (sid, sev)
        verdicts = {
            dict(k[1])["verdict"]: v
            for k, v in s.items()
            if k[0] == "stratmon_verdict" and ("strategy_id", sid) in k[1]
        }
        assert verdicts == {v: float(v == a.verdict) for v in VERDICTS}
        assert s.get(("stratmon_health_score", labels)) == a.health
    assert sum(len(a.firing_alerts) for a in assessed.values()) > 0  # "bad" has firing alerts
    assert ("stratmon_outbox_backlog", ()) in s
    route = (
        ("method", "GET"),
        ("route", "/api/v1/strategies/{strategy_id}"),
        ("status", "200"),
    )
    assert s[("stratmon_http_request_duration_seconds_count", route)] == 1.0
    assert env.client.get("/metrics").status_code == 401


def test_daily_tick_only_on_sessions(env: Env) -> None:
    ws = find_workspace(env.root)
    settings = ServiceSettings.from_workspace(ws, write_report=False)
    runner = env.client.app.state.runner  # type: ignore[attr-defined]
    saturday = dt.datetime(2024, 3, 30, 21, 30, tzinfo=dt.UTC)
    assert daily_tick(settings, runner, now=saturday) is None
    good_friday = dt.datetime(2024, 3, 29, 21, 30, tzinfo=dt.UTC)  # NYSE closed
    assert daily_tick(settings, runner, now=good_friday) is None
    # 2024-03-28 00:30 UTC is still 27 March in New York (EDT, UTC-4)
    run_id = daily_tick(settings, runner, now=dt.datetime(2024, 3, 28, 0, 30, tzinfo=dt.UTC))
    assert run_id is not None
    runner.wait(60)
    run = env.client.get(f"/api/v1/runs/{run_id}", headers=env.h("viewer")).json()
    assert run["status"] == "succeeded" and run["as_of"] == "2024-03-27"
    assert run["trigger"] == "schedule"


def test_scheduler_fires_at_1730_new_york(env: Env) -> None:
    ws = find_workspace(env.root)
    settings = ServiceSettings.from_workspace(ws, poll_seconds=30)
    sched = build_scheduler(settings, env.client.app.state.runner)  # type: ignore[attr-defined]
    job = sched.get_job("daily_job")
    ny = settings.zone()
    # winter (EST, UTC-5) and summer (EDT, UTC-4)
    for start, utc_hour in (
        (dt.datetime(2024, 1, 10, 12, tzinfo=ny), 22),
        (dt.datetime(2024, 7, 10, 12, tzinfo=ny), 21),
    ):
        fire = job.trigger.get_next_fire_time(None, start)
        assert (fire.hour, fire.minute) == (17, 30)
        assert fire.astimezone(dt.UTC).hour == utc_hour
    assert sched.get_job("poll_inbox").trigger.interval == dt.timedelta(seconds=30)


def test_settings_are_validated(env: Env) -> None:
    ws = find_workspace(env.root)
    with pytest.raises(ConfigError, match="HH:MM"):
        ServiceSettings.from_workspace(ws, daily_time="25:99")
    with pytest.raises(ConfigError, match="IANA"):
        ServiceSettings.from_workspace(ws, timezone="Mars/Olympus")
    assert ServiceSettings.from_workspace(ws).host == "127.0.0.1"


def test_run_lock_excludes_a_second_writer(env: Env) -> None:
    held = threading.Event()
    release = threading.Event()

    def holder() -> None:
        with run_lock(env.store):
            held.set()
            release.wait(10)

    t = threading.Thread(target=holder)
    t.start()
    assert held.wait(10)
    t0 = time.perf_counter()
    with (
        pytest.raises(RunLockTimeoutError, match="Another stratmon writer"),
        run_lock(env.store, timeout=0.2),
    ):
        pass
    assert time.perf_counter() - t0 >= 0.2
    release.set()
    t.join()
    with run_lock(env.store, timeout=1), run_lock(env.store, timeout=0):  # re-entrant
        pass


def test_shutdown_lets_the_run_finish(env: Env) -> None:
    runner = env.client.app.state.runner  # type: ignore[attr-defined]
    with env.store.read() as conn:
        before = conn.execute(select(func.count()).select_from(EvaluationRow)).scalar()
    run_id = runner.submit(trigger="api", requested_by="t", as_of=env.built.days[-1])
    runner.shutdown()  # waits for the run in progress
    with env.store.read() as conn:
        evals = conn.execute(select(EvaluationRow.status, EvaluationRow.finished_at)).all()
    run = env.client.get(f"/api/v1/runs/{run_id}", headers=env.h("viewer")).json()
    assert run["status"] in ("succeeded", "cancelled")
    assert all(f is not None for _s, f in evals)
    assert len(evals) == before + (1 if run["status"] == "succeeded" else 0)


def test_readyz_fails_on_an_unmigrated_database(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from stratmon.api import create_app
    from stratmon.config import create_workspace
    from stratmon.store import open_store

    ws = create_workspace(tmp_path / "raw")
    store = open_store(ws.database_url, migrate=False)
    app = create_app(ws, store, ServiceSettings(), runner=None)
    client = TestClient(app)  # no lifespan: the runner would need the service tables
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["detail"] == "The database schema is not at the newest migrations."
    assert client.get("/healthz").status_code == 200
    store.dispose()
