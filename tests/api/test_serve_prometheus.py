"""End to end on loopback: ``stratmon serve`` in a subprocess, scraped by a real Prometheus
server; then a graceful SIGTERM while a run is in progress."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from svc_workspace import Built, copy_workspace, make_keys

from stratmon.store import Store
from stratmon.store.models import EvaluationRow
from stratmon.store.models_service import ServiceRunRow

PROMETHEUS = shutil.which("prometheus")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, headers: dict[str, str] | None = None, data: bytes | None = None) -> Any:
    req = urllib.request.Request(url, headers=headers or {}, data=data)
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read())


def _wait_for(fn: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = fn()
            if last:
                return last
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


def _stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout: float = 60) -> int:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            return proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait(5)
    return int(proc.returncode)


class Served:
    def __init__(
        self,
        root: Path,
        store: Store,
        keys: dict[str, str],
        port: int,
        log: Path,
        proc: subprocess.Popen[bytes],
    ) -> None:
        self.root, self.store, self.keys, self.port, self.log, self.proc = (
            root,
            store,
            keys,
            port,
            log,
            proc,
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def served(template: Built, tmp_path: Path) -> Iterator[Served]:
    root, store = copy_workspace(template, tmp_path / "ws")
    keys = make_keys(store)
    port = _free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "stratmon.service",
                "--workspace",
                str(root),
                "--port",
                str(port),
                "--poll-seconds",
                "0",
            ],
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    s = Served(root, store, keys, port, log, proc)
    try:
        _wait_for(lambda: _get(f"{s.base}/readyz")["status"] == "ok", 30, "stratmon serve")
        yield s
    finally:
        _stop(proc)
        store.dispose()


@pytest.mark.skipif(
    PROMETHEUS is None,
    reason="the prometheus binary is not installed "
    "(Debian package `prometheus`; .ci/run installs it)",
)
def test_prometheus_scrapes_strategy_gauges(
    served: Served, template: Built, tmp_path: Path
) -> None:
    assert PROMETHEUS is not None
    cred = tmp_path / "viewer.key"
    cred.write_text(served.keys["viewer"], encoding="utf-8")
    cfg = tmp_path / "prometheus.yml"
    cfg.write_text(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
        "scrape_configs:\n  - job_name: stratmon\n    metrics_path: /metrics\n"
        f"    authorization:\n      credentials_file: {cred}\n"
        f"    static_configs:\n      - targets: ['127.0.0.1:{served.port}']\n",
        encoding="utf-8",
    )
    pport = _free_port()
    plog = open(tmp_path / "prometheus.log", "wb")  # noqa: SIM115
    prom = subprocess.Popen(
        [
            PROMETHEUS,
            f"--config.file={cfg}",
            f"--web.listen-address=127.0.0.1:{pport}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
        ],
        stdout=plog,
        stderr=subprocess.STDOUT,
    )
    papi = f"http://127.0.0.1:{pport}/api/v1"
    try:

        def target_up() -> bool:
            active = _get(f"{papi}/targets")["data"]["activeTargets"]
            return bool(active) and active[0]["health"] == "up"

        _wait_for(target_up, 40, "the scrape target to be up")

        def query(expr: str) -> list[dict[str, Any]]:
            q = urllib.parse.urlencode({"query": expr})
            return list(_get(f"{papi}/query?{q}")["data"]["result"])

        navs = _wait_for(lambda: query("stratmon_strategy_nav"), 30, "NAV samples")
        got = {r["metric"]["strategy_id"]: float(r["value"][1]) for r in navs}
        assert got.keys() == {"good", "bad"}
        for sid, nav in template.navs.items():
            assert got[sid] == pytest.approx(float(nav[-1]), rel=1e-12)
        labels = next(r["metric"] for r in navs if r["metric"]["strategy_id"] == "bad")
        assert labels["sector"] == "Rates" and labels["asset_class"] == "fixed_income"
        assert labels["pool"] == "satellite"
        dd = {
            r["metric"]["strategy_id"]: float(r["value"][1])
            for r in query("stratmon_strategy_current_drawdown")
        }
        nav = template.navs["bad"]
        assert dd["bad"] == pytest.approx(nav[-1] / nav.max() - 1.0, rel=1e-9)
        health = query('stratmon_strategy_health_score{strategy_id="good"}')
        assert 0 <= float(health[0]["value"][1]) <= 100
        firing = query('sum by (strategy_id) (stratmon_strategy_firing_alerts{strategy_id="bad"})')
        assert float(firing[0]["value"][1]) >= 1
        _wait_for(
            lambda: query('stratmon_http_request_duration_seconds_count{route="/metrics"}'),
            30,
            "the service's own request histogram",
        )
    finally:
        _stop(prom)
        plog.close()
    assert served.keys["viewer"] not in served.log.read_text(errors="replace")


def test_sigterm_during_a_run_leaves_nothing_half_written(served: Served) -> None:
    run = _get(
        f"{served.base}/api/v1/runs",
        headers={"X-API-Key": served.keys["operator"], "Content-Type": "application/json"},
        data=b'{"ingest": true}',
    )
    assert run["status"] in ("queued", "running")
    # uvicorn shuts down gracefully, then re-raises the signal (exit status -SIGTERM)
    assert _stop(served.proc) in (0, -signal.SIGTERM)
    with served.store.read() as conn:
        status = conn.execute(
            select(ServiceRunRow.status).where(ServiceRunRow.id == run["id"])
        ).scalar()
        unfinished = conn.execute(
            select(EvaluationRow.id).where(EvaluationRow.finished_at.is_(None))
        ).all()
    assert status in ("succeeded", "cancelled")
    assert unfinished == []
    text = served.log.read_text(errors="replace")
    assert "Application shutdown complete" in text
    for key in served.keys.values():
        assert key not in text
