"""What each dashboard page shows, loaded from the store through named queries only.

One loader per page; each takes a ``Connection`` and returns plain data (DataFrames and
dataclasses), so it can be tested and timed without Streamlit. Values are fractions and
raw numbers; formatting for people happens in :mod:`stratmon.dashboard.formatting` and, for
the judgement, :mod:`stratmon.reports.assessment_view` (the words every surface prints).

Every judgement shown (verdict, health and components, status, recommendation, reasons,
changes) is the stored :class:`~stratmon.domain.assessment.Assessment`
(:mod:`stratmon.store.assessments`); the dashboard derives none of its own.
"""

from __future__ import annotations

import datetime as dt
import importlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from stratmon.dashboard.periods import daily_returns, period_returns, rolling_sharpe
from stratmon.domain import Strategy
from stratmon.domain.assessment import COMPONENT_NAMES, Assessment, concern_of
from stratmon.metrics import growth_of_one, monthly_returns, underwater
from stratmon.reports import assessment_view as av
from stratmon.reports import format as fmt
from stratmon.reports.format import TREND_ARROWS
from stratmon.store import assessments as sa
from stratmon.store import queries as q
from stratmon.store import queries_dashboard as qd

HEALTH_COMPONENTS: tuple[str, ...] = COMPONENT_NAMES
FILTER_FIELDS = ("sector", "asset_class", "researcher", "pool")


