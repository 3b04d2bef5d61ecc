"""Shared fixtures of the store tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stratmon.config import Workspace, create_workspace
from stratmon.domain import Strategy
from stratmon.store import Store, open_store
from stratmon.store import repositories as repo


@pytest.fixture
def env(tmp_path: Path) -> Iterator[tuple[Workspace, Store]]:
    """A workspace and its store with two registered strategies, EQ1 and EQ2."""
    ws = create_workspace(tmp_path / "ws")
    store = open_store(ws.database_url)
    with store.transaction() as conn:
        repo.upsert_strategies(conn, [Strategy("EQ1", "Equity one"), Strategy("EQ2", "Equity two")])
    yield ws, store
    store.dispose()
