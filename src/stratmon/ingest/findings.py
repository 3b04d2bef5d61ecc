"""Data-quality findings on daily records: outliers, NAV disconnects, missing sessions.

A finding does not stop a file from loading; it is returned in the batch for the user to see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from stratmon.domain.records import DailyRecord, Finding
from stratmon.ingest.calendar import sessions_between
from stratmon.ingest.context import IngestContext

#: Absolute slack (currency units) of the NAV continuity check, on top of the relative one.
NAV_ABSOLUTE_TOLERANCE = 0.01
#: How many missing sessions a ``missing_data`` finding names.
MISSING_SHOWN = 5

_ONE_DAY = dt.timedelta(days=1)


def daily_findings(
    file: str,
    rows: Sequence[tuple[int, DailyRecord, bool]],
    ctx: IngestContext,
) -> list[Finding]:
    """Findings on a file's daily records, per strategy in date order.

    For each record, the previous one is the previous record of the same strategy in the file,
    else the last stored record before it (``ctx.view.last_daily_before``). Then:

    - ``missing_data``: sessions of the strategy's calendar strictly between the previous date
      and this one (their count and the first few are named);
    - ``nav_disconnect`` (only when no session is missing and ``daily_pnl`` is given):
      ``|nav_t - (nav_{t-1} + daily_pnl_t + cash_flow_t)| > nav_tolerance * |nav_{t-1}| + 0.01``;
    - ``outlier``: ``|daily_pnl_t| > outlier_pnl_fraction * nav_{t-1}`` (``nav_t`` when there is
      no previous record or sessions are missing).

    Parameters
    ----------
    file : str
        File name, for the findings.
    rows : sequence of (row, DailyRecord, fresh)
        1-based data row, the record, and whether it is new or a replacement. Records identical
        to stored ones (``fresh`` False) serve as previous records but get no findings, so
        re-ingesting a file repeats nothing.
    ctx : IngestContext
        Strategies (for calendars), stored view and thresholds.

    Returns
    -------
    list of Finding
    """
    by_strategy: dict[str, list[tuple[int, DailyRecord, bool]]] = {}
    for item in rows:
        by_strategy.setdefault(item[1].strategy_id, []).append(item)
    out: list[Finding] = []
    for sid, items in by_strategy.items():
        items.sort(key=lambda t: t[1].date)
        calendar = ctx.strategies[sid].calendar
        prev = ctx.view.last_daily_before(sid, items[0][1].date)
        for row, rec, fresh in items:
            if fresh:
                out.extend(_record_findings(file, row, rec, prev, calendar, ctx))
            prev = rec
    return out


def _record_findings(
    file: str,
    row: int,
    rec: DailyRecord,
    prev: DailyRecord | None,
    calendar: str,
    ctx: IngestContext,
) -> list[Finding]:
    out: list[Finding] = []
    base = rec.nav
    if prev is not None:
        missing = sessions_between(calendar, prev.date + _ONE_DAY, rec.date - _ONE_DAY)
        if missing:
            shown = ", ".join(d.isoformat() for d in missing[:MISSING_SHOWN])
            more = (
                f" and {len(missing) - MISSING_SHOWN} more" if len(missing) > MISSING_SHOWN else ""
            )
            out.append(
                Finding(
                    "missing_data",
                    rec.strategy_id,
                    rec.date,
                    file,
                    row,
                    "date",
                    {
                        "count": len(missing),
                        "first": [d.isoformat() for d in missing[:MISSING_SHOWN]],
                    },
                    f"{len(missing)} {calendar} session(s) missing for {rec.strategy_id} between "
                    f"{prev.date.isoformat()} and {rec.date.isoformat()}: {shown}{more}; "
                    "send the missing days (they are not filled in)",
                )
            )
        else:
            base = prev.nav
            if rec.daily_pnl is not None:
                expected = prev.nav + rec.daily_pnl + rec.cash_flow
                gap = rec.nav - expected
                if abs(gap) > ctx.nav_tolerance * abs(prev.nav) + NAV_ABSOLUTE_TOLERANCE:
                    out.append(
                        Finding(
                            "nav_disconnect",
                            rec.strategy_id,
                            rec.date,
                            file,
                            row,
                            "nav",
                            rec.nav,
                            f"nav {rec.nav:,.2f} differs by {gap:+,.2f} from previous nav "
                            f"{prev.nav:,.2f} ({prev.date.isoformat()}) + daily_pnl "
                            f"{rec.daily_pnl:,.2f} + cash_flow {rec.cash_flow:,.2f} = "
                            f"{expected:,.2f}; check for an unreported cash flow or a wrong PnL",
                        )
                    )
    if rec.daily_pnl is not None and abs(rec.daily_pnl) > ctx.outlier_pnl_fraction * abs(base):
        out.append(
            Finding(
                "outlier",
                rec.strategy_id,
                rec.date,
                file,
                row,
                "daily_pnl",
                rec.daily_pnl,
                f"daily_pnl {rec.daily_pnl:,.2f} is more than {ctx.outlier_pnl_fraction:.0%} of "
                f"the nav {base:,.2f}; check the figure (it was loaded)",
            )
        )
    return out
