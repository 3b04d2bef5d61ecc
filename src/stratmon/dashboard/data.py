"""What each dashboard page shows, loaded from the store through named queries only.

One loader per page; each takes a ``Connection`` and returns plain data (DataFrames and
dataclasses), so it can be tested and timed without Streamlit. Values are fractions and
raw numbers; formatting for people happens in :mod:`stratmon.dashboard.formatting`.
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

from stratmon.dashboard.periods import (
    daily_returns,
    drawdown_series,
    growth_of_one,
    monthly_returns,
    period_returns,
    rolling_sharpe,
)
from stratmon.dashboard.rotation import Recommendation, RotationInputs, rank, recommend
from stratmon.domain import Strategy
from stratmon.reports.format import TREND_ARROWS
from stratmon.reports.status_rows import build_status_rows
from stratmon.store import queries as q
from stratmon.store import queries_dashboard as qd

HEALTH_COMPONENTS = ("performance", "drawdown", "win_rate", "trade_frequency")
FILTER_FIELDS = ("sector", "asset_class", "researcher", "pool")


def _f(x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v if math.isfinite(v) else math.nan


# -- portfolio ------------------------------------------------------------------------------


@dataclass
class PortfolioData:
    """The portfolio page: one row per strategy plus the raw NAV series for the aggregate."""

    as_of: dt.date | None
    table: pd.DataFrame
    series: dict[str, tuple[list[dt.date], np.ndarray, np.ndarray]] = field(default_factory=dict)


PORTFOLIO_COLUMNS = [
    "strategy_id",
    "name",
    "health_score",
    "trend",
    "status",
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
    """Every strategy with its latest evaluation, NAV and period returns (fractions)."""
    strategies = q.strategies(conn)
    as_of = q.latest_evaluation_date(conn)
    ids = [s.strategy_id for s in strategies]
    series_raw = q.daily_series(conn, ids) if ids else {}
    results = q.results_on(conn, as_of) if as_of else {}
    firing_rows = q.firing_alerts(conn)
    rows = {
        r.strategy_id: r
        for r in build_status_rows(as_of or dt.date.min, strategies, results, firing_rows)
    }
    firing: dict[str, list[str]] = {}
    for a in firing_rows:
        firing.setdefault(a["strategy_id"], []).append(f"{a['rule']}/{a['tier']}")
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
        r = rows.get(s.strategy_id)
        alerts = firing.get(s.strategy_id, [])
        records.append(
            {
                "strategy_id": s.strategy_id,
                "name": s.name,
                "health_score": _f(r.health_score) if r else math.nan,
                "trend": TREND_ARROWS.get(r.health_trend or "", "") if r else "",
                "status": r.status if r else "no evaluation",
                "nav": float(nav[-1]) if nav.size else math.nan,
                "return_today": pr.today if pr else math.nan,
                "return_mtd": pr.month_to_date if pr else math.nan,
                "return_ytd": pr.year_to_date if pr else math.nan,
                "return_since_deployment": pr.since_deployment if pr else math.nan,
                "live_sharpe": _f(r.live_sharpe) if r else math.nan,
                "backtest_sharpe": _f(r.backtest_sharpe) if r else math.nan,
                "current_drawdown": _f(r.current_drawdown) if r else math.nan,
                "firing_alerts": ", ".join(alerts),
                "n_firing": len(alerts),
                **{k: getattr(s, k) or "" for k in FILTER_FIELDS},
            }
        )
    table = pd.DataFrame.from_records(records, columns=PORTFOLIO_COLUMNS)
    return PortfolioData(as_of=as_of, table=table, series=series)


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


@dataclass
class HealthData:
    """The health monitor page."""

    as_of: dt.date | None
    table: pd.DataFrame
    history: pd.DataFrame
    recommendations: list[Recommendation]


def load_health(conn: Connection, history_days: int = 90) -> HealthData:
    """Latest health score and components of every active strategy, the score history over
    ``history_days`` calendar days, and the ranked rotation recommendations."""
    strategies = q.strategies(conn, active_only=True)
    names = {s.strategy_id: s.name for s in strategies}
    as_of = q.latest_evaluation_date(conn)
    cols = ["strategy_id", "name", "score", "trend", *HEALTH_COMPONENTS, "reasons"]
    if as_of is None:
        empty = pd.DataFrame(columns=cols)
        return HealthData(None, empty, pd.DataFrame(columns=["as_of", "strategy_id", "score"]), [])
    results = q.results_on(conn, as_of)
    stats = q.statistics_on(conn, as_of)
    records, inputs = [], []
    for sid in names:
        res = results.get(sid)
        if res is None or "health" not in res:
            continue
        h = res["health"]
        comps = h.get("components") or {}
        records.append(
            {
                "strategy_id": sid,
                "name": names[sid],
                "score": _f(h.get("score")),
                "trend": h.get("trend") or "",
                **{c: _f(comps.get(c)) for c in HEALTH_COMPONENTS},
                "reasons": "; ".join(f"{k}: {v}" for k, v in (h.get("reasons") or {}).items()),
            }
        )
        whole = res.get("metrics", {}).get("all", {})
        ev = stats.get(sid, {})
        decay = ev.get("decay") or {}
        dd = ev.get("drawdown") or {}
        inputs.append(
            RotationInputs(
                strategy_id=sid,
                score=_f(h.get("score")),
                trend=h.get("trend"),
                n_obs=int(whole.get("n_obs") or 0),
                decay_alarm=bool(decay.get("alarm")) if decay.get("available") else None,
                psr_vs_zero=_f(ev.get("psr_vs_zero")),
                psr_vs_backtest=_f(ev.get("psr_vs_backtest")),
                current_drawdown=_f(whole.get("current_drawdown")),
                max_drawdown_95=_f(dd.get("max_drawdown_95")),
                max_drawdown_99=_f(dd.get("max_drawdown_99")),
            )
        )
    table = pd.DataFrame.from_records(records, columns=cols)
    hist = qd.health_histories(conn, as_of - dt.timedelta(days=history_days), as_of)
    history = pd.DataFrame.from_records(
        [
            {"as_of": h["as_of"], "strategy_id": h["strategy_id"], "score": _f(h["score"])}
            for h in hist
            if h["strategy_id"] in names
        ],
        columns=["as_of", "strategy_id", "score"],
    )
    return HealthData(as_of, table, history, rank([recommend(i) for i in inputs]))


def recommendations_frame(recs: list[Recommendation], names: dict[str, str]) -> pd.DataFrame:
    """The ranked recommendations as a table (one row each)."""
    from stratmon.dashboard.rotation import ACTION_LABELS

    return pd.DataFrame.from_records(
        [
            {
                "rank": r.rank,
                "strategy_id": r.strategy_id,
                "name": names.get(r.strategy_id, r.strategy_id),
                "recommendation": ACTION_LABELS[r.action],
                "score": r.score,
                "why": "; ".join(r.triggers),
                "facts": "; ".join(r.reasons),
            }
            for r in recs
        ],
        columns=["rank", "strategy_id", "name", "recommendation", "score", "why", "facts"],
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
    health: dict[str, Any]
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


def load_strategy(conn: Connection, strategy_id: str) -> StrategyDetail | None:
    """The drill-down of one strategy (None when it is not registered)."""
    found = [s for s in q.strategies(conn) if s.strategy_id == strategy_id]
    if not found:
        return None
    s = found[0]
    as_of = q.latest_evaluation_date(conn)
    ds = q.daily_series(conn, [strategy_id])[strategy_id]
    dates = list(ds.dates)
    r = daily_returns(ds.nav, ds.cash_flow)
    growth = growth_of_one(r) if r.size else r
    _, bt = q.backtest_returns(conn, strategy_id)
    bt = bt[np.isfinite(bt)]
    expected = (1.0 + float(bt.mean())) ** np.arange(len(dates)) if bt.size and dates else None
    cone = _cone(q.cone_history(conn, strategy_id, as_of), dates) if as_of else None
    ev = qd.statistics_latest(conn, strategy_id, as_of) if as_of else {}
    results = (q.results_on(conn, as_of) if as_of else {}).get(strategy_id, {})
    comparison = pd.DataFrame.from_records(
        results.get("comparison") or [],
        columns=["metric", "live", "backtest", "deviation", "status", "reason"],
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
        growth=growth,
        drawdown=drawdown_series(r) if r.size else r,
        expected_growth=expected,
        cone=cone,
        drawdown_tiers=tiers,
        rolling={w: rolling_sharpe(r[1:], w, s.periods_per_year) for w in ROLLING_WINDOWS},
        rolling_backtest=rolling_bt,
        monthly=monthly_returns(dates, r),
        comparison=comparison,
        evidence=ev,
        health=results.get("health") or {},
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
    "rule",
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
DISPLAY_STATES = ("firing", "pending", "acknowledged", "resolved")


def display_state(row: dict[str, Any]) -> str:
    """The state a person sees: an open (firing or pending) alert that someone acknowledged
    shows as ``acknowledged``; otherwise the stored state."""
    state = str(row.get("state") or "")
    if state in ("firing", "pending") and row.get("acknowledged_at"):
        return "acknowledged"
    return state


def alerts_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Alert rows (``queries_dashboard.alert_rows``) as a table, newest first, with the
    displayed state; acknowledgement columns are blank when the store has none."""
    records = []
    for row in rows:
        rec = {c: row.get(c) for c in ALERT_COLUMNS}
        rec["state"] = display_state(row)
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
