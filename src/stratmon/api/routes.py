"""The ``/api/v1`` endpoints."""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import numpy as np
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from stratmon.alerts import actions
from stratmon.alerts.config import alert_config_from_dict
from stratmon.api.auth import admin, operator, viewer
from stratmon.api.metric_table import metric_table_body
from stratmon.api.problems import ApiProblemError, problem_responses
from stratmon.api.schemas import (
    AlertActionIn,
    AlertOut,
    AssessmentHistory,
    AssessmentOut,
    ComparisonItem,
    ComparisonOut,
    ConcernAlertOut,
    ConePoint,
    EquityOut,
    HealthHistory,
    HealthNow,
    HealthPoint,
    IngestOut,
    KeyCreated,
    KeyIn,
    KeyOut,
    MetricTable,
    Page,
    RunIn,
    RunOut,
    StrategyDetail,
    StrategyOut,
)
from stratmon.config import Workspace
from stratmon.domain.assessment import Assessment
from stratmon.errors import FileRejectedError, StratmonError
from stratmon.ingest.kinds import detect_kind
from stratmon.ingest.readers import read_raw
from stratmon.intake import ingest_paths
from stratmon.metrics import returns_from_nav
from stratmon.reports.assessment_view import ranked
from stratmon.service.runner import RunExecutor, utcnow
from stratmon.store import Store, keys_repo
from stratmon.store import alerts_queries as aq
from stratmon.store import assessments as sa
from stratmon.store import queries as q
from stratmon.store import service_queries as sq
from stratmon.store.keys_repo import ApiKey
from stratmon.store.run_lock import RunLockTimeoutError, run_lock

ViewerKey = Annotated[ApiKey, Depends(viewer)]
OperatorKey = Annotated[ApiKey, Depends(operator)]
AdminKey = Annotated[ApiKey, Depends(admin)]

READ_ERRORS = problem_responses(401, 403, 404, 422)
router = APIRouter(prefix="/api/v1", responses=problem_responses(401, 403, 422))

StrategyId = Annotated[str, PathParam(min_length=1, max_length=64)]
Limit = Annotated[int, Query(ge=1, le=1000, description="Page size.")]
Offset = Annotated[int, Query(ge=0, description="Items to skip.")]
AsOf = Annotated[
    dt.date | None, Query(description="Newest assessed date on or before; default the newest.")
]
FromDay = Annotated[dt.date | None, Query(alias="from", description="First day (inclusive).")]
ToDay = Annotated[dt.date | None, Query(alias="to", description="Last day (inclusive).")]
IngestKind = Literal["daily", "executions", "trades", "positions"]

INGEST_MEDIA = {
    "text/csv": ".csv",
    "text/plain": ".csv",
    "application/json": ".json",
    "application/x-ndjson": ".jsonl",
    "application/jsonl": ".jsonl",
}


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _ws(request: Request) -> Workspace:
    ws: Workspace = request.app.state.workspace
    return ws


