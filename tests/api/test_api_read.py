"""Read endpoints against values computed independently from the NAV series."""

from __future__ import annotations

import math

import empyrical
import numpy as np
import pytest
from svc_workspace import Env

from stratmon.reports.assessment_view import ranked
from stratmon.store import alerts_queries as aq
from stratmon.store import assessments as sa

N_EVAL = 6


def _returns(env: Env, sid: str) -> np.ndarray:
    nav = env.built.navs[sid]
    return nav[1:] / nav[:-1] - 1.0


def test_strategies_paginated_with_health(env: Env) -> None:
    r = env.client.get("/api/v1/strategies?limit=1&offset=1", headers=env.h("viewer"))
    assert r.status_code == 200
    page = r.json()
    assert page["total"] == 2 and page["limit"] == 1 and page["offset"] == 1
    (item,) = page["items"]
    assert item["strategy_id"] == "good"  # ordered by id: bad, good
    assert item["sector"] == "Tech" and item["pool"] == "core"
    assert item["health"]["as_of"] == env.built.days[-1].isoformat()
    assert 0.0 <= item["health"]["score"] <= 100.0
    r = env.client.get("/api/v1/strategies?limit=0", headers=env.h("viewer"))
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"


def test_strategy_detail_lists_firing_alerts(env: Env) -> None:
    r = env.client.get("/api/v1/strategies/bad", headers=env.h("viewer"))
    assert r.status_code == 200
    d = r.json()
    with env.store.read() as conn:
        firing = [a for a in aq.list_alerts(conn, strategy_id="bad") if a["state"] == "firing"]
    assert d["firing_alerts"] == len(firing) > 0
    assert {a["rule"] for a in d["alerts"]} >= {a["rule"] for a in firing}
    missing = env.client.get("/api/v1/strategies/nope", headers=env.h("viewer"))
    assert missing.status_code == 404
    assert missing.json()["detail"].startswith("No strategy 'nope'")


@pytest.mark.parametrize("sid", ["good", "bad"])
def test_metric_table_agrees_with_empyrical(env: Env, sid: str) -> None:
    r = env.client.get(f"/api/v1/strategies/{sid}/metrics", headers=env.h("viewer"))
    assert r.status_code == 200
    table = r.json()
    assert table["as_of"] == env.built.days[-1].isoformat()
    rets = _returns(env, sid)
    whole = table["windows"]["all"]
    assert whole["n_obs"] == len(rets)
    assert math.isclose(
        whole["metrics"]["sharpe_ratio"], empyrical.sharpe_ratio(rets), rel_tol=1e-9
    )
    assert math.isclose(
        whole["metrics"]["max_drawdown"], empyrical.max_drawdown(rets), rel_tol=1e-9
    )
    nav = env.built.navs[sid]
    assert math.isclose(
        whole["metrics"]["current_drawdown"], nav[-1] / nav.max() - 1.0, rel_tol=1e-9, abs_tol=1e-12
    )
    last30 = table["windows"]["30"]
    assert last30["n_obs"] == 30
    assert math.isclose(
        last30["metrics"]["sharpe_ratio"], empyrical.sharpe_ratio(rets[-30:]), rel_tol=1e-9
    )
    one = env.client.get(
        f"/api/v1/strategies/{sid}/metrics?window=30", headers=env.h("viewer")
    ).json()
    assert list(one["windows"]) == ["30"]


def test_metrics_as_of_an_earlier_evaluation(env: Env) -> None:
    day = env.built.days[-3]
    table = env.client.get(
        f"/api/v1/strategies/good/metrics?as_of={day.isoformat()}", headers=env.h("viewer")
    ).json()
    assert table["as_of"] == day.isoformat()
    rets = _returns(env, "good")[: len(env.built.days) - 3]
    assert math.isclose(
        table["windows"]["all"]["metrics"]["sharpe_ratio"],
        empyrical.sharpe_ratio(rets),
        rel_tol=1e-9,
    )
    before_any = env.client.get(
        "/api/v1/strategies/good/metrics?as_of=2000-01-03", headers=env.h("viewer")
    )
    assert before_any.status_code == 404


def test_comparison_has_statuses_and_statistics(env: Env) -> None:
    c = env.client.get("/api/v1/strategies/bad/comparison", headers=env.h("viewer")).json()
    sharpe = next(m for m in c["metrics"] if m["metric"] == "sharpe_ratio")
    assert math.isclose(sharpe["live"], empyrical.sharpe_ratio(_returns(env, "bad")), rel_tol=1e-9)
    assert sharpe["backtest"] > 0 > sharpe["live"]
    assert sharpe["status"] in ("underperforming", "alert")
    assert 0.0 <= c["statistics"]["psr_vs_zero"] < 0.05  # a steady loser