def _f(x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v if math.isfinite(v) else math.nan


# -- the record as table cells ----------------------------------------------------------------


def status_columns(assessments: list[Assessment]) -> tuple[str, str]:
    """The two status column labels, from the records' windows: ``status (live to date)``
    and ``status (30 sessions)`` (the whole-period and recent views, never merged)."""
    whole = assessments[0].status.window if assessments else "live to date"
    recent = assessments[0].status_recent.window if assessments else "30 sessions"
    return f"status ({whole})", f"status ({recent})"


def _status_cell(status: str, window: str, column_window: str) -> str:
    """The status word; the window is added when it is not the column's."""
    word = status.replace("_", " ")
    return word if window == column_window else av.status_text(status, window)


def _window_of(label: str) -> str:
    return label[len("status (") : -1]


# -- portfolio ------------------------------------------------------------------------------


@dataclass
class PortfolioData:
    """The portfolio page: what changed since the previous session, one row per strategy,
    and the raw NAV series for the aggregate."""

    as_of: dt.date | None
    table: pd.DataFrame
    changes: list[str] = field(default_factory=list)
    series: dict[str, tuple[list[dt.date], np.ndarray, np.ndarray]] = field(default_factory=dict)


def portfolio_columns(status_live: str, status_recent: str) -> list[str]:
    """The portfolio table's columns (the status labels come from :func:`status_columns`)."""
    return [
        "strategy_id",
        "name",
        "verdict",
        "health",
        "trend",
        "recent_health",
        status_live,
        status_recent,
        "nav",
        "return_today",
        "return_mtd",
        "return_ytd",
        "return_since_deployment",
        "live_sharpe",
        "backtest_sharpe",
        "current_drawdown",
        "firing_alerts",
        "n_firing",
        *FILTER_FIELDS,
    ]


def load_portfolio(conn: Connection) -> PortfolioData:
    """Every strategy with its latest assessment, NAV and period returns (fractions), and the
    "what changed since the previous session" lines of the latest assessed date."""
    strategies = q.strategies(conn)
    assessments = sa.latest_assessments(conn)
    as_of = assessments[0].as_of if assessments else None
    by_id = {a.strategy_id: a for a in assessments}
    live_col, recent_col = status_columns(assessments)
    ids = [s.strategy_id for s in strategies]
    series_raw = q.daily_series(conn, ids) if ids else {}
    records = []
    series = {}
    for s in strategies:
        ds = series_raw.get(s.strategy_id)
        dates = list(ds.dates) if ds else []
        nav = ds.nav if ds else np.empty(0)
        cf = ds.cash_flow if ds else np.empty(0)
        series[s.strategy_id] = (dates, nav, cf)
        ref = as_of or (dates[-1] if dates else None)
        pr = period_returns(dates, nav, cf, ref) if ref and dates else None
        a = by_id.get(s.strategy_id)
        ev = a.evidence if a else {}
        alerts = av.firing_text(a) if a else []
        records.append(
            {
                "strategy_id": s.strategy_id,
                "name": s.name,
                "verdict": av.verdict_text(a) if a else "no assessment",
                "health": _f(a.health) if a else math.nan,
                "trend": TREND_ARROWS.get(a.health_trend, "") if a else "",
                "recent_health": _f(a.recent_health) if a else math.nan,
                live_col: _status_cell(a.status.status, a.status.window, _window_of(live_col))
                if a
                else "",
                recent_col: _status_cell(
                    a.status_recent.status, a.status_recent.window, _window_of(recent_col)
                )
                if a
                else "",
                "nav": float(nav[-1]) if nav.size else math.nan,
                "return_today": pr.today if pr else math.nan,
                "return_mtd": pr.month_to_date if pr else math.nan,
                "return_ytd": pr.year_to_date if pr else math.nan,
                "return_since_deployment": pr.since_deployment if pr else math.nan,
                "live_sharpe": _f(ev.get("live_sharpe_ratio")),
                "backtest_sharpe": _f(ev.get("backtest_sharpe_ratio")),
                "current_drawdown": _f(ev.get("current_drawdown")),
                "firing_alerts": ", ".join(alerts),
                "n_firing": len(alerts),
                **{k: getattr(s, k) or "" for k in FILTER_FIELDS},
            }
        )
    table = pd.DataFrame.from_records(records, columns=portfolio_columns(live_col, recent_col))
    changes = av.change_lines(assessments, sa.book_changes(conn, as_of)) if as_of else []
    return PortfolioData(as_of=as_of, table=table, changes=changes, series=series)


def filter_table(table: pd.DataFrame, selected: Mapping[str, list[str] | None]) -> pd.DataFrame:
    """Rows whose values in each selected column (``sector``/``asset_class``/``researcher``/
    ``pool`` on the portfolio page) are among the selected ones (None or an empty selection
    keeps everything)."""
    mask = pd.Series(True, index=table.index)
    for col, values in selected.items():
        if values:
            mask &= table[col].isin(values)
    return table[mask]


# -- health ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BookView:
    """The book-level reallocation: the stored recommendations' sizes, summed.

    Attributes
    ----------
    current_total, suggested_total : float
        Allocated capital now and as suggested, over the strategies with capital.
    added, removed : float
        Sum of the positive changes (>= 0) and of the negative changes (<= 0).
    to_unallocated : float
        ``current_total - suggested_total``: capital the proposal leaves unallocated (cash);
        negative when it draws on unallocated capital.
    without_capital : tuple of str
        Strategies with no allocated capital (no size suggested).
    table : DataFrame
        One row per strategy with capital: strategy_id, action, current_capital,
        suggested_capital, change; biggest cut first.
    """

    current_total: float
    suggested_total: float
    added: float
    removed: float
    to_unallocated: float
    without_capital: tuple[str, ...]
    table: pd.DataFrame


BOOK_COLUMNS = ["strategy_id", "action", "current_capital", "suggested_capital", "change"]


def book_view(assessments: list[Assessment]) -> BookView:
    """Sum the recommendations of one date into the book's reallocation (no judgement: the
    sizes are the records')."""
    rows, without = [], []
    for a in assessments:
        r = a.recommendation
        if r.current_capital is None or r.suggested_capital is None:
            without.append(a.strategy_id)
            continue
        rows.append(
            {
                "strategy_id": a.strategy_id,
                "action": av.ACTION_LABELS.get(r.action, r.action),
                "current_capital": float(r.current_capital),
                "suggested_capital": float(r.suggested_capital),
                "change": float(r.suggested_capital) - float(r.current_capital),
            }
        )
    table = pd.DataFrame.from_records(rows, columns=BOOK_COLUMNS)
    if len(table):
        table = table.sort_values(["change", "strategy_id"], kind="stable").reset_index(drop=True)
    current = float(table["current_capital"].sum()) if len(table) else 0.0
    suggested = float(table["suggested_capital"].sum()) if len(table) else 0.0
    change = table["change"] if len(table) else pd.Series(dtype=float)
    return BookView(
        current_total=current,
        suggested_total=suggested,
        added=float(change[change > 0].sum()),
        removed=float(change[change < 0].sum()),
        to_unallocated=current - suggested,
        without_capital=tuple(without),
        table=table,
    )


@dataclass
class HealthData:
    """The health monitor page: the latest assessments, most urgent first."""

    as_of: dt.date | None
    assessments: list[Assessment]
    names: dict[str, str]
    table: pd.DataFrame
    history: pd.DataFrame
    book: BookView


HISTORY_COLUMNS = ["as_of", "strategy_id", "health", "recent_health", "verdict", "action"]


def health_columns(status_live: str, status_recent: str) -> list[str]:
    """The ranked table's columns (components as text: a value, or ``no data``)."""
    return [
        "rank",
        "strategy_id",
        "name",
        "verdict",
        "health",
        "trend",
        "recent_health",
        *HEALTH_COMPONENTS,
        status_live,
        status_recent,
        "recommendation",
        "current_capital",
        "suggested_capital",
        "change",
        "firing_alerts",
        "reasons",
    ]


def history_frame(history: list[Assessment]) -> pd.DataFrame:
    """Assessments over time as rows of :data:`HISTORY_COLUMNS` (health NaN without data)."""
    return pd.DataFrame.from_records(
        [
            {
                "as_of": a.as_of,
                "strategy_id": a.strategy_id,
                "health": _f(a.health),
                "recent_health": _f(a.recent_health),
                "verdict": a.verdict,
                "action": a.action,
            }
            for a in history
        ],
        columns=HISTORY_COLUMNS,
    )


def load_health(conn: Connection, history_days: int = 90) -> HealthData:
    """The latest assessment of every active strategy, ranked most urgent first
    (:func:`stratmon.reports.assessment_view.ranked`), their health history over
    ``history_days`` calendar days, and the book's reallocation."""
    strategies = q.strategies(conn, active_only=True)
    names = {s.strategy_id: s.name for s in strategies}
    found = [a for a in sa.latest_assessments(conn) if a.strategy_id in names]
    live_col, recent_col = status_columns(found)
    if not found:
        return HealthData(
            None,
            [],
            names,
            pd.DataFrame(columns=health_columns(live_col, recent_col)),
            pd.DataFrame(columns=HISTORY_COLUMNS),
            book_view([]),
        )
    as_of = found[0].as_of
    ranked = av.ranked(found)
    records = []
    for k, a in enumerate(ranked, start=1):
        r = a.recommendation
        comps = {c.name: c.value for c in a.health_components}
        records.append(
            {
                "rank": k,
                "strategy_id": a.strategy_id,
                "name": names[a.strategy_id],
                "verdict": av.verdict_text(a),
                "health": _f(a.health),
                "trend": TREND_ARROWS.get(a.health_trend, ""),
                "recent_health": _f(a.recent_health),
                **{c: av.component_text(comps.get(c)) for c in HEALTH_COMPONENTS},
                live_col: _status_cell(a.status.status, a.status.window, _window_of(live_col)),
                recent_col: _status_cell(
                    a.status_recent.status, a.status_recent.window, _window_of(recent_col)
                ),
                "recommendation": av.recommendation_text(a),
                "current_capital": _f(r.current_capital),
                "suggested_capital": _f(r.suggested_capital),
                "change": _f(r.change),
                "firing_alerts": ", ".join(av.firing_text(a)),
                "reasons": "; ".join(a.reasons),
            }
        )
    since = as_of - dt.timedelta(days=history_days)
    history = history_frame(
        [h for sid in names for h in sa.assessment_history(conn, sid, since, as_of)]
    )
    return HealthData(
        as_of,
        ranked,
        names,
        pd.DataFrame.from_records(records, columns=health_columns(live_col, recent_col)),
        history,
        book_view(found),
    )


def components_frame(a: Assessment) -> pd.DataFrame:
    """One strategy's health components: name, value (text: a number or ``no data``),
    weight (fraction), p-value (text, ``–`` without data), test and reason."""
    return pd.DataFrame.from_records(
        [
            {
                "component": c.name.replace("_", " "),
                "value": av.component_text(c.value),
                "weight": c.weight,
                "p_value": fmt.num(c.p_value, 3),
                "test": c.test,
                "reason": c.reason,
            }
            for c in a.health_components
        ],
        columns=["component", "value", "weight", "p_value", "test", "reason"],
    )


# -- strategy drill-down --------------------------------------------------------------------


@dataclass
class StrategyDetail:
    """Everything the drill-down page draws for one strategy."""

    strategy: Strategy
    as_of: dt.date | None
    dates: list[dt.date]
    returns: np.ndarray
    growth: np.ndarray
    drawdown: np.ndarray
    expected_growth: np.ndarray | None
    cone: dict[str, np.ndarray] | None
    drawdown_tiers: dict[str, float]
    rolling: dict[int, np.ndarray]
    rolling_backtest: dict[int, tuple[float, float, float]]
    monthly: pd.DataFrame
    comparison: pd.DataFrame
    evidence: dict[str, Any]
    assessment: Assessment | None
    history: pd.DataFrame
    trades: pd.DataFrame
    positions: pd.DataFrame
    alerts: pd.DataFrame
    alert_events: pd.DataFrame


ROLLING_WINDOWS = (30, 90)
#: The trades table: these fields of each round trip, newest exit first.
TRADE_COLUMNS = [
    "trade_id",
    "symbol",
    "direction",
    "entry_time",
    "exit_time",
    "entry_price",
    "exit_price",
    "quantity",
    "pnl",
    "commission",
]


def verdict_changes(history: pd.DataFrame) -> pd.DataFrame:
    """The rows of a strategy's history (:func:`history_frame`) on which the verdict or the
    action changed (the first row counts as a change)."""
    if history.empty:
        return history.copy()
    key = history["verdict"] + "/" + history["action"]
    return history[key != key.shift(1)].reset_index(drop=True)


def load_strategy(conn: Connection, strategy_id: str) -> StrategyDetail | None:
    """The drill-down of one strategy (None when it is not registered)."""
    found = [s for s in q.strategies(conn) if s.strategy_id == strategy_id]
    if not found:
        return None
    s = found[0]
    ppy = s.periods_per_year
    current = sa.assessment(conn, strategy_id)
    as_of = current.as_of if current else q.latest_evaluation_date(conn)
    ds = q.daily_series(conn, [strategy_id])[strategy_id]
    dates = list(ds.dates)
    r = daily_returns(ds.nav, ds.cash_flow)
    _, bt = q.backtest_returns(conn, strategy_id)
    bt = bt[np.isfinite(bt)]
    expected = None
    if bt.size and dates:
        # the backtest's mean daily return compounded from the first live NAV
        expected = growth_of_one(np.r_[math.nan, np.full(len(dates) - 1, float(bt.mean()))])
    cone = _cone(q.cone_history(conn, strategy_id, as_of), dates) if as_of else None
    ev = qd.statistics_latest(conn, strategy_id, as_of) if as_of else {}
    results = (q.results_on(conn, as_of) if as_of else {}).get(strategy_id, {})
    comparison = pd.DataFrame.from_records(
        results.get("comparison") or [],
        columns=["metric", "live", "backtest", "deviation", "status", "reason"],
    )
    # where the percentage deviation is undefined (a baseline near zero) the absolute
    # difference is what a reader can use
    comparison.insert(
        3,
        "difference",
        pd.to_numeric(comparison["live"], errors="coerce")
        - pd.to_numeric(comparison["backtest"], errors="coerce"),
    )
    tiers = {k: _f(v) for k, v in (ev.get("drawdown") or {}).items() if "max_drawdown" in k}
    bt_mdd = comparison.loc[comparison["metric"] == "max_drawdown", "backtest"]
    if len(bt_mdd):
        tiers["backtest_max_drawdown"] = _f(bt_mdd.iloc[0])
    rolling_bt = {}
    for w in ROLLING_WINDOWS:
        sr = ((ev.get("rolling") or {}).get(str(w)) or {}).get("sharpe_ratio")
        if sr:
            rolling_bt[w] = (_f(sr["backtest_p5"]), _f(sr["backtest_p50"]), _f(sr["backtest_p95"]))
    trips = q.round_trips(conn, strategy_id)
    trades = pd.DataFrame.from_records(
        [{c: getattr(t, c) for c in TRADE_COLUMNS} for t in reversed(trips)],
        columns=TRADE_COLUMNS,
    )
    positions = pd.DataFrame.from_records(
        q.positions_on(conn, strategy_id, as_of or dt.date.max),
        columns=["date", "symbol", "quantity", "market_value", "unrealized_pnl"],
    )
    alerts = alerts_frame(with_status(conn, qd.alert_rows(conn, strategy_id)))
    events = pd.DataFrame.from_records(
        qd.alert_events_for(conn, [int(i) for i in alerts["id"]]) if len(alerts) else [],
        columns=["alert_id", "at", "from_state", "to_state", "value", "threshold", "message"],
    )
    return StrategyDetail(
        strategy=s,
        as_of=as_of,
        dates=dates,
        returns=r,
        growth=growth_of_one(r) if r.size else r,
        drawdown=underwater(r) if r.size else r,
        expected_growth=expected,
        cone=cone,
        drawdown_tiers=tiers,
        rolling={w: rolling_sharpe(r[1:], w, ppy) for w in ROLLING_WINDOWS},
        rolling_backtest=rolling_bt,
        monthly=monthly_returns(r, index=pd.DatetimeIndex(dates))
        if dates
        else pd.DataFrame(columns=range(1, 13), dtype=float),
        comparison=comparison,
        evidence=ev,
        assessment=current,
        history=history_frame(sa.assessment_history(conn, strategy_id)),
        trades=trades,
        positions=positions,
        alerts=alerts,
        alert_events=events,
    )


def _cone(
    history: list[tuple[dt.date, dict[str, Any]]], dates: list[dt.date]
) -> dict[str, np.ndarray] | None:
    """Growth-of-1 cone bands per NAV date, from the cone stored on each evaluation."""
    if not history:
        return None
    pos = {d: i for i, d in enumerate(dates)}
    out = {k: np.full(len(dates), np.nan) for k in ("p5", "p25", "p50", "p75", "p95")}
    for day, cone in history:
        i = pos.get(day)
        if i is None:
            continue
        for k in out:
            value = (cone.get("bands") or {}).get(k)
            if value is not None:
                out[k][i] = 1.0 + float(value)
    return out


# -- alerts ---------------------------------------------------------------------------------

ALERT_COLUMNS = [
    "id",
    "strategy_id",
    "concern",
    "rule",
    "severity",
    "tier",
    "state",
    "started_at",
    "fired_at",
    "resolved_at",
    "updated_at",
    "last_value",
    "threshold",
    "message",
    "acknowledged_at",
    "acknowledged_by",
    "ack_note",
    "resolved_by",
    "resolve_note",
]
DISPLAY_STATES = ("firing", "pending", "acknowledged", "no_data", "reached", "resolved")
"""``no_data``: the rule cannot be evaluated (not firing, with the reason); ``reached``: a
milestone (an event, never firing)."""


def display_state(row: dict[str, Any]) -> str:
    """The state a person sees: an open (firing or pending) alert that someone acknowledged
    shows as ``acknowledged``; otherwise the stored state."""
    state = str(row.get("state") or "")
    if state in ("firing", "pending") and row.get("acknowledged_at"):
        return "acknowledged"
    return state


def alerts_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Alert rows (``queries_dashboard.alert_rows``) as a table, newest first, with the
    displayed state, the concern and the current severity (``tier`` is where the alert
    started); acknowledgement columns are blank when the store has none."""
    records = []
    for row in rows:
        rec = {c: row.get(c) for c in ALERT_COLUMNS}
        rec["state"] = display_state(row)
        rec["severity"] = row.get("severity") or row.get("tier")  # the current one
        rec["concern"] = concern_of(str(row.get("rule") or ""))
        records.append(rec)
    df = pd.DataFrame.from_records(records, columns=ALERT_COLUMNS)
    return df.iloc[::-1].reset_index(drop=True)


def with_status(conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Alert rows joined with their acknowledgement / resolution status, when the store has
    the alert-status queries (``stratmon.store.alerts_queries.alert_status``)."""
    try:
        aq = importlib.import_module("stratmon.store.alerts_queries")
    except ImportError:
        return rows
    status = aq.alert_status(conn, [int(r["id"]) for r in rows]) if rows else {}
    return [{**r, **status.get(int(r["id"]), {})} for r in rows]


def load_alerts(conn: Connection) -> pd.DataFrame:
    """Every alert (not the ``inactive`` ones), newest first."""
    df = alerts_frame(with_status(conn, qd.alert_rows(conn)))
    return df[df["state"] != "inactive"].reset_index(drop=True)


def filter_alerts(
    df: pd.DataFrame,
    states: list[str] | None = None,
    strategies: list[str] | None = None,
    rules: list[str] | None = None,
    tiers: list[str] | None = None,
) -> pd.DataFrame:
    """Alerts whose state, strategy, rule and tier are among the given ones (None or an
    empty list keeps all)."""
    return filter_table(
        df, {"state": states, "strategy_id": strategies, "rule": rules, "tier": tiers}
    )


# -- data quality ---------------------------------------------------------------------------


@dataclass
class DataQuality:
    """The data-quality page."""

    latest: dt.date | None
    per_strategy: pd.DataFrame
    rejected: pd.DataFrame
    findings: pd.DataFrame
    file_counts: dict[str, int]


def load_data_quality(conn: Connection) -> DataQuality:
    """Last data date per strategy, rejected files with their errors, and findings."""
    strategies = q.strategies(conn)
    spans = qd.last_data_dates(conn)
    findings = qd.findings_all(conn)
    n_find: dict[str, int] = {}
    for f in findings:
        if f["strategy_id"]:
            n_find[f["strategy_id"]] = n_find.get(f["strategy_id"], 0) + 1
    latest = max((v[1] for v in spans.values()), default=None)
    records = []
    for s in strategies:
        first, last, n = spans.get(s.strategy_id, (None, None, 0))
        behind = (latest - last).days if latest and last else None
        records.append(
            {
                "strategy_id": s.strategy_id,
                "name": s.name,
                "active": s.active,
                "first_date": first,
                "last_data_date": last,
                "days_behind": behind,
                "n_records": n,
                "n_findings": n_find.get(s.strategy_id, 0),
            }
        )
    per = pd.DataFrame.from_records(
        records,
        columns=[
            "strategy_id",
            "name",
            "active",
            "first_date",
            "last_data_date",
            "days_behind",
            "n_records",
            "n_findings",
        ],
    )
    rejected = pd.DataFrame.from_records(
        qd.rejected_files(conn), columns=["id", "name", "path", "kind", "error", "ingested_at"]
    )
    fdf = pd.DataFrame.from_records(
        findings,
        columns=[
            "id",
            "kind",
            "strategy_id",
            "date",
            "row",
            "column",
            "value",
            "message",
            "created_at",
            "file",
        ],
    )
    return DataQuality(latest, per, rejected, fdf, qd.file_outcome_counts(conn))
