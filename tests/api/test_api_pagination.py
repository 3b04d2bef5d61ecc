"""Pagination of list endpoints: health history (read from the stored assessments) paged
like /strategies and /alerts (limit, offset, the items/total/limit/offset envelope), with
``from``/``to`` applied before paging, and the OpenAPI schema says so for every list."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from assessment_fixtures import make_assessment, save
from svc_workspace import Env

from stratmon.domain import Strategy
from stratmon.ingest.calendar import sessions_between
from stratmon.store import repositories as repo

N_ROWS = 25
DAYS = sessions_between("XNYS", dt.date(2023, 3, 1), dt.date(2023, 6, 30))[:N_ROWS]


def _score(i: int) -> float:
    return round(40.0 + 1.5 * i, 2)


@pytest.fixture
def paged(env: Env) -> Env:
    """A third strategy with 25 stored assessments on 25 NYSE sessions, health 40, 41.5,
    43... and a performance component 10 points above it."""
    with env.store.transaction() as conn:
        repo.upsert_strategies(conn, [Strategy("paged", "Paged", allocation_date=DAYS[0])])
    save(
        env.store,
        [
            make_assessment(
                "paged",
                day,
                health=_score(i),
                components={"performance": _score(i) + 10, "win_rate": None},
            )
            for i, day in enumerate(DAYS)
        ],
    )
    return env


def _get(env: Env, query: str) -> Any:
    r = env.client.get(f"/api/v1/strategies/paged/health?{query}", headers=env.h("viewer"))
    assert r.status_code == 200, r.text
    return r.json()


def test_health_pages_of_ten(paged: Env) -> None:
    pages = [_get(paged, f"limit=10&offset={off}") for off in (0, 10, 20)]
    assert [len(p["items"]) for p in pages] == [10, 10, 5]
    for off, p in zip((0, 10, 20), pages, strict=True):
        assert (p["total"], p["limit"], p["offset"], p["strategy_id"]) == (25, 10, off, "paged")
        want = DAYS[off : off + 10]
        assert [x["as_of"] for x in p["items"]] == [d.isoformat() for d in want]
        assert [x["score"] for x in p["items"]] == [_score(i) for i in range(off, off + len(want))]
        assert p["items"][0]["components"] == {"performance": _score(off) + 10, "win_rate": None}
        assert p["items"][0]["reasons"]["performance"] == "performance reason"
    assert DAYS[9] < DAYS[10] and pages[0]["items"][-1]["as_of"] == "2023-03-14"


def test_following_offsets_visits_every_row_once(paged: Env) -> None:
    seen: list[str] = []
    offset = 0
    while True:
        p = _get(paged, f"limit=7&offset={offset}")
        seen += [x["as_of"] for x in p["items"]]
        offset = p["offset"] + p["limit"]
        if offset >= p["total"]:
            break
    assert seen == [d.isoformat() for d in DAYS]
    assert _get(paged, "limit=7&offset=25")["items"] == []
    past = _get(paged, "offset=1000000")
    assert past["items"] == [] and past["total"] == 25


def test_default_page_is_the_common_limit(paged: Env) -> None:
    p = _get(paged, "")
    assert (p["limit"], p["offset"], p["total"], len(p["items"])) == (100, 0, 25, 25)


def test_from_to_filter_before_paging(paged: Env) -> None:
    window = f"from={DAYS[5].isoformat()}&to={DAYS[19].isoformat()}"
    first = _get(paged, f"{window}&limit=10")
    second = _get(paged, f"{window}&limit=10&offset=10")
    assert first["total"] == second["total"] == 15
    assert [x["as_of"] for x in first["items"]] == [d.isoformat() for d in DAYS[5:15]]
    assert [x["as_of"] for x in second["items"]] == [d.isoformat() for d in DAYS[15:20]]
    # bounds that are not sessions: from a weekend day, to the day before a session
    sat = DAYS[3] + dt.timedelta(days=(5 - DAYS[3].weekday()) % 7)
    assert sat.weekday() == 5
    p = _get(paged, f"from={sat.isoformat()}&to={(DAYS[12] - dt.timedelta(days=1)).isoformat()}")
    assert [x["as_of"] for x in p["items"]] == [d.isoformat() for d in DAYS if sat < d < DAYS[12]]
    assert p["total"] == len(p["items"])
    assert _get(paged, f"from={DAYS[10].isoformat()}&to={DAYS[9].isoformat()}")["total"] == 0


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=1001", "limit=-3", "limit=ten", "offset=-1", "from=2023-02-30"],
)
def test_bad_paging_is_a_422_problem(paged: Env, query: str) -> None:
    r = paged.client.get(f"/api/v1/strategies/paged/health?{query}", headers=paged.h("viewer"))
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == 422 and body["title"] == "Unprocessable content"
    param = query.split("=")[0]
    assert [e["column"] for e in body["errors"]] == [f"query.{param}"]


def test_limit_1000_is_accepted_and_unknown_strategy_404(paged: Env) -> None:
    assert len(_get(paged, "limit=1000")["items"]) == 25
    r = paged.client.get("/api/v1/strategies/nope/health?limit=5", headers=paged.h("viewer"))
    assert r.status_code == 404


def test_every_list_in_the_schema_is_paged(env: Env) -> None:
    spec = env.client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]

    def resolve(s: dict[str, Any]) -> dict[str, Any]:
        ref = s.get("$ref")
        return schemas[ref.rsplit("/", 1)[1]] if ref else s

    paged_ops = []
    for path, ops in spec["paths"].items():
        get = ops.get("get")
        if get is None:
            continue
        ok = get["responses"]["200"]["content"]
        body = resolve(next(iter(ok.values())).get("schema", {}))
        assert body.get("type") != "array", f"{path} returns a bare list"
        if "items" not in body.get("properties", {}):
            continue
        paged_ops.append(path)
        assert {"items", "total", "limit", "offset"} <= set(body["required"]), path
        params = {p["name"]: p["schema"] for p in get["parameters"] if p["in"] == "query"}
        assert params["limit"] == {
            "type": "integer",
            "maximum": 1000,
            "minimum": 1,
            "description": "Page size.",
            "default": 100,
            "title": "Limit",
        }, path
        assert params["offset"]["minimum"] == 0 and params["offset"]["default"] == 0, path
    assert set(paged_ops) == {
        "/api/v1/strategies",
        "/api/v1/strategies/{strategy_id}/health",
        "/api/v1/assessments",
        "/api/v1/strategies/{strategy_id}/assessments",
        "/api/v1/alerts",
        "/api/v1/alerts/concerns",
        "/api/v1/alerts/history",
        "/api/v1/keys",
    }
