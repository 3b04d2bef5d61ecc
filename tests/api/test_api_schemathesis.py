"""Property-based API testing with schemathesis against the served OpenAPI schema: no 500s
and every response matches the schema (a bounded number of examples per operation)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from svc_workspace import Env

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 6


def test_api_conforms_to_its_schema(env: Env) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", env.client.app)
    operations = [op.ok() for op in schema.get_all_operations()]
    assert len(operations) >= 18
    runner = env.client.app.state.runner  # type: ignore[attr-defined]
    for op in operations:

        @given(case=op.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            case.headers = {**(case.headers or {}), "X-API-Key": env.keys["admin"]}
            response = case.call()
            case.validate_response(response, checks=CHECKS)

        check()
    runner.wait(60)
