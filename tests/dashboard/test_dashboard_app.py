"""Every dashboard page through Streamlit's AppTest against a small seeded workspace."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import empyrical
import numpy as np
import pytest
from dashboard_assessments import BOOK_CHANGES, CHANGE_0, CHANGE_1, REASON_0, REASON_1
from dashboard_seed import seed
from streamlit.testing.v1 import AppTest

from stratmon.config import ENV_VAR, create_workspace
from stratmon.dashboard import APP_PATH, REFRESH_ENV
from stratmon.dashboard import context as ctx
from stratmon.dashboard import data as dd
from stratmon.store import Store
from stratmon.store import queries as q

TIMEOUT = 60


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Store, list[Any]]]:
    root = tmp_path_factory.mktemp("dash") / "ws"
    ws, store, days = seed(root)
    yield ws.root, store, days
    store.dispose()


@pytest.fixture
def env(seeded: tuple[Path, Store, list[Any]]) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in (ENV_VAR, REFRESH_ENV)}
    os.environ[ENV_VAR] = str(seeded[0])
    os.environ[REFRESH_ENV] = "0"
    yield
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def run_page(page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP_PATH), default_timeout=TIMEOUT)
    at.run()
    if page is not None:
        at.switch_page(f"pages/{page}.py")
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


TABLE_COLUMNS = {
    "portfolio_table": ("return_mtd",),
    "health_table": ("performance", "recommendation"),
    "book_table": ("suggested_capital", "action"),
    "components": ("component", "test"),
    "verdict_changes": ("verdict", "action", "as_of"),
    "comparison": ("deviation",),
    "trades": ("trade_id",),
    "positions": ("market_value",),
    "strategy_alerts": ("rule", "state"),
    "alerts_table": ("rule", "state"),
    "per_strategy": ("n_records",),
    "rejected": ("error",),
    "findings": ("kind", "message"),
}


def frame(at: AppTest, name: str) -> Any:
    """The table shown under ``name`` (recognised by its columns)."""
    for df in at.dataframe:
        value = df.value
        if all(c in value.columns for c in TABLE_COLUMNS[name]):
            return value
    raise AssertionError(f"no table {name!r} on the page")


def texts(at: AppTest) -> str:
    """The page's text as a person reads it (markdown escapes removed)."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [i.value for i in at.info] + [w.value for w in at.warning]
    parts += [str(m.label) + " " + str(m.value) for m in at.metric]
    parts += [h.value for h in at.subheader] + [e.label for e in at.expander]
    return "\n".join(parts).replace("\\", "")


def metrics(at: AppTest) -> dict[str, str]:
    return {str(m.label): str(m.value) for m in at.metric}


@pytest.mark.usefixtures("env")
def test_portfolio_page_opens_with_the_changes_then_the_assessed_rows(
    seeded: tuple[Path, Store, list[Any]],
) -> None:
    _, store, days = seeded
    at = run_page()
    assert at.title[0].value == "Portfolio"
    # "what changed" comes first: book lines, then the most urgent strategy's (act before
    # investigate), each prefixed with its strategy
    assert at.subheader[0].value == "What changed since the previous session"
    assert at.markdown[0].value.replace("\\", "").splitlines() == [
        f"- {BOOK_CHANGES[0]}",
        f"- strat_001: {CHANGE_1}",
        f"- strat_000: {CHANGE_0}",
        "- strat_000: health 49 -> 38 (-11)",
    ]
    df = frame(at, "portfolio_table")
    assert list(df["strategy_id"]) == ["strat_000", "strat_001", "strat_002"]
    assert list(df["verdict"]) == ["investigate", "act: reduce", "on track: increase"]
    assert list(df["health"]) == [38.0, 18.0, 82.0]
    assert list(df["recent_health"]) == [31.0, 12.0, 77.0]
    assert list(df["status (live to date)"]) == [
        "underperforming",
        "underperforming",
        "outperforming",
    ]
    assert list(df["status (30 sessions)"]) == ["on track", "underperforming", "on track"]
    assert list(df["live_sharpe"]) == [0.5, 0.75, 1.5]
    with store.read() as conn:
        ds = q.daily_series(conn, ["strat_000"])["strat_000"]
    row = df.iloc[0]
    assert row["nav"] == pytest.approx(ds.nav[-1])
    # since deployment compounds the time-weighted returns: the cash flow is not a gain
    r = (ds.nav[1:] - ds.nav[:-1] - ds.cash_flow[1:]) / ds.nav[:-1]
    assert row["return_since_deployment"] == pytest.approx(np.prod(1 + r) - 1, rel=1e-12)
    assert row["return_today"] == pytest.approx(r[-1], rel=1e-12)
    march = [i for i, d in enumerate(ds.dates[1:]) if d >= dt.date(2024, 3, 1)]
    assert row["return_mtd"] == pytest.approx(np.prod(1 + r[march]) - 1, rel=1e-12)
    assert row["firing_alerts"] == "underperformance/warning"
    assert df.iloc[1]["firing_alerts"] == "decay/critical"
    assert metrics(at)["Strategies"] == "3"
    assert metrics(at)["Firing alerts"] == "2"
    assert f"Latest assessment: {days[-1]}" in texts(at)
    at.multiselect(key="filter_pool").select("satellite").run()
    df = frame(at, "portfolio_table")
    assert list(df["strategy_id"]) == ["strat_001"]
    assert metrics(at)["Strategies"] == "1"
    assert len(at.get("plotly_chart")) == 1


