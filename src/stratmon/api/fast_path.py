"""A pre-routing answer for the API's hottest read, ``GET /api/v1/strategies/{id}/metrics``.

FastAPI's per-request work (routing, the dependency tree of the key check, query parameter
validation) costs several times the indexed read behind the metric table. This ASGI
middleware answers the plain form of the request, with no query string and a key in the
:class:`~stratmon.api.key_cache.KeyCache` (any role may read), with the same bytes and
headers as the route (:func:`stratmon.api.metric_table.metric_table_body`). Everything else
(a query string, a key not verified in the last seconds, a bearer token, an unknown strategy
or one not yet evaluated, any other path) goes on to the route unchanged, so errors, problem
documents and OpenAPI stay the route's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from stratmon.api.auth import RANK
from stratmon.api.key_cache import KeyCache, digest
from stratmon.api.metric_table import metric_table_body
from stratmon.store import Store
from stratmon.store import service_queries as sq

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

METRIC_TABLE_PATH = "/api/v1/strategies/{strategy_id}/metrics"
PREFIX = "/api/v1/strategies/"
SUFFIX = "/metrics"
MAX_ID = 64
ROLES = frozenset(RANK)  # every ranked role passes the route's viewer check


def _api_key(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The first ``X-API-Key`` header (as Starlette reads it), None when absent or empty."""
    for name, value in headers:
        if name == b"x-api-key":
            return value.decode("latin-1").strip() or None
    return None


class MetricTableFastPath:
    """ASGI middleware in front of the router (see the module docstring).

    Parameters
    ----------
    app : ASGI application
        The rest of the stack (the FastAPI router).
    store : Store
    cache : KeyCache
        The keys the route's dependency verified recently.
    route : object
        The route answered here, set as ``scope["route"]`` (request metrics label it by its
        path template, as they do for routed requests).
    """

    def __init__(self, app: Any, store: Store, cache: KeyCache, route: Any) -> None:
        self.app = app
        self.store = store
        self.cache = cache
        self.route = route

    def _strategy_id(self, scope: Scope) -> str | None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope.get("query_string"):
            return None
        if scope.get("root_path"):
            return None
        path: str = scope["path"]
        if not (path.startswith(PREFIX) and path.endswith(SUFFIX)):
            return None
        sid = path[len(PREFIX) : -len(SUFFIX)]
        if not 1 <= len(sid) <= MAX_ID or "/" in sid:
            return None
        return sid

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        sid = self._strategy_id(scope)
        if sid is not None:
            presented = _api_key(scope["headers"])
            key = None if presented is None else self.cache.get(digest(presented))
            if key is not None and key.role in ROLES:
                with self.store.read() as conn:
                    day, snaps = sq.newest_metric_snapshots_raw(conn, sid)
                if day is not None and snaps:
                    body = metric_table_body(sid, day, snaps)
                    scope["route"] = self.route
                    scope.setdefault("state", {})["api_key_name"] = key.name
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 200,
                            "headers": [
                                (b"content-length", str(len(body)).encode()),
                                (b"content-type", b"application/json"),
                            ],
                        }
                    )
                    await send({"type": "http.response.body", "body": body})
                    return
        await self.app(scope, receive, send)
