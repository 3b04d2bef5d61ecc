"""Quarantine rules at parse time: NAV disconnect, implied-return outlier, k-sigma move with
no cash flow; a corrected NAV never cascades into a second quarantine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np

from stratmon.domain.records import DailyRecord
from stratmon.ingest import IngestContext, InMemoryView, parse_file, sessions_between

Write = Callable[[str, str], Path]
HEAD = "date,strategy_id,nav,daily_pnl,cash_flow\n"
D2, D3, D4 = dt.date(2024, 1, 2), dt.date(2024, 1, 3), dt.date(2024, 1, 4)


def test_typo_is_quarantined_and_the_next_day_is_not(write: Write, ctx: IngestContext) -> None:
    # 01-03 typed 1010 instead of 101; 01-04 agrees with 01-02 + the PnL of both days
    p = write(
        "d.csv", HEAD + "2024-01-02,EQ1,100,0,0\n2024-01-03,EQ1,1010,1,0\n2024-01-04,EQ1,102,1,0\n"
    )
    batch = parse_file(p, ctx)
    assert batch.quarantined == {("EQ1", D3): "nav_disconnect"}
    assert [(f.kind, f.date) for f in batch.findings] == [
        ("nav_disconnect", D3),
        ("outlier", D3),  # the NAVs imply +910 %
    ]
    assert batch.quarantine_findings == batch.findings
    assert "differs by +909.00" in batch.findings[0].message
    assert len(batch.daily) == 3  # stored, held out of the statistics


def test_real_jump_then_consistent_day(write: Write, ctx: IngestContext) -> None:
    # 01-03 doubles with no PnL and no cash flow (quarantined); 01-04 continues from 200:
    # consistent with the quarantined day, so only 01-03 waits for a confirmation
    p = write(
        "d.csv", HEAD + "2024-01-02,EQ1,100,0,0\n2024-01-03,EQ1,200,0,0\n2024-01-04,EQ1,201,1,0\n"
    )
    batch = parse_file(p, ctx)
    assert batch.quarantined == {("EQ1", D3): "nav_disconnect"}
    assert {f.date for f in batch.findings} == {D3}


def test_quarantined_stored_day_is_bridged(
    write: Write, view: InMemoryView, ctx: IngestContext
) -> None:
    view.add_records([DailyRecord("EQ1", D2, 100.0, 0.0), DailyRecord("EQ1", D3, 1010.0, 1.0)])
    view.quarantined.add(("EQ1", D3))
    batch = parse_file(write("d.csv", HEAD + "2024-01-04,EQ1,102,1,0\n"), ctx)
    assert batch.findings == [] and batch.quarantined == {}


def _history(view: InMemoryView, n: int, sd: float) -> list[dt.date]:
    days = sessions_between("XNYS", dt.date(2023, 10, 2), dt.date(2024, 1, 31))
    rng = np.random.default_rng(7)
    nav = 1e6
    recs = []
    for d in days[:n]:
        recs.append(DailyRecord("EQ1", d, nav))
        nav *= 1 + rng.normal(0, sd)
    view.add_records(recs)
    return days


def test_sigma_move_with_no_cash_flow(
    write: Write, view: InMemoryView, make_ctx: Callable[..., IngestContext]
) -> None:
    days = _history(view, 61, 0.01)
    last = view.all_daily()[-1]
    day = days[61]
    rows = view.recent_daily("EQ1", day, 92)
    navs = np.array([r.nav for r, _ in rows])
    rets = np.diff(navs) / navs[:-1]
    sd, mean = float(np.std(rets, ddof=1)), float(np.mean(rets))
    big = last.nav * (1 + mean + 12 * sd)  # 12 sd: beyond the default k = 10
    small = last.nav * (1 + mean + 8 * sd)
    text = f"date,strategy_id,nav\n{day},EQ1,{big!r}\n"
    batch = parse_file(write("big.csv", text), make_ctx())
    assert batch.quarantined == {("EQ1", day): "sigma_move"}
    (f,) = batch.findings
    assert "12.0 standard deviations" in f.message and f"last {rets.size} returns" in f.message
    assert (
        parse_file(
            write("small.csv", f"date,strategy_id,nav\n{day},EQ1,{small!r}\n"), make_ctx()
        ).findings
        == []
    )
    # k is configurable; a declared cash flow exempts the day; quarantine can be disabled
    assert parse_file(
        write("k6.csv", f"date,strategy_id,nav\n{day},EQ1,{small!r}\n"),
        make_ctx(quarantine_sigma=6.0, sigma_min_move=0.05),
    ).quarantined == {("EQ1", day): "sigma_move"}
    # ... and so is the floor: at k = 6 the 8 sd (~8 %) move is under the default 10 % floor
    assert (
        parse_file(
            write("k6b.csv", f"date,strategy_id,nav\n{day},EQ1,{small!r}\n"),
            make_ctx(quarantine_sigma=6.0),
        ).quarantined
        == {}
    )
    flow = last.nav * (12 * sd)
    cf = f"date,strategy_id,nav,cash_flow\n{day},EQ1,{big!r},{flow!r}\n"
    assert parse_file(write("cf.csv", cf), make_ctx()).quarantined == {}
    off = parse_file(write("off.csv", text), make_ctx(quarantine=False))
    assert off.quarantined == {} and off.quarantine_findings == []
    assert [f.kind for f in off.findings] == ["outlier"]  # still reported, not held out
    assert "QUARANTINED" not in off.findings[0].message


def test_sigma_rule_needs_history(
    write: Write, view: InMemoryView, make_ctx: Callable[..., IngestContext]
) -> None:
    days = _history(view, 15, 0.01)  # 14 returns < sigma_min_history = 20
    last = view.all_daily()[-1]
    text = f"date,strategy_id,nav\n{days[15]},EQ1,{last.nav * 1.3!r}\n"
    assert parse_file(write("d.csv", text), make_ctx()).quarantined == {}


def test_first_trading_day_after_a_flat_spell_is_not_quarantined(
    write: Write, view: InMemoryView, make_ctx: Callable[..., IngestContext]
) -> None:
    # the demo's spx_meanrev: flat for weeks (returns of a few 1e-5), then +0.85 % in a day --
    # "157 standard deviations" of its own history, and an ordinary trading day
    days = _history(view, 61, 1e-5)
    last = view.all_daily()[-1]
    day = days[61]
    text = f"date,strategy_id,nav\n{day},EQ1,{last.nav * 1.0085!r}\n"
    batch = parse_file(write("trade.csv", text), make_ctx())
    assert batch.quarantined == {} and batch.findings == []
    # a NAV typed ten times too large after the same spell is held out
    typo = f"date,strategy_id,nav\n{day},EQ1,{last.nav * 10!r}\n"
    assert parse_file(write("typo.csv", typo), make_ctx()).quarantined != {}
