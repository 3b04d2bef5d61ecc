"""``stratmon keys create/list/revoke`` (the Typer group the CLI registers as ``keys``)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import typer
from sqlalchemy import text
from typer.testing import CliRunner

from stratmon.cli_service import keys_app, serve
from stratmon.config import create_workspace, find_workspace
from stratmon.store import open_store


def _app() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(keys_app, name="keys")
    app.command()(serve)
    return app


def test_keys_create_list_revoke(tmp_path: Path) -> None:
    ws = create_workspace(tmp_path / "ws")
    runner = CliRunner()
    app = _app()
    made = runner.invoke(
        app, ["keys", "create", "--name", "ops", "--role", "operator", "-w", str(ws.root)]
    )
    assert made.exit_code == 0, made.output
    key = made.stdout.strip().splitlines()[-1]
    assert key.startswith("smk_")
    store = open_store(find_workspace(ws.root).database_url)
    with store.read() as conn:
        stored = conn.execute(text("SELECT key_hash, role FROM api_keys")).one()
    assert stored == (hashlib.sha256(key.encode()).hexdigest(), "operator")
    listed = runner.invoke(app, ["keys", "list", "-w", str(ws.root)])
    assert listed.exit_code == 0 and "ops" in listed.stdout and key not in listed.stdout
    bad = runner.invoke(
        app, ["keys", "create", "--name", "x", "--role", "root", "-w", str(ws.root)]
    )
    assert bad.exit_code == 1
    assert runner.invoke(app, ["keys", "revoke", "ops", "-w", str(ws.root)]).exit_code == 0
    assert runner.invoke(app, ["keys", "revoke", "ops", "-w", str(ws.root)]).exit_code == 1
    store.dispose()


def test_serve_rejects_bad_settings(tmp_path: Path) -> None:
    ws = create_workspace(tmp_path / "ws")
    out = CliRunner().invoke(_app(), ["serve", "-w", str(ws.root), "--daily-time", "5pm"])
    assert out.exit_code == 1
    assert "HH:MM" in out.output