def test_portfolio_page_says_a_quiet_day_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws, store, _ = seed(tmp_path / "ws", quiet=True)
    store.dispose()
    monkeypatch.setenv(ENV_VAR, str(ws.root))
    monkeypatch.setenv(REFRESH_ENV, "0")
    at = run_page()
    assert at.subheader[0].value == "What changed since the previous session"
    assert at.markdown[0].value.replace("\\", "") == (
        "- Quiet day: no verdict, alert or data change on any of 3 strategies."
    )


@pytest.mark.usefixtures("env")
def test_health_page_ranks_and_shows_each_assessment(
    seeded: tuple[Path, Store, list[Any]],
) -> None:
    days = seeded[2]
    at = run_page("health")
    table = frame(at, "health_table")
    # most urgent first: act, investigate, on track
    assert list(table["strategy_id"]) == ["strat_001", "strat_000", "strat_002"]
    assert list(table["verdict"]) == ["act: reduce", "investigate", "on track: increase"]
    assert list(table["health"]) == [18.0, 38.0, 82.0]
    assert list(table["recent_health"]) == [12.0, 31.0, 77.0]
    # a component without data reads "no data" (never a number)
    assert list(table["win_rate"]) == ["40", "no data", "78"]
    assert list(table["trade_frequency"]) == ["no data", "55", "84"]
    assert list(table["status (live to date)"]) == [
        "underperforming",
        "underperforming",
        "outperforming",
    ]
    assert list(table["status (30 sessions)"]) == ["underperforming", "on track", "on track"]
    assert table.iloc[0]["recommendation"] == "reduce 2,000,000 -> 1,000,000 (-1,000,000)"
    assert list(table["suggested_capital"]) == [1_000_000.0, 1_000_000.0, 3_500_000.0]
    assert list(table["change"]) == [-1_000_000.0, 0.0, 500_000.0]
    assert list(table["firing_alerts"]) == ["decay/critical", "underperformance/warning", ""]
    # per strategy, in the same order: verdict, reasons, the two status views, changes
    labels = [e.label for e in at.expander]
    assert labels == [
        "1. strat_001 — Strategy 1: act: reduce",
        "2. strat_000 — Strategy 0: investigate",
        "3. strat_002 — Strategy 2: on track: increase",
    ]
    text = texts(at)
    alarm = days[-4].isoformat()
    for expected in (
        REASON_0,
        REASON_1.format(alarm=alarm),
        CHANGE_0,
        CHANGE_1,
        f"Decay alarm** since {alarm}",
        "Firing alerts** (current severity): decay/critical",
        "Recommendation:** increase 3,000,000 -> 3,500,000 (+500,000)",
        "| win rate | no data | 20% |",
        "Status (live to date)  \n**underperforming**",
        "Status (30 sessions)  \n**on track**",
        "Recent health (30 sessions) 31",
    ):
        assert expected in text, expected
    # the book: 6 M allocated, 1 M cut from strat_001, 0.5 M added to strat_002, 0.5 M cash
    book = frame(at, "book_table")
    assert list(book["strategy_id"]) == ["strat_001", "strat_000", "strat_002"]
    m = metrics(at)
    assert m["Allocated now"] == "6,000,000"
    assert m["Suggested"] == "5,500,000"
    assert m["Moved between strategies"] == "500,000"
    assert m["To unallocated (cash)"] == "500,000"
    assert len(at.get("plotly_chart")) == 2
    at.radio[0].set_value(30).run()
    assert not at.exception


