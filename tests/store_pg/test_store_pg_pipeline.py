"""The daily job, the service's queries and two concurrent daily jobs on PostgreSQL (and the
same concurrency test on SQLite)."""

from __future__ import annotations

import datetime as dt
import math
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from svc_workspace import Built, build, daily_csv

from stratmon.ingest.calendar import sessions_between
from stratmon.pipeline import DailyJob
from stratmon.service.runner import utcnow
from stratmon.store import Store, keys_repo
from stratmon.store import alerts_queries as aq
from stratmon.store import queries as q
from stratmon.store import service_queries as sq
from stratmon.store.models import AlertEventRow, AlertRow, DailyRecordRow, EvaluationRow
from stratmon.store.run_lock import RunLockTimeoutError, run_lock


def _close(a: Any, b: Any, path: str = "") -> None:
    """Equal, with floats to 1e-9 relative (PostgreSQL's float8 round-trips exactly; JSON
    text may differ in the last digit)."""
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) and math.isnan(b):
            return
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-15), path
    elif isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            _close(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list | tuple) and isinstance(b, list | tuple):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _close(x, y, f"{path}[{i}]")
    else:
        assert a == b, path


def _everything(store: Store, built: Built) -> dict[str, Any]:
    last = built.days[-1]
    with store.read() as conn:
        series = q.daily_series(conn, ["good", "bad"])
        return {
            "results": q.results_on(conn, last),
            "statistics": q.statistics_on(conn, last),
            "health": {s: q.health_history(conn, s) for s in ("good", "bad")},
            "alerts": [
                {k: v for k, v in a.items() if k not in ("id", "fired_recorded_at")}
                for a in aq.list_alerts(conn)
            ],
            "nav": {s: series[s].nav.tolist() for s in series},
            "dates": {s: series[s].dates for s in series},
            "cone": q.cone_history(conn, "good", last),
            "exporter": sq.exporter_rows(conn),
            "latest": sq.latest_health(conn),
            "firing": sq.firing_counts(conn),
            "counts": {k: v for k, v in q.table_counts(conn).items() if k != "ingested_files"},
            "last_date": q.last_data_date(conn),
            "snapshot": sq.metric_snapshots(conn, "bad", last),
        }


def test_daily_job_gives_the_same_results_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    lite = build(tmp_path / "lite")
    pg = build(tmp_path / "pg", database_url=pg_url)
    try:
        a, b = _everything(lite.store, lite), _everything(pg.store, pg)
        for key in a:
            _close(a[key], b[key], key)
        assert b["firing"]  # alerts fired: the alert tables were exercised
    finally:
        lite.store.dispose()
        pg.store.dispose()


def test_service_tables_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    built = build(tmp_path / "pg", database_url=pg_url, evaluate_last=1)
    store = built.store
    try:
        with store.transaction() as conn:
            k, secret = keys_repo.create_key(conn, "ops", "operator", utcnow())
            run_id = sq.create_run(
                conn,
                trigger="api",
                requested_by="ops",
                requested_as_of=None,
                ingest=True,
                now=utcnow(),
            )
        with store.read() as conn:
            assert keys_repo.verify_key(conn, secret) == k
            assert sq.get_run(conn, run_id)["status"] == "queued"  # type: ignore[index]
        with store.transaction() as conn:
            assert sq.set_run_status(conn, run_id, "queued", {"status": "running"})
            assert not sq.set_run_status(conn, run_id, "queued", {"status": "running"})
            assert sq.close_unfinished_runs(conn, utcnow(), "stop") == 1
            assert keys_repo.revoke_key(conn, "ops", utcnow()) == 1
        with store.read() as conn:
            assert keys_repo.verify_key(conn, secret) is None
            assert sq.outbox_backlog(conn) >= 0
    finally:
        store.dispose()


def _next_day(built: Built) -> dt.date:
    last = built.days[-1]
    return sessions_between("XNYS", last + dt.timedelta(days=1), last + dt.timedelta(days=10))[0]


