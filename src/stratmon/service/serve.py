"""Build and run the service: uvicorn serving the API, the scheduler in the same process.

On SIGINT/SIGTERM uvicorn stops accepting connections and finishes open requests; then the
scheduler stops, the evaluation in progress finishes (it commits in one transaction, so a
hard kill rolls it back instead) and queued runs are marked cancelled.
"""

from __future__ import annotations

import gc
import ipaddress
import logging

import uvicorn
from apscheduler.schedulers.background import BackgroundScheduler
from fastapi import FastAPI

from stratmon.api.app import create_app
from stratmon.config import Workspace
from stratmon.service.scheduler import build_scheduler
from stratmon.service.settings import ServiceSettings
from stratmon.store import Store

log = logging.getLogger("stratmon.service")


def build_service(ws: Workspace, store: Store, settings: ServiceSettings) -> FastAPI:
    """The app with the scheduler started and stopped in its lifespan."""
    holder: dict[str, BackgroundScheduler] = {}

    def start() -> None:
        if settings.schedule:
            sched = build_scheduler(settings, app.state.runner)
            sched.start()
            holder["scheduler"] = sched
            app.state.scheduler = sched

    def stop() -> None:
        sched = holder.pop("scheduler", None)
        if sched is not None:
            sched.shutdown(wait=True)

    app = create_app(ws, store, settings, on_startup=start, on_shutdown=stop)
    return app


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(ws: Workspace, store: Store, settings: ServiceSettings, log_level: str = "info") -> None:
    """Run until SIGINT/SIGTERM."""
    if not _is_loopback(settings.host):
        log.warning(
            "listening on %s, beyond this machine: keep API keys secret and use TLS in front",
            settings.host,
        )
    app = build_service(ws, store, settings)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=log_level,
        server_header=False,
        lifespan="on",
    )
    # Everything built so far (modules, the app) lives as long as the process: move it out
    # of the collector's reach, so full collections while serving walk only request garbage
    # instead of stalling every request for a collection of the whole heap.
    gc.collect()
    gc.freeze()
    uvicorn.Server(config).run()
