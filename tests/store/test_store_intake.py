"""Intake into a real workspace and store: move, record, dedupe, reject, replace, match."""

from __future__ import annotations

import datetime as dt

import pytest
from store_inbox import drop

from stratmon.config import Workspace, create_workspace
from stratmon.domain import RoundTrip, Strategy
from stratmon.intake import ingest_paths
from stratmon.store import Store, open_store
from stratmon.store import queries as q
from stratmon.store import repositories as repo

TODAY = dt.date(2024, 3, 1)
EXEC_HEADER = "execution_id,strategy_id,timestamp,symbol,side,quantity,price,commission\n"


def counts(store: Store) -> dict[str, int]:
    with store.read() as conn:
        return q.table_counts(conn)


def navs(store: Store, sid: str) -> list[float]:
    with store.read() as conn:
        return q.daily_series(conn, [sid])[sid].nav.tolist()


GOOD = "date,strategy_id,nav\n2024-01-02,EQ1,100\n2024-01-03,EQ1,101\n2024-01-03,EQ2,50\n"


def test_accepted_file_is_moved_and_stored(env: tuple[Workspace, Store]) -> None:
    ws, store = env
    p = drop(ws, "perf.csv", GOOD)
    (out,) = ingest_paths(ws, store, [p], today=TODAY)
    assert (out.outcome, out.kind, out.n_rows, out.n_new) == ("accepted", "daily", 3, 3)
    assert not p.exists()
    assert out.moved_to is not None and out.moved_to.exists()
    assert out.moved_to.parent.parent == ws.inbox / "processed"
    assert out.moved_to.read_text(encoding="utf-8") == GOOD
    assert navs(store, "EQ1") == [100.0, 101.0]
    assert counts(store)["daily_records"] == 3


def test_identical_reingest_is_a_recorded_duplicate(env: tuple[Workspace, Store]) -> None:
    ws, store = env
    ingest_paths(ws, store, [drop(ws, "perf.csv", GOOD)], today=TODAY)
    before = counts(store)
    p = drop(ws, "perf_again.csv", GOOD)
    (out,) = ingest_paths(ws, store, [p], today=TODAY)
    assert out.outcome == "duplicate" and out.n_new == 0
    assert not p.exists() and out.moved_to is not None and out.moved_to.exists()
    assert counts(store) == before
    with store.read() as conn:
        files = q.ingested_files(conn)
    assert [f["outcome"] for f in files] == ["accepted", "duplicate"]
    assert files[0]["sha256"] == files[1]["sha256"]


def test_identical_row_in_another_file_is_skipped(env: tuple[Workspace, Store]) -> None:
    ws, store = env
    ingest_paths(ws, store, [drop(ws, "a.csv", GOOD)], today=TODAY)
    other = "date,strategy_id,nav\n2024-01-03,EQ1,101\n2024-01-04,EQ1,102\n"
    (out,) = ingest_paths(ws, store, [drop(ws, "b.csv", other)], today=TODAY)
    assert (out.outcome, out.n_rows, out.n_new, out.n_identical) == ("accepted", 2, 1, 1)
    assert navs(store, "EQ1") == [100.0, 101.0, 102.0]
    assert counts(store)["daily_records"] == 4


@pytest.mark.parametrize(
    ("row", "column", "value", "rule"),
    [
        ("2024-01-04,EQ1,-5", "nav", "-5.0", "nav_positive"),
        ("2024-01-04,EQ1,0", "nav", "0.0", "nav_positive"),
        ("2024-01-04,NOPE,100", "strategy_id", "'NOPE'", "unknown_strategy"),
        ("2024-01-06,EQ1,100", "date", "'2024-01-06'", "trading_session"),  # a Saturday
    ],
)
def test_bad_file_rejected_whole_good_file_still_loads(
    env: tuple[Workspace, Store], row: str, column: str, value: str, rule: str
) -> None:
    ws, store = env
    bad = drop(ws, "bad.csv", f"date,strategy_id,nav\n2024-01-02,EQ2,70\n{row}\n")
    good = drop(ws, "good.csv", GOOD)
    outs = {o.file: o for o in ingest_paths(ws, store, [bad, good], today=TODAY)}
    assert outs["good.csv"].outcome == "accepted"
    assert outs["bad.csv"].outcome == "rejected"
    moved = ws.inbox / "rejected" / "bad.csv"
    assert outs["bad.csv"].moved_to == moved and moved.exists() and not bad.exists()
    error = (ws.inbox / "rejected" / "bad.csv.error.txt").read_text(encoding="utf-8")
    assert f"bad.csv, row 2, column '{column}', value {value}: [{rule}]" in error
    # nothing from the bad file: its valid first row (EQ2 on 2024-01-02) was not stored
    assert counts(store)["daily_records"] == 3
    with store.read() as conn:
        assert q.daily_series(conn, ["EQ2"])["EQ2"].dates == [dt.date(2024, 1, 3)]
        assert [f["outcome"] for f in q.ingested_files(conn)] == ["rejected", "accepted"]


