"""Ad hoc reports: strategy deep dive, strategy comparison, period comparison, live vs
backtest. Figures come from stored snapshots, statistics and daily records."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import Connection

from stratmon.attribution import contributions
from stratmon.domain.assessment import Assessment
from stratmon.errors import StratmonError
from stratmon.metrics import summarize_arrays
from stratmon.reports import svg
from stratmon.reports.data import ReportData, load_report_data
from stratmon.reports.format import finite as f
from stratmon.reports.judgement import overview_tables
from stratmon.reports.model import Chart, Report, Section, Table, cols
from stratmon.reports.render import cell
from stratmon.reports.sections import (
    RISK_METRICS,
    attribution_section,
    benchmark_section,
    contribution_table,
    growth_chart,
    metrics_table,
    monthly_returns_table,
)
from stratmon.store import queries as q
from stratmon.store import reports_queries as rq

COMPARE_METRICS = (
    ("total_return", "Return", "pct"),
    ("cagr", "CAGR", "pct"),
    ("sharpe_ratio", "Sharpe", "num"),
    ("max_drawdown", "Max DD", "pct"),
    ("hit_rate", "Hit rate", "pct"),
    ("win_rate", "Win rate", "pct"),
    ("annual_volatility", "Volatility", "pct"),
    ("total_trades", "Trades", "int"),
)
WINDOW_METRICS = (
    ("n_obs", "Days", "int"),
    ("total_return", "Return", "pct"),
    ("sharpe_ratio", "Sharpe", "num"),
    ("sortino_ratio", "Sortino", "num"),
    ("annual_volatility", "Volatility", "pct"),
    ("max_drawdown", "Max DD", "pct"),
)


def _difference(live: Any, backtest: Any) -> float | None:
    """live - backtest (shown beside the deviation, which a baseline near zero leaves
    undefined)."""
    lv, bt = f(live), f(backtest)
    return None if lv is None or bt is None else lv - bt


def _comparison_table(data: ReportData, sid: str) -> Table:
    rows = [
        {
            "metric": c.get("metric"),
            "live": f(c.get("live")),
            "backtest": f(c.get("backtest")),
            "difference": _difference(c.get("live"), c.get("backtest")),
            "deviation": f(c.get("deviation")),
            "status": c.get("status"),
            "reason": c.get("reason"),
        }
        for c in data.results.get(sid, {}).get("comparison", []) or []
    ]
    return Table(
        "comparison",
        cols(
            ("metric", "Metric", "text"),
            ("live", "Live", "num"),
            ("backtest", "Backtest", "num"),
            ("difference", "Live - backtest", "num"),
            ("deviation", "Deviation", "pct"),
            ("status", "Status", "text"),
            ("reason", "Why", "text"),
        ),
        rows,
        "stored live-vs-backtest comparison",
    )


def _decay_text(a: Assessment | None) -> str | None:
    """The record's decay alarm in words (None without a record)."""
    if a is None:
        return None
    if not a.decay_alarm:
        return "no alarm"
    return f"alarm since {a.decay_alarm_date}" if a.decay_alarm_date else "alarm"


def _statistics_table(data: ReportData, sid: str) -> Table:
    st = data.statistics.get(sid, {})
    dsr = st.get("dsr") or {}
    dd = st.get("drawdown") or {}
    cone = st.get("cone") or {}
    a = data.assessments.get(sid)
    items: list[tuple[str, Any, str]] = [
        ("Live returns (n)", st.get("n_obs"), "int"),
        ("PSR vs 0", st.get("psr_vs_zero"), "pct"),
        ("PSR vs backtest Sharpe", st.get("psr_vs_backtest"), "pct"),
        ("Minimum track record vs backtest (days)", st.get("min_trl_vs_backtest"), "int"),
        ("Backtest Sharpe (annual)", st.get("backtest_sharpe_annual"), "num"),
        (
            "Deflated Sharpe ratio (backtest)",
            dsr.get("value") if isinstance(dsr, dict) else None,
            "pct",
        ),
        ("Expected MaxDD-95", dd.get("max_drawdown_95"), "pct"),
        ("Expected MaxDD-99", dd.get("max_drawdown_99"), "pct"),
        ("Cone day", cone.get("day"), "int"),
        ("Cumulative return (live)", cone.get("cumulative_return"), "pct"),
        (
            "Decay alarm (assessment)",
            _decay_text(a),
            "text",
        ),
    ]
    return Table(
        "statistics",
        cols(("statistic", "Statistic", "text"), ("display", "Value", "text")),
        [
            {
                "statistic": k,
                "value": v if kind == "text" else f(v),
                "display": cell(v, kind) if kind == "text" else cell(f(v), kind),
            }
            for k, v, kind in items
        ],
        "stored live-vs-backtest statistics (Bailey & López de Prado PSR/DSR)",
    )


