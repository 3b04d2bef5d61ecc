"""POST /ingest: the file rules (validation, all or nothing, duplicates) over HTTP."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select
from svc_workspace import Env, daily_csv

from stratmon.ingest.calendar import sessions_between
from stratmon.store.models import DailyRecordRow, ExecutionRow, IngestedFileRow


def _next_day(env: Env) -> dt.date:
    last = env.built.days[-1]
    return sessions_between("XNYS", last + dt.timedelta(days=1), last + dt.timedelta(days=10))[0]


def _count(env: Env, table: type) -> int:
    with env.store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)


def _csv(rows: list[tuple[str, dt.date, float]]) -> bytes:
    return daily_csv(rows).encode()


def test_csv_accepted_then_duplicate(env: Env) -> None:
    day = _next_day(env)
    before = _count(env, DailyRecordRow)
    body = _csv([("good", day, 1_000_000.0), ("bad", day, 700_000.0)])
    h = {**env.h("operator"), "Content-Type": "text/csv"}
    r = env.client.post("/api/v1/ingest/daily", content=body, headers=h)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out == {**out, "kind": "daily", "outcome": "accepted", "n_rows": 2, "n_new": 2}
    assert _count(env, DailyRecordRow) == before + 2
    again = env.client.post("/api/v1/ingest/daily", content=body, headers=h)
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
    assert _count(env, DailyRecordRow) == before + 2
    metrics = env.client.get("/metrics", headers=env.h("viewer")).text
    assert 'stratmon_ingested_rows_total{kind="daily"} 2.0' in metrics


def test_json_body_accepted(env: Env) -> None:
    day = _next_day(env)
    rows = [{"date": day.isoformat(), "strategy_id": "good", "nav": 1_010_000.5}]
    h = {**env.h("operator"), "Content-Type": "application/json"}
    r = env.client.post("/api/v1/ingest/daily", content=json.dumps(rows), headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["n_new"] == 1


def test_bad_row_rejects_the_whole_body_with_the_file_error(env: Env) -> None:
    day = _next_day(env)
    before = _count(env, DailyRecordRow)
    body = _csv([("good", day, 1_000_000.0), ("bad", day, -5.0)])
    h = {**env.h("operator"), "Content-Type": "text/csv"}
    r = env.client.post("/api/v1/ingest/daily", content=body, headers=h)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    detail = r.json()["detail"]
    assert "row 2, column 'nav', value -5.0: [nav_positive] nav must be > 0" in detail
    assert "nothing from it was stored" in detail
    assert _count(env, DailyRecordRow) == before  # all or nothing
    with env.store.read() as conn:
        outcomes = [r[0] for r in conn.execute(select(IngestedFileRow.outcome))]
    assert outcomes.count("rejected") == 1
    assert list((env.root / "inbox" / "rejected").glob("api_daily_*.error.txt"))
    metrics = env.client.get("/metrics", headers=env.h("viewer")).text
    assert "stratmon_rejected_files_total 1.0" in metrics


def test_unknown_strategy_and_future_date_rejected(env: Env) -> None:
    h = {**env.h("operator"), "Content-Type": "text/csv"}
    r = env.client.post(
        "/api/v1/ingest/daily", content=_csv([("ghost", _next_day(env), 1.0)]), headers=h
    )
    assert r.status_code == 422 and "ghost" in r.json()["detail"]
    future = dt.date.today() + dt.timedelta(days=400)
    r = env.client.post("/api/v1/ingest/daily", content=_csv([("good", future, 1.0)]), headers=h)
    assert r.status_code == 422


def test_kind_must_match_the_columns(env: Env) -> None:
    h = {**env.h("operator"), "Content-Type": "text/csv"}
    body = _csv([("good", _next_day(env), 1_000_000.0)])
    r = env.client.post("/api/v1/ingest/executions", content=body, headers=h)
    assert r.status_code == 422
    assert "columns are those of daily data, not executions" in r.json()["detail"]
    assert _count(env, ExecutionRow) == 0


def test_executions_matched_into_round_trips(env: Env) -> None:
    day = _next_day(env)
    lines = [
        "execution_id,strategy_id,timestamp,symbol,side,quantity,price,commission",
        f"e1,good,{day}T14:30:00,SPY,BUY,10,500,1",
        f"e2,good,{day}T15:30:00,SPY,SELL,10,505,1",
    ]
    h = {**env.h("operator"), "Content-Type": "text/csv"}
    r = env.client.post("/api/v1/ingest/executions", content="\n".join(lines), headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["n_new"] == 2 and r.json()["n_round_trips"] == 1


def test_size_limit_and_media_type(env: Env) -> None:
    h = {**env.h("operator"), "Content-Type": "text/csv"}
    big = b"date,strategy_id,nav\n" + b"2024-01-02,good,1\n" * 400  # > 4096 bytes
    r = env.client.post("/api/v1/ingest/daily", content=big, headers=h)
    assert r.status_code == 413
    r = env.client.post(
        "/api/v1/ingest/daily",
        content=b"x",
        headers={**env.h("operator"), "Content-Type": "application/xml"},
    )
    assert r.status_code == 415
    r = env.client.post("/api/v1/ingest/bogus", content=b"x", headers=h)
    assert r.status_code == 422
