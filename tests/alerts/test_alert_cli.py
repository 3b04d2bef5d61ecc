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
        # one row per strategy and concern, with the worst part's message
        assert "Drawdown -10 %." in out.output and "drawdown" in out.output
        out = runner.invoke(alerts_app, ["list", "--rules", "--state", "firing", *w])
        assert out.exit_code == 0, out.output
        assert "drawdown" in out.output and "MOM" in out.output and "-10.0 %" in out.output
        # a milestone is an event (state "reached"), never a firing alert
        assert "profitable" not in out.output
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
            # one message for the strategy's changes of the day; the milestone is an event
            "[stratmon] WARNING MOM: 2 changes (drawdown FIRING, profitable MILESTONE)",
            "[stratmon] WARNING RESOLVED: drawdown on MOM",
        ]
        assert "FIRING (WARNING) - drawdown" in posts[0]["json"]["message"]
        assert "MILESTONE (INFO) - profitable" in posts[0]["json"]["message"]
        out = runner.invoke(alerts_app, ["ack", "1", "--by", "bob", *w])
        assert out.exit_code == 2 and "only a pending, firing or no_data alert" in out.output
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


def test_list_and_history_json(tmp_path: Path) -> None:
    import json

    with webhook_server() as (port, _posts):
        root = setup(tmp_path, port)
        w = ["--workspace", str(root)]
        out = runner.invoke(alerts_app, ["list", "--json", *w])
        assert out.exit_code == 0, out.output
        items = json.loads(out.output)
        # the milestone is an event: not among the open alerts
        assert [(a["strategy_id"], a["concern"], a["rules"], a["state"]) for a in items] == [
            ("MOM", "drawdown", ["drawdown"], "firing")
        ]
        keys = {
            "id",
            "strategy_id",
            "concern",
            "rules",
            "severity",
            "state",
            "fired_at",
            "resolved_at",
            "triggered_by",
            "metrics",
            "recipients",
            "actions_taken",
        }
        assert keys <= set(items[0])
        assert items[0]["fired_at"] == "2024-01-02" and items[0]["resolved_at"] is None
        assert items[0]["metrics"]["drawdown"] == {"value": -0.1, "threshold": -0.075}
        assert [r["role"] for r in items[0]["recipients"]] == ["pm", "risk_manager"]
        out = runner.invoke(alerts_app, ["ack", "1", "--by", "alice", "--note", "on it", *w])
        assert out.exit_code == 0, out.output
        items = json.loads(runner.invoke(alerts_app, ["list", "--json", *w]).output)
        acts = items[0]["actions_taken"]
        assert [(a["action"], a["by"], a["note"]) for a in acts] == [
            ("acknowledged", "alice", "on it")
        ]
        out = runner.invoke(alerts_app, ["history", "--json", *w])
        assert out.exit_code == 0, out.output
        hist = json.loads(out.output)
        assert sorted((a["concern"], a["state"]) for a in hist) == [
            ("drawdown", "firing"),
            ("milestone", "reached"),
        ]
        out = runner.invoke(alerts_app, ["history", "--since", "2024-13-01", *w])
        assert out.exit_code == 2 and "YYYY-MM-DD" in out.output
