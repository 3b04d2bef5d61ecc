"""The outlier rule looks at the return the NAVs imply, not only at daily_pnl (issue 14 #4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from stratmon.ingest import IngestContext, parse_file

Write = Callable[[str, str], Path]
D3 = dt.date(2024, 1, 3)


def test_nav_jump_with_a_matching_pnl_is_still_an_outlier(write: Write, ctx: IngestContext) -> None:
    # +1,000,000 on 1,000,000, declared as PnL: PnL and NAV agree (no nav_disconnect) but the
    # NAVs imply +100 %, beyond the 50 % limit: quarantined by the outlier rule
    head = "date,strategy_id,nav,daily_pnl,cash_flow\n"
    p = write("j.csv", head + "2024-01-02,EQ1,1000000,0,0\n2024-01-03,EQ1,2000000,1000000,0\n")
    batch = parse_file(p, ctx)
    assert batch.quarantined == {("EQ1", D3): "outlier"}
    assert [(f.kind, f.column) for f in batch.findings] == [("outlier", "nav")]
    assert "imply a return of +100.0 %" in batch.findings[0].message.replace("%", " %")


def test_nav_jump_without_a_pnl_column_is_an_outlier(write: Write, ctx: IngestContext) -> None:
    # no daily_pnl at all: the continuity check cannot run, the implied return still can
    p = write("n.csv", "date,strategy_id,nav\n2024-01-02,EQ1,1000000\n2024-01-03,EQ1,2000000\n")
    batch = parse_file(p, ctx)
    assert batch.quarantined == {("EQ1", D3): "outlier"}
    assert [f.kind for f in batch.findings] == ["outlier"]


def test_declared_cash_flow_explains_the_jump(write: Write, ctx: IngestContext) -> None:
    # the same +1,000,000 declared as a subscription: implied return (2e6 - 1e6 - 1e6)/1e6 = 0
    head = "date,strategy_id,nav,daily_pnl,cash_flow\n"
    p = write("c.csv", head + "2024-01-02,EQ1,1000000,0,0\n2024-01-03,EQ1,2000000,0,1000000\n")
    batch = parse_file(p, ctx)
    assert batch.quarantined == {} and batch.findings == []