@pytest.mark.usefixtures("env")
def test_health_history_covers_the_chosen_days(seeded: tuple[Path, Store, list[Any]]) -> None:
    _, store, days = seeded
    with store.read() as conn:
        hd = dd.load_health(conn, 30)
    last = days[-1]
    inside = [d for d in days if d >= last - dt.timedelta(days=30)]
    assert len(hd.history) == 3 * len(inside)
    one = hd.history[hd.history["strategy_id"] == "strat_000"]
    assert list(one["verdict"]) == ["watch"] * (len(inside) - 1) + ["investigate"]
    assert one["health"].iloc[-1] == 38.0


@pytest.mark.usefixtures("env")
def test_strategy_page_shows_the_assessment_and_its_history(
    seeded: tuple[Path, Store, list[Any]],
) -> None:
    days = seeded[2]
    at = run_page("strategy")
    assert at.selectbox(key="strategy").value == "strat_000"
    assert at.subheader[0].value == "Verdict: investigate"
    text = texts(at)
    for expected in (
        REASON_0,
        CHANGE_0,
        "Recommendation:** maintain 1,000,000 -> 1,000,000 (0)",
        "Firing alerts** (current severity): underperformance/warning",
        "Health 38 ↓",
        "Recent health (30 sessions) 31",
        "Status (live to date)  \n**underperforming**",
        "Status (30 sessions)  \n**on track**",
        "PSR vs backtest 0.4 %",
    ):
        assert expected in text, expected
    comps = frame(at, "components")
    assert list(comps["value"]) == ["22", "71", "no data", "55"]
    assert list(comps["p_value"]) == ["0.110", "0.355", "–", "0.275"]  # seeded value / 200
    # verdict over time: watch from the first assessed day, investigate on the last
    changes = frame(at, "verdict_changes")
    first = days[-90:][0]  # every seeded session is assessed (61 < 90)
    assert list(changes["as_of"]) == [first, days[-1]]
    assert list(changes["verdict"]) == ["watch", "investigate"]
    cmp = frame(at, "comparison")
    assert list(cmp["metric"]) == ["sharpe_ratio", "max_drawdown"]
    trades = frame(at, "trades")
    assert len(trades) == 3 and list(trades["pnl"]) == [100.0, 0.0, -100.0]
    pos = frame(at, "positions")
    assert pos.iloc[0]["market_value"] == 1_234_567.0
    hist = frame(at, "strategy_alerts")
    assert sorted(hist["rule"]) == ["drawdown", "underperformance", "win_rate"]
    assert len(at.get("plotly_chart")) == 5
    assert "z -1.00, p 0.317" in text
    at.selectbox(key="strategy").set_value("strat_001").run()
    assert not at.exception
    assert at.subheader[0].value == "Verdict: act: reduce"
    at.selectbox(key="strategy").set_value("strat_002").run()
    assert not at.exception
    assert "No alert has ever been raised" in texts(at)


@pytest.mark.usefixtures("env")
def test_strategy_series_come_from_the_metrics(seeded: tuple[Path, Store, list[Any]]) -> None:
    """Growth, underwater curve and monthly table of the drill-down agree with empyrical and
    with compounding by hand (cash flows removed)."""
    _, store, _ = seeded
    with store.read() as conn:
        detail = dd.load_strategy(conn, "strat_000")
        ds = q.daily_series(conn, ["strat_000"])["strat_000"]
    assert detail is not None
    r = (ds.nav[1:] - ds.nav[:-1] - ds.cash_flow[1:]) / ds.nav[:-1]
    assert detail.growth[0] == 1.0
    assert detail.growth[-1] == pytest.approx(np.prod(1 + r), rel=1e-12)
    assert detail.drawdown.min() == pytest.approx(empyrical.max_drawdown(r), abs=1e-12)
    march = [i for i, d in enumerate(ds.dates[1:]) if dt.date(2024, 3, 1) <= d]
    assert detail.monthly.loc[2024, 3] == pytest.approx(np.prod(1 + r[march]) - 1, rel=1e-12)
    assert detail.monthly.loc[2024, 1] == pytest.approx(
        np.prod(1 + r[[i for i, d in enumerate(ds.dates[1:]) if d.month == 1]]) - 1, rel=1e-12
    )
    assert np.isnan(detail.monthly.to_numpy()[0, 3])  # no return in April 2024: not 0


@pytest.mark.usefixtures("env")
def test_data_quality_page() -> None:
    at = run_page("data_quality")
    per = frame(at, "per_strategy")
    assert list(per["n_records"]) == [61, 61, 61]
    assert list(per["last_data_date"]) == [dt.date(2024, 3, 28)] * 3 or str(
        per["last_data_date"].iloc[0]
    ).startswith("2024-03-28")
    rejected = frame(at, "rejected")
    assert "NAV must be > 0" in rejected.iloc[0]["error"]
    findings = frame(at, "findings")
    assert list(findings["kind"]) == ["missing_data"]


