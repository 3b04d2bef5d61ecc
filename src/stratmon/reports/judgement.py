"""Report sections that render the stored :class:`~stratmon.domain.assessment.Assessment`.

Every report that shows a strategy's judgement builds it here, from the record of the
report's date and with the shared words of :mod:`stratmon.reports.assessment_view`: the
"what changed since the previous session" list, the status table (verdict and action, health
beside the recent view, the two status windows as two labelled columns, the recommendation
with its sizes, the firing alerts at their current severity, the reasons), the reallocation
recommendations with the book view, and one strategy's overview. Nothing here decides a
verdict, a status, a score or a recommendation: a missing record is shown as missing.

Table rows keep the record's raw values (fractions, money, lists) beside the display text,
so the JSON form of a report carries the record's figures exactly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from stratmon.domain.assessment import Assessment
from stratmon.reports import assessment_view as view
from stratmon.reports import format as fmt
from stratmon.reports.data import ReportData
from stratmon.reports.model import Section, Table, cols
from stratmon.reports.render import cell

NO_ASSESSMENT = "no assessment stored"
# how the evidence figures of the record print (fractions as percent)
EVIDENCE_KINDS = {
    "live_sharpe_ratio": "num",
    "backtest_sharpe_ratio": "num",
    "psr_vs_backtest": "pct",
    "psr_vs_zero": "pct",
    "current_drawdown": "pct",
    "max_drawdown": "pct",
    "drawdown_probability": "pct",
    "total_return": "pct",
    "decay_statistic": "num",
    "decay_threshold": "num",
}
CHANGES_TITLE = "What changed since the previous session"


def health_text(value: float | None, trend: str | None = None) -> str:
    """'74 ↑', or 'no data' when the record has no score."""
    return "no data" if value is None else fmt.score(value, trend)


def missing_note(data: ReportData) -> list[str]:
    """One note naming the report's strategies without a stored assessment (empty if none)."""
    missing = [s for s in data.ids if s not in data.assessments]
    if not missing:
        return []
    return [
        f"{NO_ASSESSMENT} for {', '.join(missing)} on {data.as_of}: run "
        f"`stratmon run --date {data.as_of}` to assess them."
    ]


def changes_section(data: ReportData) -> Section:
    """The "what changed" list of the report's date (book lines first; one line when quiet).

    The lines (the section's notes, also in the JSON form) are the records' own ``changes``
    and the book's, joined by :func:`stratmon.reports.assessment_view.change_lines`.
    """
    sec = Section("changes", CHANGES_TITLE)
    sec.notes.extend(view.change_lines(data.assessed(), data.book_changes))
    sec.notes.extend(missing_note(data))
    return sec


def _ordered(data: ReportData, ids: Sequence[str] | None = None) -> list[str]:
    """Assessed strategies most urgent first (:func:`assessment_view.ranked`), then the
    strategies without a record in the report's order."""
    chosen = list(ids or data.ids)
    ranked = [
        a.strategy_id
        for a in view.ranked([data.assessments[s] for s in chosen if s in data.assessments])
    ]
    return ranked + [s for s in chosen if s not in data.assessments]


def status_windows(assessed: Sequence[Assessment]) -> tuple[str, str]:
    """The labels of the two status columns: the records' windows when they all agree."""
    whole = {a.status.window for a in assessed}
    recent = {a.status_recent.window for a in assessed}
    return (
        whole.pop() if len(whole) == 1 else "whole period",
        recent.pop() if len(recent) == 1 else "recent",
    )


def status_row(a: Assessment, name: str) -> dict[str, Any]:
    """One status-table row: the record's raw values and their display text."""
    r = a.recommendation
    return {
        "strategy_id": a.strategy_id,
        "name": name,
        "verdict": a.verdict,
        "action": a.action,
        "verdict_text": view.verdict_text(a),
        "verdict_since": a.verdict_since.isoformat() if a.verdict_since else None,
        "health": a.health,
        "health_trend": a.health_trend,
        "health_text": health_text(a.health, a.health_trend),
        "recent_health": a.recent_health,
        "recent_health_text": health_text(a.recent_health),
        "status": a.status.status,
        "status_window": a.status.window,
        "status_reason": a.status.reason,
        "status_text": view.status_text(a.status.status, a.status.window),
        "status_recent": a.status_recent.status,
        "status_recent_window": a.status_recent.window,
        "status_recent_reason": a.status_recent.reason,
        "status_recent_text": view.status_text(a.status_recent.status, a.status_recent.window),
        "current_capital": fmt.finite(r.current_capital),
        "suggested_capital": fmt.finite(r.suggested_capital),
        "change": fmt.finite(r.change),
        "recommendation_text": view.recommendation_text(a),
        "decay_alarm": a.decay_alarm,
        "decay_alarm_date": a.decay_alarm_date.isoformat() if a.decay_alarm_date else None,
        "firing_alerts": [f.to_dict() for f in a.firing_alerts],
        "firing_text": ", ".join(view.firing_text(a)) or "none",
        "reasons": list(a.reasons),
        "reasons_text": "; ".join(a.reasons),
    }


