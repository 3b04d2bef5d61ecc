"""The HTTP API: FastAPI app, API-key auth, RFC 9457 problem details, Prometheus exposition."""

from stratmon.api.app import create_app

__all__ = ["create_app"]
