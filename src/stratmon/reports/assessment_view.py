"""Human text for a stored :class:`~stratmon.domain.assessment.Assessment`: the labels every
surface (CLI, reports, dashboard) prints, so they all say the same words. Formatting only: the
judgement itself is in the record.
"""

from __future__ import annotations

from stratmon.changes import change_lines, ranked
from stratmon.domain.assessment import SEVERITY_RANK, Assessment
from stratmon.reports import format as fmt

VERDICT_LABELS = {
    "on_track": "on track",
    "watch": "watch",
    "investigate": "investigate",
    "act": "act",
}
ACTION_LABELS = {
    "increase": "increase",
    "maintain": "maintain",
    "reduce": "reduce",
    "suspend": "suspend",
    "retire_review": "retire review",
}
VERDICT_STYLE = {
    "on_track": "green",
    "watch": "yellow",
    "investigate": "dark_orange",
    "act": "bold red",
}
STATUS_STYLE = {
    "on_track": "green",
    "outperforming": "blue",
    "underperforming": "yellow",
    "alert": "bold red",
    "insufficient_data": "dim",
}


def verdict_text(a: Assessment) -> str:
    """'act: reduce', 'watch', 'on track: increase'."""
    label = VERDICT_LABELS.get(a.verdict, a.verdict)
    if a.verdict == "act" or a.action == "increase":
        return f"{label}: {ACTION_LABELS.get(a.action, a.action)}"
    return label


def status_text(status: str, window: str) -> str:
    """'underperforming (live to date)'."""
    return f"{status.replace('_', ' ')} ({window})"


def recommendation_text(a: Assessment) -> str:
    """'reduce 15,000,000 -> 7,500,000 (-7,500,000)'; the action alone without capital."""
    r = a.recommendation
    action = ACTION_LABELS.get(r.action, r.action)
    if r.current_capital is None or r.suggested_capital is None:
        return action
    change = r.change or 0.0
    sign = "+" if change > 0 else ""
    return (
        f"{action} {fmt.money(r.current_capital)} -> {fmt.money(r.suggested_capital)} "
        f"({sign}{fmt.money(change)})"
    )


def money_short(x: float | None) -> str:
    """15,000,000 -> '15.0M'; 250,000 -> '250k'; None -> '–'."""
    f = fmt.finite(x)
    if f is None:
        return "–"
    for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(f) >= size:
            return f"{f / size:.1f}{unit}" if unit != "k" else f"{f / size:.0f}{unit}"
    return f"{f:.0f}"


def recommendation_short(a: Assessment) -> str:
    """'reduce 15.0M -> 7.5M'; 'maintain 5.0M'; the action alone without capital."""
    r = a.recommendation
    action = ACTION_LABELS.get(r.action, r.action)
    if r.current_capital is None or r.suggested_capital is None:
        return action
    if abs(r.change or 0.0) < 0.5:
        return f"{action} {money_short(r.current_capital)}"
    return f"{action} {money_short(r.current_capital)} -> {money_short(r.suggested_capital)}"


def alert_counts(a: Assessment) -> str:
    """Problem alerts firing, counted by current severity, worst first: '1 emergency, 5 warning'
    (info-level milestones are news, not problems: not counted)."""
    counts: dict[str, int] = {}
    for f in a.firing_alerts:
        if f.severity == "info" or f.concern == "milestone":
            continue
        counts[f.severity] = counts.get(f.severity, 0) + 1
    ordered = sorted(counts, key=lambda s: -SEVERITY_RANK.get(s, 0))
    return ", ".join(f"{counts[s]} {s}" for s in ordered) or "none"


def firing_text(a: Assessment) -> list[str]:
    """Firing alerts as 'rule/severity', worst first."""
    ordered = sorted(a.firing_alerts, key=lambda f: -SEVERITY_RANK.get(f.severity, 0))
    return [f"{f.rule}/{f.severity}" for f in ordered]


def component_text(value: float | None) -> str:
    return "no data" if value is None else f"{value:.0f}"


__all__ = [
    "ACTION_LABELS",
    "STATUS_STYLE",
    "VERDICT_LABELS",
    "VERDICT_STYLE",
    "alert_counts",
    "change_lines",
    "component_text",
    "firing_text",
    "money_short",
    "ranked",
    "recommendation_short",
    "recommendation_text",
    "status_text",
    "verdict_text",
]
