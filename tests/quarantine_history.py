"""A workspace whose store holds a short, known NAV history of one strategy, run through the
daily job once: the starting point of the quarantine tests (pipeline and CLI)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from stratmon.config import Workspace, create_workspace
from stratmon.domain import Strategy
from stratmon.pipeline import DailyJob
from stratmon.store import Store, open_store
from stratmon.store import repositories as repo


def alternating_navs(n: int) -> list[float]:
    """``n`` NAVs from 1,000,000 with alternating +0.2 % / -0.1 % days (a small, known
    volatility)."""
    out = [1_000_000.0]
    for k in range(1, n):
        out.append(out[-1] * (1.002 if k % 2 else 0.999))
    return out


def workspace_with_history(
    tmp_path: Path, sid: str, days: Sequence[dt.date], name: str = "Quarantine"
) -> tuple[Workspace, Store]:
    """Workspace + store with ``alternating_navs(len(days))`` of ``sid`` on ``days``,
    ingested and evaluated up to the last day. The caller disposes of the store."""
    ws = create_workspace(tmp_path / "ws")
    store = open_store(ws.database_url)
    with store.transaction() as conn:
        repo.upsert_strategies(conn, [Strategy(sid, name, allocated_capital=1e6)])
    navs = alternating_navs(len(days))
    rows = "".join(f"{d.isoformat()},{sid},{v!r}\n" for d, v in zip(days, navs, strict=True))
    (ws.inbox / "history.csv").write_text("date,strategy_id,nav\n" + rows, encoding="utf-8")
    DailyJob(ws, store).run(days[-1], write_report=False, today=days[-1])
    return ws, store
