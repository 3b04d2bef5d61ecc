"""The FastAPI application: ``/api/v1`` routes, probes, ``/metrics``, problem details."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Response
from fastapi.middleware.cors import CORSMiddleware
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from sqlalchemy import text

from stratmon import __version__ as _version
from stratmon.api.auth import viewer
from stratmon.api.exposition import StrategyCollector
from stratmon.api.fast_path import METRIC_TABLE_PATH, MetricTableFastPath
from stratmon.api.key_cache import KeyCache
from stratmon.api.problems import ApiProblemError, install_problem_handlers, problem_responses
from stratmon.api.routes import router
from stratmon.api.schemas import Ready
from stratmon.config import Workspace
from stratmon.service.runner import RunExecutor
from stratmon.service.settings import ServiceSettings
from stratmon.service.telemetry import ServiceMetrics
from stratmon.store import Store
from stratmon.store.db import is_current

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class RequestTimer:
    """ASGI middleware: request duration by route template (not the raw path), method and
    status, so a scan of random ids does not explode the label set."""

    def __init__(self, app: Any, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        status = [500]

        async def send_wrapper(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.request_seconds.labels(
                route=template, method=scope.get("method", ""), status=str(status[0])
            ).observe(time.perf_counter() - t0)


def create_app(
    ws: Workspace,
    store: Store,
    settings: ServiceSettings | None = None,
    *,
    runner: RunExecutor | None = None,
    on_startup: Callable[[], None] | None = None,
    on_shutdown: Callable[[], None] | None = None,
) -> FastAPI:
    """Build the application over one workspace and store.

    Parameters
    ----------
    ws : Workspace
    store : Store
    settings : ServiceSettings, optional
        Defaults from the workspace.
    runner : RunExecutor, optional
        Executes ``POST /runs``; one is made if not given.
    on_startup, on_shutdown : callable, optional
        Called in the lifespan (the scheduler starts and stops there), shutdown before the
        runner finishes its run in progress.
    """
    settings = settings or ServiceSettings.from_workspace(ws)
    registry = CollectorRegistry(auto_describe=False)
    metrics = ServiceMetrics(registry)
    registry.register(StrategyCollector(store))
    runner = runner or RunExecutor(ws, store, metrics, write_report=settings.write_report)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        runner.start()
        if on_startup is not None:
            on_startup()
        try:
            yield
        finally:
            if on_shutdown is not None:
                on_shutdown()
            runner.shutdown()

    app = FastAPI(
        title="stratmon",
        version=_version,
        description="Live performance monitor for trading strategies: metrics, live vs "
        "backtest, health, alerts. Fractions everywhere (0.05 means 5 %).",
        lifespan=lifespan,
    )
    app.state.workspace = ws
    app.state.store = store
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.registry = registry
    app.state.runner = runner
    app.state.key_cache = KeyCache(settings.key_cache_seconds)
    install_problem_handlers(app)
    app.include_router(router)
    metric_route = next(r for r in router.routes if getattr(r, "path", "") == METRIC_TABLE_PATH)
    app.add_middleware(
        MetricTableFastPath, store=store, cache=app.state.key_cache, route=metric_route
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["X-API-Key", "Authorization", "Content-Type"],
        )
    app.add_middleware(RequestTimer, metrics=metrics)

    @app.get("/healthz", tags=["probes"])
    def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz", response_model=Ready, tags=["probes"], responses=problem_responses(503))
    def readyz() -> Ready:
        """The database answers and its schema is at every newest migration."""
        try:
            with store.read() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:
            raise ApiProblemError(503, "The database is not reachable.") from exc
        if not is_current(store.engine):
            raise ApiProblemError(503, "The database schema is not at the newest migrations.")
        return Ready(status="ok", database="reachable", migrations="current")

    def _exposition() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    metrics_doc = "Prometheus exposition: per-strategy gauges and the service's own metrics."
    if settings.metrics_auth:

        @app.get(
            "/metrics",
            tags=["probes"],
            response_class=Response,
            description=metrics_doc,
            responses={200: {"content": {"text/plain": {}}}, **problem_responses(401, 403)},
        )
        def metrics_auth(_key: Annotated[Any, Depends(viewer)]) -> Response:
            return _exposition()
    else:

        @app.get(
            "/metrics",
            tags=["probes"],
            response_class=Response,
            description=metrics_doc,
            responses={200: {"content": {"text/plain": {}}}},
        )
        def metrics_open() -> Response:
            return _exposition()

    return app