def _two_jobs_at_once(built: Built) -> None:
    """Drop tomorrow's file, then start two daily jobs (two DailyJob objects, as two
    processes would have) for tomorrow at the same moment, each under the run lock."""
    day = _next_day(built)
    nav = {s: float(v[-1]) * 1.001 for s, v in built.navs.items()}
    (built.ws.inbox / f"daily_{day}.csv").write_text(
        daily_csv([(s, day, v) for s, v in nav.items()]), encoding="utf-8"
    )
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        job = DailyJob(built.ws, built.store)
        barrier.wait()
        try:
            with run_lock(built.store, timeout=120):
                job.run(day, write_report=False, today=day)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert not errors, errors


def _check_no_duplicates(built: Built, before: dict[str, int]) -> None:
    day = _next_day(built)
    with built.store.read() as conn:
        n_eval = conn.execute(select(func.count()).select_from(EvaluationRow)).scalar()
        unfinished = conn.execute(
            select(func.count()).where(EvaluationRow.finished_at.is_(None))
        ).scalar()
        rows = conn.execute(
            select(DailyRecordRow.strategy_id, func.count())
            .where(DailyRecordRow.date == day)
            .group_by(DailyRecordRow.strategy_id)
        ).all()
        open_alerts = conn.execute(
            select(AlertRow.rule, AlertRow.strategy_id, AlertRow.tier, func.count())
            .where(AlertRow.state.in_(("pending", "firing")))
            .group_by(AlertRow.rule, AlertRow.strategy_id, AlertRow.tier)
        ).all()
        events = conn.execute(select(func.count()).select_from(AlertEventRow)).scalar()
        health = {r["as_of"] for r in q.health_history(conn, "good")}
    assert n_eval == before["evaluations"] + 2 and unfinished == 0
    assert sorted(rows) == [("bad", 1), ("good", 1)]
    assert all(n == 1 for *_k, n in open_alerts), open_alerts
    assert events is not None and events >= before["events"]
    assert day in health


def _counts(store: Store) -> dict[str, int]:
    with store.read() as conn:
        return {
            "evaluations": int(
                conn.execute(select(func.count()).select_from(EvaluationRow)).scalar() or 0
            ),
            "events": int(
                conn.execute(select(func.count()).select_from(AlertEventRow)).scalar() or 0
            ),
        }


def _single_job_reference(tmp_path: Path) -> dict[str, Any]:
    ref = build(tmp_path / "ref", evaluate_last=3)
    day = _next_day(ref)
    nav = {s: float(v[-1]) * 1.001 for s, v in ref.navs.items()}
    (ref.ws.inbox / f"daily_{day}.csv").write_text(
        daily_csv([(s, day, v) for s, v in nav.items()]), encoding="utf-8"
    )
    DailyJob(ref.ws, ref.store).run(day, write_report=False, today=day)
    with ref.store.read() as conn:
        out = {"results": q.results_on(conn, day)}
    out["events"] = _counts(ref.store)["events"]
    ref.store.dispose()
    return out


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_two_daily_jobs_at_once(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = request.getfixturevalue("pg_url") if backend == "postgresql" else None
    built = build(tmp_path / "ws", database_url=url, evaluate_last=3)
    try:
        before = _counts(built.store)
        _two_jobs_at_once(built)
        _check_no_duplicates(built, before)
        reference = _single_job_reference(tmp_path)
        with built.store.read() as conn:
            got = q.results_on(conn, _next_day(built))
        n_events = _counts(built.store)["events"]
        _close(got, reference["results"], "results")
        assert n_events == reference["events"]  # the second job added no event
    finally:
        built.store.dispose()


def test_advisory_lock_excludes_across_connections(pg_url: str, tmp_path: Path) -> None:
    from stratmon.store import open_store

    a, b = open_store(pg_url), open_store(pg_url)  # two engines: as two processes
    try:
        inside = threading.Event()
        done = threading.Event()

        def hold() -> None:
            with run_lock(a):
                inside.set()
                done.wait(10)

        t = threading.Thread(target=hold)
        t.start()
        assert inside.wait(10)
        with pytest.raises(RunLockTimeoutError), run_lock(b, timeout=0.3):
            pass
        done.set()
        t.join()
        with run_lock(b, timeout=5):
            pass
    finally:
        a.dispose()
        b.dispose()
