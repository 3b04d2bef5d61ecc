"""Quarantine through the daily job: a NAV that cannot be true is held out of every
statistic until confirmed (or replaced by a corrected file), and the CLI exits 2 meanwhile."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
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

SID = "Q1"
DAYS = sessions_between("XNYS", dt.date(2024, 1, 2), dt.date(2024, 2, 29))
N = 35  # accepted days before the suspect one
JUMP = DAYS[N]


def _navs() -> list[float]:
    return alternating_navs(N)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[tuple[Workspace, Store]]:
    ws, store = workspace_with_history(tmp_path, SID, DAYS[:N], "Quarantine")
    yield ws, store
    store.dispose()


def _stored_total_return(store: Store, day: dt.date) -> tuple[float, int]:
    with store.read() as conn:
        m = q.results_on(conn, day)[SID]["metrics"]["all"]
    return float(m["total_return"]), int(m["n_obs"])


def test_jump_is_quarantined_until_confirmed(env: tuple[Workspace, Store]) -> None:
    ws, store = env
    navs = _navs()
    before, n_before = _stored_total_return(store, DAYS[N - 1])
    assert before == pytest.approx(navs[-1] / navs[0] - 1, rel=1e-9)
    # +1,000,000 on a ~1,000,000 strategy, no cash flow, no daily_pnl: the tried case
    jump_nav = navs[-1] + 1_000_000.0
    (ws.inbox / "jump.csv").write_text(
        f"date,strategy_id,nav\n{JUMP.isoformat()},{SID},{jump_nav!r}\n", encoding="utf-8"
    )
    result = DailyJob(ws, store).run(JUMP, write_report=False, today=JUMP)
    (out,) = result.ingested
    assert out.outcome == "accepted"
    assert out.quarantined == [f"{SID} {JUMP.isoformat()} (outlier)"]
    # the evaluation of that date sees the day as missing: same figures as the day before
    after, n_after = _stored_total_return(store, JUMP)
    assert (after, n_after) == pytest.approx((before, n_before))
    with store.read() as conn:
        assert q.daily_series(conn, [SID])[SID].dates[-1] == DAYS[N - 1]
        (held,) = q.quarantined_days(conn)
        (finding,) = q.findings(conn, strategy_id=SID)
    assert held == {"strategy_id": SID, "date": JUMP, "rule": "outlier", "file": "jump.csv"}
    assert finding["quarantine"] and finding["status"] == "open"
    assert "QUARANTINED (rule outlier)" in finding["message"]
    assert "stratmon ingest --confirm jump.csv" in finding["message"]
    assert f"return of {1_000_000.0 / navs[-1]:+.1%}" in finding["message"]  # +98.3 %
    # confirmed: the day goes in, the +100 % with it
    assert confirm_files(store, ["jump.csv"], by="alice") == {"jump.csv": [(SID, JUMP)]}
    confirmed = DailyJob(ws, store).run(JUMP, write_report=False, ingest=False)
    total, n_obs = _stored_total_return(store, JUMP)
    assert n_obs == n_before + 1
    assert total == pytest.approx(jump_nav / navs[0] - 1, rel=1e-9)
    assert confirmed.as_of == JUMP
    with store.read() as conn:
        (finding,) = q.findings(conn, strategy_id=SID)
        assert q.quarantined_days(conn) == []
    assert finding["status"] == "resolved"
    assert finding["resolved_by"] == "confirmed by alice (stratmon ingest --confirm jump.csv)"


def test_corrected_file_replaces_the_quarantined_day(env: tuple[Workspace, Store]) -> None:
    ws, store = env
    navs = _navs()
    typo = navs[-1] * 10  # a NAV typed ten times too large
    (ws.inbox / "day.csv").write_text(
        f"date,strategy_id,nav\n{JUMP.isoformat()},{SID},{typo!r}\n", encoding="utf-8"
    )
    first = DailyJob(ws, store).run(JUMP, write_report=False, today=JUMP)
    assert first.ingested[0].quarantined
    good = navs[-1] * 1.001
    (ws.inbox / "day_fixed.csv").write_text(
        f"date,strategy_id,nav\n{JUMP.isoformat()},{SID},{good!r}\n", encoding="utf-8"
    )
    fixed = DailyJob(ws, store).run(JUMP, write_report=False, today=JUMP, replace=True)
    (out,) = fixed.ingested
    assert (out.outcome, out.n_replaced, out.quarantined) == ("accepted", 1, [])
    total, _ = _stored_total_return(store, JUMP)
    assert total == pytest.approx(good / navs[0] - 1, rel=1e-9)
    with store.read() as conn:
        assert q.quarantined_days(conn) == []
        by_kind = {f["kind"]: f for f in q.findings(conn, strategy_id=SID)}
    assert by_kind["outlier"]["status"] == "resolved"
    assert by_kind["outlier"]["resolved_by"] == "replaced by file day_fixed.csv"
    assert by_kind["replaced_row"]["status"] == "open"


def test_sigma_rule_quarantines_a_move_inside_the_outlier_limit(
    env: tuple[Workspace, Store],
) -> None:
    ws, store = env
    navs = _navs()
    rets = np.diff(navs) / navs[:-1]
    sd = float(np.std(rets, ddof=1))
    # +20 %: far below the 50 % outlier limit, but about 130 standard deviations
    nav = navs[-1] * 1.20
    assert 0.20 / sd > 10
    (ws.inbox / "move.csv").write_text(
        f"date,strategy_id,nav\n{JUMP.isoformat()},{SID},{nav!r}\n", encoding="utf-8"
    )
    result = DailyJob(ws, store).run(JUMP, write_report=False, today=JUMP)
    assert result.ingested[0].quarantined == [f"{SID} {JUMP.isoformat()} (sigma_move)"]
    # a declared cash flow is no move of the strategy: not quarantined
    nxt = DAYS[N + 1]
    (ws.inbox / "deposit.csv").write_text(
        f"date,strategy_id,nav,cash_flow\n{nxt.isoformat()},{SID},{navs[-1] * 1.3!r},"
        f"{navs[-1] * 0.3!r}\n",
        encoding="utf-8",
    )
    result = DailyJob(ws, store).run(nxt, write_report=False, today=nxt)
    assert result.ingested[0].quarantined == []


def test_cli_exit_codes(env: tuple[Workspace, Store]) -> None:
    ws, _store = env
    runner = CliRunner()
    w = ("--workspace", str(ws.root))
    navs = _navs()
    (ws.inbox / "jump.csv").write_text(
        f"date,strategy_id,nav\n{JUMP.isoformat()},{SID},{navs[-1] * 3!r}\n", encoding="utf-8"
    )
    res = runner.invoke(app, ["run", "--no-report", *w])
    assert res.exit_code == 2, res.output
    last = res.output.strip().splitlines()[-1]
    assert last.startswith("Not everything went in: 1 day(s) QUARANTINED in jump.csv")
    res = runner.invoke(app, ["ingest", "--confirm", "jump.csv", *w])
    assert res.exit_code == 0, res.output
    assert f"confirmed jump.csv: 1 day(s) back in the statistics ({SID} {JUMP})" in res.output
    nxt = DAYS[N + 1]
    (ws.inbox / "next.csv").write_text(
        f"date,strategy_id,nav\n{nxt.isoformat()},{SID},{navs[-1] * 3.001!r}\n",
        encoding="utf-8",
    )
    res = runner.invoke(app, ["run", "--no-report", *w])
    assert res.exit_code == 0, res.output
    assert res.output.strip().splitlines()[-1] == "All 1 file(s) went in."
    res = runner.invoke(app, ["run", "--no-report", *w])  # nothing in the inbox: fine
    assert res.exit_code == 0, res.output
