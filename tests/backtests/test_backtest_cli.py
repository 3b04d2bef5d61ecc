"""`stratmon backtest sync` on a real workspace and a real MLflow tracking store."""

from __future__ import annotations

from pathlib import Path

from backtest_helpers import RETURNS_3, LogRun, Tracking, register
from typer.testing import CliRunner

from stratmon.cli import app
from stratmon.config import create_workspace
from stratmon.store import open_store
from stratmon.store import queries as q


def test_backtest_sync_command(
    tracking: Tracking, experiment: str, log_run: LogRun, tmp_path: Path
) -> None:
    ws = create_workspace(tmp_path / "ws")
    store = open_store(ws.database_url)
    rid = log_run(
        experiment,
        metrics={"sharpe": 1.1, "max_dd": 0.2},
        tags={"strategy_id": "GOOD"},
        returns_csv=RETURNS_3,
    )
    register(store, "GOOD", f"mlflow:{tracking.uri}#experiment={experiment}")
    register(store, "BROKEN", f"mlflow:{tracking.uri}#run=" + "0" * 32)
    register(store, "PLAIN", None)
    runner = CliRunner()

    first = runner.invoke(app, ["backtest", "sync", "--workspace", str(ws.root)])
    assert first.exit_code == 1, first.output  # one strategy failed
    text = " ".join(first.output.split())  # Rich wraps long lines
    assert f"new version GOOD: version 1 from run {rid}: 2 metric(s), 3 daily returns" in text
    assert f"error BROKEN: run {'0' * 32} at {tracking.uri}:" in text
    assert "not found" in text.split("error BROKEN:")[1]
    assert "not configured PLAIN:" in text
    assert "max_dd=0.2 given positive; stored as max_drawdown=-0.2" in text

    second = runner.invoke(app, ["backtest", "sync", "-w", str(ws.root)])
    assert f"unchanged GOOD: version 1 is already run {rid}" in " ".join(second.output.split())

    with store.read() as conn:
        assert q.backtest_version(conn, "GOOD") == 1
        assert q.backtest_expectation(conn, "GOOD")["metrics"] == {
            "sharpe_ratio": 1.1,
            "max_drawdown": -0.2,
        }
    store.dispose()


def test_backtest_sync_all_good_exits_zero(tmp_path: Path) -> None:
    ws = create_workspace(tmp_path / "ws")
    store = open_store(ws.database_url)
    register(store, "P", "file")
    store.dispose()
    res = CliRunner().invoke(app, ["backtest", "sync", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    assert "not configured P" in res.output
