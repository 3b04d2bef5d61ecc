"""Build the daily report from the store (every figure from stored results)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
from sqlalchemy import Connection

from stratmon.config import Workspace
from stratmon.errors import StratmonError
from stratmon.reports.daily import equity_figure, growth_of_one, render_daily_report
from stratmon.reports.status_rows import build_status_rows
from stratmon.store import Store
from stratmon.store import queries as q


def _stored_cone(
    conn: Connection, strategy_id: str, dates: list[dt.date], as_of: dt.date
) -> dict[str, np.ndarray] | None:
    """Growth-of-1 cone bands per NAV date, from the cone position stored each evaluation."""
    history = q.cone_history(conn, strategy_id, as_of)
    if not history:
        return None
    pos = {d: i for i, d in enumerate(dates)}
    out = {k: np.full(len(dates), np.nan) for k in ("p5", "p25", "p75", "p95")}
    for day, cone in history:
        i = pos.get(day)
        if i is None:
            continue
        for k in out:
            value = cone["bands"].get(k)
            if value is not None:
                out[k][i] = 1.0 + float(value)
    return out


def write_daily_report(ws: Workspace, store: Store, as_of: dt.date | None = None) -> Path:
    """Render the daily report of ``as_of`` (default: the latest evaluation) from the store.

    Raises
    ------
    StratmonError
        When no evaluation is stored for that date.
    """
    with store.read() as conn:
        as_of = as_of or q.latest_evaluation_date(conn)
        if as_of is None:
            raise StratmonError("No evaluation stored yet: run `stratmon run` first.")
        strategies = q.strategies(conn, active_only=True)
        results = q.results_on(conn, as_of)
        if not results:
            raise StratmonError(
                f"No evaluation stored for {as_of}: run `stratmon run --date {as_of}` first."
            )
        rows = build_status_rows(as_of, strategies, results, q.firing_alerts(conn))
        series = q.daily_series(conn, [r.strategy_id for r in rows], until=as_of)
        figures = {}
        for r in rows:
            ds = series[r.strategy_id]
            growth = growth_of_one(ds.nav, ds.cash_flow)
            _, bt = q.backtest_returns(conn, r.strategy_id)
            expected = None
            if bt.size:
                expected = (1.0 + float(np.nanmean(bt))) ** np.arange(len(ds.dates))
            figures[r.strategy_id] = equity_figure(
                ds.dates,
                growth,
                expected,
                cone=_stored_cone(conn, r.strategy_id, ds.dates, as_of),
                title=f"{r.name}: live vs backtest",
            )
        comparisons = {sid: res.get("comparison", []) for sid, res in results.items()}
    path = ws.reports_dir / f"run_{as_of.isoformat()}.html"
    return render_daily_report(path, as_of, rows, figures, comparisons)
