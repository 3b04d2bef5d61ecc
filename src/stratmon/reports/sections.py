"""Report sections shared by the report kinds, built from :class:`ReportData`."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from stratmon.attribution import (
    Contributions,
    benchmark_comparison,
    cohort_analysis,
    contributions,
    group_contributions,
)
from stratmon.metrics import capacity_metrics, cumulative_returns, monthly_returns, summarize_arrays
from stratmon.reports import svg
from stratmon.reports.data import STANDARD_BENCHMARKS, ReportData
from stratmon.reports.format import finite as f
from stratmon.reports.model import Chart, Section, Table, cols

GROUPS = ("sector", "asset_class", "researcher", "pool")
RISK_METRICS = (
    ("annual_volatility", "Volatility", "pct"),
    ("sharpe_ratio", "Sharpe", "num"),
    ("sortino_ratio", "Sortino", "num"),
    ("max_drawdown", "Max DD", "pct"),
    ("current_drawdown", "Current DD", "pct"),
    ("value_at_risk_95", "VaR 95", "pct"),
    ("conditional_value_at_risk_95", "CVaR 95", "pct"),
    ("beta", "Beta", "num"),
)


def group_of(data: ReportData, by: str) -> dict[str, str]:
    return {s.strategy_id: str(getattr(s, by) or "") for s in data.strategies}


def contribution_table(
    data: ReportData, c: Contributions, table_id: str, caption: str = ""
) -> Table:
    """Per strategy: PnL, own return, average weight and return contribution, with a total."""
    rows: list[dict[str, Any]] = [
        {
            "strategy_id": sid,
            "name": data.names.get(sid, sid),
            "pnl": c.pnl[sid],
            "strategy_return": f(c.strategy_return[sid]),
            "average_weight": f(c.average_weight[sid]),
            "return_contribution": f(c.return_contribution[sid]),
        }
        for sid in c.strategy_ids
    ]
    rows.append(
        {
            "strategy_id": "TOTAL",
            "name": "Portfolio",
            "pnl": c.total_pnl,
            "strategy_return": f(c.portfolio_return),
            "average_weight": 1.0,
            "return_contribution": f(c.portfolio_return),
        }
    )
    return Table(
        table_id,
        cols(
            ("name", "Strategy", "text"),
            ("pnl", "PnL", "money"),
            ("strategy_return", "Return", "pct"),
            ("average_weight", "Avg weight", "pct"),
            ("return_contribution", "Contribution", "pct"),
        ),
        rows,
        caption or f"{c.start} .. {c.end}",
    )


def group_table(data: ReportData, c: Contributions, by: str, table_id: str) -> Table:
    """Contributions added up by a strategy attribute (sector, researcher, pool ...)."""
    groups = group_contributions(c, group_of(data, by))
    rows: list[dict[str, Any]] = []
    for g, gc in groups.items():
        sub = contributions({s: data.returns[s] for s in gc.strategy_ids}, c.start, c.end)
        rows.append(
            {
                "group": g,
                "strategies": len(gc.strategy_ids),
                "pnl": gc.pnl,
                "group_return": f(sub.portfolio_return),
                "average_weight": f(gc.average_weight),
                "return_contribution": f(gc.return_contribution),
            }
        )
    rows.append(
        {
            "group": "TOTAL",
            "strategies": len(c.strategy_ids),
            "pnl": c.total_pnl,
            "group_return": f(c.portfolio_return),
            "average_weight": 1.0,
            "return_contribution": f(c.portfolio_return),
        }
    )
    label = by.replace("_", " ").capitalize()
    return Table(
        table_id,
        cols(
            ("group", label, "text"),
            ("strategies", "Strategies", "int"),
            ("pnl", "PnL", "money"),
            ("group_return", "Return", "pct"),
            ("average_weight", "Avg weight", "pct"),
            ("return_contribution", "Contribution", "pct"),
        ),
        rows,
        f"by {label.lower()}, {c.start} .. {c.end}",
    )


def attribution_section(
    data: ReportData,
    periods: Sequence[tuple[str, dt.date, dt.date]],
    by: Sequence[str] = GROUPS,
    section_id: str = "attribution",
) -> tuple[Section, dict[str, Contributions]]:
    """Contribution tables per named period, by strategy and by each group attribute."""
    sec = Section(section_id, "PnL and return attribution")
    sec.notes.append(
        "Contribution = capital weight x return each day, linked by the portfolio's growth "
        "(Frongello 2002); contributions add up to the portfolio's return and PnL exactly."
    )
    out = {}
    for label, start, end in periods:
        c = contributions(data.returns, start, end)
        out[label] = c
        sec.tables.append(
            contribution_table(
                data, c, f"{label}_strategy", f"{label.upper()} by strategy, {start} .. {end}"
            )
        )
        for g in by:
            sec.tables.append(group_table(data, c, g, f"{label}_{g}"))
    if periods:
        last = out[periods[-1][0]]
        sec.charts.append(
            Chart(
                "contribution",
                f"Return contribution ({periods[-1][0].upper()})",
                svg.bar_chart(
                    f"Return contribution by strategy, {periods[-1][0].upper()} "
                    f"{last.start} .. {last.end}",
                    {data.names[s]: last.return_contribution[s] for s in last.strategy_ids},
                    pct=True,
                ),
            )
        )
    return sec, out


def benchmark_section(
    data: ReportData, c: Contributions, section_id: str = "benchmarks"
) -> Section:
    """The portfolio (``c``, the report's contributions) and each strategy against stored
    benchmark series over ``c``'s period."""
    sec = Section(section_id, "Benchmark comparison")
    if not data.benchmarks:
        sec.notes.append("No benchmark series stored: `stratmon benchmarks import FILE`.")
        return sec
    start, end = c.start, c.end
    ppy = data.periods_per_year
    rf = _risk_free(data, start, end)
    rows = []
    chart: dict[str, tuple[list[dt.date], list[float]]] = {}
    if c.dates:
        chart["Portfolio"] = (c.dates, list(cumulative_returns(c.daily_portfolio_return)))
    ids = [b for b in STANDARD_BENCHMARKS if b in data.benchmarks] + sorted(
        b for b in data.benchmarks if b not in STANDARD_BENCHMARKS
    )
    for bid in ids:
        bd, br = data.benchmarks[bid]
        cmp = benchmark_comparison(c.dates, c.daily_portfolio_return, bd, br, ppy, rf)
        rows.append(_cmp_row("Portfolio", bid, data.benchmark_names.get(bid, bid), cmp))
        keep = [(d, r) for d, r in zip(bd, br, strict=True) if start <= d <= end]
        if keep:
            chart[data.benchmark_names.get(bid, bid)] = (
                [k[0] for k in keep],
                list(cumulative_returns([k[1] for k in keep])),
            )
    own: list[str] = []
    for s in data.strategies:
        if not s.benchmark:
            continue
        bid = s.benchmark
        if bid not in data.benchmarks:
            own.append(f"{s.strategy_id}: benchmark {bid} has no stored series.")
            continue
        sr = data.returns[s.strategy_id]
        mask = [start <= d <= end for d in sr.dates]
        dates = [d for d, m in zip(sr.dates, mask, strict=True) if m]
        rets = sr.returns[np.array(mask, dtype=bool)] if len(mask) else sr.returns
        bd, br = data.benchmarks[bid]
        cmp = benchmark_comparison(dates, rets, bd, br, s.periods_per_year, rf)
        rows.append(_cmp_row(s.name, bid, data.benchmark_names.get(bid, bid), cmp))
    sec.tables.append(
        Table(
            "comparison",
            cols(
                ("subject", "Subject", "text"),
                ("benchmark", "Benchmark", "text"),
                ("n_obs", "Days", "int"),
                ("return", "Return", "pct"),
                ("benchmark_return", "Bench. return", "pct"),
                ("excess_return", "Excess", "pct"),
                ("sharpe_ratio", "Sharpe", "num"),
                ("benchmark_sharpe", "Bench. Sharpe", "num"),
                ("beta", "Beta", "num"),
                ("alpha", "Alpha", "pct"),
                ("correlation", "Corr.", "num"),
                ("tracking_error", "TE", "pct"),
                ("information_ratio", "IR", "num"),
            ),
            rows,
            f"{start} .. {end}; common days only, nothing filled; Sharpe net of the cash rate",
        )
    )
    sec.notes.extend(own)
    sec.charts.append(
        Chart(
            "benchmarks",
            "Cumulative return vs benchmarks",
            svg.line_chart("Cumulative return", chart, pct=True, baseline=0.0),
        )
    )
    return sec


def _risk_free(data: ReportData, start: dt.date, end: dt.date) -> float:
    """Annual cash rate over the period: the CAGR of the stored CASH series (metrics engine,
    the book's ``periods_per_year``); 0 without one."""
    if "CASH" not in data.benchmarks:
        return 0.0
    bd, br = data.benchmarks["CASH"]
    vals = [r for d, r in zip(bd, br, strict=True) if start <= d <= end]
    if not vals:
        return 0.0
    names, v = summarize_arrays(
        np.asarray(vals, dtype=float), periods_per_year=data.periods_per_year
    )
    rate = f(v[0, names.index("cagr")])
    return 0.0 if rate is None else rate


def _cmp_row(subject: str, bid: str, bname: str, cmp: dict[str, Any]) -> dict[str, Any]:
    return {
        "subject": subject,
        "benchmark_id": bid,
        "benchmark": bname,
        "n_obs": cmp["n_obs"],
        "return": f(cmp["strategy"]["total_return"]),
        "benchmark_return": f(cmp["benchmark"]["total_return"]),
        "excess_return": f(cmp["excess_return"]),
        "sharpe_ratio": f(cmp["strategy"]["sharpe_ratio"]),
        "benchmark_sharpe": f(cmp["benchmark"]["sharpe_ratio"]),
        "beta": f(cmp["beta"]),
        "alpha": f(cmp["alpha"]),
        "correlation": f(cmp["correlation"]),
        "tracking_error": f(cmp["tracking_error"]),
        "information_ratio": f(cmp["information_ratio"]),
    }


def metrics_table(
    data: ReportData,
    table_id: str,
    metrics: Sequence[tuple[str, str, str]],
    window: str = "all",
    ids: Sequence[str] | None = None,
    caption: str = "",
) -> Table:
    """Stored metric snapshot values per strategy (window ``all``, ``30``, ``60``, ``90``)."""
    rows = []
    for sid in ids or data.ids:
        m = data.metrics(sid, window)
        row: dict[str, Any] = {"strategy_id": sid, "name": data.names.get(sid, sid)}
        row.update({k: f(m.get(k)) for k, _, _ in metrics})
        rows.append(row)
    return Table(
        table_id,
        cols(("name", "Strategy", "text"), *metrics),
        rows,
        caption or f"stored metrics, window {window}, as of {data.as_of}",
    )


def growth_chart(
    data: ReportData, title: str, ids: Sequence[str] | None = None, start: dt.date | None = None
) -> Chart:
    """Cumulative time-weighted return of each strategy from stored NAVs."""
    lines = {}
    for sid in ids or data.ids:
        sr = data.returns[sid]
        keep = [
            (d, r)
            for d, r in zip(sr.dates, sr.returns, strict=True)
            if (start is None or d >= start) and math.isfinite(r)
        ]
        if keep:
            lines[data.names[sid]] = (
                [k[0] for k in keep],
                list(cumulative_returns([k[1] for k in keep])),
            )
    return Chart("growth", title, svg.line_chart(title, lines, pct=True, baseline=0.0))


def monthly_returns_table(data: ReportData, months: int = 12) -> Table:
    """Calendar-month returns (compounded from stored NAVs) of every strategy, last months."""
    frames = {}
    for sid in data.ids:
        sr = data.returns[sid]
        ok = np.isfinite(sr.returns)
        if ok.sum() == 0:
            continue
        idx = pd.DatetimeIndex([d for d, k in zip(sr.dates, ok, strict=True) if k])
        mr = monthly_returns(sr.returns[ok], idx)
        frames[sid] = {
            (int(y), int(m)): mr.loc[y, m]
            for y in mr.index
            for m in mr.columns
            if isinstance(m, (int, np.integer))
        }
    # months with data in at least one strategy (the table's later months are empty)
    keys = sorted({k for v in frames.values() for k, x in v.items() if f(x) is not None})
    keys = keys[-months:]
    rows = []
    for sid in data.ids:
        row: dict[str, Any] = {"strategy_id": sid, "name": data.names[sid]}
        for y, m in keys:
            row[f"{y}-{m:02d}"] = f(frames.get(sid, {}).get((y, m)))
        rows.append(row)
    return Table(
        "monthly_returns",
        cols(
            ("name", "Strategy", "text"),
            *((f"{y}-{m:02d}", f"{y}-{m:02d}", "pct") for y, m in keys),
        ),
        rows,
        "calendar-month time-weighted returns from stored NAVs",
    )


def cohort_section(data: ReportData) -> Section:
    sec = Section("cohorts", "Cohort analysis by deployment month")
    deployed: dict[str, dt.date | None] = {}
    for s in data.strategies:
        dates = data.series[s.strategy_id].dates
        deployed[s.strategy_id] = s.allocation_date or (dates[0] if dates else None)
    cohorts = cohort_analysis(deployed, {s: data.metrics(s) for s in data.ids})
    sec.tables.append(
        Table(
            "cohorts",
            cols(
                ("month", "Deployed", "text"),
                ("n_strategies", "Strategies", "int"),
                ("average_sharpe", "Avg Sharpe", "num"),
                ("average_return", "Avg return", "pct"),
                ("best", "Best", "text"),
                ("best_return", "Best return", "pct"),
                ("worst", "Worst", "text"),
                ("worst_return", "Worst return", "pct"),
            ),
            [
                {
                    "month": c.month,
                    "n_strategies": c.n_strategies,
                    "strategy_ids": c.strategy_ids,
                    "average_sharpe": f(c.average_sharpe),
                    "average_return": f(c.average_return),
                    "best": c.best,
                    "best_return": f(c.best_return),
                    "worst": c.worst,
                    "worst_return": f(c.worst_return),
                }
                for c in cohorts
            ],
            "since-inception Sharpe and total return from the stored metric snapshots",
        )
    )
    return sec


def utilisation_rows(data: ReportData, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Per strategy: NAV at ``end``, NAV / allocated capital, gross exposure / NAV on the last
    day and its mean over the period (:func:`stratmon.metrics.capacity_metrics`)."""
    rows = []
    for s in data.strategies:
        ds = data.series[s.strategy_id]
        idx = [i for i, d in enumerate(ds.dates) if start <= d <= end]
        if not idx:
            continue
        nav = ds.nav[idx]
        gross = ds.gross_exposure[idx]
        period = capacity_metrics(nav, gross, periods_per_year=s.periods_per_year)
        last = capacity_metrics(nav[-1:], gross[-1:], periods_per_year=s.periods_per_year)
        rows.append(
            {
                "strategy_id": s.strategy_id,
                "name": s.name,
                "nav": f(nav[-1]),
                "allocated_capital": f(s.allocated_capital),
                "nav_to_allocated": f(nav[-1] / s.allocated_capital)
                if s.allocated_capital
                else None,
                "gross_exposure": f(gross[-1]),
                "utilisation": f(last["capital_utilization_latest"].iloc[0]),
                "average_utilisation": f(period["capital_utilization_mean"].iloc[0]),
            }
        )
    return rows


def utilisation_table(data: ReportData, start: dt.date, end: dt.date) -> Table:
    rows = utilisation_rows(data, start, end)
    nav = sum(r["nav"] or 0.0 for r in rows)
    gross = sum(r["gross_exposure"] or 0.0 for r in rows)
    alloc = sum(r["allocated_capital"] or 0.0 for r in rows)
    rows.append(
        {
            "strategy_id": "TOTAL",
            "name": "Portfolio",
            "nav": nav,
            "allocated_capital": alloc,
            "nav_to_allocated": nav / alloc if alloc else None,
            "gross_exposure": gross,
            "utilisation": gross / nav if nav else None,
            "average_utilisation": None,
        }
    )
    return Table(
        "utilisation",
        cols(
            ("name", "Strategy", "text"),
            ("nav", "NAV", "money"),
            ("allocated_capital", "Allocated", "money"),
            ("nav_to_allocated", "NAV/alloc.", "pct"),
            ("gross_exposure", "Gross exposure", "money"),
            ("utilisation", "Gross/NAV", "pct"),
            ("average_utilisation", "Avg gross/NAV", "pct"),
        ),
        rows,
        f"capital utilisation = gross exposure / NAV; {start} .. {end} from stored records",
    )


def top_bottom(
    rows: list[dict[str, Any]], key: str, n: int = 3
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ``n`` highest and ``n`` lowest rows by ``key`` (rows without a value left out)."""
    have = [r for r in rows if r.get(key) is not None]
    ranked = sorted(have, key=lambda r: r[key], reverse=True)
    return ranked[:n], list(reversed(ranked))[:n]
