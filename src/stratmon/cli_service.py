"""``stratmon serve`` and ``stratmon keys ...`` (registered in ``cli.py``)."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
from rich.table import Table

from stratmon.cli_common import WorkspaceOpt, console, err_console, fail
from stratmon.config import find_workspace
from stratmon.errors import StratmonError
from stratmon.service.runner import utcnow
from stratmon.service.settings import ServiceSettings
from stratmon.store import keys_repo, open_store

keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)


def serve(
    workspace: WorkspaceOpt = None,
    host: Annotated[str | None, typer.Option(help="Bind address (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).")] = None,
    daily_time: Annotated[
        str | None, typer.Option(help="Daily job time HH:MM (default 17:30).")
    ] = None,
    timezone: Annotated[
        str | None, typer.Option(help="Time zone of --daily-time (default America/New_York).")
    ] = None,
    calendar: Annotated[
        str | None, typer.Option(help="Sessions the daily job runs on (default XNYS).")
    ] = None,
    poll_seconds: Annotated[
        float | None, typer.Option(help="Inbox polling interval; 0 turns it off (default 60).")
    ] = None,
    no_scheduler: Annotated[
        bool, typer.Option("--no-scheduler", help="Serve the API only.")
    ] = False,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve the REST API and /metrics, and run the daily job on schedule."""
    from stratmon.service.serve import serve as run_service

    try:
        ws = find_workspace(workspace)
        settings = ServiceSettings.from_workspace(
            ws,
            host=host,
            port=port,
            daily_time=daily_time,
            timezone=timezone,
            calendar=calendar,
            poll_seconds=poll_seconds,
            schedule=False if no_scheduler else None,
        )
        store = open_store(ws.database_url)
    except StratmonError as err:
        fail(err, code=1)
        return
    logging.basicConfig(
        level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    run_service(ws, store, settings, log_level=log_level)


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option("--name", help="Who or what uses the key.")],
    role: Annotated[str, typer.Option("--role", help="viewer, operator or admin.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Create a key. It is printed once; only its hash is stored."""
    try:
        ws = find_workspace(workspace)
        store = open_store(ws.database_url)
        with store.transaction() as conn:
            k, secret = keys_repo.create_key(conn, name, role, utcnow())
    except (StratmonError, ValueError) as err:
        fail(err, code=1)
        return
    err_console.print(
        f"Created key {k.key_id} ({k.role}) for {k.name}. It is shown only now; store it safely:"
    )
    print(secret)


@keys_app.command("list")
def keys_list(workspace: WorkspaceOpt = None) -> None:
    """List keys (never the secrets)."""
    try:
        ws = find_workspace(workspace)
        store = open_store(ws.database_url)
        with store.read() as conn:
            keys = keys_repo.list_keys(conn)
    except StratmonError as err:
        fail(err, code=1)
        return
    table = Table("key id", "name", "role", "created (UTC)", "revoked (UTC)")
    for k in keys:
        table.add_row(
            k.key_id,
            k.name,
            k.role,
            f"{k.created_at:%Y-%m-%d %H:%M}",
            "" if k.revoked_at is None else f"{k.revoked_at:%Y-%m-%d %H:%M}",
        )
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(
    ident: Annotated[str, typer.Argument(help="Key id or name.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Revoke the active key(s) with this key id or name."""
    try:
        ws = find_workspace(workspace)
        store = open_store(ws.database_url)
        with store.transaction() as conn:
            n = keys_repo.revoke_key(conn, ident, utcnow())
    except StratmonError as err:
        fail(err, code=1)
        return
    if n == 0:
        fail(StratmonError(f"No active key {ident!r}. See `stratmon keys list`."), code=1)
    console.print(f"Revoked {n} key(s).")