def _cone_chart(conn: Connection, data: ReportData, sid: str) -> Chart:
    """Live cumulative return against the backtest cone bands stored each evaluation."""
    hist = q.cone_history(conn, sid, data.as_of)
    lines: dict[str, tuple[list[dt.date], list[float]]] = {}
    days = [d for d, _ in hist]
    for band in ("p5", "p25", "p50", "p75", "p95"):
        vals = [
            float(c["bands"].get(band)) if c["bands"].get(band) is not None else math.nan
            for _, c in hist
        ]
        lines[f"backtest {band}"] = (days, vals)
    lines["live"] = (days, [f(c.get("cumulative_return")) or math.nan for _, c in hist])
    return Chart(
        "cone",
        "Live vs backtest cone",
        svg.line_chart(
            f"{data.names[sid]}: live cumulative return vs backtest cone",
            lines,
            pct=True,
            baseline=0.0,
        ),
    )


def build_strategy(conn: Connection, strategy_id: str, as_of: dt.date | None = None) -> Report:
    """Deep dive into one strategy."""
    data = load_report_data(conn, as_of, [strategy_id])
    s = data.strategy(strategy_id)
    rep = Report(
        "strategy",
        f"stratmon strategy report: {s.name}",
        data.as_of,
        f"{strategy_id} · {s.sector} · {s.asset_class} · {s.researcher} · pool "
        f"{s.pool} · deployed {s.allocation_date}",
    )
    ov = Section("overview", "Overview")
    tables, notes = overview_tables(data.assessments.get(strategy_id), s.name)
    ov.tables.extend(tables)
    ov.notes.extend(notes)
    ov.charts.append(growth_chart(data, "Cumulative return"))
    rep.sections.append(ov)
    win = Section("windows", "Metrics by window")
    rows = []
    for w in ("all", "90", "60", "30"):
        m = data.metrics(strategy_id, w)
        rows.append({"window": w, **{k: f(m.get(k)) for k, _, _ in WINDOW_METRICS}})
    win.tables.append(
        Table(
            "windows",
            cols(("window", "Window", "text"), *WINDOW_METRICS),
            rows,
            "stored metric snapshots",
        )
    )
    win.tables.append(metrics_table(data, "risk", RISK_METRICS))
    rep.sections.append(win)
    mr = Section("monthly_returns", "Monthly returns")
    mr.tables.append(monthly_returns_table(data, months=24))
    rep.sections.append(mr)
    bt = Section("backtest", "Live vs backtest")
    bt.tables.append(_comparison_table(data, strategy_id))
    bt.tables.append(_statistics_table(data, strategy_id))
    bt.charts.append(_cone_chart(conn, data, strategy_id))
    rep.sections.append(bt)
    tr = Section("trades", "Trade statistics")
    tr.tables.append(
        metrics_table(
            data,
            "trade_statistics",
            [
                ("total_trades", "Trades", "int"),
                ("win_rate", "Win rate", "pct"),
                ("profit_factor", "Profit factor", "num"),
                ("avg_win", "Avg win", "money"),
                ("avg_loss", "Avg loss", "money"),
                ("expectancy", "Expectancy", "money"),
            ],
        )
    )
    rep.sections.append(tr)
    pos = Section("positions", "Open positions")
    pos.tables.append(
        Table(
            "positions",
            cols(
                ("symbol", "Symbol", "text"),
                ("quantity", "Quantity", "num"),
                ("market_value", "Market value", "money"),
                ("unrealized_pnl", "Unrealised", "money"),
            ),
            [
                {k: v for k, v in p.items() if k != "date"}
                for p in q.positions_on(conn, strategy_id, data.as_of)
            ],
        )
    )
    rep.sections.append(pos)
    al = Section("alerts", "Alerts")
    al.tables.append(
        Table(
            "alerts",
            cols(
                ("rule", "Rule", "text"),
                ("tier", "Tier", "text"),
                ("state", "State", "text"),
                ("fired_at", "Fired", "text"),
                ("resolved_at", "Resolved", "text"),
                ("message", "Message", "text"),
            ),
            [
                {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in a.items()}
                for a in q.alerts(conn, strategy_id=strategy_id)
                if a.get("fired_at")
            ],
        )
    )
    rep.sections.append(al)
    start = data.returns[strategy_id].dates[0] if data.returns[strategy_id].dates else data.as_of
    rep.sections.append(benchmark_section(data, contributions(data.returns, start, data.as_of)))
    return rep


