"""The service's own Prometheus metrics, in a registry of their own."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

REQUEST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
EVAL_BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)


class ServiceMetrics:
    """Request durations, ingestion counts, runs and evaluation durations."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.request_seconds = Histogram(
            "stratmon_http_request_duration_seconds",
            "HTTP request duration by route template, method and status.",
            ["route", "method", "status"],
            buckets=REQUEST_BUCKETS,
            registry=registry,
        )
        self.ingested_rows = Counter(
            "stratmon_ingested_rows",
            "Rows newly stored from accepted files (API and inbox).",
            ["kind"],
            registry=registry,
        )
        self.rejected_files = Counter(
            "stratmon_rejected_files",
            "Files (or API bodies) rejected whole by validation.",
            registry=registry,
        )
        self.evaluation_seconds = Histogram(
            "stratmon_evaluation_duration_seconds",
            "Duration of a successful daily-job run (ingest + evaluation).",
            buckets=EVAL_BUCKETS,
            registry=registry,
        )
        self.runs = Counter(
            "stratmon_runs", "Daily-job runs by outcome.", ["status"], registry=registry
        )