def _clean(value: Any) -> Any:
    """JSON-safe: NaN/inf -> None, recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


P = TypeVar("P", bound=BaseModel)
R = TypeVar("R")


def _page(
    page: type[P], rows: Sequence[R], convert: Callable[[R], Any], limit: int, offset: int
) -> P:
    """One page of ``rows`` (each through ``convert``) with the total count."""
    return page(
        items=[convert(r) for r in rows[offset : offset + limit]],
        total=len(rows),
        limit=limit,
        offset=offset,
    )


def _concern_out(a: dict[str, Any]) -> ConcernAlertOut:
    return ConcernAlertOut(**_clean(a))


def _not_found(what: str) -> ApiProblemError:
    return ApiProblemError(404, what)


def _strategy_or_404(conn: Any, strategy_id: str) -> Any:
    for s in q.strategies(conn):
        if s.strategy_id == strategy_id:
            return s
    raise _not_found(f"No strategy {strategy_id!r}. List them with GET /api/v1/strategies.")


def _alert_out(a: dict[str, Any]) -> AlertOut:
    return AlertOut(**{k: _clean(a.get(k)) for k in AlertOut.model_fields if k in a})


def _health_now(a: Assessment | None) -> HealthNow | None:
    """The headline of a stored assessment (rendered, never re-derived)."""
    if a is None:
        return None
    return HealthNow(
        as_of=a.as_of,
        score=_clean(a.health),
        trend=a.health_trend,
        status=a.status.status,
        verdict=a.verdict,
        action=a.action,
    )


def _strategy_out(
    s: Any, a: Assessment | None, n_firing: int, cls: type[StrategyOut] = StrategyOut
) -> Any:
    fields = {k: getattr(s, k) for k in StrategyOut.model_fields if hasattr(s, k)}
    return cls(**fields, health=_health_now(a), firing_alerts=n_firing)


# -- strategies ---------------------------------------------------------------------------------


@router.get("/strategies", response_model=Page[StrategyOut], tags=["strategies"])
def list_strategies(
    request: Request,
    _key: ViewerKey,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[StrategyOut]:
    """The registry with each strategy's newest assessment headline (health, status,
    verdict, action)."""
    with _store(request).read() as conn:
        all_s = q.strategies(conn)
        page = all_s[offset : offset + limit]
        ids = [s.strategy_id for s in page]
        health = sq.latest_assessment_per_strategy(conn, ids)
        firing = sq.firing_counts(conn)
    per: dict[str, int] = {}
    for (sid, _sev), n in firing.items():
        per[sid] = per.get(sid, 0) + n
    items = [_strategy_out(s, health.get(s.strategy_id), per.get(s.strategy_id, 0)) for s in page]
    return Page[StrategyOut](items=items, total=len(all_s), limit=limit, offset=offset)


@router.get(
    "/strategies/{strategy_id}",
    response_model=StrategyDetail,
    tags=["strategies"],
    responses=READ_ERRORS,
)
def get_strategy(request: Request, strategy_id: StrategyId, _key: ViewerKey) -> StrategyDetail:
    """One strategy: registry fields, its newest assessment headline, pending and firing
    alerts."""
    with _store(request).read() as conn:
        s = _strategy_or_404(conn, strategy_id)
        health = sq.latest_assessment_per_strategy(conn, [strategy_id]).get(strategy_id)
        alerts = [
            a
            for a in aq.list_alerts(conn, strategy_id=strategy_id)
            if a["state"] in ("pending", "firing")
        ]
    out: StrategyDetail = _strategy_out(
        s, health, sum(a["state"] == "firing" for a in alerts), StrategyDetail
    )
    out.alerts = [_alert_out(a) for a in alerts]
    return out


@router.get(
    "/strategies/{strategy_id}/metrics",
    response_model=MetricTable,
    tags=["strategies"],
    responses=READ_ERRORS,
)
async def get_metrics(
    request: Request,
    strategy_id: StrategyId,
    _key: ViewerKey,
    window: Annotated[
        str | None,
        Query(pattern=r"^(all|[1-9][0-9]{0,3})$", description="all, 30, 90...; default every"),
    ] = None,
    as_of: Annotated[dt.date | None, Query(description="Newest evaluation on or before.")] = None,
) -> Response:
    """The metric table (metrics by window) of the newest evaluation on or before ``as_of``.

    The hot read of dashboards and scripts: one indexed read on the event loop and the
    stored JSON spliced in undecoded (the response model documents the shape). Requests
    without a query string by a recently verified key are answered before routing by
    :class:`stratmon.api.fast_path.MetricTableFastPath`, with the same bytes."""
    with _store(request).read() as conn:
        day, raw = sq.latest_metric_snapshots_raw(conn, strategy_id, as_of)
        if day is None:
            _strategy_or_404(conn, strategy_id)
            raise _not_found(f"No evaluation of {strategy_id!r} stored (on or before {as_of}).")
        snaps = [s for s in raw if window in (None, s[0])]
    if not snaps:
        raise _not_found(f"No {window!r} window stored for {strategy_id!r} on {day}.")
    body = metric_table_body(strategy_id, day, snaps)
    return Response(body, media_type="application/json")


@router.get(
    "/strategies/{strategy_id}/comparison",
    response_model=ComparisonOut,
    tags=["strategies"],
    responses=READ_ERRORS,
)
def get_comparison(
    request: Request,
    _key: ViewerKey,
    strategy_id: StrategyId,
    as_of: Annotated[dt.date | None, Query(description="Newest evaluation on or before.")] = None,
) -> ComparisonOut:
    """Live vs backtest: the assessment's status (with its window), per-metric statuses and
    the statistical evidence (PSR, tests...)."""
    with _store(request).read() as conn:
        day = sq.latest_snapshot_date(conn, strategy_id, as_of)
        cmp = None if day is None else sq.comparison_on(conn, strategy_id, day)
        if day is None or cmp is None:
            _strategy_or_404(conn, strategy_id)
            raise _not_found(f"No comparison of {strategy_id!r} stored (on or before {as_of}).")
        stats = sq.statistics_for(conn, strategy_id, day)
        judged = sq.strategy_assessment(conn, strategy_id, day)
    # the headline status is the assessment's (the one judgement); the per-metric rows are
    # the comparison's evidence
    view = judged.status if judged is not None and judged.as_of == day else None
    items = [
        ComparisonItem(
            **{k: _clean(c.get(k)) for k in ComparisonItem.model_fields if c.get(k) is not None}
        )
        for c in cmp["details"] or []
    ]
    return ComparisonOut(
        strategy_id=strategy_id,
        as_of=day,
        status=cmp["status"] if view is None else view.status,
        status_window=None if view is None else view.window,
        backtest_version=cmp["backtest_version"],
        metrics=items,
        statistics=None if stats is None else _clean(stats),
    )


@router.get(
    "/strategies/{strategy_id}/health",
    response_model=HealthHistory,
    tags=["strategies"],
    responses=READ_ERRORS,
)
def get_health(
    request: Request,
    _key: ViewerKey,
    strategy_id: StrategyId,
    start: FromDay = None,
    end: ToDay = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> HealthHistory:
    """Health score history with its components, oldest first, one page at a time
    (``total`` counts the days between ``from`` and ``to``). Each point is read from that
    day's stored assessment, so it says what ``/assessments`` says."""
    with _store(request).read() as conn:
        _strategy_or_404(conn, strategy_id)
        total, rows = sq.assessment_page(conn, strategy_id, start, end, limit=limit, offset=offset)
    return HealthHistory(
        strategy_id=strategy_id,
        items=[
            HealthPoint(
                as_of=a.as_of,
                score=_clean(a.health),
                trend=a.health_trend,
                components={c.name: _clean(c.value) for c in a.health_components},
                reasons={c.name: c.reason for c in a.health_components},
            )
            for a in rows
        ],
        total=total,
        limit=limit,
        offset=offset,
    )