def build_compare(
    conn: Connection, strategy_ids: Sequence[str], as_of: dt.date | None = None
) -> Report:
    """Strategies side by side: return, Sharpe, drawdown, hit rate, volatility, trades."""
    if len(strategy_ids) < 2:
        raise StratmonError("`report compare` needs at least two strategy ids.")
    data = load_report_data(conn, as_of, list(strategy_ids))
    rep = Report(
        "compare",
        "stratmon strategy comparison",
        data.as_of,
        " vs ".join(data.names[s] for s in data.ids),
    )
    sec = Section("comparison", "Side by side")
    sec.tables.append(metrics_table(data, "metrics", COMPARE_METRICS))
    sec.tables.append(metrics_table(data, "metrics_90", COMPARE_METRICS[:4], window="90"))
    sec.charts.append(growth_chart(data, "Cumulative return"))
    sec.charts.append(
        Chart(
            "sharpe",
            "Sharpe",
            svg.bar_chart(
                "Sharpe ratio (since inception)",
                {
                    data.names[s]: f(data.metrics(s).get("sharpe_ratio")) or math.nan
                    for s in data.ids
                },
            ),
        )
    )
    sec.charts.append(
        Chart(
            "drawdown",
            "Max drawdown",
            svg.bar_chart(
                "Max drawdown (since inception)",
                {
                    data.names[s]: f(data.metrics(s).get("max_drawdown")) or math.nan
                    for s in data.ids
                },
                pct=True,
            ),
        )
    )
    rep.sections.append(sec)
    corr = Section("correlation", "Correlation of daily returns")
    mat = _aligned(data)
    rows = []
    for i, a in enumerate(data.ids):
        row: dict[str, Any] = {"strategy_id": a, "name": data.names[a]}
        for j, b in enumerate(data.ids):
            ok = np.isfinite(mat[:, i]) & np.isfinite(mat[:, j])
            row[b] = f(np.corrcoef(mat[ok, i], mat[ok, j])[0, 1]) if ok.sum() > 2 else None
        rows.append(row)
    corr.tables.append(
        Table(
            "correlation",
            cols(("name", "Strategy", "text"), *((s, s, "num") for s in data.ids)),
            rows,
            "Pearson correlation on common days of stored returns",
        )
    )
    rep.sections.append(corr)
    return rep


def _aligned(data: ReportData) -> np.ndarray:
    days = sorted({d for s in data.ids for d in data.returns[s].dates})
    pos = {d: i for i, d in enumerate(days)}
    mat = np.full((len(days), len(data.ids)), np.nan)
    for j, s in enumerate(data.ids):
        sr = data.returns[s]
        for d, r in zip(sr.dates, sr.returns, strict=True):
            mat[pos[d], j] = r
    return mat


PERIOD_METRICS = ("total_return", "annual_volatility", "sharpe_ratio", "max_drawdown")


