"""Runs of the daily job, one at a time, on a worker thread, under the store's run lock.

A run is a row in ``service_runs`` (queued -> running -> succeeded | failed); the evaluation
itself commits in one transaction (``DailyJob``), so a run interrupted by a crash leaves
nothing half-written. At shutdown the run in progress finishes and queued ones are cancelled.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from stratmon.config import Workspace
from stratmon.errors import StratmonError
from stratmon.ingest import list_inbox
from stratmon.intake import IngestOutcome, ingest_paths
from stratmon.pipeline import DailyJob
from stratmon.service.telemetry import ServiceMetrics
from stratmon.store import Store
from stratmon.store import service_queries as sq
from stratmon.store.run_lock import RunLockTimeoutError, run_lock

log = logging.getLogger("stratmon.service")


def utcnow() -> dt.datetime:
    """Naive UTC, as the store keeps times."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class RunExecutor:
    """Queue and execute daily-job runs; record ingestion outcomes in the service metrics."""

    def __init__(
        self,
        ws: Workspace,
        store: Store,
        metrics: ServiceMetrics,
        *,
        write_report: bool = True,
    ) -> None:
        self.ws = ws
        self.store = store
        self.metrics = metrics
        self.write_report = write_report
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stratmon-run")
        self._job: DailyJob | None = None
        self._closing = threading.Event()
        self._futures: list[Future[None]] = []

    @property
    def job(self) -> DailyJob:
        if self._job is None:
            self._job = DailyJob(self.ws, self.store)
        return self._job

    def start(self) -> None:
        """Close runs a previous process left unfinished (its transaction was rolled back)."""
        with self.store.transaction() as conn:
            n = sq.close_unfinished_runs(conn, utcnow(), "the service stopped before it ran")
        if n:
            log.warning("marked %d unfinished run(s) of a previous process as cancelled", n)

    def submit(
        self,
        *,
        trigger: str,
        requested_by: str,
        as_of: dt.date | None = None,
        ingest: bool = True,
        write_report: bool | None = None,
    ) -> int:
        """Queue a run; returns its id at once."""
        if self._closing.is_set():
            raise StratmonError("The service is shutting down; no new runs are accepted.")
        with self.store.transaction() as conn:
            run_id = sq.create_run(
                conn,
                trigger=trigger,
                requested_by=requested_by,
                requested_as_of=as_of,
                ingest=ingest,
                now=utcnow(),
            )
        report = self.write_report if write_report is None else write_report
        fut = self._pool.submit(self._execute, run_id, as_of, ingest, report)
        self._futures = [f for f in self._futures if not f.done()] + [fut]
        return run_id

    def wait(self, timeout: float | None = None) -> None:
        """Wait until every submitted run has finished (tests, benchmarks)."""
        for fut in list(self._futures):
            fut.result(timeout=timeout)

    def _execute(self, run_id: int, as_of: dt.date | None, ingest: bool, report: bool) -> None:
        if self._closing.is_set():
            return
        with self.store.transaction() as conn:
            if not sq.set_run_status(
                conn, run_id, "queued", {"status": "running", "started_at": utcnow()}
            ):
                return
        t0 = time.perf_counter()
        values: dict[str, Any]
        try:
            with run_lock(self.store):
                res = self.job.run(as_of, write_report=report, ingest=ingest)
            self._count_ingest(res.ingested)
            values = {
                "status": "succeeded",
                "as_of": res.as_of,
                "n_strategies": len(res.evaluations),
                "n_events": len(res.events),
                "n_files": len(res.ingested),
            }
        except StratmonError as exc:
            values = {"status": "failed", "error": str(exc)}
        except Exception as exc:  # a run must end recorded, whatever went wrong
            log.exception("run %d failed", run_id)
            values = {"status": "failed", "error": f"internal error ({type(exc).__name__})"}
        seconds = time.perf_counter() - t0
        if values["status"] == "succeeded":
            self.metrics.evaluation_seconds.observe(seconds)
        self.metrics.runs.labels(status=values["status"]).inc()
        with self.store.transaction() as conn:
            sq.set_run_status(
                conn, run_id, "running", dict(values, finished_at=utcnow(), seconds=seconds)
            )

    def poll_inbox(self) -> list[IngestOutcome]:
        """Ingest what waits in the inbox, unless another writer holds the lock (next poll)."""
        paths = list_inbox(self.ws.inbox)
        if not paths:
            return []
        try:
            with run_lock(self.store, timeout=0.0):
                outcomes = ingest_paths(self.ws, self.store, paths)
        except RunLockTimeoutError:
            return []
        self._count_ingest(outcomes)
        return outcomes

    def _count_ingest(self, outcomes: list[IngestOutcome]) -> None:
        for o in outcomes:
            if o.outcome == "accepted":
                self.metrics.ingested_rows.labels(kind=o.kind or "unknown").inc(o.n_new)
            elif o.outcome == "rejected":
                self.metrics.rejected_files.inc()

    def shutdown(self) -> None:
        """Let the run in progress finish; cancel the queued ones."""
        self._closing.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
        with self.store.transaction() as conn:
            sq.close_unfinished_runs(conn, utcnow(), "cancelled: the service stopped")
