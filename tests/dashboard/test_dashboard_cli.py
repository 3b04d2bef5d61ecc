"""`stratmon dashboard`: the server command line and the workspace check."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from stratmon.cli_dashboard import dashboard, streamlit_command, streamlit_env
from stratmon.config import ENV_VAR, create_workspace
from stratmon.dashboard import APP_PATH, REFRESH_ENV


def _flag(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_command_binds_loopback_headless_without_usage_statistics() -> None:
    argv = streamlit_command(8765)
    assert argv[1:5] == ["-m", "streamlit", "run", str(APP_PATH)]
    assert _flag(argv, "--server.address") == "127.0.0.1"
    assert _flag(argv, "--server.port") == "8765"
    assert _flag(argv, "--server.headless") == "true"
    assert _flag(argv, "--browser.gatherUsageStats") == "false"


def test_env_carries_workspace_and_refresh(tmp_path: Path) -> None:
    env = streamlit_env(tmp_path, 15)
    assert env[ENV_VAR] == str(tmp_path)
    assert env[REFRESH_ENV] == "15"
    assert env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] == "false"


def test_missing_workspace_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    app = typer.Typer()
    app.command()(dashboard)
    res = CliRunner().invoke(app, [str(tmp_path / "nowhere")])
    assert res.exit_code == 2
    assert "stratmon init" in res.output


def test_bad_port_is_refused(tmp_path: Path) -> None:
    ws = create_workspace(tmp_path / "ws")
    app = typer.Typer()
    app.command()(dashboard)
    res = CliRunner().invoke(app, [str(ws.root), "--port", "70000"])
    assert res.exit_code == 2
    assert "not a TCP port" in res.output
