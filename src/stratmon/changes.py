"""What changed since the previous session, in words a PM reads first (pure, no I/O).

Per strategy: verdict changes, alerts raised, escalated, de-escalated and resolved today,
health moves of more than ``HEALTH_MOVE`` points, new drawdown lows, missing data, and the
data its figures leave out or cannot vouch for (:func:`held_data_lines`: quarantined days,
NAV/PnL disagreements, positions unknown). For the book: files rejected by today's intake.
A quiet day says so in one line (:func:`quiet_line`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from stratmon.domain.assessment import Assessment
from stratmon.health.verdict import ranking_key

HEALTH_MOVE = 10.0


class _Event(Protocol):
    @property
    def rule(self) -> str: ...
    @property
    def from_state(self) -> str: ...
    @property
    def to_state(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def tier(self) -> str: ...
    @property
    def kind(self) -> str: ...


def _pct(x: float) -> str:
    return f"{100.0 * x:.1f} %"


def alert_changes(events: Sequence[_Event]) -> list[str]:
    """One line per alert transition that matters to a person (pending states are not news)."""
    out: list[str] = []
    for e in events:
        sev = e.severity or e.tier
        if e.kind == "escalated":
            out.append(f"alert {e.rule} escalated to {sev}")
        elif e.kind == "deescalated":
            out.append(f"alert {e.rule} eased to {sev}")
        elif e.kind != "transition":
            continue
        elif e.to_state == "firing":
            out.append(f"alert {e.rule} raised ({sev})")
        elif e.from_state == "firing" and e.to_state in ("resolved", "inactive", "no_data"):
            out.append(f"alert {e.rule} resolved")
    return out


def strategy_changes(
    today: Assessment,
    previous: Assessment | None,
    events: Sequence[_Event],
    *,
    max_drawdown: float,
    previous_max_drawdown: float,
    missing_sessions: int | None,
    last_data: Any = None,
) -> list[str]:
    """Changes of one strategy since its previous assessment.

    Parameters
    ----------
    today : Assessment
        Today's judgement (its ``changes`` are ignored).
    previous : Assessment or None
        The previous session's; ``None`` on the first assessed day.
    events : sequence of AlertEvent
        Today's alert transitions of this strategy.
    max_drawdown, previous_max_drawdown : float
        Live maximum drawdown (<= 0) today and at the previous assessment (NaN unknown).
    missing_sessions : int or None
        Sessions without data up to today.
    last_data : date, optional
        Date of the newest data, named in the missing-data line.
    """
    out: list[str] = []
    if previous is None:
        out.append(f"first assessment: {today.verdict}")
    elif previous.verdict != today.verdict or previous.action != today.action:
        out.append(
            f"verdict {previous.verdict} ({previous.action}) -> {today.verdict} ({today.action})"
        )
    out.extend(alert_changes(events))
    if previous is not None and today.health is not None and previous.health is not None:
        move = today.health - previous.health
        if abs(move) > HEALTH_MOVE:
            out.append(f"health {previous.health:.0f} -> {today.health:.0f} ({move:+.0f})")
    if (
        math.isfinite(max_drawdown)
        and max_drawdown < 0.0
        and math.isfinite(previous_max_drawdown)
        and max_drawdown < previous_max_drawdown - 1e-12
    ):
        out.append(f"new drawdown low {_pct(max_drawdown)} (was {_pct(previous_max_drawdown)})")
    if missing_sessions:
        since = f" (last data {last_data})" if last_data is not None else ""
        out.append(f"no data for {missing_sessions} session(s){since}")
    return out


def rejected_file_changes(outcomes: Sequence[Any]) -> list[str]:
    """Book-level lines for files rejected by today's intake."""
    out = []
    for o in outcomes:
        if getattr(o, "outcome", "") != "rejected":
            continue
        first = (o.error or "").splitlines()[0] if o.error else "see its .error.txt"
        out.append(f"file rejected: {o.file} ({first})")
    return out


def _days(days: Sequence[Any], shown: int = 3) -> str:
    text = ", ".join(str(d) for d in days[:shown])
    return text + (f" and {len(days) - shown} more" if len(days) > shown else "")


