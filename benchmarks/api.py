"""Throughput and latency of the API over a large store.

A script, not a test: ``python benchmarks/api.py [--workdir DIR]``. It builds (or reuses) a
workspace with 1,000 strategies x 5 years of NYSE sessions of daily NAV (random normal returns,
mean 0.0004, sd 0.01; 1.26 M rows) on SQLite, evaluates the last day with the real daily job,
starts ``stratmon serve`` (uvicorn, one process) on loopback, then

- 50 concurrent clients (closed loop: each sends its next request when the previous answer
  arrives) read ``GET /api/v1/strategies/{id}/metrics`` of random strategies;
- one client scrapes ``GET /metrics`` (every strategy's gauges) repeatedly.

It prints throughput and p50/p99 latency of each, against the targets (p99 < 50 ms for the
metric table on SQLite, < 1 s for /metrics with 1,000 strategies). Latency under a closed
loop grows with whatever else the machine runs, so it also prints the server process's CPU
time per request (from /proc, Linux), the load generator's, and the load average: the CPU
figures depend far less on other work than the latencies do. Every figure is measured on
this machine in this run.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np

from stratmon.config import create_workspace, find_workspace
from stratmon.domain import DailyRecord, Strategy
from stratmon.ingest.calendar import sessions_between
from stratmon.pipeline import DailyJob
from stratmon.service.runner import utcnow
from stratmon.store import keys_repo, open_store
from stratmon.store import repositories as repo

N_STRATEGIES, YEARS, CLIENTS, SEED = 1000, 5, 50, 42
TARGET_METRICS_P99_MS = 50.0
TARGET_EXPOSITION_S = 1.0


def build(root: Path, n: int, years: int) -> None:
    """Register ``n`` strategies and store ``years`` of daily NAV, then evaluate the last day."""
    ws = create_workspace(root)
    store = open_store(ws.database_url)
    days = sessions_between("XNYS", dt.date(2019, 1, 2), dt.date(2019 + years, 12, 31))
    days = days[: 252 * years]
    rng = np.random.default_rng(SEED)
    sectors = ["Tech", "Rates", "Energy", "FX", "Credit"]
    strategies = [
        Strategy(
            f"s{i:04d}",
            f"Strategy {i}",
            sector=sectors[i % 5],
            asset_class="equity" if i % 2 else "futures",
            pool=f"pool{i % 4}",
            allocation_date=days[0],
        )
        for i in range(n)
    ]
    with store.transaction() as conn:
        repo.upsert_strategies(conn, strategies)
    t0 = time.perf_counter()
    for k in range(0, n, 50):
        chunk = strategies[k : k + 50]
        navs = 1e6 * np.cumprod(1 + rng.normal(0.0004, 0.01, (len(days), len(chunk))), axis=0)
        rows = [
            DailyRecord(s.strategy_id, d, float(navs[t, j]))
            for j, s in enumerate(chunk)
            for t, d in enumerate(days)
        ]
        with store.transaction() as conn:
            repo.insert_daily(conn, rows, None)
    print(f"stored {n * len(days):,} daily rows in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    res = DailyJob(ws, store).run(days[-1], write_report=False, ingest=False, today=days[-1])
    print(
        f"evaluated {len(res.evaluations)} strategies as of {res.as_of} in "
        f"{time.perf_counter() - t0:.1f} s"
    )
    store.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (Linux /proc), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentiles(ms: list[float]) -> tuple[float, float]:
    a = np.asarray(ms)
    return float(np.percentile(a, 50)), float(np.percentile(a, 99))


class RawClient:
    """A minimal keep-alive HTTP/1.1 client on asyncio streams: one connection per simulated
    client, so the load generator (not the server) is never the bottleneck (httpx's pool
    collapses with 50 concurrent connections)."""

    def __init__(self, host: str, port: int, key: str) -> None:
        self.host, self.port, self.key = host, port, key
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\nX-API-Key: {self.key}\r\n\r\n".encode()
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        body = await self.reader.readexactly(length)
        return status, body

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


async def metric_table_load(
    port: int, key: str, n: int, clients: int, seconds: float
) -> list[float]:
    lat: list[float] = []
    stop = time.perf_counter() + seconds

    async def one_client(seed: int) -> None:
        rnd = random.Random(seed)
        client = RawClient("127.0.0.1", port, key)
        try:
            while time.perf_counter() < stop:
                sid = f"s{rnd.randrange(n):04d}"
                t0 = time.perf_counter()
                status, body = await client.get(f"/api/v1/strategies/{sid}/metrics")
                lat.append((time.perf_counter() - t0) * 1000)
                assert status == 200, body
        finally:
            await client.close()

    await asyncio.gather(*(one_client(i) for i in range(clients)))
    return lat


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/stratmon-bench-api"))
    ap.add_argument("--strategies", type=int, default=N_STRATEGIES)
    ap.add_argument("--years", type=int, default=YEARS)
    ap.add_argument("--clients", type=int, default=CLIENTS)
    ap.add_argument("--seconds", type=float, default=15.0)
    args = ap.parse_args()
    root = args.workdir / f"ws_{args.strategies}x{args.years}"
    if not (root / "stratmon.toml").exists():
        build(root, args.strategies, args.years)
    ws = find_workspace(root)
    store = open_store(ws.database_url)
    with store.transaction() as conn:
        _k, key = keys_repo.create_key(conn, "bench", "viewer", utcnow())
    store.dispose()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "stratmon.service",
            "--workspace",
            str(root),
            "--port",
            str(port),
            "--no-scheduler",
            "--log-level",
            "warning",
        ],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        # warm-up
        for i in range(50):
            httpx.get(f"{base}/api/v1/strategies/s{i:04d}/metrics", headers={"X-API-Key": key})
        t0, c0, own0 = time.perf_counter(), cpu_seconds(proc.pid), time.process_time()
        load = metric_table_load(port, key, args.strategies, args.clients, args.seconds)
        lat = asyncio.run(load)
        wall, c1 = time.perf_counter() - t0, cpu_seconds(proc.pid)
        own = (time.process_time() - own0) / len(lat) * 1000
        p50, p99 = percentiles(lat)
        cpu = "" if c0 is None or c1 is None else f"{(c1 - c0) / len(lat) * 1000:.3f} ms"
        print(
            f"GET /api/v1/strategies/{{id}}/metrics, {args.clients} concurrent clients, "
            f"{len(lat):,} requests in {wall:.1f} s: {len(lat) / wall:,.0f} req/s, "
            f"p50 {p50:.1f} ms, p99 {p99:.1f} ms "
            f"(target p99 < {TARGET_METRICS_P99_MS:.0f} ms: "
            f"{'met' if p99 < TARGET_METRICS_P99_MS else 'NOT met'}); "
            f"server CPU per request {cpu or 'n/a'}, load generator's {own:.3f} ms, "
            "load average "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=30) as client:
            first = time.perf_counter()
            body = client.get("/metrics").text
            cold = time.perf_counter() - first
            exp = []
            for _ in range(20):
                t0 = time.perf_counter()
                r = client.get("/metrics")
                exp.append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 200
        n_series = sum(1 for line in body.splitlines() if line.startswith("stratmon_strategy_"))
        e50, e99 = percentiles(exp)
        print(
            f"GET /metrics ({n_series:,} strategy series): first scrape {cold * 1000:.0f} ms; "
            f"then {1000 / statistics.mean(exp):.1f} scrapes/s, p50 {e50:.0f} ms, "
            f"p99 {e99:.0f} ms (target < {TARGET_EXPOSITION_S * 1000:.0f} ms: "
            f"{'met' if max(cold * 1000, e99) < TARGET_EXPOSITION_S * 1000 else 'NOT met'})"
        )
    finally:
        proc.terminate()
        proc.wait(30)


if __name__ == "__main__":
    main()