def _missing_row(sid: str, name: str) -> dict[str, Any]:
    return {
        "strategy_id": sid,
        "name": name,
        "verdict": None,
        "verdict_text": NO_ASSESSMENT,
        "health_text": "–",
        "recent_health_text": "–",
        "status_text": "–",
        "status_recent_text": "–",
        "recommendation_text": "–",
        "firing_text": "–",
        "reasons": [],
        "reasons_text": "",
    }


def status_table(data: ReportData, ids: Sequence[str] | None = None) -> Table:
    """The status table of the report's date, most urgent strategy first.

    Parameters
    ----------
    data : ReportData
        The report's data; its ``assessments`` are the stored records of ``data.as_of``.
    ids : sequence of str, optional
        The strategies to show (default: the report's).

    Returns
    -------
    Table
        One row per strategy (:func:`status_row`); a strategy without a record gets a row
        saying so and sorts last.
    """
    order = _ordered(data, ids)
    assessed = [data.assessments[s] for s in order if s in data.assessments]
    whole, recent = status_windows(assessed)
    rows = [
        status_row(data.assessments[s], data.names.get(s, s))
        if s in data.assessments
        else _missing_row(s, data.names.get(s, s))
        for s in order
    ]
    return Table(
        "status",
        cols(
            ("name", "Strategy", "text"),
            ("verdict_text", "Verdict (action)", "text"),
            ("health_text", "Health", "text"),
            ("recent_health_text", f"Health, {recent}", "text"),
            ("status_text", f"Status, {whole}", "text"),
            ("status_recent_text", f"Status, {recent}", "text"),
            ("recommendation_text", "Recommendation (current -> suggested)", "text"),
            ("firing_text", "Firing alerts (current severity)", "text"),
            ("reasons_text", "Why", "text"),
        ),
        rows,
        f"the stored assessment of {data.as_of}, most urgent first",
    )


def status_section(data: ReportData, title: str = "Verdicts and status") -> Section:
    """The status table with a note per strategy without a record."""
    sec = Section("status", title)
    sec.notes.extend(missing_note(data))
    sec.tables.append(status_table(data))
    return sec


def recommendation_rows(data: ReportData) -> list[dict[str, Any]]:
    """Per assessed strategy, most urgent first: the recommendation with its sizes."""
    rows = []
    for i, sid in enumerate(s for s in _ordered(data) if s in data.assessments):
        a = data.assessments[sid]
        r = a.recommendation
        rows.append(
            {
                "rank": i + 1,
                "strategy_id": sid,
                "name": data.names.get(sid, sid),
                "verdict": a.verdict,
                "verdict_text": view.verdict_text(a),
                "action": r.action,
                "action_text": view.ACTION_LABELS.get(r.action, r.action),
                "health": a.health,
                "health_text": health_text(a.health, a.health_trend),
                "current_capital": fmt.finite(r.current_capital),
                "suggested_capital": fmt.finite(r.suggested_capital),
                "change": fmt.finite(r.change),
                "rule": r.rule,
                "reasons": list(a.reasons),
                "reasons_text": "; ".join(a.reasons),
            }
        )
    return rows


