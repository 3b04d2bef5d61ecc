"""Fixtures of the service tests: one real workspace built once, copied per test module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from svc_workspace import Built, Env, build, copy_workspace, make_keys

from stratmon.api import create_app
from stratmon.config import find_workspace
from stratmon.service.settings import ServiceSettings


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("svc_template") / "ws"
    built = build(root)
    built.store.dispose()
    return built


@pytest.fixture
def env(template: Built, tmp_path: Path) -> Iterator[Env]:
    root, store = copy_workspace(template, tmp_path / "ws")
    ws = find_workspace(root)
    keys = make_keys(store)
    settings = ServiceSettings.from_workspace(ws, max_ingest_bytes=4096, write_report=False)
    app = create_app(ws, store, settings)
    with TestClient(app) as client:
        yield Env(client, store, template, root, keys)
    store.dispose()
