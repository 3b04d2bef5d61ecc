"""API keys: 401 without a valid key, 403 for a role too low, keys hashed and never shown."""

from __future__ import annotations

import hashlib
import logging

import pytest
from sqlalchemy import text
from svc_workspace import Env

from stratmon.service.runner import utcnow
from stratmon.store import keys_repo


def test_missing_and_invalid_keys_are_401_problems(env: Env) -> None:
    r = env.client.get("/api/v1/strategies")
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == 401 and body["title"] == "Unauthorized"
    assert r.headers["www-authenticate"].startswith("Bearer")
    wrong = env.keys["viewer"][:-2] + ("aa" if not env.keys["viewer"].endswith("aa") else "bb")
    for bad in ("nonsense", "smk_deadbeef_xyz", wrong):
        r = env.client.get("/api/v1/strategies", headers={"X-API-Key": bad})
        assert r.status_code == 401, bad
        assert bad not in r.text


def test_bearer_token_is_accepted(env: Env) -> None:
    r = env.client.get(
        "/api/v1/strategies", headers={"Authorization": f"Bearer {env.keys['viewer']}"}
    )
    assert r.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "minimum"),
    [
        ("get", "/api/v1/strategies", "viewer"),
        ("get", "/api/v1/alerts", "viewer"),
        ("post", "/api/v1/runs", "operator"),
        ("post", "/api/v1/alerts/1/ack", "operator"),
        ("post", "/api/v1/ingest/daily", "operator"),
        ("get", "/api/v1/keys", "admin"),
    ],
)
def test_roles(env: Env, method: str, path: str, minimum: str) -> None:
    order = ["viewer", "operator", "admin"]
    for role in order:
        r = getattr(env.client, method)(path, headers=env.h(role))
        if order.index(role) < order.index(minimum):
            assert r.status_code == 403, (role, path)
            assert r.json()["detail"].startswith(f"This needs the {minimum} role")
        else:
            assert r.status_code not in (401, 403), (role, path, r.text)
    env.client.app.state.runner.wait(60)  # type: ignore[attr-defined]


def test_keys_are_stored_hashed_and_revocable(env: Env) -> None:
    with env.store.read() as conn:
        dump = " ".join(str(v) for row in conn.execute(text("SELECT * FROM api_keys")) for v in row)
    for key in env.keys.values():
        assert key not in dump
        assert hashlib.sha256(key.encode()).hexdigest() in dump
    with env.store.transaction() as conn:
        assert keys_repo.revoke_key(conn, "test-viewer", utcnow()) == 1
    r = env.client.get("/api/v1/strategies", headers=env.h("viewer"))
    assert r.status_code == 401


def test_admin_manages_keys_over_the_api(env: Env) -> None:
    r = env.client.post(
        "/api/v1/keys", json={"name": "ci-bot", "role": "viewer"}, headers=env.h("admin")
    )
    assert r.status_code == 201
    created = r.json()
    assert created["role"] == "viewer" and created["key"].startswith("smk_")
    assert (
        env.client.get("/api/v1/strategies", headers={"X-API-Key": created["key"]}).status_code
        == 200
    )
    listed = env.client.get("/api/v1/keys", headers=env.h("admin")).json()
    assert listed["total"] == 4 and listed["offset"] == 0 and listed["limit"] == 100
    assert [k["name"] for k in listed["items"]] == [
        "test-viewer",
        "test-operator",
        "test-admin",
        "ci-bot",
    ]
    assert all("key" not in k for k in listed["items"])
    second = env.client.get("/api/v1/keys?limit=3&offset=3", headers=env.h("admin")).json()
    assert [k["name"] for k in second["items"]] == ["ci-bot"] and second["total"] == 4
    assert (
        env.client.delete(f"/api/v1/keys/{created['key_id']}", headers=env.h("admin")).status_code
        == 204
    )
    assert (
        env.client.get("/api/v1/strategies", headers={"X-API-Key": created["key"]}).status_code
        == 401
    )
    assert env.client.delete("/api/v1/keys/nope", headers=env.h("admin")).status_code == 404


def test_keys_never_in_logs_errors_or_openapi(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for role, key in env.keys.items():
        env.client.get("/api/v1/strategies/nope", headers={"X-API-Key": key})
        env.client.post("/api/v1/ingest/daily", content=b"x", headers={"X-API-Key": key})
        env.client.get("/api/v1/strategies", headers={"X-API-Key": key + "x"})
        assert key not in caplog.text, role
    spec = env.client.get("/openapi.json").text
    for key in env.keys.values():
        assert key not in spec
        assert key.split("_", 2)[2] not in spec  # the secret (it may itself contain "_")
    assert "smk_" not in spec


def test_cors_is_off_by_default(env: Env) -> None:
    r = env.client.options(
        "/api/v1/strategies",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in r.headers
