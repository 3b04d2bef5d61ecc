"""`stratmon status` points at held-out data: quarantined days, NAV/PnL disagreements and
positions unknown appear under "What changed" and in the strategy's reasons (issue 14 #4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quarantine_history import alternating_navs, workspace_with_history
from stratmon.changes import change_lines, held_data_lines, quiet_line
from stratmon.cli import app
from stratmon.config import Workspace
from stratmon.domain.records import Finding
from stratmon.ingest import sessions_between
from stratmon.store import Store
from stratmon.store import queries as q
from stratmon.store import repositories as repo

SID = "Q1"
DAYS = sessions_between("XNYS", dt.date(2024, 1, 2), dt.date(2024, 2, 29))
N = 35
JUMP = DAYS[N]
D1, D2, D3 = dt.date(2024, 3, 1), dt.date(2024, 3, 4), dt.date(2024, 3, 5)


def test_held_data_lines_by_kind() -> None:
    quarantined = [
        {"strategy_id": "A", "date": D1, "rule": "outlier", "file": "a.csv"},
        {"strategy_id": "A", "date": D2, "rule": "nav_disconnect", "file": "b.csv"},
        {"strategy_id": "B", "date": D3, "rule": "sigma_move", "file": "c.csv"},  # after as_of
    ]
    findings = [
        {"strategy_id": "A", "kind": "nav_disconnect", "date": D1, "quarantine": True,
         "positions": False, "message": "told by the quarantine line"},
        {"strategy_id": "B", "kind": "nav_disconnect", "date": D1, "quarantine": False,
         "positions": False, "message": "across the 1 missing session(s) ... -500.00 is "
         "missing; send the missing file(s)"},
        {"strategy_id": "B", "kind": "missing_data", "date": D1, "quarantine": False,
         "positions": True, "message": "no positions"},
        {"strategy_id": "B", "kind": "missing_data", "date": D2, "quarantine": False,
         "positions": True, "message": "no positions"},
    ]  # fmt: skip
    out = held_data_lines(quarantined, findings, as_of=D2)
    assert out == {
        "A": [
            f"2 day(s) quarantined, held out of the statistics: {D1} (outlier, a.csv), "
            f"{D2} (nav_disconnect, b.csv); confirm with `stratmon ingest --confirm a.csv` / "
            "`stratmon ingest --confirm b.csv` or send a corrected file"
        ],
        "B": [
            f"NAV and PnL disagree (1 open finding(s), latest {D1}: across the 1 missing "
            "session(s) ... -500.00 is missing)",
            f"positions unknown on 2 day(s) ({D2}, {D1}): position-based rules not evaluated",
        ],
    }


def test_a_day_with_held_data_is_not_quiet() -> None:
    assert change_lines([], (), {}) == [quiet_line(0)]
    assert held_data_lines([], [], D1) == {}


def _navs() -> list[float]:
    return alternating_navs(N)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[tuple[Workspace, Store]]:
    ws, store = workspace_with_history(tmp_path, SID, DAYS[:N], "Quarantine")
    yield ws, store
    store.dispose()


def _section(output: str, title: str, until: str) -> str:
    start = output.index(title)
    return output[start : output.index(until, start + len(title))]


def test_status_points_at_a_quarantined_day_until_confirmed(env: tuple[Workspace, Store]) -> None:
    ws, _store = env
    runner = CliRunner()
    w = ("--workspace", str(ws.root))
    jump_nav = _navs()[-1] + 1_000_000.0
    (ws.inbox / "jump.csv").write_text(
        f"date,strategy_id,nav\n{JUMP.isoformat()},{SID},{jump_nav!r}\n", encoding="utf-8"
    )
    assert runner.invoke(app, ["run", "--no-report", *w]).exit_code == 2
    res = runner.invoke(app, ["status", *w], env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    flat = " ".join(res.output.split())
    line = (
        f"{SID}: 1 day(s) quarantined, held out of the statistics: {JUMP} (outlier, jump.csv); "
        "confirm with `stratmon ingest --confirm jump.csv` or send a corrected file"
    )
    assert line in " ".join(_section(res.output, "What changed", "stratmon status as of").split())
    why = flat.split(" Why ", 1)[1]
    assert f"data: {line.removeprefix(SID + ': ')}" in why
    detail = runner.invoke(app, ["status", SID, *w], env={"COLUMNS": "250"})
    assert "data: 1 day(s) quarantined" in " ".join(detail.output.split())
    # confirmed: nothing held any more, the status says nothing of it
    assert runner.invoke(app, ["ingest", "--confirm", "jump.csv", *w]).exit_code == 0
    assert runner.invoke(app, ["run", "--no-report", *w]).exit_code == 0
    res = runner.invoke(app, ["status", *w], env={"COLUMNS": "250"})
    assert "quarantined" not in res.output


def test_status_names_positions_unknown_and_gap_disconnect(env: tuple[Workspace, Store]) -> None:
    ws, store = env
    day = DAYS[N - 1]
    with store.transaction() as conn:
        repo.insert_positions_findings(
            conn,
            [Finding("missing_data", SID, day, "(positions)", None, "positions", "x", "none")],
            None,
        )
        repo.insert_findings(
            conn,
            [
                Finding(
                    "nav_disconnect",
                    SID,
                    day,
                    "f.csv",
                    2,
                    "nav",
                    -500.0,
                    "across the 1 missing session(s) the nav changed by -900.00 but the PnL "
                    "explain only -400.00: -500.00 is missing; send the missing file(s)",
                )
            ],
            None,
        )
    with store.read() as conn:
        kinds = [(f["kind"], f["positions"]) for f in q.open_data_findings(conn, day, [SID])]
    assert kinds == [("missing_data", True), ("nav_disconnect", False)]
    res = CliRunner().invoke(app, ["status", "--workspace", str(ws.root)], env={"COLUMNS": "250"})
    flat = " ".join(res.output.split())
    assert f"{SID}: positions unknown on 1 day(s) ({day}): position-based rules not evaluated" in (
        flat
    )
    assert f"{SID}: NAV and PnL disagree (1 open finding(s), latest {day}: across the 1" in flat
    assert "-500.00 is missing)" in flat
