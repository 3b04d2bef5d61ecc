"""A quarantined day reaches neither the daily report nor the statistics until confirmed, and
``stratmon ingest`` (not only ``run``) exits 2 while a day is held (issue 14 item 4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quarantine_history import alternating_navs, workspace_with_history
from stratmon.cli import app
from stratmon.config import Workspace
from stratmon.ingest import sessions_between
from stratmon.intake import confirm_files
from stratmon.pipeline import DailyJob
from stratmon.store import Store
from stratmon.store import queries as q

SID = "R1"
DAYS = sessions_between("XNYS", dt.date(2024, 1, 2), dt.date(2024, 2, 29))
N = 30
JUMP = DAYS[N]


def _navs() -> list[float]:
    return alternating_navs(N)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[tuple[Workspace, Store]]:
    ws, store = workspace_with_history(tmp_path, SID, DAYS[:N], "Reach")
    yield ws, store
    store.dispose()


def test_quarantined_nav_is_not_in_the_daily_report_until_confirmed(
    env: tuple[Workspace, Store],
) -> None:
    ws, store = env
    typo = _navs()[-1] * 10  # a NAV typed ten times too large: +900 % in a day
    shown = f"{typo:,.0f}"  # how the report prints a NAV (thousands separators, no cents)
    (ws.inbox / "typo.csv").write_text(
        f"date,strategy_id,nav\n{JUMP.isoformat()},{SID},{typo!r}\n", encoding="utf-8"
    )
    held = DailyJob(ws, store).run(JUMP, write_report=True, today=JUMP)
    assert held.ingested[0].quarantined == [f"{SID} {JUMP.isoformat()} (outlier)"]
    assert held.report is not None
    html = held.report.read_text(encoding="utf-8")
    assert shown not in html
    (a,) = held.assessments
    assert a.n_obs == N - 1  # the held day is no observation
    assert a.evidence["total_return"] == pytest.approx(_navs()[-1] / 1_000_000.0 - 1, rel=1e-12)
    # confirmed: the same report now carries the NAV and the +900 % day counts
    assert confirm_files(store, ["typo.csv"]) == {"typo.csv": [(SID, JUMP)]}
    after = DailyJob(ws, store).run(JUMP, write_report=True, ingest=False)
    assert after.report is not None
    assert shown in after.report.read_text(encoding="utf-8")
    (b,) = after.assessments
    assert b.n_obs == N
    assert b.evidence["total_return"] == pytest.approx(typo / 1_000_000.0 - 1, rel=1e-12)


def test_ingest_command_exits_2_while_a_day_is_quarantined(env: tuple[Workspace, Store]) -> None:
    ws, store = env
    runner = CliRunner()
    w = ("--workspace", str(ws.root))
    (ws.inbox / "typo.csv").write_text(
        f"date,strategy_id,nav\n{JUMP.isoformat()},{SID},{_navs()[-1] * 10!r}\n",
        encoding="utf-8",
    )
    res = runner.invoke(app, ["ingest", *w], env={"COLUMNS": "250"})
    assert res.exit_code == 2, res.output
    last = res.output.strip().splitlines()[-1]
    assert last.startswith("Not everything went in: 1 day(s) QUARANTINED in typo.csv")
    assert "`stratmon ingest --confirm FILE`" in last
    # a file with nothing held: said so, nothing changes, not an error
    res = runner.invoke(app, ["ingest", "--confirm", "history.csv", *w])
    assert res.exit_code == 0, res.output
    assert "nothing to confirm in history.csv: no quarantined day" in " ".join(res.output.split())
    with store.read() as conn:
        assert [d["date"] for d in q.quarantined_days(conn)] == [JUMP]
    res = runner.invoke(app, ["ingest", "--confirm", "typo.csv", *w])
    assert res.exit_code == 0, res.output
    with store.read() as conn:
        assert q.quarantined_days(conn) == []
        assert q.daily_series(conn, [SID])[SID].dates[-1] == JUMP


def test_run_screen_points_at_the_held_day(env: tuple[Workspace, Store]) -> None:
    ws, _store = env
    (ws.inbox / "typo.csv").write_text(
        f"date,strategy_id,nav\n{JUMP.isoformat()},{SID},{_navs()[-1] * 10!r}\n",
        encoding="utf-8",
    )
    res = CliRunner().invoke(
        app, ["run", "--no-report", "--workspace", str(ws.root)], env={"COLUMNS": "250"}
    )
    assert res.exit_code == 2, res.output
    flat = " ".join(res.output.split())
    changed = flat.split("What changed since the previous session", 1)[1].split(" as of ")[0]
    assert (
        f"{SID}: 1 day(s) quarantined, held out of the statistics: {JUMP} (outlier, typo.csv); "
        "confirm with `stratmon ingest --confirm typo.csv` or send a corrected file"
    ) in changed
    assert "data: 1 day(s) quarantined" in flat.split(" Why ", 1)[1]


def test_alerts_and_exporter_do_not_read_the_held_nav(env: tuple[Workspace, Store]) -> None:
    from stratmon.store import alerts_queries as aq
    from stratmon.store import service_queries as sq

    ws, store = env
    typo = _navs()[-1] * 10
    (ws.inbox / "typo.csv").write_text(
        f"date,strategy_id,nav\n{JUMP.isoformat()},{SID},{typo!r}\n", encoding="utf-8"
    )
    DailyJob(ws, store).run(JUMP, write_report=False, today=JUMP)
    last_good = (DAYS[N - 1], _navs()[-1])
    with store.read() as conn:
        rec = aq.latest_records(conn, [SID], JUMP)[SID]
        assert (rec["date"], rec["nav"]) == pytest.approx(last_good)
        assert sq.last_nav(conn)[SID] == pytest.approx(last_good)
    confirm_files(store, ["typo.csv"])
    with store.read() as conn:
        rec = aq.latest_records(conn, [SID], JUMP)[SID]
        assert (rec["date"], rec["nav"]) == (JUMP, pytest.approx(typo))
        assert sq.last_nav(conn)[SID] == (JUMP, pytest.approx(typo))
