"""The API and ``/metrics`` render the stored assessments: hand-made records saved in a fresh
workspace (no daily job), served back exactly as ``Assessment.to_dict()``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from assessment_fixtures import make_assessment, save
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from svc_workspace import make_keys

from stratmon.api import create_app
from stratmon.config import create_workspace
from stratmon.domain import Strategy
from stratmon.domain.assessment import ACTIONS, VERDICTS, Assessment
from stratmon.service.settings import ServiceSettings
from stratmon.store import open_store
from stratmon.store import repositories as repo

D1 = dt.date(2024, 3, 1)
D2 = dt.date(2024, 3, 4)
STRATEGIES = [
    Strategy("alpha", "Alpha", sector="Tech", asset_class="equity", pool="core"),
    Strategy("beta", "Beta", sector="Rates", asset_class="fixed_income", pool="core"),
    Strategy("delta", "Delta", sector="Energy", asset_class="commodity", pool="satellite"),
    Strategy("gamma", "Gamma", sector="Tech", asset_class="equity", pool="satellite"),
    Strategy("fresh", "Fresh", sector="FX", asset_class="fx", pool="satellite"),  # never assessed
]
FIRST = {
    "alpha": make_assessment("alpha", D1, verdict="on_track", health=80.0),
    "beta": make_assessment("beta", D1, verdict="watch", health=60.0),
    "gamma": make_assessment(
        "gamma", D1, verdict="act", action="reduce", health=30.0, suggested_capital=5e5
    ),
}
SECOND = {
    "alpha": make_assessment(
        "alpha",
        D2,
        verdict="act",
        action="suspend",
        health=25.0,
        components={
            "performance": 10.0,
            "drawdown": 5.5,
            "win_rate": 40.0,
            "trade_frequency": None,
        },
        firing=[("drawdown_tiers", "emergency"), ("psr", "warning"), ("volatility", "warning")],
        decay_alarm=True,
        current_capital=2_000_000.0,
        suggested_capital=0.0,
        changes=["verdict on track -> act: suspend", "new drawdown low -18.0 %"],
    ),
    "beta": make_assessment(
        "beta",
        D2,
        verdict="investigate",
        health=None,
        components={"performance": None, "drawdown": None},
        changes=["verdict watch -> investigate"],
    ),
    "delta": make_assessment("delta", D2, verdict="investigate", health=45.0),
    "gamma": make_assessment(
        "gamma",
        D2,
        verdict="on_track",
        action="increase",
        health=85.0,
        current_capital=None,
        suggested_capital=None,
        evidence={"live_sharpe_ratio": 1.4, "psr_vs_backtest": 0.91, "decay_statistic": None},
    ),
}
# most urgent first, written out by hand: act, investigate (health 45, then none), on track
ORDER_D2 = ["alpha", "delta", "beta", "gamma"]
ORDER_D1 = ["gamma", "beta", "alpha"]  # act, watch, on track


@dataclass
class Bare:
    client: TestClient
    keys: dict[str, str]

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params=params, headers={"X-API-Key": self.keys["viewer"]})


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bare]:
    ws = create_workspace(tmp_path_factory.mktemp("assessed") / "ws")
    store = open_store(ws.database_url)
    with store.transaction() as conn:
        repo.upsert_strategies(conn, STRATEGIES)
    save(store, [*FIRST.values(), *SECOND.values()])
    keys = make_keys(store)
    app = create_app(ws, store, ServiceSettings.from_workspace(ws, write_report=False))
    with TestClient(app) as client:
        yield Bare(client, keys)
    store.dispose()


def _dicts(day: dict[str, Assessment], order: list[str]) -> list[dict[str, Any]]:
    return [day[sid].to_dict() for sid in order]


def test_list_serves_the_stored_objects_most_urgent_first(bare: Bare) -> None:
    r = bare.get("/api/v1/assessments")
    assert r.status_code == 200
    page = r.json()
    assert page["items"] == _dicts(SECOND, ORDER_D2)
    assert (page["total"], page["limit"], page["offset"]) == (4, 100, 0)
    alpha = page["items"][0]
    assert alpha["health_components"] == {
        "performance": 10.0,
        "drawdown": 5.5,
        "win_rate": 40.0,
        "trade_frequency": None,
    }
    assert alpha["recommendation"] == {
        "action": "suspend",
        "current_capital": 2_000_000.0,
        "suggested_capital": 0.0,
        "change": -2_000_000.0,
        "rule": "volatility target x P(intact)",
    }
    assert alpha["firing_alerts"][0] == {
        "rule": "drawdown_tiers",
        "severity": "emergency",
        "concern": "drawdown",
    }
    assert alpha["decay_alarm"] is True and alpha["decay_alarm_date"] == "2024-02-03"


def test_list_as_of_an_earlier_date(bare: Bare) -> None:
    assert bare.get("/api/v1/assessments", as_of="2024-03-01").json()["items"] == _dicts(
        FIRST, ORDER_D1
    )
    # a weekend between the two dates: the newest assessed date on or before it
    weekend = bare.get("/api/v1/assessments", as_of="2024-03-03").json()
    assert [a["strategy_id"] for a in weekend["items"]] == ORDER_D1
    assert {a["as_of"] for a in weekend["items"]} == {"2024-03-01"}
    before = bare.get("/api/v1/assessments", as_of="2024-02-29").json()
    assert before == {"items": [], "total": 0, "limit": 100, "offset": 0}
    bad = bare.get("/api/v1/assessments", as_of="2024-02-30")
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"


def test_list_pages(bare: Bare) -> None:
    page = bare.get("/api/v1/assessments", limit=2, offset=1).json()
    assert [a["strategy_id"] for a in page["items"]] == ORDER_D2[1:3]
    assert (page["total"], page["limit"], page["offset"]) == (4, 2, 1)
    seen = [
        a["strategy_id"]
        for off in (0, 3)
        for a in bare.get("/api/v1/assessments", limit=3, offset=off).json()["items"]
    ]
    assert seen == ORDER_D2
    assert bare.get("/api/v1/assessments", offset=4).json()["items"] == []


def test_one_strategy(bare: Bare) -> None:
    r = bare.get("/api/v1/strategies/alpha/assessment")
    assert r.status_code == 200 and r.json() == SECOND["alpha"].to_dict()
    assert bare.get("/api/v1/strategies/alpha/assessment", as_of="2024-03-02").json() == (
        FIRST["alpha"].to_dict()
    )
    # delta was first assessed on D2
    none = bare.get("/api/v1/strategies/delta/assessment", as_of="2024-03-01")
    assert none.status_code == 404
    assert none.headers["content-type"] == "application/problem+json"
    assert none.json()["detail"].startswith(
        "No assessment of 'delta' stored on or before 2024-03-01"
    )
    never = bare.get("/api/v1/strategies/fresh/assessment")
    assert never.status_code == 404 and never.json()["detail"].startswith(
        "No assessment of 'fresh' stored:"
    )
    unknown = bare.get("/api/v1/strategies/nope/assessment")
    assert unknown.status_code == 404 and unknown.json()["detail"].startswith("No strategy 'nope'")


def test_history(bare: Bare) -> None:
    full = bare.get("/api/v1/strategies/alpha/assessments").json()
    assert full["strategy_id"] == "alpha"
    assert full["items"] == [FIRST["alpha"].to_dict(), SECOND["alpha"].to_dict()]
    assert (full["total"], full["limit"], full["offset"]) == (2, 100, 0)
    second = bare.get("/api/v1/strategies/alpha/assessments", limit=1, offset=1).json()
    assert second["items"] == [SECOND["alpha"].to_dict()] and second["total"] == 2
    window = bare.get("/api/v1/strategies/alpha/assessments", **{"from": "2024-03-02"}).json()
    assert window["items"] == [SECOND["alpha"].to_dict()] and window["total"] == 1
    upto = bare.get("/api/v1/strategies/alpha/assessments", to="2024-03-01").json()
    assert upto["items"] == [FIRST["alpha"].to_dict()]
    assert bare.get("/api/v1/strategies/fresh/assessments").json()["total"] == 0
    assert bare.get("/api/v1/strategies/nope/assessments").status_code == 404


def test_health_endpoint_reads_the_assessments(bare: Bare) -> None:
    h = bare.get("/api/v1/strategies/alpha/health").json()
    assert [(p["as_of"], p["score"]) for p in h["items"]] == [
        ("2024-03-01", 80.0),
        ("2024-03-04", 25.0),
    ]
    assert h["items"][1]["components"] == SECOND["alpha"].to_dict()["health_components"]
    assert h["items"][1]["reasons"]["drawdown"] == "drawdown reason"
    beta = bare.get("/api/v1/strategies/beta/health").json()["items"][1]
    assert beta["score"] is None
    assert beta["components"] == {"performance": None, "drawdown": None}


def test_strategy_headline_is_the_newest_assessment(bare: Bare) -> None:
    items = {s["strategy_id"]: s for s in bare.get("/api/v1/strategies").json()["items"]}
    assert items["alpha"]["health"] == {
        "as_of": "2024-03-04",
        "score": 25.0,
        "trend": "stable",
        "status": "on_track",
        "verdict": "act",
        "action": "suspend",
    }
    assert items["beta"]["health"]["score"] is None
    assert items["beta"]["health"]["verdict"] == "investigate"
    assert items["fresh"]["health"] is None
    detail = bare.get("/api/v1/strategies/gamma").json()
    assert (detail["health"]["verdict"], detail["health"]["action"]) == ("on_track", "increase")


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def _labels(sid: str, **extra: str) -> tuple[tuple[str, str], ...]:
    s = next(x for x in STRATEGIES if x.strategy_id == sid)
    base = {"strategy_id": sid, "sector": s.sector, "asset_class": s.asset_class, "pool": s.pool}
    return tuple(sorted({**base, **extra}.items()))


def test_metrics_render_the_newest_assessments(bare: Bare) -> None:
    s = _samples(bare.get("/metrics").text)
    # verdict and action, one-hot
    for sid, verdict, action in (
        ("alpha", "act", "suspend"),
        ("beta", "investigate", "maintain"),
        ("delta", "investigate", "maintain"),
        ("gamma", "on_track", "increase"),
    ):
        for v in VERDICTS:
            assert s[("stratmon_verdict", _labels(sid, verdict=v))] == (v == verdict), (sid, v)
        for a in ACTIONS:
            got = s[("stratmon_recommended_action", _labels(sid, action=a))]
            assert got == (a == action), (sid, a)
    assert s[("stratmon_health_score", _labels("alpha"))] == 25.0
    assert s[("stratmon_strategy_health_score", _labels("alpha"))] == 25.0
    assert s[("stratmon_health_score", _labels("gamma"))] == 85.0
    assert ("stratmon_health_score", _labels("beta")) not in s  # no health: no sample
    assert ("stratmon_strategy_health_score", _labels("beta")) not in s
    comps = {
        k[1]: v
        for k, v in s.items()
        if k[0] == "stratmon_health_component" and ("strategy_id", "alpha") in k[1]
    }
    assert comps == {
        _labels("alpha", component="performance"): 10.0,
        _labels("alpha", component="drawdown"): 5.5,
        _labels("alpha", component="win_rate"): 40.0,
    }  # trade_frequency has no data: no sample
    assert not [
        k for k in s if k[0] == "stratmon_health_component" and ("strategy_id", "beta") in k[1]
    ]
    assert s[("stratmon_current_capital", _labels("alpha"))] == 2_000_000.0
    assert s[("stratmon_suggested_capital", _labels("alpha"))] == 0.0
    assert ("stratmon_suggested_capital", _labels("gamma")) not in s
    assert s[("stratmon_decay_alarm", _labels("alpha"))] == 1.0
    assert s[("stratmon_decay_alarm", _labels("gamma"))] == 0.0
    firing = {
        sev: s[("stratmon_strategy_firing_alerts", _labels("alpha", severity=sev))]
        for sev in ("info", "warning", "critical", "emergency")
    }
    assert firing == {"info": 0.0, "warning": 2.0, "critical": 0.0, "emergency": 1.0}
    assert s[("stratmon_strategy_firing_alerts", _labels("gamma", severity="warning"))] == 0.0
    # a strategy not assessed on the newest date has no judgement samples
    assert not [k for k in s if ("strategy_id", "fresh") in k[1] and k[0] == "stratmon_verdict"]
    assert s[("stratmon_outbox_backlog", ())] == 0.0


def test_openapi_documents_the_assessment(bare: Bare) -> None:
    spec = bare.client.get("/openapi.json").json()
    schema = spec["components"]["schemas"]["AssessmentOut"]
    props = schema["properties"]
    expected = set(SECOND["alpha"].to_dict())
    assert set(props) == expected and set(schema["required"]) == expected
    assert props["verdict"]["enum"] == list(VERDICTS)
    assert props["action"]["enum"] == list(ACTIONS)
    one = spec["paths"]["/api/v1/strategies/{strategy_id}/assessment"]["get"]
    assert "404" in one["responses"]
    params = {p["name"]: p["in"] for p in one["parameters"]}
    assert params["strategy_id"] == "path" and params["as_of"] == "query"