def test_conflict_rejected_then_replaced(env: tuple[Workspace, Store]) -> None:
    ws, store = env
    ingest_paths(ws, store, [drop(ws, "a.csv", GOOD)], today=TODAY)
    conflicting = "date,strategy_id,nav\n2024-01-03,EQ1,105\n"
    (out,) = ingest_paths(ws, store, [drop(ws, "c.csv", conflicting)], today=TODAY)
    assert out.outcome == "rejected"
    assert "nav" in (out.error or "") and "105" in (out.error or "")
    assert navs(store, "EQ1") == [100.0, 101.0]
    with store.read() as conn:
        assert q.findings(conn) == []
    (out,) = ingest_paths(ws, store, [drop(ws, "c.csv", conflicting)], replace=True, today=TODAY)
    assert (out.outcome, out.n_replaced, out.n_new) == ("accepted", 1, 0)
    assert navs(store, "EQ1") == [100.0, 105.0]
    assert counts(store)["daily_records"] == 3
    with store.read() as conn:
        found = q.findings(conn, strategy_id="EQ1")
    assert [(f["kind"], f["date"], f["column"]) for f in found] == [
        ("replaced_row", dt.date(2024, 1, 3), "nav")
    ]


# --- executions: FIFO across files, late files ------------------------------------------

FILLS = {
    "x1.csv": "e1,EQ1,2024-01-02T15:00:00,AAPL,BUY,100,10.00,1.00\n",
    "x2.csv": "e2,EQ1,2024-01-03T15:00:00,AAPL,SELL,60,12.00,0.60\n",
    # closes the remaining 40 and flips to a short of 60
    "x3.csv": "e3,EQ1,2024-01-04T15:00:00,AAPL,SELL,100,11.00,0\n",
    "x4.csv": "e4,EQ1,2024-01-05T15:00:00,AAPL,BUY,60,9.00,0\n",
}


def _trips(store: Store) -> list[RoundTrip]:
    with store.read() as conn:
        return q.round_trips(conn, "EQ1")


def _expected() -> list[tuple[str, str, float, float, float, float]]:
    """Hand-matched FIFO: (trade_id, direction, qty, entry, exit, pnl net of commissions)."""
    return [
        ("e1->e2", "LONG", 60, 10.0, 12.0, 60 * 2.0 - 0.6 - 0.6),  # 60 % of e1's 1.00
        ("e1->e3", "LONG", 40, 10.0, 11.0, 40 * 1.0 - 0.4),
        ("e3->e4", "SHORT", 60, 11.0, 9.0, 60 * 2.0),
    ]


def _summary(trips: list[RoundTrip]) -> list[tuple[str, str, float, float, float, float]]:
    return [
        (t.trade_id, t.direction, t.quantity, t.entry_price, t.exit_price, round(t.pnl, 9))
        for t in trips
    ]


def test_executions_matched_fifo_across_files(env: tuple[Workspace, Store]) -> None:
    ws, store = env
    n = []
    for name, row in FILLS.items():
        (out,) = ingest_paths(ws, store, [drop(ws, name, EXEC_HEADER + row)], today=TODAY)
        assert out.outcome == "accepted", out.error
        n.append(out.n_round_trips)
    assert n == [0, 1, 1, 1]
    assert _summary(_trips(store)) == [
        (i, d, qn, a, b, pytest.approx(p)) for i, d, qn, a, b, p in _expected()
    ]
    with store.read() as conn:
        assert q.matcher_state(conn, "EQ1") is not None
        assert counts(store)["executions"] == 4


def test_late_executions_file_rebuilds_the_matching(env: tuple[Workspace, Store]) -> None:
    ws, store = env
    # in order elsewhere, for reference
    ws2 = create_workspace(ws.root.parent / "ws2")
    store2 = open_store(ws2.database_url)
    with store2.transaction() as conn:
        repo.upsert_strategies(conn, [Strategy("EQ1", "Equity one")])
    for name, row in FILLS.items():
        ingest_paths(ws2, store2, [drop(ws2, name, EXEC_HEADER + row)], today=TODAY)
    reference = _trips(store2)
    store2.dispose()

    # here: x1, x3, x4 first; then the late x2 (earlier than matched fills)
    for name in ("x1.csv", "x3.csv", "x4.csv"):
        ingest_paths(ws, store, [drop(ws, name, EXEC_HEADER + FILLS[name])], today=TODAY)
    early = _summary(_trips(store))
    assert [t[0] for t in early] == ["e1->e3"]  # e3 closed all 100; e4 opened a long
    (out,) = ingest_paths(
        ws, store, [drop(ws, "x2.csv", EXEC_HEADER + FILLS["x2.csv"])], today=TODAY
    )
    assert out.outcome == "accepted", out.error
    assert _trips(store) == reference
    assert _summary(_trips(store)) == [
        (i, d, qn, a, b, pytest.approx(p)) for i, d, qn, a, b, p in _expected()
    ]
    with store.read() as conn:
        # the rebuild counts as a replacement, so caches of history reload
        assert q.files_replacing_since(conn, 0) == 1
