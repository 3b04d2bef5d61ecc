"""API-key authentication and role checks.

Keys come in the ``X-API-Key`` header or as ``Authorization: Bearer <key>`` (what Prometheus
sends). Never in a query string, so they cannot land in access logs. Roles are ordered:
viewer (read) < operator (read, ack/resolve, ingest, runs) < admin (everything, keys too).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from stratmon.api.key_cache import KeyCache, digest
from stratmon.api.problems import ApiProblemError
from stratmon.store import Store
from stratmon.store.keys_repo import ApiKey, verify_key

RANK = {"viewer": 0, "operator": 1, "admin": 2}

api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="An API key (`stratmon keys create`)."
)
bearer = HTTPBearer(auto_error=False, description="The same API key as a bearer token.")

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="stratmon"'}


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _check(request: Request, presented: str | None) -> ApiKey:
    """The caller's key; 401 when missing or not valid (the key is never echoed).

    Runs on the event loop: a key verified in the last ``key_cache_seconds`` comes from the
    in-process cache, otherwise the look-up is one indexed read (well under a millisecond),
    cheaper than a hop to the thread pool."""
    if not presented:
        raise ApiProblemError(401, "An API key is required (header X-API-Key).", headers=_CHALLENGE)
    presented = presented.strip()
    cache: KeyCache | None = getattr(request.app.state, "key_cache", None)
    index = digest(presented)
    found = None if cache is None else cache.get(index)
    if found is None:
        generation = 0 if cache is None else cache.generation
        with _store(request).read() as conn:
            found = verify_key(conn, presented)
        if found is None:
            raise ApiProblemError(
                401, "The API key is not valid or was revoked.", headers=_CHALLENGE
            )
        if cache is not None:
            cache.put(index, found, generation)
    request.state.api_key_name = found.name
    return found


def require(role: str) -> Callable[..., Any]:
    """A dependency that admits keys of ``role`` or a higher one (else 403); one level deep,
    so FastAPI resolves it cheaply on every request."""
    need = RANK[role]

    async def dependency(
        request: Request,
        key: Annotated[str | None, Security(api_key_header)],
        token: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    ) -> ApiKey:
        found = _check(request, key or (token.credentials if token is not None else None))
        if RANK.get(found.role, -1) < need:
            raise ApiProblemError(
                403, f"This needs the {role} role; the key {found.key_id} is {found.role}."
            )
        return found

    return dependency


viewer = require("viewer")
operator = require("operator")
admin = require("admin")
