"""Daily, weekly and monthly reports, built from stored results.

Each strategy's judgement (verdict, health, status, recommendation, reasons, changes) is the
stored assessment of the report's date, rendered by :mod:`stratmon.reports.judgement`.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
from sqlalchemy import Connection

from stratmon.attribution import contributions, period_bounds
from stratmon.reports import svg
from stratmon.reports.data import ReportData, load_report_data
from stratmon.reports.format import finite as f
from stratmon.reports.judgement import changes_section, recommendations_section, status_section
from stratmon.reports.model import Chart, Report, Section, Table, cols
from stratmon.reports.sections import (
    RISK_METRICS,
    attribution_section,
    benchmark_section,
    cohort_section,
    contribution_table,
    group_of,
    growth_chart,
    metrics_table,
    monthly_returns_table,
    top_bottom,
    utilisation_table,
)
from stratmon.store import queries as q
from stratmon.store import reports_queries as rq

PNL_COLUMNS = cols(
    ("name", "Strategy", "text"),
    ("day_pnl", "PnL day", "money"),
    ("day_return", "Return day", "pct"),
    ("cumulative_pnl", "PnL cumulative", "money"),
    ("total_return", "Return cumulative", "pct"),
    ("nav", "NAV", "money"),
)


def _pnl_rows(data: ReportData) -> list[dict[str, Any]]:
    itd = contributions(data.returns, data.inception(), data.as_of)
    rows = []
    for sid in data.ids:
        sr = data.returns[sid]
        today = sr.dates[-1] == data.as_of if sr.dates else False
        rows.append(
            {
                "strategy_id": sid,
                "name": data.names[sid],
                "day_pnl": float(sr.pnl[-1]) if today else None,
                "day_return": f(sr.returns[-1]) if today else None,
                "cumulative_pnl": itd.pnl[sid],
                "total_return": f(data.metrics(sid).get("total_return")),
                "nav": f(data.series[sid].nav[-1]) if today else None,
            }
        )
    return rows


def _alerts_section(conn: Connection, data: ReportData, start: dt.date) -> Section:
    sec = Section("alerts", "Alerts")
    events = rq.alert_events_between(conn, start, data.as_of)
    sec.tables.append(
        Table(
            "alert_events",
            cols(
                ("at", "Date", "text"),
                ("strategy_id", "Strategy", "text"),
                ("rule", "Rule", "text"),
                ("tier", "Tier", "text"),
                ("from_state", "From", "text"),
                ("to_state", "To", "text"),
                ("message", "Message", "text"),
            ),
            [dict(e, at=e["at"].isoformat()) for e in events if e["strategy_id"] in data.names],
            f"alert transitions {start} .. {data.as_of}",
        )
    )
    firing = [a for a in q.firing_alerts(conn) if a["strategy_id"] in data.names]
    sec.tables.append(
        Table(
            "firing",
            cols(
                ("strategy_id", "Strategy", "text"),
                ("rule", "Rule", "text"),
                ("tier", "Tier", "text"),
                ("fired_at", "Fired", "text"),
                ("message", "Message", "text"),
            ),
            [
                {
                    k: (v.isoformat() if isinstance(v, dt.date) else v)
                    for k, v in a.items()
                    if k in ("strategy_id", "rule", "tier", "fired_at", "message")
                }
                for a in firing
            ],
            "alerts firing now",
        )
    )
    return sec


def build_daily(conn: Connection, as_of: dt.date | None = None) -> Report:
    """Daily: what changed since the previous session, the status table of the stored
    assessments, PnL per strategy (day and cumulative), top 3 winners and losers, NAV and
    capital utilisation, open positions, alerts of the day."""
    data = load_report_data(conn, as_of)
    day = data.as_of
    rep = Report(
        "daily",
        f"stratmon daily report {day}",
        day,
        f"{len(data.ids)} strategies · evaluation date {day}",
    )
    rep.sections.append(changes_section(data))
    rep.sections.append(status_section(data))
    rows = _pnl_rows(data)
    total = {
        "strategy_id": "TOTAL",
        "name": "Portfolio",
        "day_pnl": math.fsum(r["day_pnl"] or 0.0 for r in rows),
        "day_return": None,
        "cumulative_pnl": math.fsum(r["cumulative_pnl"] for r in rows),
        "total_return": None,
        "nav": math.fsum(r["nav"] or 0.0 for r in rows),
    }
    c_day = contributions(data.returns, day, day)
    total["day_return"] = f(c_day.portfolio_return)
    pnl = Section("pnl", "PnL per strategy")
    pnl.tables.append(
        Table(
            "pnl",
            PNL_COLUMNS,
            [*rows, total],
            "day and since-inception PnL from stored daily records",
        )
    )
    pnl.charts.append(
        Chart(
            "day_pnl",
            "PnL of the day",
            svg.bar_chart(
                "PnL of the day",
                {r["name"]: r["day_pnl"] for r in rows if r["day_pnl"] is not None},
            ),
        )
    )
    rep.sections.append(pnl)
    win, lose = top_bottom(rows, "day_pnl")
    movers = Section("movers", "Top 3 winners and losers of the day")
    movers.tables.append(Table("winners", PNL_COLUMNS, win, "winners"))
    movers.tables.append(
        Table("losers", PNL_COLUMNS, [r for r in lose if r not in win] or lose, "losers")
    )
    rep.sections.append(movers)
    nav = Section("nav", "NAV and capital utilisation")
    nav.tables.append(utilisation_table(data, day, day))
    rep.sections.append(nav)
    pos = Section("positions", "Open positions")
    prow = []
    for sid in data.ids:
        for p in q.positions_on(conn, sid, day):
            prow.append(
                {
                    "strategy_id": sid,
                    "date": p["date"].isoformat(),
                    "symbol": p["symbol"],
                    "quantity": p["quantity"],
                    "market_value": p["market_value"],
                    "unrealized_pnl": p["unrealized_pnl"],
                }
            )
    pos.tables.append(
        Table(
            "positions",
            cols(
                ("strategy_id", "Strategy", "text"),
                ("date", "As of", "text"),
                ("symbol", "Symbol", "text"),
                ("quantity", "Quantity", "num"),
                ("market_value", "Market value", "money"),
                ("unrealized_pnl", "Unrealised PnL", "money"),
            ),
            prow,
            "latest stored position snapshot on or before the date",
        )
    )
    rep.sections.append(pos)
    rep.sections.append(_alerts_section(conn, data, day))
    return rep


def _returns_by(data: ReportData, start: dt.date, end: dt.date, by: str) -> Table:
    groups = group_of(data, by)
    members: dict[str, list[str]] = {}
    for sid, g in groups.items():
        members.setdefault(g or "(none)", []).append(sid)
    rows = []
    for g in sorted(members):
        c = contributions({s: data.returns[s] for s in members[g]}, start, end)
        rows.append({"group": g, "return": f(c.portfolio_return), "pnl": c.total_pnl})
    return Table(
        f"returns_by_{by}",
        cols(
            (("group", by.capitalize(), "text")),
            ("return", "Return", "pct"),
            ("pnl", "PnL", "money"),
        ),
        rows,
        f"capital-weighted return by {by}, {start} .. {end}",
    )


def build_weekly(conn: Connection, as_of: dt.date | None = None) -> Report:
    """Weekly: returns by strategy, sector and pool; rolling 30-day Sharpe; drawdowns; trade
    statistics; attribution; benchmark comparison."""
    data = load_report_data(conn, as_of)
    day = data.as_of
    start = day - dt.timedelta(days=day.weekday())
    rep = Report(
        "weekly",
        f"stratmon weekly report {start} .. {day}",
        day,
        f"week of {start} · {len(data.ids)} strategies",
    )
    att, conts = attribution_section(
        data, [("wtd", start, day), ("mtd", *period_bounds(day, "mtd"))], by=("sector", "pool")
    )
    wk = Section("weekly_returns", "Weekly returns")
    wk.tables.append(
        contribution_table(data, conts["wtd"], "by_strategy", f"week {start} .. {day}")
    )
    wk.tables.append(_returns_by(data, start, day, "sector"))
    wk.tables.append(_returns_by(data, start, day, "pool"))
    rep.sections.append(wk)
    roll = Section("rolling_sharpe", "Rolling 30-day Sharpe ratio")
    hist = rq.metric_histories(
        conn, data.ids, "30", "sharpe_ratio", start=day - dt.timedelta(days=182), end=day
    )
    roll.charts.append(
        Chart(
            "rolling_sharpe",
            "Rolling 30-day Sharpe (stored, window 30)",
            svg.line_chart(
                "Rolling 30-day Sharpe",
                {
                    data.names[s]: (d, [np.nan if v is None else v for v in vals])
                    for s, (d, vals) in hist.items()
                },
                baseline=0.0,
            ),
        )
    )
    roll.tables.append(
        metrics_table(
            data,
            "sharpe_30",
            [
                ("sharpe_ratio", "Sharpe 30d", "num"),
                ("total_return", "Return 30d", "pct"),
                ("annual_volatility", "Volatility 30d", "pct"),
            ],
            window="30",
        )
    )
    rep.sections.append(roll)
    rep.sections.append(_drawdown_section(data))
    rep.sections.append(_trades_section(conn, data, start))
    rep.sections.append(att)
    rep.sections.append(benchmark_section(data, conts["wtd"]))
    return rep


def _drawdown_section(data: ReportData) -> Section:
    sec = Section("drawdowns", "Drawdown analysis")
    rows = []
    for sid in data.ids:
        m = data.metrics(sid)
        dd = data.statistics.get(sid, {}).get("drawdown") or {}
        rows.append(
            {
                "strategy_id": sid,
                "name": data.names[sid],
                "current_drawdown": f(m.get("current_drawdown")),
                "max_drawdown": f(m.get("max_drawdown")),
                "max_drawdown_duration": f(m.get("max_drawdown_duration")),
                "current_drawdown_duration": f(m.get("current_drawdown_duration")),
                "max_drawdown_95": f(dd.get("max_drawdown_95")),
                "max_drawdown_99": f(dd.get("max_drawdown_99")),
            }
        )
    sec.tables.append(
        Table(
            "drawdowns",
            cols(
                ("name", "Strategy", "text"),
                ("current_drawdown", "Current DD", "pct"),
                ("max_drawdown", "Max DD", "pct"),
                ("current_drawdown_duration", "Current (days)", "int"),
                ("max_drawdown_duration", "Max duration (days)", "int"),
                ("max_drawdown_95", "Expected MaxDD-95", "pct"),
                ("max_drawdown_99", "Expected MaxDD-99", "pct"),
            ),
            rows,
            "stored since-inception drawdowns and the backtest's drawdown tiers",
        )
    )
    return sec


def _trades_section(conn: Connection, data: ReportData, start: dt.date) -> Section:
    sec = Section("trades", "Trade statistics")
    sec.tables.append(
        metrics_table(
            data,
            "trade_statistics",
            [
                ("total_trades", "Trades", "int"),
                ("win_rate", "Win rate", "pct"),
                ("profit_factor", "Profit factor", "num"),
                ("payoff_ratio", "Payoff", "num"),
                ("expectancy", "Expectancy", "money"),
                ("avg_trade_duration_hours", "Avg hours", "num"),
            ],
            caption="closed round trips since inception (stored snapshot)",
        )
    )
    until = dt.datetime.combine(data.as_of, dt.time.max)
    trips = q.round_trips_for(conn, data.ids, until=until)
    rows = []
    for sid in data.ids:
        closed = [t for t in trips.get(sid, []) if t.exit_time.date() >= start]
        rows.append(
            {
                "strategy_id": sid,
                "name": data.names[sid],
                "closed": len(closed),
                "pnl": math.fsum(t.pnl for t in closed),
            }
        )
    sec.tables.append(
        Table(
            "period_trades",
            cols(
                ("name", "Strategy", "text"),
                ("closed", "Closed trades", "int"),
                ("pnl", "Trade PnL", "money"),
            ),
            rows,
            f"round trips closed {start} .. {data.as_of}",
        )
    )
    return sec


def build_monthly(conn: Connection, as_of: dt.date | None = None) -> Report:
    """Monthly: monthly returns; cumulative since deployment; risk metrics; attribution by
    sector, researcher and pool; cohorts; capital utilisation; top and bottom performers;
    reallocation recommendations."""
    data = load_report_data(conn, as_of)
    day = data.as_of
    start = day.replace(day=1)
    rep = Report(
        "monthly",
        f"stratmon monthly report {day:%Y-%m}",
        day,
        f"{start} .. {day} · {len(data.ids)} strategies",
    )
    mr = Section("monthly_returns", "Monthly returns")
    mr.tables.append(monthly_returns_table(data))
    rep.sections.append(mr)
    cum = Section("cumulative", "Cumulative since deployment")
    cum.tables.append(
        metrics_table(
            data,
            "cumulative",
            [
                ("total_return", "Total return", "pct"),
                ("cagr", "CAGR", "pct"),
                ("n_obs", "Days", "int"),
            ],
        )
    )
    cum.charts.append(growth_chart(data, "Cumulative return since deployment"))
    rep.sections.append(cum)
    risk = Section("risk", "Risk metrics")
    risk.tables.append(metrics_table(data, "risk", RISK_METRICS))
    rep.sections.append(risk)
    att, conts = attribution_section(
        data,
        [("mtd", start, day), ("ytd", *period_bounds(day, "ytd"))],
        by=("sector", "researcher", "pool"),
    )
    rep.sections.append(att)
    rep.sections.append(cohort_section(data))
    util = Section("utilisation", "Capital utilisation")
    util.tables.append(utilisation_table(data, start, day))
    rep.sections.append(util)
    perf = Section("performers", "Top and bottom performers (month to date)")
    mtd = conts["mtd"]
    rows = [
        {
            "strategy_id": s,
            "name": data.names[s],
            "return": f(mtd.strategy_return[s]),
            "pnl": mtd.pnl[s],
            "return_contribution": f(mtd.return_contribution[s]),
        }
        for s in data.ids
    ]
    top, bottom = top_bottom(rows, "return")
    pc = cols(
        ("name", "Strategy", "text"),
        ("return", "Return MTD", "pct"),
        ("pnl", "PnL MTD", "money"),
        ("return_contribution", "Contribution", "pct"),
    )
    perf.tables.append(Table("top", pc, top, "top 3"))
    perf.tables.append(Table("bottom", pc, bottom, "bottom 3"))
    rep.sections.append(perf)
    rep.sections.append(recommendations_section(data))
    rep.sections.append(benchmark_section(data, mtd))
    return rep