def _period_rows(data: ReportData, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    rows = []
    for s in data.strategies:
        sr = data.returns[s.strategy_id]
        keep = [
            (d, x)
            for d, x in zip(sr.dates, sr.returns, strict=True)
            if start <= d <= end and math.isfinite(x)
        ]
        r = np.array([x for _, x in keep])
        vals: dict[str, Any] = dict.fromkeys(PERIOD_METRICS)
        if r.size >= 2:
            names, v = summarize_arrays(
                r, periods_per_year=s.periods_per_year, index=[d for d, _ in keep]
            )
            vals = {k: f(v[0, names.index(k)]) for k in PERIOD_METRICS}
        rows.append({"strategy_id": s.strategy_id, "name": s.name, "n_obs": int(r.size), **vals})
    return rows


def build_period(
    conn: Connection, start: dt.date, end: dt.date, vs_start: dt.date, vs_end: dt.date
) -> Report:
    """Two periods side by side (e.g. Q1 vs Q2): returns, risk and attribution.

    Statistics of an arbitrary period are not stored; they are computed by stratmon's
    metrics engine from the stored daily records (the same functions the daily job uses).
    """
    for a, b in ((start, end), (vs_start, vs_end)):
        if b < a:
            raise StratmonError(f"Period {a} .. {b} ends before it starts.")
    data = load_report_data(conn, max(end, vs_end))
    rep = Report(
        "period",
        f"stratmon period comparison {start}..{end} vs {vs_start}..{vs_end}",
        data.as_of,
        f"{len(data.ids)} strategies",
    )
    sec = Section("periods", "Period comparison")
    a_rows, b_rows = _period_rows(data, start, end), _period_rows(data, vs_start, vs_end)
    rows = []
    for ra, rb in zip(a_rows, b_rows, strict=True):
        row: dict[str, Any] = {"strategy_id": ra["strategy_id"], "name": ra["name"]}
        for k in PERIOD_METRICS:
            row[f"{k}_a"], row[f"{k}_b"] = ra[k], rb[k]
        row["n_obs_a"], row["n_obs_b"] = ra["n_obs"], rb["n_obs"]
        rows.append(row)
    labels = {
        "total_return": ("Return", "pct"),
        "annual_volatility": ("Vol.", "pct"),
        "sharpe_ratio": ("Sharpe", "num"),
        "max_drawdown": ("Max DD", "pct"),
    }
    sec.tables.append(
        Table(
            "metrics",
            cols(
                ("name", "Strategy", "text"),
                *(
                    (f"{k}_{p}", f"{labels[k][0]} {'A' if p == 'a' else 'B'}", labels[k][1])
                    for k in PERIOD_METRICS
                    for p in ("a", "b")
                ),
            ),
            rows,
            f"A = {start} .. {end}, B = {vs_start} .. {vs_end}; computed from stored daily "
            "records by the metrics engine",
        )
    )
    ca = contributions(data.returns, start, end)
    cb = contributions(data.returns, vs_start, vs_end)
    sec.tables.append(contribution_table(data, ca, "attribution_a", f"A: {start} .. {end}"))
    sec.tables.append(contribution_table(data, cb, "attribution_b", f"B: {vs_start} .. {vs_end}"))
    rep.sections.append(sec)
    att, _ = attribution_section(
        data,
        [("a", start, end), ("b", vs_start, vs_end)],
        by=("sector", "pool"),
        section_id="groups",
    )
    rep.sections.append(att)
    return rep


def build_backtest(conn: Connection, strategy_id: str, as_of: dt.date | None = None) -> Report:
    """Live vs backtest: stored comparison, statistics and the cone."""
    data = load_report_data(conn, as_of, [strategy_id])
    s = data.strategy(strategy_id)
    rep = Report(
        "backtest",
        f"stratmon live vs backtest: {s.name}",
        data.as_of,
        f"{strategy_id} · backtest version "
        f"{data.results.get(strategy_id, {}).get('backtest_version')}",
    )
    sec = Section("comparison", "Live vs backtest metrics")
    sec.tables.append(_comparison_table(data, strategy_id))
    rep.sections.append(sec)
    st = Section("statistics", "Statistics")
    st.tables.append(_statistics_table(data, strategy_id))
    stats = data.statistics.get(strategy_id, {})
    for key in ("sharpe_test", "welch", "bootstrap"):
        val = stats.get(key)
        if isinstance(val, dict):
            st.tables.append(
                Table(
                    key,
                    cols(("name", key.replace("_", " "), "text"), ("value", "Value", "num")),
                    [
                        {"name": k, "value": f(v)}
                        for k, v in val.items()
                        if not isinstance(v, (dict, list))
                    ],
                )
            )
    rep.sections.append(st)
    cone = Section("cone", "Backtest cone")
    cone.charts.append(_cone_chart(conn, data, strategy_id))
    hist = rq.metric_histories(conn, [strategy_id], "all", "sharpe_ratio")
    d, v = hist[strategy_id]
    cone.charts.append(
        Chart(
            "sharpe_history",
            "Live Sharpe history",
            svg.line_chart(
                "Live Sharpe (since inception) on each evaluation",
                {
                    "live": (d, [math.nan if x is None else x for x in v]),
                    "backtest": (d, [f(stats.get("backtest_sharpe_annual")) or math.nan] * len(d)),
                },
            ),
        )
    )
    bands = (stats.get("cone") or {}).get("bands") or {}
    cone.tables.append(
        Table(
            "bands",
            cols(("band", "Band", "text"), ("bound", "Cumulative return", "pct")),
            [{"band": k, "bound": f(v)} for k, v in bands.items()],
            f"cone on day {(stats.get('cone') or {}).get('day')}",
        )
    )
    rep.sections.append(cone)
    return rep


__all__ = ["build_backtest", "build_compare", "build_period", "build_strategy"]
