"""Which days lack their positions snapshot although the strategy sent one before."""

from __future__ import annotations

import datetime as dt

from stratmon.config import Workspace
from stratmon.domain import Position
from stratmon.store import Store
from stratmon.store import queries as q
from stratmon.store import repositories as repo

D = [dt.date(2024, 1, d) for d in (2, 3, 4, 5, 8)]


def test_days_without_positions(env: tuple[Workspace, Store]) -> None:
    _, store = env
    with store.transaction() as conn:
        # EQ1 sends snapshots on D[1] (two symbols) and D[3] (flat: zero exposure); EQ2 none
        repo.insert_positions(
            conn,
            [
                Position(D[1], "EQ1", "SPX", 10, 50_000.0),
                Position(D[1], "EQ1", "IXIC", 5, 20_000.0),
                Position(D[3], "EQ1", "SPX", 0, 0.0),
            ],
            None,
        )
    asked = [("EQ1", d) for d in D] + [("EQ2", D[4])]
    with store.read() as conn:
        got = q.days_without_positions(conn, asked)
    # D[0]: nothing sent before -> no finding; D[1], D[3]: snapshot that day (flat counts);
    # D[2]: last snapshot D[1]; D[4]: last snapshot D[3]; EQ2 never sent positions
    assert got == [("EQ1", D[2], D[1]), ("EQ1", D[4], D[3])]
    with store.read() as conn:
        assert q.days_without_positions(conn, []) == []