@pytest.mark.usefixtures("env")
def test_alerts_page_lists_and_filters() -> None:
    at = run_page("alerts")
    table = frame(at, "alerts_table")
    assert sorted(table["state"]) == ["firing", "firing", "pending"]  # default: open ones
    at.multiselect(key="f_state").set_value(["resolved"]).run()
    assert list(frame(at, "alerts_table")["rule"]) == ["drawdown"]
    at.multiselect(key="f_state").set_value([]).run()
    at.multiselect(key="f_sid").set_value(["strat_001"]).run()
    assert list(frame(at, "alerts_table")["rule"]) == ["decay"]


def test_alert_acknowledge_and_resolve_change_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if ctx.alert_actions() is None:
        pytest.skip("stratmon.alerts.actions (issue #5) is not in this tree yet")
    from stratmon.store import alerts_queries as aq  # type: ignore[import-not-found,unused-ignore]

    ws, store, _ = seed(tmp_path / "ws")
    monkeypatch.setenv(ENV_VAR, str(ws.root))
    monkeypatch.setenv(REFRESH_ENV, "0")
    with store.read() as conn:
        target = next(a for a in q.alerts(conn) if a["rule"] == "underperformance")["id"]
    at = run_page("alerts")
    at.selectbox(key="a_id").set_value(target)
    at.text_input(key="a_by").input("pm")
    at.text_input(key="a_note").input("looking into it")
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    with store.read() as conn:
        row = aq.alert(conn, target)
    assert row is not None
    assert row["acknowledged_by"] == "pm"
    assert row["ack_note"] == "looking into it"
    table = frame(at, "alerts_table")
    assert table.loc[table["id"] == target, "state"].item() == "acknowledged"
    assert f"Alert #{target} acknowledged by pm." in [s.value for s in at.success]
    at.selectbox(key="a_id").set_value(target)
    at.text_input(key="a_by").input("pm")
    at.text_input(key="a_note").input("fixed")
    at.button[1].click().run()
    assert not at.exception, [e.value for e in at.exception]
    with store.read() as conn:
        row = aq.alert(conn, target)
    assert row is not None
    assert row["state"] == "resolved"
    assert row["resolved_by"] == "pm"
    store.dispose()


def test_empty_workspace_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = create_workspace(tmp_path / "empty")
    monkeypatch.setenv(ENV_VAR, str(ws.root))
    monkeypatch.setenv(REFRESH_ENV, "0")
    at = run_page()
    assert "stratmon strategies add" in texts(at)
    for page in ("health", "alerts", "data_quality"):
        at = run_page(page)
        assert "stratmon" in texts(at), page


def test_no_workspace_shows_the_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "nowhere"))
    at = AppTest.from_file(str(APP_PATH), default_timeout=TIMEOUT).run()
    assert "stratmon init" in at.error[0].value


def test_refresh_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REFRESH_ENV, "15")
    assert ctx.refresh_seconds() == 15
    monkeypatch.setenv(REFRESH_ENV, "0")
    assert ctx.refresh_seconds() == 0
    monkeypatch.delenv(REFRESH_ENV)
    assert ctx.refresh_seconds() == ctx.DEFAULT_REFRESH_SECONDS


@pytest.mark.usefixtures("env")
def test_alert_buttons_call_the_actions_module(
    seeded: tuple[Path, Store, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The form passes the store, the chosen alert id, who and the note to
    ``stratmon.alerts.actions`` (a recording stand-in here, so this runs in every tree)."""
    import types

    calls: list[tuple[str, Any, int, str, str]] = []
    fake = types.ModuleType("stratmon.alerts.actions")
    fake.acknowledge = lambda store, i, by, note: calls.append(("ack", store, i, by, note))  # type: ignore[attr-defined]
    fake.resolve = lambda store, i, by, note: calls.append(("resolve", store, i, by, note))  # type: ignore[attr-defined]
    monkeypatch.setattr(ctx, "alert_actions", lambda: fake)
    at = run_page("alerts")
    at.selectbox(key="a_id").set_value(4)
    at.text_input(key="a_by").input("pm")
    at.text_input(key="a_note").input("checked")
    at.button[1].click().run()
    assert not at.exception
    assert [(c[0], c[2], c[3], c[4]) for c in calls] == [("resolve", 4, "pm", "checked")]
    assert str(calls[0][1].engine.url).endswith("stratmon.db")
    assert "Alert #4 resolved by pm." in [s.value for s in at.success]
    # no name: refused, nothing called
    at.text_input(key="a_by").input("")
    at.button[0].click().run()
    assert len(calls) == 1
    assert "Say who you are" in at.error[0].value
