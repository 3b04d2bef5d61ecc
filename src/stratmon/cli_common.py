"""What every ``stratmon`` command group shares: consoles, the workspace option, errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from stratmon.config import Workspace, find_workspace
from stratmon.errors import StratmonError
from stratmon.store import Store, open_store


def _console(stderr: bool = False) -> Console:
    """Not a terminal (a pipe, a log, CI): a width that fits the tables unwrapped."""
    return Console(stderr=stderr, width=None if Console(stderr=stderr).is_terminal else 150)


console = _console()
err_console = _console(stderr=True)

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (default: $STRATMON_WORKSPACE, else the current directory "
        "or a parent holding stratmon.toml).",
    ),
]


def open_workspace(workspace: Path | None) -> tuple[Workspace, Store]:
    """The workspace (found as ``--workspace`` says) and a store on its database.

    Raises
    ------
    StratmonError
        When no workspace is found or its database cannot be opened.
    """
    ws = find_workspace(workspace)
    return ws, open_store(ws.database_url)


def fail(err: Exception, code: int = 2) -> NoReturn:
    """Print the error (file-derived text escaped, so Rich markup cannot eat it) and exit."""
    err_console.print(f"[bold red]error:[/] {escape(str(err))}")
    raise typer.Exit(code=code)


def parse_date(value: str | None, option: str = "--date") -> dt.date | None:
    """An ISO date from the command line, or None.

    Raises
    ------
    StratmonError
        When the value is not YYYY-MM-DD.
    """
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise StratmonError(f"{option} {value!r} is not a date; use YYYY-MM-DD.") from None