# -- assessments --------------------------------------------------------------------------------


def _assessment_out(a: Assessment) -> AssessmentOut:
    return AssessmentOut.model_validate(a.to_dict())


@router.get("/assessments", response_model=Page[AssessmentOut], tags=["assessments"])
def list_assessments(
    request: Request,
    _key: ViewerKey,
    as_of: AsOf = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[AssessmentOut]:
    """Every strategy's assessment of the newest assessed date on or before ``as_of``, most
    urgent first (act, investigate, watch, on track; then lowest health), as
    ``stratmon status --json`` prints them. Empty when nothing is assessed by then."""
    with _store(request).read() as conn:
        day = sa.latest_assessment_date(conn, as_of)
        rows = [] if day is None else ranked(sa.assessments_on(conn, day))
    return _page(Page[AssessmentOut], rows, _assessment_out, limit, offset)


@router.get(
    "/strategies/{strategy_id}/assessment",
    response_model=AssessmentOut,
    tags=["assessments"],
    responses=READ_ERRORS,
)
def get_assessment(
    request: Request, _key: ViewerKey, strategy_id: StrategyId, as_of: AsOf = None
) -> AssessmentOut:
    """One strategy's newest assessment on or before ``as_of``, as
    ``stratmon status ID --json`` prints it."""
    with _store(request).read() as conn:
        a = sq.strategy_assessment(conn, strategy_id, as_of)
        if a is None:
            _strategy_or_404(conn, strategy_id)
            when = "" if as_of is None else f" on or before {as_of}"
            raise _not_found(
                f"No assessment of {strategy_id!r} stored{when}: the daily job has not "
                "evaluated it yet (POST /api/v1/runs)."
            )
    return _assessment_out(a)


@router.get(
    "/strategies/{strategy_id}/assessments",
    response_model=AssessmentHistory,
    tags=["assessments"],
    responses=READ_ERRORS,
)
def get_assessment_history(
    request: Request,
    _key: ViewerKey,
    strategy_id: StrategyId,
    start: FromDay = None,
    end: ToDay = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> AssessmentHistory:
    """A strategy's stored assessments, oldest first, one page at a time (``total`` counts
    the days between ``from`` and ``to``)."""
    with _store(request).read() as conn:
        _strategy_or_404(conn, strategy_id)
        total, rows = sq.assessment_page(conn, strategy_id, start, end, limit=limit, offset=offset)
    return AssessmentHistory(
        strategy_id=strategy_id,
        items=[_assessment_out(a) for a in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/strategies/{strategy_id}/equity",
    response_model=EquityOut,
    tags=["strategies"],
    responses=READ_ERRORS,
)
def get_equity(request: Request, strategy_id: StrategyId, _key: ViewerKey) -> EquityOut:
    """Live NAV and time-weighted returns, and the backtest cone's bands by evaluation date."""
    with _store(request).read() as conn:
        _strategy_or_404(conn, strategy_id)
        ds = q.daily_series(conn, [strategy_id])[strategy_id]
        cone = q.cone_history(conn, strategy_id, ds.dates[-1] if ds.dates else dt.date.max)
    if len(ds.dates):
        r = returns_from_nav(ds.nav, ds.cash_flow)
        r = np.asarray(r, dtype=float)
        cum = np.cumprod(1.0 + np.nan_to_num(r[1:], nan=0.0)) - 1.0
        cumulative = [None, *cum.tolist()]
        rets: list[float | None] = [None, *r[1:].tolist()]
    else:
        cumulative, rets = [], []
    points = []
    for day, c in cone:
        bands = c.get("bands") or {
            k: v for k, v in c.items() if k.startswith("p") or k.startswith("sigma_")
        }
        points.append(
            ConePoint(
                as_of=day,
                day=c.get("day"),
                cumulative_return=_clean(c.get("cumulative_return")),
                bands=_clean(bands),
                breaches=_clean(c.get("breaches") or []),
            )
        )
    return EquityOut(
        strategy_id=strategy_id,
        dates=ds.dates,
        nav=_clean(ds.nav.tolist()),
        returns=_clean(rets),
        cumulative_return=_clean(cumulative),
        cone=points,
    )


# -- alerts -------------------------------------------------------------------------------------


@router.get("/alerts", response_model=Page[AlertOut], tags=["alerts"])
def list_alerts(
    request: Request,
    _key: ViewerKey,
    state: Annotated[
        Literal["inactive", "pending", "firing", "resolved", "no_data", "reached"] | None, Query()
    ] = None,
    strategy: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[AlertOut]:
    """Alerts, newest first, filtered by state and strategy."""
    with _store(request).read() as conn:
        rows = aq.list_alerts(conn, state=state, strategy_id=strategy)
    return _page(Page[AlertOut], rows, _alert_out, limit, offset)


@router.get("/alerts/concerns", response_model=Page[ConcernAlertOut], tags=["alerts"])
def concern_alerts(
    request: Request,
    _key: ViewerKey,
    strategy: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[ConcernAlertOut]:
    """The open alerts, one per strategy and concern, most severe first (as
    ``stratmon alerts list --json``)."""
    cfg = alert_config_from_dict(_ws(request).config["alerts"])
    with _store(request).read() as conn:
        items = aq.concern_alerts(conn, strategy_id=strategy, config=cfg)
    return _page(Page[ConcernAlertOut], items, _concern_out, limit, offset)


@router.get("/alerts/history", response_model=Page[ConcernAlertOut], tags=["alerts"])
def alert_history(
    request: Request,
    _key: ViewerKey,
    since: Annotated[dt.date | None, Query()] = None,
    strategy: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[ConcernAlertOut]:
    """Every alert episode, one per strategy and concern, oldest first; ``since``: only those
    still open on or after that date (as ``stratmon alerts history --json``)."""
    cfg = alert_config_from_dict(_ws(request).config["alerts"])
    with _store(request).read() as conn:
        items = aq.concern_alerts(conn, strategy_id=strategy, config=cfg, history=True, since=since)
    return _page(Page[ConcernAlertOut], items, _concern_out, limit, offset)


def _alert_action(request: Request, alert_id: int, key: ApiKey, note: str, kind: str) -> AlertOut:
    store = _store(request)
    with store.read() as conn:
        if aq.alert(conn, alert_id) is None:
            raise _not_found(f"No alert #{alert_id}. List them with GET /api/v1/alerts.")
    try:
        if kind == "ack":
            actions.acknowledge(store, alert_id, key.name, note)
        else:
            cfg = alert_config_from_dict(_ws(request).config["alerts"])
            actions.resolve(store, alert_id, key.name, note, config=cfg)
    except actions.AlertActionError as exc:
        raise ApiProblemError(409, str(exc)) from exc
    with store.read() as conn:
        a = aq.alert(conn, alert_id)
    assert a is not None
    return _alert_out(a)


@router.post(
    "/alerts/{alert_id}/ack",
    response_model=AlertOut,
    tags=["alerts"],
    responses=problem_responses(404, 409),
)
def ack_alert(
    request: Request,
    key: OperatorKey,
    alert_id: Annotated[int, PathParam(ge=1, le=2**62)],
    body: AlertActionIn | None = None,
) -> AlertOut:
    """Acknowledge a pending or firing alert (recorded with the key's name)."""
    return _alert_action(request, alert_id, key, body.note if body else "", "ack")


@router.post(
    "/alerts/{alert_id}/resolve",
    response_model=AlertOut,
    tags=["alerts"],
    responses=problem_responses(404, 409),
)
def resolve_alert(
    request: Request,
    key: OperatorKey,
    alert_id: Annotated[int, PathParam(ge=1, le=2**62)],
    body: AlertActionIn | None = None,
) -> AlertOut:
    """Resolve a pending or firing alert by hand, with a note."""
    return _alert_action(request, alert_id, key, body.note if body else "", "resolve")


# -- ingest -------------------------------------------------------------------------------------


def _ingest_body(
    ws: Workspace, store: Store, kind: str, body: bytes, suffix: str, replace: bool
) -> IngestOut:
    name = f"api_{kind}_{utcnow():%Y%m%dT%H%M%S%f}{suffix}"
    try:
        detected = detect_kind(read_raw(name, body).columns, name)
    except FileRejectedError as exc:
        raise ApiProblemError(422, str(exc)) from exc
    if detected != kind:
        raise ApiProblemError(
            422,
            f"{name} was rejected: its columns are those of {detected} data, not {kind}; "
            f"POST it to /api/v1/ingest/{detected} or fix the columns. Nothing was stored.",
        )
    with tempfile.TemporaryDirectory(prefix="stratmon-api-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(body)
        try:
            with run_lock(store, timeout=30.0):
                (out,) = ingest_paths(ws, store, [path], replace=replace)
        except RunLockTimeoutError as exc:
            raise ApiProblemError(503, str(exc), headers={"Retry-After": "30"}) from exc
    if out.outcome == "rejected":
        raise ApiProblemError(422, out.error or f"{name} was rejected; nothing was stored.")
    return IngestOut(
        kind=kind,
        outcome="duplicate" if out.outcome == "duplicate" else "accepted",
        n_rows=out.n_rows,
        n_new=out.n_new,
        n_identical=out.n_identical,
        n_replaced=out.n_replaced,
        n_round_trips=out.n_round_trips,
        findings=out.findings,
    )


@router.post(
    "/ingest/{kind}",
    response_model=IngestOut,
    tags=["ingest"],
    responses=problem_responses(413, 415, 503),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The rows, as a CSV file with a header, a JSON array of objects "
            "or JSON Lines: the same columns and validation as files in the inbox.",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        }
    },
)
async def ingest(
    request: Request,
    _key: OperatorKey,
    kind: IngestKind,
    replace: Annotated[bool, Query(description="Replace conflicting stored rows.")] = False,
) -> IngestOut:
    """Ingest rows of one kind: stored whole or not at all (422 with the reasons)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    suffix = INGEST_MEDIA.get(media)
    if suffix is None:
        raise ApiProblemError(
            415, f"Send text/csv, application/json or application/x-ndjson, not {media!r}."
        )
    limit: int = request.app.state.settings.max_ingest_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiProblemError(413, f"The body is larger than the limit of {limit} bytes.")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiProblemError(413, f"The body is larger than the limit of {limit} bytes.")
        chunks.append(chunk)
    body = b"".join(chunks)
    metrics = request.app.state.metrics
    try:
        out = await run_in_threadpool(
            _ingest_body, _ws(request), _store(request), kind, body, suffix, replace
        )
    except ApiProblemError as exc:
        if exc.status == 422:
            metrics.rejected_files.inc()
        raise
    metrics.ingested_rows.labels(kind=kind).inc(out.n_new)
    return out


# -- runs ---------------------------------------------------------------------------------------


def _runner(request: Request) -> RunExecutor:
    runner: RunExecutor = request.app.state.runner
    return runner


@router.post(
    "/runs",
    response_model=RunOut,
    status_code=202,
    tags=["runs"],
    responses=problem_responses(503),
)
def create_run(
    request: Request,
    response: Response,
    key: OperatorKey,
    body: RunIn | None = None,
) -> RunOut:
    """Queue an evaluation (the daily job); poll GET /runs/{id} for its outcome."""
    body = body or RunIn(as_of=None, ingest=True)
    try:
        run_id = _runner(request).submit(
            trigger="api", requested_by=key.name, as_of=body.as_of, ingest=body.ingest
        )
    except StratmonError as exc:
        raise ApiProblemError(503, str(exc)) from exc
    response.headers["Location"] = f"/api/v1/runs/{run_id}"
    with _store(request).read() as conn:
        run = sq.get_run(conn, run_id)
    assert run is not None
    return RunOut(**run)


@router.get("/runs/{run_id}", response_model=RunOut, tags=["runs"], responses=READ_ERRORS)
def get_run(
    request: Request,
    _key: ViewerKey,
    run_id: Annotated[int, PathParam(ge=1, le=2**62)],
) -> RunOut:
    """A run's status and outcome."""
    with _store(request).read() as conn:
        run = sq.get_run(conn, run_id)
    if run is None:
        raise _not_found(f"No run #{run_id}.")
    return RunOut(**run)


# -- keys (admin) -------------------------------------------------------------------------------


def _key_out(k: keys_repo.ApiKey) -> KeyOut:
    return KeyOut(
        key_id=k.key_id, name=k.name, role=k.role, created_at=k.created_at, revoked_at=k.revoked_at
    )


@router.get("/keys", response_model=Page[KeyOut], tags=["keys"])
def list_keys(
    request: Request, _key: AdminKey, limit: Limit = 100, offset: Offset = 0
) -> Page[KeyOut]:
    """Every key (never the secret), oldest first."""
    with _store(request).read() as conn:
        keys = keys_repo.list_keys(conn)
    return _page(Page[KeyOut], keys, _key_out, limit, offset)


@router.post("/keys", response_model=KeyCreated, status_code=201, tags=["keys"])
def create_key(request: Request, body: KeyIn, _key: AdminKey) -> KeyCreated:
    """Create a key; the response holds the key itself, once."""
    with _store(request).transaction() as conn:
        k, secret = keys_repo.create_key(conn, body.name, body.role, utcnow())
    return KeyCreated(**_key_out(k).model_dump(), key=secret)


@router.delete("/keys/{key_id}", status_code=204, tags=["keys"], responses=problem_responses(404))
def revoke_key(
    request: Request,
    _key: AdminKey,
    key_id: Annotated[str, PathParam(min_length=1, max_length=100)],
) -> Response:
    """Revoke a key by key id or name."""
    with _store(request).transaction() as conn:
        n = keys_repo.revoke_key(conn, key_id, utcnow())
    request.app.state.key_cache.clear()
    if not n:
        raise _not_found(f"No active key {key_id!r}.")
    return Response(status_code=204)
