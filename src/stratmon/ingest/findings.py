"""Data-quality findings on daily records, and the quarantine of days that cannot be true.

A finding does not stop a file from loading. Most findings are for the user to see; a
*quarantine* finding also holds its strategy's day out of every statistic (health, alerts,
reports) until the day is confirmed (``stratmon ingest --confirm FILE``) or replaced by a
corrected file. Quarantine rules:

- ``nav_disconnect``: ``|nav_t - (nav_{t-1} + daily_pnl_t + cash_flow_t)| > nav_tolerance *
  |nav_{t-1}| + 0.01`` (no session missing in between);
- ``outlier``: the NAV-implied return ``(nav_t - nav_{t-1} - cash_flow_t) / nav_{t-1}`` beyond
  ``outlier_pnl_fraction`` in absolute value;
- ``sigma_move``: with no cash flow, the implied return more than ``quarantine_sigma``
  standard deviations from the mean of the strategy's own accepted returns of the previous
  ``sigma_lookback_days`` (at least ``sigma_min_history`` of them), and beyond
  ``sigma_min_move`` (10 % of NAV) in absolute value: a strategy that was flat for weeks has
  a near-zero standard deviation, and its first ordinary trading day (+0.85 % on the demo's
  ``spx_meanrev``, "157 standard deviations") is not suspect. Without that floor the demo's
  real 2013-2018 replay quarantined 55 genuine days.

Measured false-quarantine rate of the defaults ``quarantine_sigma = 10``,
``sigma_min_move = 0.10`` (benchmarks/quarantine.py, XNYS sessions, 92-day look-back, at
least 20 returns): 0 days in 5,030 of the S&P 500 and 0 in 5,030 of the NASDAQ (1999-2018,
October 2008 included), 0.15 per strategy-year on Student-t(3) returns (tails fatter than a
daily equity index), and 0 on the demo's real replay (55 without the 10 % floor).

A quarantined day is treated as absent by the next day's checks when the next day agrees
with the last accepted day (the quarantined NAV was the mistake), and as present when it
agrees with the quarantined day (the jump was real): a corrected NAV never cascades into a
second quarantine.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from stratmon.domain.records import DailyRecord, Finding
from stratmon.ingest.calendar import sessions_between
from stratmon.ingest.context import IngestContext

#: Absolute slack (currency units) of the NAV continuity check, on top of the relative one.
NAV_ABSOLUTE_TOLERANCE = 0.01
#: How many missing sessions a ``missing_data`` finding names.
MISSING_SHOWN = 5
#: The quarantine rules (the ``rule`` a quarantined day records).
QUARANTINE_RULES = ("nav_disconnect", "outlier", "sigma_move")

_ONE_DAY = dt.timedelta(days=1)


@dataclass
class DailyChecks:
    """What :func:`daily_findings` found: the findings, those that quarantine their day,
    the quarantined days with their rule, and the first missing date of each gap."""

    findings: list[Finding] = field(default_factory=list)
    quarantine_findings: list[Finding] = field(default_factory=list)
    quarantined: dict[tuple[str, dt.date], str] = field(default_factory=dict)
    gap_starts: dict[tuple[str, dt.date], dt.date] = field(default_factory=dict)


def quarantine_note(rule: str, file: str) -> str:
    """The "what to do" sentence of a quarantine finding."""
    return (
        f"; the day is QUARANTINED (rule {rule}): nothing of it reaches health, alerts or "
        f"reports until it is confirmed (stratmon ingest --confirm {file}) or a corrected "
        f"file replaces it (stratmon ingest --replace FILE)"
    )


def daily_findings(
    file: str,
    rows: Sequence[tuple[int, DailyRecord, bool]],
    ctx: IngestContext,
) -> DailyChecks:
    """Findings and quarantines on a file's daily records, per strategy in date order.

    For each record the previous one is the previous record of the same strategy in the file,
    else the last stored one. When that previous day is quarantined, the record is also
    checked against the last accepted day (bridging the quarantined days' PnL and cash flows)
    and the check that finds nothing to quarantine is kept. Then:

    - ``missing_data``: sessions of the strategy's calendar strictly between the previous date
      and this one (their count and the first few are named); across such a gap, when
      ``daily_pnl`` is given, a ``nav_disconnect`` finding (not a quarantine) says by how
      much the NAV change and the cumulative reported PnL plus cash flows disagree;
    - the quarantine rules of the module docstring; and an ``outlier`` finding when
      ``|daily_pnl_t| > outlier_pnl_fraction * nav_{t-1}`` while the NAVs look normal.

    Parameters
    ----------
    file : str
        File name, for the findings.
    rows : sequence of (row, DailyRecord, fresh)
        1-based data row, the record, and whether it is new or a replacement. Records identical
        to stored ones (``fresh`` False) serve as previous records (with their stored
        quarantine) but get no findings, so re-ingesting a file repeats nothing.
    ctx : IngestContext
        Strategies (for calendars), stored view and thresholds.

    Returns
    -------
    DailyChecks

    References
    ----------
    Time-weighted return with cash flows as in DESIGN.md (GIPS-style daily valuation).
    """
    by_strategy: dict[str, list[tuple[int, DailyRecord, bool]]] = {}
    for item in rows:
        by_strategy.setdefault(item[1].strategy_id, []).append(item)
    out = DailyChecks()
    lookback = ctx.sigma_lookback_days
    for sid, items in by_strategy.items():
        items.sort(key=lambda t: t[1].date)
        calendar = ctx.strategies[sid].calendar
        first, last = items[0][1].date, items[-1][1].date
        span = (last - first).days + lookback + 1
        stored = ctx.view.recent_daily(sid, last + _ONE_DAY, span)
        window = [(r, qd) for r, qd in stored if r.date < first]
        stored_status = {r.date: qd for r, qd in stored if r.date >= first}
        if not window:
            before = ctx.view.last_daily_before(sid, first)
            if before is not None:
                window = [(before, False)]
        for row, rec, fresh in items:
            if fresh:
                rule = _check(file, row, rec, window, calendar, ctx, out)
                held = rule is not None
            else:
                held = stored_status.get(rec.date, False)
            window.append((rec, held))
            cut = rec.date - dt.timedelta(days=lookback)
            while len(window) > 2 and window[1][0].date < cut:
                window.pop(0)
    return out


def _check(
    file: str,
    row: int,
    rec: DailyRecord,
    window: list[tuple[DailyRecord, bool]],
    calendar: str,
    ctx: IngestContext,
    out: DailyChecks,
) -> str | None:
    """Check one fresh record against its candidates; record the findings; return the
    quarantine rule, or None."""
    if not window:
        found, rule, gap = _against(file, row, rec, None, [], np.empty(0), calendar, ctx)
    else:
        prev, prev_held = window[-1]
        accepted = [r for r, qd in window if not qd]
        returns = _returns(accepted, rec.date - dt.timedelta(days=ctx.sigma_lookback_days))
        found, rule, gap = _against(file, row, rec, prev, [], returns, calendar, ctx)
        if rule is not None and prev_held and accepted:
            anchor = accepted[-1]
            bridged = [r for r, qd in window if qd and r.date > anchor.date]
            alt = _against(file, row, rec, anchor, bridged, returns, calendar, ctx)
            if alt[1] is None:
                found, rule, gap = alt
    out.findings.extend(f for f, _ in found)
    out.quarantine_findings.extend(f for f, q in found if q)
    if rule is not None:
        out.quarantined[(rec.strategy_id, rec.date)] = rule
    if gap is not None:
        out.gap_starts[(rec.strategy_id, rec.date)] = gap
    return rule


def _returns(accepted: list[DailyRecord], since: dt.date) -> np.ndarray:
    """NAV-implied returns between consecutive accepted records dated from ``since``."""
    out = [
        (b.nav - a.nav - b.cash_flow) / a.nav
        for a, b in itertools.pairwise(accepted)
        if b.date >= since and a.nav > 0
    ]
    return np.asarray(out, dtype=float)


def _against(
    file: str,
    row: int,
    rec: DailyRecord,
    prev: DailyRecord | None,
    bridged: list[DailyRecord],
    returns: np.ndarray,
    calendar: str,
    ctx: IngestContext,
) -> tuple[list[tuple[Finding, bool]], str | None, dt.date | None]:
    """Findings of ``rec`` against ``prev`` (with quarantined days ``bridged`` in between):
    [(finding, quarantines)], the quarantine rule, and the first missing date of a gap."""
    found: list[tuple[Finding, bool]] = []
    rule: str | None = None
    gap_start: dt.date | None = None
    sid = rec.strategy_id

    def add(kind: str, column: str, value: object, message: str, quarantine: str | None) -> None:
        nonlocal rule
        if quarantine is not None and ctx.quarantine:
            message += quarantine_note(quarantine, file)
            rule = rule or quarantine
        found.append(
            (
                Finding(kind, sid, rec.date, file, row, column, value, message),  # type: ignore[arg-type]
                quarantine is not None and ctx.quarantine,
            )
        )

    if prev is None:
        if rec.daily_pnl is not None and abs(rec.daily_pnl) > ctx.outlier_pnl_fraction * abs(
            rec.nav
        ):
            add("outlier", "daily_pnl", rec.daily_pnl, _pnl_outlier(rec, rec.nav, ctx), None)
        return found, rule, gap_start
    present = {r.date for r in bridged}
    missing = [
        d
        for d in sessions_between(calendar, prev.date + _ONE_DAY, rec.date - _ONE_DAY)
        if d not in present
    ]
    pnls = [r.daily_pnl for r in (*bridged, rec)]
    cash = sum(r.cash_flow for r in (*bridged, rec))
    pnl_total = None if any(p is None for p in pnls) else math.fsum(p or 0.0 for p in pnls)
    tolerance = ctx.nav_tolerance * abs(prev.nav) + NAV_ABSOLUTE_TOLERANCE
    if missing:
        gap_start = missing[0]
        shown = ", ".join(d.isoformat() for d in missing[:MISSING_SHOWN])
        more = f" and {len(missing) - MISSING_SHOWN} more" if len(missing) > MISSING_SHOWN else ""
        add(
            "missing_data",
            "date",
            {"count": len(missing), "first": [d.isoformat() for d in missing[:MISSING_SHOWN]]},
            f"{len(missing)} {calendar} session(s) missing for {sid} between "
            f"{prev.date.isoformat()} and {rec.date.isoformat()}: {shown}{more}; "
            "send the missing days (they are not filled in)",
            None,
        )
        if pnl_total is not None:
            change = rec.nav - prev.nav
            unexplained = change - pnl_total - cash
            if abs(unexplained) > tolerance:
                add(
                    "nav_disconnect",
                    "nav",
                    round(unexplained, 2),
                    f"across the {len(missing)} missing session(s) from {prev.date.isoformat()} "
                    f"to {rec.date.isoformat()} the nav changed by {change:+,.2f} but the "
                    f"reported daily_pnl ({pnl_total:+,.2f}) and cash_flow ({cash:+,.2f}) "
                    f"explain only {pnl_total + cash:+,.2f}: {unexplained:+,.2f} is missing "
                    "from the cumulative PnL (the missing sessions' PnL); send the missing "
                    "file(s) so that PnL and NAV agree",
                    None,
                )
    elif pnl_total is not None:
        expected = prev.nav + pnl_total + cash
        diff = rec.nav - expected
        if abs(diff) > tolerance:
            add(
                "nav_disconnect",
                "nav",
                rec.nav,
                f"nav {rec.nav:,.2f} differs by {diff:+,.2f} from previous nav "
                f"{prev.nav:,.2f} ({prev.date.isoformat()}) + daily_pnl "
                f"{pnl_total:,.2f} + cash_flow {cash:,.2f} = "
                f"{expected:,.2f}; check for an unreported cash flow or a wrong PnL",
                "nav_disconnect",
            )
    implied = (rec.nav - prev.nav - cash) / prev.nav if prev.nav > 0 else math.nan
    if math.isfinite(implied) and abs(implied) > ctx.outlier_pnl_fraction:
        add(
            "outlier",
            "nav",
            rec.nav,
            f"the NAVs imply a return of {implied:+.1%} on {rec.date.isoformat()} (nav "
            f"{prev.nav:,.2f} -> {rec.nav:,.2f}, cash_flow {cash:,.2f}), beyond "
            f"{ctx.outlier_pnl_fraction:.0%}; check the NAV and declare any cash flow",
            "outlier",
        )
    elif rec.daily_pnl is not None and abs(rec.daily_pnl) > ctx.outlier_pnl_fraction * abs(
        rec.nav if missing else prev.nav
    ):
        base = rec.nav if missing else prev.nav
        add("outlier", "daily_pnl", rec.daily_pnl, _pnl_outlier(rec, base, ctx), None)
    elif (
        not missing
        and math.isfinite(implied)
        and cash == 0.0
        and returns.size >= ctx.sigma_min_history
        and ctx.quarantine_sigma > 0
    ):
        sd = float(np.std(returns, ddof=1)) * math.sqrt(len(bridged) + 1)
        mean = float(np.mean(returns)) * (len(bridged) + 1)
        big = abs(implied) > ctx.sigma_min_move  # a flat book's tiny sd makes any trade "k sd"
        if sd > 0 and big and abs(implied - mean) > ctx.quarantine_sigma * sd:
            add(
                "outlier",
                "nav",
                rec.nav,
                f"the NAVs imply a return of {implied:+.2%} on {rec.date.isoformat()} with no "
                f"cash flow, {abs(implied - mean) / sd:.1f} standard deviations from "
                f"{sid}'s own last {returns.size} returns (limit {ctx.quarantine_sigma:g} and "
                f"{ctx.sigma_min_move:.0%} of NAV, rule sigma_move); check the NAV and declare "
                "any cash flow",
                "sigma_move",
            )
    return found, rule, gap_start


def _pnl_outlier(rec: DailyRecord, base: float, ctx: IngestContext) -> str:
    return (
        f"daily_pnl {rec.daily_pnl:,.2f} is more than {ctx.outlier_pnl_fraction:.0%} of "
        f"the nav {base:,.2f}; check the figure (it was loaded)"
    )
