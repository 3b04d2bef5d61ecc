"""Every dashboard page through Streamlit's AppTest against a small seeded workspace."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from dashboard_seed import seed
from streamlit.testing.v1 import AppTest

from stratmon.config import ENV_VAR, create_workspace
from stratmon.dashboard import APP_PATH, REFRESH_ENV
from stratmon.dashboard import context as ctx
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
    "recommendations": ("recommendation",),
    "health_table": ("performance",),
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
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [i.value for i in at.info] + [w.value for w in at.warning]
    parts += [str(m.label) + " " + str(m.value) for m in at.metric]
    return "\n".join(parts)


@pytest.mark.usefixtures("env")
def test_portfolio_page_rows_values_and_filters(seeded: tuple[Path, Store, list[Any]]) -> None:
    _, store, days = seeded
    at = run_page()
    assert at.title[0].value == "Portfolio"
    df = frame(at, "portfolio_table")
    assert list(df["strategy_id"]) == ["strat_000", "strat_001", "strat_002"]
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
    assert row["health_score"] == pytest.approx(40 + 0.1 * (len(days) - 1))
    assert row["firing_alerts"] == "underperformance/warning"
    assert df.iloc[1]["firing_alerts"] == "decay/critical"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Strategies"] == "3"
    assert metrics["Firing alerts"] == "2"
    at.multiselect(key="filter_pool").select("satellite").run()
    df = frame(at, "portfolio_table")
    assert list(df["strategy_id"]) == ["strat_001"]
    assert {m.label: m.value for m in at.metric}["Strategies"] == "1"
    assert len(at.get("plotly_chart")) == 1


@pytest.mark.usefixtures("env")
def test_health_page_scores_and_recommendations() -> None:
    at = run_page("health")
    recs = frame(at, "recommendations")
    assert list(recs["strategy_id"]) == ["strat_001", "strat_000", "strat_002"]
    assert list(recs["recommendation"]) == ["retire review", "reduce", "maintain"]
    assert "decay alarm raised" in recs.iloc[0]["why"]
    assert "score below 50" in recs.iloc[1]["why"]
    assert "PSR vs 0" in recs.iloc[2]["facts"]
    table = frame(at, "health_table")
    assert set(table.columns) >= {"performance", "drawdown", "win_rate", "trade_frequency"}
    assert len(at.get("plotly_chart")) == 2
    at.radio[0].set_value(30).run()
    assert not at.exception


@pytest.mark.usefixtures("env")
def test_strategy_page_tables_and_charts() -> None:
    at = run_page("strategy")
    assert at.selectbox(key="strategy").value == "strat_000"
    cmp = frame(at, "comparison")
    assert list(cmp["metric"]) == ["sharpe_ratio", "max_drawdown"]
    assert cmp.iloc[0]["status"] == "underperforming"
    trades = frame(at, "trades")
    assert len(trades) == 3 and list(trades["pnl"]) == [100.0, 0.0, -100.0]
    pos = frame(at, "positions")
    assert pos.iloc[0]["market_value"] == 1_234_567.0
    hist = frame(at, "strategy_alerts")
    assert sorted(hist["rule"]) == ["drawdown", "underperformance", "win_rate"]
    assert len(at.get("plotly_chart")) == 4
    assert "z -1.00, p 0.317" in texts(at)
    at.selectbox(key="strategy").set_value("strat_002").run()
    assert not at.exception
    assert "No alert has ever been raised" in texts(at)


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