def test_assessments_of_the_daily_job(env: Env) -> None:
    """The objects the daily job stored, served as they are (the ones status --json prints)."""
    with env.store.read() as conn:
        stored = sa.latest_assessments(conn)
        history = sa.assessment_history(conn, "bad")
    assert {a.strategy_id for a in stored} == {"good", "bad"}
    page = env.client.get("/api/v1/assessments", headers=env.h("viewer")).json()
    assert page["items"] == [a.to_dict() for a in ranked(stored)]
    assert {a["as_of"] for a in page["items"]} == {env.built.days[-1].isoformat()}
    bad = env.client.get("/api/v1/strategies/bad/assessment", headers=env.h("viewer")).json()
    assert bad == next(a for a in stored if a.strategy_id == "bad").to_dict()
    assert bad["firing_alerts"]  # the steady loser has alerts firing: not on track
    assert bad["verdict"] != "on_track"
    hist = env.client.get("/api/v1/strategies/bad/assessments", headers=env.h("viewer")).json()
    assert hist["items"] == [a.to_dict() for a in history] and hist["total"] == N_EVAL
    health = env.client.get("/api/v1/strategies/bad/health", headers=env.h("viewer")).json()
    assert [p["score"] for p in health["items"]] == [a["health"] for a in hist["items"]]
    cmp = env.client.get("/api/v1/strategies/bad/comparison", headers=env.h("viewer")).json()
    assert (cmp["status"], cmp["status_window"]) == (bad["status"], bad["status_window"])


def test_health_history_window(env: Env) -> None:
    days = env.built.days
    full = env.client.get("/api/v1/strategies/good/health", headers=env.h("viewer")).json()
    assert [p["as_of"] for p in full["items"]] == [d.isoformat() for d in days[-N_EVAL:]]
    assert all(p["components"] for p in full["items"])
    part = env.client.get(
        f"/api/v1/strategies/good/health?from={days[-4].isoformat()}&to={days[-2].isoformat()}",
        headers=env.h("viewer"),
    ).json()
    assert [p["as_of"] for p in part["items"]] == [d.isoformat() for d in days[-4:-1]]


def test_equity_series_and_cone(env: Env) -> None:
    e = env.client.get("/api/v1/strategies/good/equity", headers=env.h("viewer")).json()
    nav = env.built.navs["good"]
    assert len(e["dates"]) == len(nav)
    np.testing.assert_allclose(e["nav"], nav, rtol=1e-12)
    assert e["returns"][0] is None
    np.testing.assert_allclose(e["returns"][1:], _returns(env, "good"), rtol=1e-9)
    np.testing.assert_allclose(e["cumulative_return"][1:], nav[1:] / nav[0] - 1.0, rtol=1e-9)
    assert len(e["cone"]) == N_EVAL
    last = e["cone"][-1]
    assert last["bands"]["p5"] < last["bands"]["p50"] < last["bands"]["p95"]


def test_alert_filters_ack_and_resolve(env: Env) -> None:
    h = env.h("operator")
    page = env.client.get("/api/v1/alerts?state=firing&strategy=bad", headers=h).json()
    assert page["total"] == len(page["items"]) > 0
    assert all(a["state"] == "firing" and a["strategy_id"] == "bad" for a in page["items"])
    alert_id = page["items"][0]["id"]
    acked = env.client.post(f"/api/v1/alerts/{alert_id}/ack", json={"note": "looking"}, headers=h)
    assert acked.status_code == 200
    assert acked.json()["acknowledged_by"] == "test-operator"
    resolved = env.client.post(f"/api/v1/alerts/{alert_id}/resolve", json={"note": "ok"}, headers=h)
    assert resolved.status_code == 200 and resolved.json()["state"] == "resolved"
    again = env.client.post(f"/api/v1/alerts/{alert_id}/resolve", headers=h)
    assert again.status_code == 409
    assert env.client.post("/api/v1/alerts/999999/ack", headers=h).status_code == 404
    after = env.client.get("/api/v1/alerts?state=firing&strategy=bad", headers=h).json()
    assert after["total"] == page["total"] - 1


def test_probes(env: Env) -> None:
    assert env.client.get("/healthz").json() == {"status": "ok"}
    ready = env.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["migrations"] == "current"


TIER_ORDER = ["info", "warning", "critical", "emergency"]


def test_concern_alerts_and_history_match_the_cli_json(env: Env) -> None:
    h = env.h("viewer")
    got = env.client.get("/api/v1/alerts/concerns?strategy=bad", headers=h)
    assert got.status_code == 200, got.text
    page = got.json()
    items = page["items"]
    assert page["total"] == len(items)
    with env.store.read() as conn:
        firing = [a for a in aq.list_alerts(conn, strategy_id="bad") if a["state"] == "firing"]
    # one alert per concern; every firing rule alert is inside exactly one of them
    concerns = [a["concern"] for a in items]
    assert len(concerns) == len(set(concerns)) > 0
    inside = [r for a in items for r in a["rules"]]
    assert {a["rule"] for a in firing} <= set(inside)
    for a in items:
        assert a["strategy_id"] == "bad" and a["recipients"]
        assert sorted({t["rule"] for t in a["triggered_by"]}) == a["rules"]
        if a["state"] == "firing":  # the worst severity of its firing parts
            sev = [
                TIER_ORDER.index(t["severity"]) for t in a["triggered_by"] if t["state"] == "firing"
            ]
            assert a["severity"] == TIER_ORDER[max(sev)]
    hist = env.client.get("/api/v1/alerts/history?strategy=bad&since=2000-01-01", headers=h)
    assert hist.status_code == 200 and hist.json()["total"] >= len(items)
    assert env.client.get("/api/v1/alerts/history?since=nope", headers=h).status_code == 422
