"""A small real workspace for the service tests: two strategies on the NYSE calendar, a
backtest of daily returns, 60 live sessions of daily performance files ingested and evaluated
by the real daily job. ``good`` follows its backtest; ``bad`` loses steadily (alerts fire)."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from fastapi.testclient import TestClient

from stratmon.config import Workspace, create_workspace, find_workspace
from stratmon.domain import Strategy
from stratmon.ingest.calendar import sessions_between
from stratmon.intake import ingest_paths
from stratmon.pipeline import DailyJob
from stratmon.service.runner import utcnow
from stratmon.store import Store, keys_repo, open_store
from stratmon.store import repositories as repo

LIVE_START = dt.date(2024, 1, 2)
N_LIVE = 60
STRATEGIES = (
    Strategy(
        "good",
        "Good trend",
        sector="Tech",
        asset_class="equity",
        pool="core",
        allocated_capital=1e6,
        allocation_date=LIVE_START,
    ),
    Strategy(
        "bad",
        "Bad carry",
        sector="Rates",
        asset_class="fixed_income",
        pool="satellite",
        allocated_capital=1e6,
        allocation_date=LIVE_START,
    ),
)


@dataclass
class Built:
    ws: Workspace
    store: Store
    days: list[dt.date]
    navs: dict[str, np.ndarray]


def daily_csv(rows: list[tuple[Any, ...]]) -> str:
    lines = ["date,strategy_id,nav,daily_pnl,cash_flow"]
    for sid, day, nav, *rest in rows:
        pnl = repr(float(rest[0])) if rest else ""
        lines.append(f"{day.isoformat()},{sid},{float(nav)!r},{pnl},0")
    return "\n".join(lines) + "\n"


def live_navs(n: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    good = 1e6 * np.cumprod(1 + rng.normal(0.0008, 0.01, n))
    bad = 1e6 * np.cumprod(1 + rng.normal(-0.004, 0.01, n))
    return {"good": good, "bad": bad}


def build(root: Path, database_url: str | None = None, evaluate_last: int = 6) -> Built:
    """Create, ingest and evaluate the workspace (the last ``evaluate_last`` sessions)."""
    ws = create_workspace(root, database_url=database_url)
    store = open_store(ws.database_url)
    with store.transaction() as conn:
        repo.upsert_strategies(conn, STRATEGIES)
    bt_days = sessions_between("XNYS", dt.date(2022, 1, 3), dt.date(2023, 12, 29))
    rng = np.random.default_rng(3)
    lines = ["date,strategy_id,return"]
    for sid in ("good", "bad"):
        for day, r in zip(bt_days, rng.normal(0.0006, 0.01, len(bt_days)), strict=True):
            lines.append(f"{day.isoformat()},{sid},{float(r)!r}")
    bt = root / "bt" / "backtest_returns.csv"
    bt.parent.mkdir(parents=True, exist_ok=True)
    bt.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out,) = ingest_paths(ws, store, [bt], today=LIVE_START)
    assert out.outcome == "accepted", out.error
    days = sessions_between("XNYS", LIVE_START, dt.date(2024, 12, 31))[:N_LIVE]
    navs = live_navs(N_LIVE)
    prev = {sid: None for sid in navs}
    rows = []
    for i, day in enumerate(days):
        for sid, nav in navs.items():
            p = prev[sid]
            rows.append((sid, day, float(nav[i]), 0.0 if p is None else float(nav[i] - p)))
            prev[sid] = nav[i]
    cut = len(days) - evaluate_last
    first = root / "live" / "daily_history.csv"
    first.parent.mkdir(parents=True, exist_ok=True)
    first.write_text(daily_csv([r for r in rows if r[1] <= days[cut - 1]]), encoding="utf-8")
    (out,) = ingest_paths(ws, store, [first], today=days[-1])
    assert out.outcome == "accepted", out.error
    job = DailyJob(ws, store)
    for day in days[cut:]:
        (ws.inbox / f"daily_{day.isoformat()}.csv").write_text(
            daily_csv([r for r in rows if r[1] == day]), encoding="utf-8"
        )
        res = job.run(day, write_report=False, today=day)
        assert all(o.outcome == "accepted" for o in res.ingested), res.ingested
    return Built(ws, store, days, navs)


@dataclass
class Env:
    client: TestClient
    store: Store
    built: Built
    root: Path
    keys: dict[str, str]

    def h(self, role: str) -> dict[str, str]:
        return {"X-API-Key": self.keys[role]}


def copy_workspace(template: Built, dest: Path) -> tuple[Path, Store]:
    shutil.copytree(template.ws.root, dest)
    ws = find_workspace(dest)
    return dest, open_store(ws.database_url)


def make_keys(store: Store) -> dict[str, str]:
    out = {}
    with store.transaction() as conn:
        for role in ("viewer", "operator", "admin"):
            _k, secret = keys_repo.create_key(conn, f"test-{role}", role, utcnow())
            out[role] = secret
    return out
