"""The findings life cycle, gaps and positions of the day, through a real workspace/store:
a replaced row or a late file resolves its findings (who/what), a stale ``.error.txt`` goes
with the correction, a gap is a NAV-continuity check, positions are never carried forward."""

from __future__ import annotations

import datetime as dt

from store_inbox import drop

from stratmon.config import Workspace
from stratmon.intake import ingest_paths
from stratmon.store import Store
from stratmon.store import alerts_queries as aq
from stratmon.store import queries as q

TODAY = dt.date(2024, 3, 1)
HEAD = "date,strategy_id,nav,daily_pnl\n"
POS_HEAD = "date,strategy_id,symbol,quantity,market_value,unrealized_pnl\n"
D2, D3, D4 = dt.date(2024, 1, 2), dt.date(2024, 1, 3), dt.date(2024, 1, 4)


def findings(store: Store, sid: str = "EQ1") -> list[dict[str, object]]:
    with store.read() as conn:
        return list(reversed(q.findings(conn, strategy_id=sid)))


def test_replacement_resolves_findings_and_removes_stale_error(
    env: tuple[Workspace, Store],
) -> None:
    ws, store = env
    # 100 + daily_pnl 5 = 105, but nav 101: a NAV disconnect, the day quarantined
    (first,) = ingest_paths(
        ws, store, [drop(ws, "perf.csv", HEAD + "2024-01-02,EQ1,100,0\n2024-01-03,EQ1,101,5\n")]
    )
    assert first.quarantined == ["EQ1 2024-01-03 (nav_disconnect)"]
    (f,) = findings(store)
    assert (f["kind"], f["status"], f["quarantine"]) == ("nav_disconnect", "open", True)
    # the correction without --replace is a conflict; the text says exactly what to do
    fix = HEAD + "2024-01-02,EQ1,100,0\n2024-01-03,EQ1,101,1\n"
    (rej,) = ingest_paths(ws, store, [drop(ws, "perf_fix.csv", fix)], today=TODAY)
    assert rej.outcome == "rejected"
    error_txt = ws.inbox / "rejected" / "perf_fix.csv.error.txt"
    text = error_txt.read_text(encoding="utf-8")
    assert "stratmon run --replace" in text and "stratmon ingest --replace FILE" in text
    assert "drop it into the inbox again" not in text.splitlines()[-1]
    # moved back into the inbox and accepted with replace
    (ws.inbox / "rejected" / "perf_fix.csv").rename(ws.inbox / "perf_fix.csv")
    (ok,) = ingest_paths(ws, store, [ws.inbox / "perf_fix.csv"], replace=True, today=TODAY)
    assert (ok.outcome, ok.n_replaced, ok.quarantined) == ("accepted", 1, [])
    assert not error_txt.exists()
    old, replaced = findings(store)
    assert (old["kind"], old["status"]) == ("nav_disconnect", "resolved")
    assert old["resolved_by"] == "replaced by file perf_fix.csv"
    assert (replaced["kind"], replaced["status"]) == ("replaced_row", "open")
    with store.read() as conn:
        assert q.quarantined_days(conn) == []
        assert q.daily_series(conn, ["EQ1"])["EQ1"].dates == [D2, D3]


def test_gap_is_a_continuity_check_and_a_late_file_resolves_it(
    env: tuple[Workspace, Store],
) -> None:
    ws, store = env
    # 2024-01-03 never came: the NAV rose 100 -> 103 but daily_pnl of 01-04 is only 1, so
    # 2.00 of PnL (the missing day's) is not in the cumulative PnL
    (out,) = ingest_paths(
        ws, store, [drop(ws, "a.csv", HEAD + "2024-01-02,EQ1,100,0\n2024-01-04,EQ1,103,1\n")]
    )
    assert out.quarantined == []  # a gap is reported, not quarantined
    gap, cont = findings(store)
    assert (gap["kind"], gap["date"], gap["status"]) == ("missing_data", D4, "open")
    assert "2024-01-03" in str(gap["message"])
    assert (cont["kind"], cont["value"], cont["quarantine"]) == ("nav_disconnect", "2.0", False)
    assert "+2.00 is missing from the cumulative PnL" in str(cont["message"])
    # the late file arrives (and agrees): both gap findings are resolved by it
    (late,) = ingest_paths(ws, store, [drop(ws, "late.csv", HEAD + "2024-01-03,EQ1,102,2\n")])
    assert late.findings == [] and late.quarantined == []
    gap, cont = findings(store)
    assert gap["status"] == cont["status"] == "resolved"
    assert gap["resolved_by"] == "file late.csv (late file for 2024-01-03)"


def test_positions_are_the_snapshot_of_the_day(env: tuple[Workspace, Store]) -> None:
    ws, store = env
    files = [
        drop(
            ws,
            "perf.csv",
            HEAD + "".join(f"{d},{s},100,0\n" for d in (D2, D3) for s in ("EQ1", "EQ2")),
        ),
        drop(ws, "pos.csv", POS_HEAD + "2024-01-02,EQ1,AAPL,10,50000,0\n"),
    ]
    ingest_paths(ws, store, files, today=TODAY)
    with store.read() as conn:
        assert aq.positions_on(conn, ["EQ1", "EQ2"], D2) == {
            "EQ1": [{"strategy_id": "EQ1", "date": D2, "symbol": "AAPL", "market_value": 50000.0}]
        }
        # 01-03 has no snapshot: unknown, not the 01-02 book
        assert aq.positions_on(conn, ["EQ1", "EQ2"], D3) == {}
    (f,) = findings(store)
    assert (f["kind"], f["date"], f["column"], f["status"]) == (
        "missing_data",
        D3,
        "positions",
        "open",
    )
    assert "last on 2024-01-02" in str(f["message"])
    assert findings(store, "EQ2") == []  # never sent positions: none expected
    # the day's snapshot arrives late, flat (zero exposure): known, flat, finding resolved
    ingest_paths(ws, store, [drop(ws, "pos3.csv", POS_HEAD + "2024-01-03,EQ1,AAPL,0,0,0\n")])
    with store.read() as conn:
        (row,) = aq.positions_on(conn, ["EQ1"], D3)["EQ1"]
    assert row["market_value"] == 0.0
    (f,) = findings(store)
    assert (f["status"], f["resolved_by"]) == ("resolved", "positions arrived in file pos3.csv")
    # a re-sent daily file for a day without positions does not repeat the finding
    ingest_paths(ws, store, [drop(ws, "perf4.csv", HEAD + "2024-01-04,EQ1,100,0\n")])
    ingest_paths(ws, store, [drop(ws, "perf4b.csv", HEAD + "2024-01-04,EQ1,100,0\n\n")])
    open_positions = [f for f in findings(store) if f["status"] == "open"]
    assert [(f["date"], f["column"]) for f in open_positions] == [(D4, "positions")]
