"""The quarantine thresholds come from ``stratmon.toml`` ``[ingest]``, and ``stratmon run
--replace`` takes a corrected file from the inbox (issue 14 item 4)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import tomli_w
from typer.testing import CliRunner

from stratmon.cli import app
from stratmon.config import CONFIG_NAME, Workspace, create_workspace, load_config
from stratmon.domain import Strategy
from stratmon.intake import ingest_paths, quarantine_settings
from stratmon.store import Store, open_store
from stratmon.store import queries as q
from stratmon.store import repositories as repo

HEAD = "date,strategy_id,nav,daily_pnl,cash_flow\n"
# 100 + daily_pnl 1 = 101, but nav 103: the NAV disagrees with its PnL by 2 (about 2 %)
SUSPECT = HEAD + "2024-01-02,EQ1,100,0,0\n2024-01-03,EQ1,103,1,0\n"


def _workspace(tmp_path: Path, ingest: dict[str, object]) -> tuple[Workspace, Store]:
    ws = create_workspace(tmp_path / "ws")
    cfg = ws.root / CONFIG_NAME
    raw = load_config(cfg)
    raw["ingest"] = {**raw["ingest"], **ingest}
    cfg.write_text(tomli_w.dumps(raw), encoding="utf-8")
    ws = Workspace(root=ws.root, config=load_config(cfg))
    store = open_store(ws.database_url)
    with store.transaction() as conn:
        repo.upsert_strategies(conn, [Strategy("EQ1", "Equity one")])
    return ws, store


def _ingest(ws: Workspace, store: Store, name: str, text: str) -> list[str]:
    p = ws.inbox / name
    p.write_text(text, encoding="utf-8")
    (out,) = ingest_paths(ws, store, [p], today=dt.date(2024, 3, 1))
    return out.quarantined


def test_default_tolerance_quarantines_a_two_percent_disagreement(tmp_path: Path) -> None:
    ws, store = _workspace(tmp_path, {})
    assert _ingest(ws, store, "a.csv", SUSPECT) == ["EQ1 2024-01-03 (nav_disconnect)"]
    store.dispose()


def test_a_looser_nav_tolerance_from_the_toml_accepts_it(tmp_path: Path) -> None:
    # tolerance 5 % of the previous NAV (5.00 + 0.01) > the 2.00 disagreement
    ws, store = _workspace(tmp_path, {"nav_tolerance": 0.05})
    assert _ingest(ws, store, "a.csv", SUSPECT) == []
    with store.read() as conn:
        assert q.findings(conn, strategy_id="EQ1") == []
    store.dispose()


def test_quarantine_off_keeps_the_finding_but_not_the_hold(tmp_path: Path) -> None:
    ws, store = _workspace(tmp_path, {"quarantine": False, "quarantine_sigma": 4.0})
    assert quarantine_settings(ws) == {"quarantine": False, "quarantine_sigma": 4.0}
    assert _ingest(ws, store, "a.csv", SUSPECT) == []
    with store.read() as conn:
        (f,) = q.findings(conn, strategy_id="EQ1")
        assert q.quarantined_days(conn) == []
    assert (f["kind"], f["quarantine"], f["status"]) == ("nav_disconnect", False, "open")
    store.dispose()


def test_run_replace_takes_the_correction_from_the_inbox(tmp_path: Path) -> None:
    ws, store = _workspace(tmp_path, {})
    assert _ingest(ws, store, "a.csv", SUSPECT) == ["EQ1 2024-01-03 (nav_disconnect)"]
    runner = CliRunner()
    w = ("--workspace", str(ws.root))
    fixed = HEAD + "2024-01-02,EQ1,100,0,0\n2024-01-03,EQ1,103,3,0\n"
    (ws.inbox / "a_fixed.csv").write_text(fixed, encoding="utf-8")
    res = runner.invoke(app, ["run", "--no-report", *w])  # a conflict without --replace
    assert res.exit_code == 2, res.output
    error = (ws.inbox / "rejected" / "a_fixed.csv.error.txt").read_text(encoding="utf-8")
    assert "stratmon run --replace" in error
    (ws.inbox / "rejected" / "a_fixed.csv").rename(ws.inbox / "a_fixed.csv")
    res = runner.invoke(app, ["run", "--no-report", "--replace", *w])
    assert res.exit_code == 0, res.output
    assert res.output.strip().splitlines()[-1] == "All 1 file(s) went in."
    assert not (ws.inbox / "rejected" / "a_fixed.csv.error.txt").exists()
    with store.read() as conn:
        assert q.quarantined_days(conn) == []
        assert q.daily_series(conn, ["EQ1"])["EQ1"].dates[-1] == dt.date(2024, 1, 3)
        resolved = [f for f in q.findings(conn, strategy_id="EQ1") if f["kind"] == "nav_disconnect"]
    assert [(f["status"], f["resolved_by"]) for f in resolved] == [
        ("resolved", "replaced by file a_fixed.csv")
    ]
    store.dispose()