def book_rows(rows: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """The book view of the recommendations: totals of the current and suggested capital,
    what the changes release and reassign, and what is left unallocated.

    Parameters
    ----------
    rows : sequence of dict
        :func:`recommendation_rows` (money in the strategies' currency).

    Returns
    -------
    (list of dict, list of str)
        Rows ``{item, key, value}`` for ``current_capital``, ``suggested_capital``,
        ``released``, ``reassigned``, ``net_change`` (suggested - current) and
        ``unallocated`` (current - suggested, = released - reassigned), and the notes.
        Only strategies whose recommendation carries both sizes count; the others are named
        in the notes. Sums of the records' figures, nothing decided here.
    """
    sized = [
        r for r in rows if r["current_capital"] is not None and r["suggested_capital"] is not None
    ]
    notes = [
        f"{r['strategy_id']}: no allocated capital stored, so no size ({r['action_text']})."
        for r in rows
        if r not in sized
    ]
    current = math.fsum(r["current_capital"] for r in sized)
    suggested = math.fsum(r["suggested_capital"] for r in sized)
    released = math.fsum(-r["change"] for r in sized if r["change"] < 0)
    added = math.fsum(r["change"] for r in sized if r["change"] > 0)
    table = [
        {"item": "current capital", "key": "current_capital", "value": current},
        {"item": "suggested capital", "key": "suggested_capital", "value": suggested},
        {"item": "released by reductions", "key": "released", "value": released},
        {"item": "reassigned by increases", "key": "reassigned", "value": added},
        {"item": "net change", "key": "net_change", "value": suggested - current},
        {"item": "unallocated", "key": "unallocated", "value": current - suggested},
    ]
    if sized:
        notes.insert(
            0,
            f"The suggested changes are a reallocation within the book's "
            f"{fmt.money(current)}: {fmt.money(released)} released, {fmt.money(added)} "
            f"reassigned, {fmt.money(current - suggested)} left unallocated.",
        )
    return table, notes


def recommendations_section(data: ReportData) -> Section:
    """Reallocation recommendations with sizes, and the book view."""
    sec = Section("recommendations", "Reallocation recommendations")
    rows = recommendation_rows(data)
    book, notes = book_rows(rows)
    sec.notes.extend(notes)
    sec.notes.extend(missing_note(data))
    rules = sorted({r["rule"] for r in rows if r["rule"]})
    sec.tables.append(
        Table(
            "recommendations",
            cols(
                ("rank", "#", "int"),
                ("name", "Strategy", "text"),
                ("verdict_text", "Verdict", "text"),
                ("action_text", "Action", "text"),
                ("health_text", "Health", "text"),
                ("current_capital", "Current capital", "money"),
                ("suggested_capital", "Suggested capital", "money"),
                ("change", "Change", "money"),
                ("reasons_text", "Why", "text"),
            ),
            rows,
            "the stored assessment's recommendation, most urgent first"
            + (f"; sizing rule: {'; '.join(rules)}" if rules else ""),
        )
    )
    sec.tables.append(
        Table(
            "book",
            cols(("item", "Book", "text"), ("value", "Capital", "money")),
            book,
            "book view: the suggested changes reallocate within the total",
        )
    )
    return sec


def overview_tables(a: Assessment | None, name: str) -> tuple[list[Table], list[str]]:
    """One strategy's judgement: the status row, the health components and the evidence
    figures the verdict read.

    Parameters
    ----------
    a : Assessment or None
        The stored record of the report's date.
    name : str
        The strategy's display name.

    Returns
    -------
    (list of Table, list of str)
        The tables ``assessment``, ``health_components``, ``evidence`` and the notes (reasons,
        decay alarm, changes); without a record no table and one note saying so.
    """
    if a is None:
        return [], [f"{NO_ASSESSMENT} for {name}."]
    row = status_row(a, name)
    assessment = Table(
        "assessment",
        cols(
            ("verdict_text", "Verdict (action)", "text"),
            ("health_text", "Health", "text"),
            ("recent_health_text", f"Health, {a.status_recent.window}", "text"),
            ("status_text", f"Status, {a.status.window}", "text"),
            ("status_recent_text", f"Status, {a.status_recent.window}", "text"),
            ("recommendation_text", "Recommendation", "text"),
            ("firing_text", "Firing alerts", "text"),
        ),
        [row],
        f"stored assessment of {a.as_of}"
        + (f"; verdict since {a.verdict_since}" if a.verdict_since else ""),
    )
    components = Table(
        "health_components",
        cols(
            ("component", "Component", "text"),
            ("value_text", "Score", "text"),
            ("weight", "Weight", "pct"),
            ("p_value", "p-value", "num"),
            ("test", "Test", "text"),
            ("reason", "Reason", "text"),
        ),
        [
            {
                "component": c.name,
                "value": fmt.finite(c.value),
                "value_text": view.component_text(c.value),
                "weight": c.weight,
                "p_value": fmt.finite(c.p_value),
                "test": c.test,
                "reason": c.reason,
            }
            for c in a.health_components
        ],
        "evidence-based health: each component from the test named (no data = not scored)",
    )
    evidence = Table(
        "evidence",
        cols(("figure", "Evidence", "text"), ("display", "Value", "text")),
        [
            {
                "figure": k,
                "value": fmt.finite(v),
                "display": cell(fmt.finite(v), EVIDENCE_KINDS.get(k, "num")),
            }
            for k, v in a.evidence.items()
            if not isinstance(v, (dict, list, str, bool))
        ],
        "the figures the verdict read",
    )
    notes = [f"Why: {r}" for r in a.reasons]
    if a.decay_alarm:
        since = f" since {a.decay_alarm_date}" if a.decay_alarm_date else ""
        notes.append(f"Decay detector in alarm{since}.")
    notes.extend(f"Changed: {c}" for c in a.changes)
    return [assessment, components, evidence], notes


__all__ = [
    "CHANGES_TITLE",
    "NO_ASSESSMENT",
    "book_rows",
    "changes_section",
    "health_text",
    "overview_tables",
    "recommendation_rows",
    "recommendations_section",
    "status_row",
    "status_section",
    "status_table",
    "status_windows",
]
