"""`stratmon alerts ...` commands on a workspace with stored alerts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import tomli_w
from alert_receivers import webhook_server
from typer.testing import CliRunner

from stratmon.alerts.config import alert_config_from_dict
from stratmon.alerts.processor import process_conditions
from stratmon.alerts.rules import Condition
from stratmon.cli_alerts import alerts_app
from stratmon.config import CONFIG_NAME, create_workspace, load_config
from stratmon.domain import Strategy
from stratmon.store import alerts_queries as aq
from stratmon.store import open_store
from stratmon.store import repositories as repo

runner = CliRunner()


def setup(tmp_path: Path, port: int) -> Path:
    ws = create_workspace(tmp_path / "ws")
    cfg = load_config(ws.root / CONFIG_NAME)
    cfg["alerts"]["for_evaluations"] = 1
    cfg["alerts"]["channels"] = {"hook": {"url": f"json://127.0.0.1:{port}/h", "retries": 0}}
    cfg["alerts"]["routes"] = [{"channels": ["hook"]}]
    (ws.root / CONFIG_NAME).write_text(tomli_w.dumps(cfg), encoding="utf-8")
    store = open_store(ws.database_url)
    with store.transaction() as conn:
        repo.upsert_strategies(conn, [Strategy("MOM", "Momentum")])
        process_conditions(
            conn,
            [
                Condition("drawdown", "MOM", "warning", True, -0.1, -0.075, "Drawdown -10 %."),
                Condition("profitable", "MOM", "info", True, 0.05, 0.0, "[Profitable]"),
            ],
            dt.date(2024, 1, 2),
            alert_config_from_dict(cfg["alerts"]),
        )
    store.dispose()
    return ws.root


def test_alert_commands(tmp_path: Path) -> None:
    with webhook_server() as (port, posts):
        root = setup(tmp_path, port)
        w = ["--workspace", str(root)]
        out = runner.invoke(alerts_app, ["list", "--state", "firing", *w])
        assert out.exit_code == 0, out.output
        assert "drawdown" in out.output and "MOM" in out.output and "-10.0 %" in out.output
        assert "profitable" in out.output and "info" in out.output
        out = runner.invoke(alerts_app, ["ack", "1", "--by", "alice", "--note", "on it", *w])
        assert out.exit_code == 0 and "acknowledged by alice" in out.output
        out = runner.invoke(alerts_app, ["show", "1", *w])
        assert out.exit_code == 0
        for text in ("inactive -> pending", "pending -> firing", "acknowledged", "alice"):
            assert text in out.output
        out = runner.invoke(
            alerts_app, ["silence", "--strategy", "MOM", "--rule", "drawdown", "--for", "2d", *w]
        )
        assert out.exit_code == 0 and "Silence #1 (strategy=MOM, rule=drawdown)" in out.output
        out = runner.invoke(alerts_app, ["silence", "--strategy", "MOM", "--for", "2 days", *w])
        assert out.exit_code == 2 and "not understood" in out.output
        out = runner.invoke(alerts_app, ["resolve", "1", "--note", "fixed", *w])
        assert out.exit_code == 0 and "resolved" in out.output
        # the firings (queued by the evaluation) and the resolution went out
        assert [p["json"]["title"] for p in posts] == [
            "[stratmon] WARNING FIRING: drawdown on MOM",
            "[stratmon] INFO FIRING: profitable on MOM",
            "[stratmon] WARNING RESOLVED: drawdown on MOM",
        ]
        out = runner.invoke(alerts_app, ["ack", "1", "--by", "bob", *w])
        assert out.exit_code == 2 and "only a pending or firing alert" in out.output
        out = runner.invoke(alerts_app, ["stats", *w])
        assert out.exit_code == 0 and "drawdown" in out.output
        out = runner.invoke(alerts_app, ["test-channels", *w])
        assert out.exit_code == 0 and "ok" in out.output
        assert posts[-1]["json"]["title"] == "[stratmon] test message to hook"
    store = open_store(f"sqlite:///{root / 'stratmon.db'}")
    with store.read() as conn:
        assert [s["rule"] for s in aq.silences(conn)] == ["drawdown"]
    store.dispose()
    out = runner.invoke(alerts_app, ["test-channels", *w])  # the receiver is gone
    assert out.exit_code == 1 and "fail" in out.output
    out = runner.invoke(alerts_app, ["list", "--state", "bogus", *w])
    assert out.exit_code == 2
