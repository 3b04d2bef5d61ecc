"""``stratmon dashboard [WORKSPACE]``: serve the Streamlit dashboard on the loopback address.

The command resolves the workspace, then replaces itself with ``python -m streamlit run``
(same process id, so Ctrl-C or a SIGTERM to it stops the server), with usage statistics
off, headless, and bound to 127.0.0.1 unless ``--address`` says otherwise.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from stratmon.config import ENV_VAR, find_workspace
from stratmon.dashboard import APP_PATH, REFRESH_ENV
from stratmon.errors import StratmonError


def streamlit_command(port: int, address: str = "127.0.0.1") -> list[str]:
    """The argv that serves the dashboard (usage statistics off, headless, no file
    watcher, no browser opened)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_PATH),
        "--server.address",
        address,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        "--global.developmentMode",
        "false",
        "--client.toolbarMode",
        "viewer",
    ]


def streamlit_env(workspace_root: Path, refresh: int | None) -> dict[str, str]:
    """The environment of the server: the workspace, the refresh interval, usage
    statistics off."""
    env = dict(os.environ)
    env[ENV_VAR] = str(workspace_root)
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    env["STREAMLIT_SERVER_HEADLESS"] = "true"
    if refresh is not None:
        env[REFRESH_ENV] = str(refresh)
    return env


def dashboard(
    workspace: Annotated[
        Path | None,
        typer.Argument(
            help="Workspace folder (default: $STRATMON_WORKSPACE, else the current directory "
            "or a parent holding stratmon.toml)."
        ),
    ] = None,
    port: Annotated[int, typer.Option(help="TCP port to serve on.")] = 8501,
    address: Annotated[
        str, typer.Option(help="Address to bind (default loopback only).")
    ] = "127.0.0.1",
    refresh: Annotated[
        int | None,
        typer.Option(
            help="Auto-refresh check interval in seconds (0 = off; default 60, or "
            "[dashboard] refresh_seconds in stratmon.toml)."
        ),
    ] = None,
) -> None:
    """Serve the dashboard (portfolio, health, drill-down, alerts, data quality)."""
    try:
        ws = find_workspace(workspace)
    except StratmonError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(code=2) from err
    if not 0 < port < 65536:
        typer.echo(f"error: --port {port} is not a TCP port (1-65535).", err=True)
        raise typer.Exit(code=2)
    argv = streamlit_command(port, address)
    typer.echo(f"stratmon dashboard for {ws.root} on http://{address}:{port}/", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, argv, streamlit_env(ws.root, refresh))


if __name__ == "__main__":  # pragma: no cover - `python -m stratmon.cli_dashboard WORKSPACE`
    typer.run(dashboard)