def held_data_lines(
    quarantined: Sequence[Mapping[str, Any]],
    findings: Sequence[Mapping[str, Any]],
    as_of: Any = None,
) -> dict[str, list[str]]:
    """What each strategy's figures leave out or cannot vouch for, one line per kind.

    Parameters
    ----------
    quarantined : sequence of mapping
        Days held out of the statistics (``strategy_id``, ``date``, ``rule``, ``file``), as
        :func:`stratmon.store.queries.quarantined_days` gives them.
    findings : sequence of mapping
        Open data-quality findings (``strategy_id``, ``kind``, ``date``, ``message``,
        ``quarantine``, ``positions``), as :func:`stratmon.store.queries.open_data_findings`.
    as_of : date, optional
        Days after it are left out.

    Returns
    -------
    dict
        strategy_id -> lines, in this order: quarantined days (with the rule, the file and
        what to do), NAV/PnL disagreements that are findings only (a day's, or across a gap,
        with the amount as the finding says it), days whose positions are unknown.
    """
    out: dict[str, list[str]] = {}

    def keep(d: Any) -> bool:
        return as_of is None or d is None or d <= as_of

    held: dict[str, list[Mapping[str, Any]]] = {}
    for q in quarantined:
        if keep(q.get("date")):
            held.setdefault(str(q["strategy_id"]), []).append(q)
    for sid, rows in held.items():
        days = [f"{r['date']} ({r['rule']}, {r.get('file') or 'unknown file'})" for r in rows]
        files = sorted({str(r["file"]) for r in rows if r.get("file")})
        how = " / ".join(f"`stratmon ingest --confirm {f}`" for f in files) or "a confirmation"
        out.setdefault(sid, []).append(
            f"{len(rows)} day(s) quarantined, held out of the statistics: {_days(days)}; "
            f"confirm with {how} or send a corrected file"
        )
    disconnect: dict[str, list[Mapping[str, Any]]] = {}
    unknown: dict[str, list[Any]] = {}
    for f in findings:
        if not keep(f.get("date")):
            continue
        sid = str(f["strategy_id"])
        if f.get("positions"):
            unknown.setdefault(sid, []).append(f.get("date"))
        elif f.get("kind") == "nav_disconnect" and not f.get("quarantine"):
            disconnect.setdefault(sid, []).append(f)
    for sid, rows in disconnect.items():
        first = str(rows[-1].get("message") or "").split(";")[0]
        out.setdefault(sid, []).append(
            f"NAV and PnL disagree ({len(rows)} open finding(s), latest {rows[-1].get('date')}:"
            f" {first})"
        )
    for sid, days in unknown.items():
        out.setdefault(sid, []).append(
            f"positions unknown on {len(days)} day(s) ({_days(days[::-1])}): position-based "
            "rules not evaluated"
        )
    return out


def quiet_line(n_strategies: int) -> str:
    """The one line of a day on which nothing changed."""
    return f"Quiet day: no verdict, alert or data change on any of {n_strategies} strategies."


def ranked(assessments: Sequence[Assessment]) -> list[Assessment]:
    """Most urgent first: the reverse of the book ranking of
    :func:`stratmon.health.verdict.ranking_key` (verdict and action level, worst counted alert,
    number of counted alerts), then the lowest health; a strategy without a health score
    comes after those with one on the same level, ties by id."""

    def key(a: Assessment) -> tuple[int, int, int, bool, float, str]:
        level, worst, count, _, _, sid = ranking_key(a)
        return (-level, -worst, -count, a.health is None, a.health or 0.0, sid)

    return sorted(assessments, key=key)


def change_lines(
    assessments: Sequence[Assessment],
    book: Sequence[str] = (),
    held: Mapping[str, Sequence[str]] | None = None,
) -> list[str]:
    """The "what changed today" list: book lines first, then each strategy's, most urgent
    strategy first, each followed by its :func:`held_data_lines` (``held``); one quiet line
    when nothing changed and no data is held out."""
    lines = list(book)
    held = held or {}
    for a in ranked(assessments):
        lines.extend(f"{a.strategy_id}: {c}" for c in a.changes)
        lines.extend(f"{a.strategy_id}: {c}" for c in held.get(a.strategy_id, ()))
    return lines or [quiet_line(len(assessments))]
