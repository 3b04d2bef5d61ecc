"""The hot read's short cuts: the verified-key cache and the pre-routing answer of
``GET /strategies/{id}/metrics`` give the same bytes as the route, and revocation still bites."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import empyrical
import pytest
from prometheus_client.parser import text_string_to_metric_families
from svc_workspace import Env

from stratmon.api.key_cache import KeyCache, digest
from stratmon.service.runner import utcnow
from stratmon.store import keys_repo
from stratmon.store import service_queries as sq
from stratmon.store.keys_repo import ApiKey

ROUTE = "/api/v1/strategies/{strategy_id}/metrics"


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often the fast path's read and the route's read run."""
    seen: Counter[str] = Counter()
    for name in ("newest_metric_snapshots_raw", "latest_metric_snapshots_raw"):
        real = getattr(sq, name)

        def spy(*args: Any, _real: Any = real, _name: str = name, **kw: Any) -> Any:
            seen[_name] += 1
            return _real(*args, **kw)

        monkeypatch.setattr(sq, name, spy)
    return seen


def _request_count(env: Env) -> float:
    text = env.client.get("/metrics", headers=env.h("admin")).text
    return sum(
        s.value
        for fam in text_string_to_metric_families(text)
        for s in fam.samples
        if s.name == "stratmon_http_request_duration_seconds_count"
        and s.labels["route"] == ROUTE
        and s.labels["status"] == "200"
    )


@pytest.mark.parametrize("sid", ["good", "bad"])
def test_fast_answer_is_the_routes_answer(env: Env, calls: Counter[str], sid: str) -> None:
    url = f"/api/v1/strategies/{sid}/metrics"
    routed = env.client.get(url, headers=env.h("viewer"))  # key not cached yet: the route
    assert calls == Counter(latest_metric_snapshots_raw=1)
    fast = env.client.get(url, headers=env.h("viewer"))
    assert calls == Counter(latest_metric_snapshots_raw=1, newest_metric_snapshots_raw=1)
    assert (
        (fast.status_code, fast.content)
        == (routed.status_code, routed.content)
        == (
            200,
            routed.content,
        )
    )
    assert list(fast.headers.items()) == list(routed.headers.items())
    assert fast.headers["content-type"] == "application/json"
    nav = env.built.navs[sid]
    rets = nav[1:] / nav[:-1] - 1.0
    table = fast.json()
    assert table["as_of"] == env.built.days[-1].isoformat()
    assert table["windows"]["all"]["n_obs"] == len(rets)
    assert math.isclose(
        table["windows"]["all"]["metrics"]["sharpe_ratio"],
        empyrical.sharpe_ratio(rets),
        rel_tol=1e-9,
    )
    assert _request_count(env) == 2  # both counted under the route template


def test_anything_unusual_goes_to_the_route(env: Env, calls: Counter[str]) -> None:
    h = env.h("viewer")
    env.client.get("/api/v1/strategies/good", headers=h)  # caches the key
    calls.clear()
    one = env.client.get("/api/v1/strategies/good/metrics?window=30", headers=h)
    assert list(one.json()["windows"]) == ["30"]
    bearer = {"Authorization": f"Bearer {env.keys['viewer']}"}
    assert env.client.get("/api/v1/strategies/good/metrics", headers=bearer).status_code == 200
    missing = env.client.get("/api/v1/strategies/nope/metrics", headers=h)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["detail"].startswith("No strategy 'nope'")
    too_long = env.client.get(f"/api/v1/strategies/{'x' * 65}/metrics", headers=h)
    assert too_long.status_code == 422
    assert env.client.get("/api/v1/strategies/good/metrics").status_code == 401
    bad = {"X-API-Key": env.keys["viewer"] + "x"}
    assert env.client.get("/api/v1/strategies/good/metrics", headers=bad).status_code == 401
    assert env.client.post("/api/v1/strategies/good/metrics", headers=h).status_code == 405
    # the route ran for the window, bearer, 404 (twice: the fast path found nothing first)
    assert calls["latest_metric_snapshots_raw"] == 3
    assert calls["newest_metric_snapshots_raw"] == 1


def test_revoking_over_the_api_bites_at_once(env: Env) -> None:
    r = env.client.post(
        "/api/v1/keys", json={"name": "dash", "role": "viewer"}, headers=env.h("admin")
    )
    dash = {"X-API-Key": r.json()["key"]}
    for _ in range(2):  # verify, then from the cache
        assert env.client.get("/api/v1/strategies/good/metrics", headers=dash).status_code == 200
    assert env.client.delete("/api/v1/keys/dash", headers=env.h("admin")).status_code == 204
    again = env.client.get("/api/v1/strategies/good/metrics", headers=dash)
    assert again.status_code == 401
    assert again.headers["content-type"] == "application/problem+json"


def test_revoking_elsewhere_bites_after_the_ttl(env: Env) -> None:
    now = [100.0]
    cache = env.client.app.state.key_cache  # type: ignore[attr-defined]
    assert cache.ttl == 1.0
    cache.clock = lambda: now[0]
    h = env.h("viewer")
    assert env.client.get("/api/v1/strategies/good/metrics", headers=h).status_code == 200
    with env.store.transaction() as conn:  # as `stratmon keys revoke` does, in another process
        assert keys_repo.revoke_key(conn, "test-viewer", utcnow()) == 1
    now[0] += 0.999
    assert env.client.get("/api/v1/strategies/good/metrics", headers=h).status_code == 200
    assert env.client.get("/api/v1/strategies", headers=h).status_code == 200
    now[0] += 0.001
    assert env.client.get("/api/v1/strategies/good/metrics", headers=h).status_code == 401
    assert env.client.get("/api/v1/strategies", headers=h).status_code == 401


def test_cached_key_keeps_its_role(env: Env) -> None:
    h = env.h("viewer")
    assert env.client.get("/api/v1/strategies/good/metrics", headers=h).status_code == 200
    r = env.client.get("/api/v1/keys", headers=h)
    assert r.status_code == 403 and "needs the admin role" in r.json()["detail"]


CREATED = utcnow()


def _key(name: str) -> ApiKey:
    return ApiKey(1, "abc", name, "viewer", CREATED, None)


def test_key_cache_expiry_generation_and_size() -> None:
    now = [0.0]
    cache = KeyCache(ttl=2.0, max_size=2, clock=lambda: now[0])
    a, b, c = digest("smk_a_1"), digest("smk_b_2"), digest("smk_c_3")
    assert len(a) == 64 and a != b
    cache.put(a, _key("a"), cache.generation)
    now[0] = 1.999
    assert cache.get(a) == _key("a")
    now[0] = 2.0
    assert cache.get(a) is None  # expired
    stale = cache.generation
    cache.clear()
    cache.put(a, _key("a"), stale)  # verified before a revocation: not kept
    assert cache.get(a) is None
    cache.put(a, _key("a"), cache.generation)
    cache.put(b, _key("b"), cache.generation)
    cache.put(c, _key("c"), cache.generation)  # full: emptied, then c
    assert (cache.get(a), cache.get(b), cache.get(c)) == (None, None, _key("c"))
    off = KeyCache(ttl=0.0)
    off.put(a, _key("a"), off.generation)
    assert off.get(a) is None
