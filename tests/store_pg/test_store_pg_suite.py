"""The store test suite (tests/store) run again on PostgreSQL: every test that takes a
``store`` or an ``env`` (workspace, store) runs unchanged against a fresh PostgreSQL
database."""

from __future__ import annotations

import importlib.util
import inspect
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from stratmon.config import create_workspace
from stratmon.domain import Strategy
from stratmon.store import open_store
from stratmon.store import repositories as repo

STORE_TESTS = Path(__file__).resolve().parents[1] / "store"
#: Tests about SQLite itself: WAL mode, and reading the raw JSON text through the SQLite
#: driver (the PostgreSQL equivalent is test_json_columns_hold_strict_json below).
SQLITE_ONLY = {
    "test_sqlite_runs_in_wal_mode_with_foreign_keys",
    "test_results_json_stores_nan_as_null",
}


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_pg_{name}", STORE_TESTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _cases() -> list[Any]:
    out = []
    for modname in ("test_store_repositories", "test_store_intake"):
        mod = _load(modname)
        for name, fn in sorted(vars(mod).items()):
            if not name.startswith("test_") or not callable(fn):
                continue
            params = list(inspect.signature(fn).parameters)
            if name in SQLITE_ONLY:
                continue
            if params in (["store"], ["env"]):
                out.append(pytest.param(fn, params[0], id=f"{modname}::{name}"))
    return out


CASES = _cases()


def test_the_suite_was_found() -> None:
    assert len(CASES) >= 11


@pytest.mark.parametrize(("fn", "kind"), CASES)
def test_store_suite_on_postgresql(
    fn: Callable[..., None], kind: str, pg_url: str, tmp_path: Path
) -> None:
    if kind == "store":
        store = open_store(pg_url)
        try:
            fn(store)
        finally:
            store.dispose()
    else:
        ws = create_workspace(tmp_path / "ws", database_url=pg_url)
        store = open_store(ws.database_url)
        with store.transaction() as conn:  # what tests/store/test_store_intake.py's env does
            repo.upsert_strategies(
                conn, [Strategy("EQ1", "Equity one"), Strategy("EQ2", "Equity two")]
            )
        try:
            fn((ws, store))
        finally:
            store.dispose()


def test_json_columns_hold_strict_json(pg_url: str) -> None:
    import datetime as dt
    import json
    import math

    from sqlalchemy import text

    store = open_store(pg_url)
    try:
        with store.transaction() as conn:
            repo.upsert_strategies(conn, [Strategy("EQ1", "Equity one")])
            eid = repo.start_evaluation(conn, dt.date(2024, 1, 3))
            repo.save_snapshots(
                conn,
                [
                    {
                        "strategy_id": "EQ1",
                        "as_of": dt.date(2024, 1, 3),
                        "window": "all",
                        "evaluation_id": eid,
                        "n_obs": 1,
                        "metrics": {"sharpe_ratio": math.nan, "total_return": 0.01},
                    }
                ],
            )
        with store.read() as conn:
            raw = conn.execute(text("SELECT metrics::text FROM metric_snapshots")).scalar_one()
        doc = json.loads(raw, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))
        assert doc == {"sharpe_ratio": None, "total_return": 0.01}
    finally:
        store.dispose()
