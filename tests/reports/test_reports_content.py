"""Each report renders for a real workspace with the expected sections, and its numbers (the
JSON form, parsed) equal what the store holds."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import numpy as np
import pytest

from stratmon.reports import adhoc, periodic
from stratmon.reports.assessment_view import change_lines, verdict_text
from stratmon.reports.model import Report
from stratmon.reports.render import to_json, to_markdown
from stratmon.store import assessments as sa
from stratmon.store import benchmarks_repo as brepo
from stratmon.store import queries as q

CHOSEN = ("spx_trend", "wti_trend", "spx_nasdaq_relative")  # as in conftest.py
Workspace4Reports = Any  # the `rws` fixture of conftest.py


def _json(report: Report) -> dict[str, Any]:
    return json.loads(to_json(report))


def _table(doc: dict[str, Any], section: str, table: str) -> list[dict[str, Any]]:
    for s in doc["sections"]:
        if s["id"] == section:
            for t in s["tables"]:
                if t["id"] == table:
                    rows: list[dict[str, Any]] = t["rows"]
                    return rows
    raise KeyError((section, table))


def _by_sid(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["strategy_id"]: r for r in rows}


def _stored(rws: Workspace4Reports) -> tuple[dt.date, dict[str, Any], dict[str, Any]]:
    with rws.store.read() as conn:
        day = q.latest_evaluation_date(conn)
        assert day is not None
        return day, q.results_on(conn, day), q.daily_series(conn, list(CHOSEN), until=day)


def _close(a: Any, b: Any) -> bool:
    if b is None or (isinstance(b, float) and not math.isfinite(b)):
        return a is None
    return a is not None and math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def test_daily_report_numbers_come_from_the_store(rws: Workspace4Reports) -> None:
    day, results, series = _stored(rws)
    with rws.store.read() as conn:
        doc = _json(periodic.build_daily(conn))
        positions = {sid: q.positions_on(conn, sid, day) for sid in CHOSEN}
    assert doc["kind"] == "daily" and doc["as_of"] == day.isoformat()
    assert [s["id"] for s in doc["sections"]] == [
        "changes",
        "status",
        "pnl",
        "movers",
        "nav",
        "positions",
        "alerts",
    ]
    rows = _by_sid(_table(doc, "pnl", "pnl"))
    for sid in CHOSEN:
        ds = series[sid]
        assert ds.dates[-1] == day
        assert rows[sid]["day_pnl"] == pytest.approx(ds.daily_pnl[-1], abs=1e-9)
        assert round(rows[sid]["cumulative_pnl"], 2) == round(math.fsum(ds.daily_pnl), 2)
        assert rows[sid]["nav"] == ds.nav[-1]
        assert _close(rows[sid]["total_return"], results[sid]["metrics"]["all"]["total_return"])
    total = rows["TOTAL"]
    assert round(total["day_pnl"], 2) == round(
        math.fsum(s.daily_pnl[-1] for s in series.values()), 2
    )
    assert total["nav"] == pytest.approx(sum(s.nav[-1] for s in series.values()))
    winners = _table(doc, "movers", "winners")
    assert [w["day_pnl"] for w in winners] == sorted((w["day_pnl"] for w in winners), reverse=True)
    assert winners[0]["day_pnl"] == max(r["day_pnl"] for k, r in rows.items() if k != "TOTAL")
    util = _by_sid(_table(doc, "nav", "utilisation"))
    for sid in CHOSEN:
        ds = series[sid]
        assert util[sid]["utilisation"] == pytest.approx(ds.gross_exposure[-1] / ds.nav[-1])
    pos = _table(doc, "positions", "positions")
    assert len(pos) == sum(len(v) for v in positions.values())
    # the judgement is the stored assessment of the day, rendered as stored
    with rws.store.read() as conn:
        stored = {a.strategy_id: a for a in sa.assessments_on(conn, day)}
        book = sa.book_changes(conn, day)
    assert set(stored) == set(CHOSEN)
    notes = next(s["notes"] for s in doc["sections"] if s["id"] == "changes")
    assert notes == change_lines(list(stored.values()), book)
    status = _by_sid(_table(doc, "status", "status"))
    for sid in CHOSEN:
        a = stored[sid]
        row = status[sid]
        assert (row["verdict"], row["action"]) == (a.verdict, a.action)
        assert row["verdict_text"] == verdict_text(a)
        assert _close(row["health"], a.health)
        assert _close(row["recent_health"], a.recent_health)
        assert (row["status"], row["status_window"]) == (a.status.status, a.status.window)
        assert row["status_recent"] == a.status_recent.status
        assert row["reasons"] == list(a.reasons) and row["reasons"]
        assert _close(row["suggested_capital"], a.recommendation.suggested_capital)
        assert [f["rule"] for f in row["firing_alerts"]] == [f.rule for f in a.firing_alerts]


def test_weekly_report(rws: Workspace4Reports) -> None:
    day, results, series = _stored(rws)
    with rws.store.read() as conn:
        doc = _json(periodic.build_weekly(conn))
    assert [s["id"] for s in doc["sections"]] == [
        "weekly_returns",
        "rolling_sharpe",
        "drawdowns",
        "trades",
        "attribution",
        "benchmarks",
    ]
    monday = day - dt.timedelta(days=day.weekday())
    rows = _by_sid(_table(doc, "weekly_returns", "by_strategy"))
    for sid in CHOSEN:
        ds = series[sid]
        idx = [i for i, d in enumerate(ds.dates) if d >= monday]
        assert round(rows[sid]["pnl"], 2) == round(math.fsum(ds.daily_pnl[idx]), 2)
        growth = ds.nav[idx[-1]] / ds.nav[idx[0] - 1] - 1  # no cash flows in the demo
        assert rows[sid]["strategy_return"] == pytest.approx(growth, rel=1e-9)
    sharpe = _by_sid(_table(doc, "rolling_sharpe", "sharpe_30"))
    for sid in CHOSEN:
        assert _close(sharpe[sid]["sharpe_ratio"], results[sid]["metrics"]["30"]["sharpe_ratio"])
    dd = _by_sid(_table(doc, "drawdowns", "drawdowns"))
    for sid in CHOSEN:
        assert _close(dd[sid]["max_drawdown"], results[sid]["metrics"]["all"]["max_drawdown"])
    by_pool = _table(doc, "attribution", "wtd_pool")
    assert by_pool[-1]["group"] == "TOTAL"
    assert round(sum(r["pnl"] for r in by_pool[:-1]), 2) == round(by_pool[-1]["pnl"], 2)


def test_monthly_report_attribution_reconciles_with_stored_pnl(rws: Workspace4Reports) -> None:
    day, results, series = _stored(rws)
    with rws.store.read() as conn:
        doc = _json(periodic.build_monthly(conn))
    assert [s["id"] for s in doc["sections"]] == [
        "monthly_returns",
        "cumulative",
        "risk",
        "attribution",
        "cohorts",
        "utilisation",
        "performers",
        "recommendations",
        "benchmarks",
    ]
    start = day.replace(day=1)
    for table in ("mtd_strategy", "mtd_sector", "mtd_researcher", "mtd_pool", "ytd_strategy"):
        rows = _table(doc, "attribution", table)
        first = start if table.startswith("mtd") else dt.date(day.year, 1, 1)
        stored = math.fsum(
            p
            for s in series.values()
            for d, p in zip(s.dates, s.daily_pnl, strict=True)
            if first <= d <= day
        )
        assert round(rows[-1]["pnl"], 2) == round(stored, 2), table
        assert round(math.fsum(r["pnl"] for r in rows[:-1]), 2) == round(stored, 2), table
        assert math.fsum(r["return_contribution"] for r in rows[:-1]) == pytest.approx(
            rows[-1]["return_contribution"], abs=1e-12
        )
    risk = _by_sid(_table(doc, "risk", "risk"))
    for sid in CHOSEN:
        for key in ("sharpe_ratio", "annual_volatility", "value_at_risk_95"):
            assert _close(risk[sid][key], results[sid]["metrics"]["all"][key]), key
    monthly = _by_sid(_table(doc, "monthly_returns", "monthly_returns"))
    for sid in CHOSEN:
        ds = series[sid]
        jan = [i for i, d in enumerate(ds.dates) if d.month == 1 and d.year == 2013]
        assert monthly[sid]["2013-01"] == pytest.approx(ds.nav[jan[-1]] / ds.nav[jan[0]] - 1)
    (cohort,) = _table(doc, "cohorts", "cohorts")
    assert cohort["month"] == "2013-01" and cohort["n_strategies"] == 3
    rets = {sid: results[sid]["metrics"]["all"]["total_return"] for sid in CHOSEN}
    assert cohort["best"] == max(rets, key=lambda s: rets[s])
    with rws.store.read() as conn:
        records = {a.strategy_id: a for a in sa.assessments_on(conn, day)}
    recs = _table(doc, "recommendations", "recommendations")
    assert sorted(r["strategy_id"] for r in recs) == sorted(CHOSEN)
    for r in recs:
        rec = records[r["strategy_id"]].recommendation
        assert r["action"] == rec.action
        assert _close(r["current_capital"], rec.current_capital)
        assert _close(r["suggested_capital"], rec.suggested_capital)
        assert _close(r["change"], rec.change)
    book = {b["key"]: b["value"] for b in _table(doc, "recommendations", "book")}
    sized = [records[s].recommendation for s in CHOSEN]
    assert book["current_capital"] == pytest.approx(
        math.fsum(x.current_capital or 0.0 for x in sized if x.change is not None)
    )
    assert book["suggested_capital"] == pytest.approx(
        math.fsum(x.suggested_capital or 0.0 for x in sized if x.change is not None)
    )


def test_benchmark_comparison_uses_stored_series(rws: Workspace4Reports) -> None:
    day, _, _ = _stored(rws)
    with rws.store.read() as conn:
        doc = _json(periodic.build_monthly(conn))
        spx = brepo.benchmark_series(conn, "SPX", start=day.replace(day=1), end=day)
        blend = brepo.benchmark_series(conn, "SPX60_CASH40", start=day.replace(day=1), end=day)
        cash = brepo.benchmark_series(conn, "CASH", start=day.replace(day=1), end=day)
    assert spx is not None and blend is not None and cash is not None
    rows = _table(doc, "benchmarks", "comparison")
    port = {r["benchmark_id"]: r for r in rows if r["subject"] == "Portfolio"}
    assert {"SPX", "CASH", "IXIC", "SPX60_CASH40"} <= set(port)
    common = port["SPX"]["n_obs"]
    assert common == len(spx[0])
    assert port["SPX"]["benchmark_return"] == pytest.approx(np.prod(1 + spx[1]) - 1, rel=1e-12)
    # composite = 0.6 SPX + 0.4 cash, rebalanced daily
    cmap = dict(zip(cash[0], cash[1], strict=True))
    smap = dict(zip(spx[0], spx[1], strict=True))
    expect = [0.6 * smap[d] + 0.4 * cmap[d] for d in blend[0]]
    assert blend[1].tolist() == pytest.approx(expect, rel=1e-12)
    # each strategy against its own benchmark when stored (WTI is not)
    own = [r for r in rows if r["subject"] != "Portfolio"]
    assert {r["benchmark_id"] for r in own} == {"SPX"}
    notes = next(s["notes"] for s in doc["sections"] if s["id"] == "benchmarks")
    assert any("WTI" in n for n in notes)


def test_adhoc_reports(rws: Workspace4Reports) -> None:
    day, results, series = _stored(rws)
    with rws.store.read() as conn:
        strat = _json(adhoc.build_strategy(conn, "spx_trend"))
        comp = _json(adhoc.build_compare(conn, ["spx_trend", "wti_trend"]))
        period = _json(
            adhoc.build_period(
                conn,
                dt.date(2013, 1, 1),
                dt.date(2013, 1, 31),
                dt.date(2013, 2, 1),
                dt.date(2013, 2, 28),
            )
        )
        bt = _json(adhoc.build_backtest(conn, "spx_trend"))
        stats = q.statistics_on(conn, day)["spx_trend"]
    assert {s["id"] for s in strat["sections"]} >= {
        "overview",
        "windows",
        "monthly_returns",
        "backtest",
        "trades",
        "positions",
        "alerts",
    }
    windows = {r["window"]: r for r in _table(strat, "windows", "windows")}
    for w in ("all", "90", "60", "30"):
        assert _close(
            windows[w]["sharpe_ratio"], results["spx_trend"]["metrics"][w]["sharpe_ratio"]
        )
    metrics = _by_sid(_table(comp, "comparison", "metrics"))
    assert set(metrics) == {"spx_trend", "wti_trend"}
    for sid in metrics:
        for key in (
            "total_return",
            "sharpe_ratio",
            "max_drawdown",
            "hit_rate",
            "annual_volatility",
            "total_trades",
        ):
            assert _close(metrics[sid][key], results[sid]["metrics"]["all"][key]), key
    prow = _by_sid(_table(period, "periods", "metrics"))
    for sid in CHOSEN:
        ds = series[sid]
        jan = [i for i, d in enumerate(ds.dates) if d.month == 1]
        feb = [i for i, d in enumerate(ds.dates) if d.month == 2]
        assert prow[sid]["total_return_a"] == pytest.approx(ds.nav[jan[-1]] / ds.nav[jan[0]] - 1)
        assert prow[sid]["total_return_b"] == pytest.approx(ds.nav[feb[-1]] / ds.nav[jan[-1]] - 1)
    att_b = _table(period, "periods", "attribution_b")
    feb_pnl = math.fsum(
        p
        for s in series.values()
        for d, p in zip(s.dates, s.daily_pnl, strict=True)
        if d.month == 2
    )
    assert round(att_b[-1]["pnl"], 2) == round(feb_pnl, 2)
    st = {r["statistic"]: r["value"] for r in _table(bt, "statistics", "statistics")}
    assert _close(st["PSR vs 0"], stats["psr_vs_zero"])
    cmp_rows = _table(bt, "comparison", "comparison")
    assert [r["metric"] for r in cmp_rows] == [
        c["metric"] for c in results["spx_trend"]["comparison"]
    ]


def test_markdown_has_every_section(rws: Workspace4Reports) -> None:
    with rws.store.read() as conn:
        rep = periodic.build_monthly(conn)
    md = to_markdown(rep)
    for s in rep.sections:
        assert f"## {s.title}" in md
    assert "| Strategy |" in md
