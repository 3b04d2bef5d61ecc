"""Build the daily report (``run_<date>.html``) from the store: the stored assessments of the
date, its book-level changes, stored daily records, per-metric comparisons and cone bands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
from sqlalchemy import Connection

from stratmon.config import Workspace
from stratmon.errors import StratmonError
from stratmon.metrics import growth_of_one, returns_from_nav
from stratmon.reports.daily import equity_figure, render_daily_report
from stratmon.reports.data import resolve_as_of
from stratmon.store import Store
from stratmon.store import assessments as sa
from stratmon.store import queries as q

CONE_BANDS = ("p5", "p25", "p50", "p75", "p95")


def _stored_cone(
    conn: Connection, strategy_id: str, dates: list[dt.date], as_of: dt.date
) -> dict[str, np.ndarray] | None:
    """Growth-of-1 cone bands per NAV date, from the cone position stored each evaluation
    (NaN on dates without a stored cone)."""
    history = q.cone_history(conn, strategy_id, as_of)
    if not history:
        return None
    pos = {d: i for i, d in enumerate(dates)}
    out = {k: np.full(len(dates), np.nan) for k in CONE_BANDS}
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

    The status table and the "what changed" list are the stored assessments of that date;
    the chart is live growth of 1 (time-weighted, :mod:`stratmon.metrics`) against the stored
    backtest cone, whose median is the backtest's expected path.

    Raises
    ------
    StratmonError
        When nothing is evaluated or assessed for that date.
    """
    with store.read() as conn:
        as_of = resolve_as_of(conn, as_of)
        names = {s.strategy_id: s.name for s in q.strategies(conn, active_only=True)}
        assessments = [a for a in sa.assessments_on(conn, as_of) if a.strategy_id in names]
        results = q.results_on(conn, as_of)
        if not assessments and not results:
            raise StratmonError(
                f"No evaluation stored for {as_of}: run `stratmon run --date {as_of}` first."
            )
        assessed = {a.strategy_id for a in assessments}
        ids = [a.strategy_id for a in assessments]
        series = q.daily_series(conn, list(names), until=as_of)
        # active strategies with data (or results) but no record of the date: shown as such
        missing = [
            s
            for s in names
            if s not in assessed and (s in results or (s in series and series[s].dates))
        ]
        figures = {}
        for sid in ids:
            ds = series[sid]
            growth = growth_of_one(returns_from_nav(ds.nav, ds.cash_flow))
            cone = _stored_cone(conn, sid, ds.dates, as_of)
            figures[sid] = equity_figure(
                ds.dates,
                growth,
                cone["p50"] if cone is not None else None,
                cone=cone,
                title=f"{names[sid]}: live vs backtest",
            )
        comparisons = {sid: results.get(sid, {}).get("comparison") or [] for sid in ids}
        book = sa.book_changes(conn, as_of)
    path = ws.reports_dir / f"run_{as_of.isoformat()}.html"
    return render_daily_report(path, as_of, assessments, names, figures, comparisons, book, missing)
