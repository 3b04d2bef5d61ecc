"""Human text of notifications: subject and body of one alert message, and of a digest.

A message says what happened, to which strategy, the value against the threshold, since
when, where to see more (a dashboard link when ``dashboard_url`` is set, and the command) and
how to acknowledge. Fractions print as percentages; counts, days and ratios as numbers.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

from stratmon.alerts.config import TIER_RANK
from stratmon.alerts.rules import pct

NUMBER_RULES: dict[str, str] = {
    "relative_sharpe": "",
    "psr": "",
    "decay": "",
    "drawdown_duration": " days",
    "stale_data": " sessions",
    "outlier": " findings",
    "nav_disconnect": " findings",
    "gross_exposure": "x NAV",
}
"""Rules whose values are not fractions, with the unit printed after the number."""

KIND_WORDS = {
    "firing": "FIRING",
    "resolved": "RESOLVED",
    "escalated": "ESCALATED",
    "deescalated": "STEPPED DOWN",
    "reached": "MILESTONE",
    "renotified": "STILL FIRING",
}


def with_held_severity(message: str, state: str, severity: str, reached: str, m: int) -> str:
    """The day's condition text, plus why the alert's current severity is above the tier the
    condition reaches today (severity steps down only after ``m`` sessions at a lower tier):
    "Current drawdown -14.5 % is beyond the warning level of -10.0 %. Severity stays critical
    until 3 sessions in a row are below it."."""
    if state != "firing" or not severity or TIER_RANK.get(severity, 0) <= TIER_RANK.get(reached, 0):
        return message
    return (
        f"{message.rstrip()} Severity stays {severity} until {m} session{'s' if m != 1 else ''} "
        "in a row are below it."
    )


def format_value(rule: str, value: float | None) -> str:
    """A value in the rule's units: ``-0.153 -> "-15.3 %"``; ``None``/NaN -> ``"n/a"``."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if rule in NUMBER_RULES:
        unit = NUMBER_RULES[rule]
        if unit in (" days", " sessions", " findings"):
            return f"{value:.0f}{unit}"
        return f"{value:.3g}{unit}"
    return pct(value)


def _d(x: Any) -> str:
    return x.isoformat() if isinstance(x, dt.date) else "–"


def alert_message(
    alert: Mapping[str, Any], kind: str, dashboard_url: str | None = None
) -> tuple[str, str]:
    """Subject and body for one alert notification.

    Parameters
    ----------
    alert : mapping
        ``id``, ``rule``, ``strategy_id``, ``tier``, ``severity``, ``category``, ``value``,
        ``threshold``, ``message``, ``started_at``, ``fired_at``, ``resolved_at``, ``at``
        (the evaluation date of the change), optionally ``strategy_name`` and ``note``.
    kind : {"firing", "resolved", "escalated", "deescalated", "renotified", "reached"}
        ``reached`` is a milestone (an event); ``deescalated`` a step down of severity.
    dashboard_url : str, optional

    Returns
    -------
    (str, str)
    """
    sev = str(alert.get("severity") or alert["tier"]).upper()
    rule, sid, aid = alert["rule"], alert["strategy_id"], alert["id"]
    word = KIND_WORDS.get(kind, kind.upper())
    subject = f"[stratmon] {sev} {word}: {rule} on {sid}"
    name = alert.get("strategy_name")
    lines = [
        f"{word} ({sev}) - {rule} on strategy {sid}" + (f" ({name})" if name else ""),
        "",
        f"What: {alert.get('message', '')}",
        f"Value: {format_value(rule, alert.get('value'))} "
        f"(threshold {format_value(rule, alert.get('threshold'))})",
    ]
    if kind == "resolved":
        lines.append(
            f"Fired on {_d(alert.get('fired_at'))}, resolved on {_d(alert.get('resolved_at'))}."
        )
    else:
        lines.append(
            f"Since: {_d(alert.get('fired_at'))} (condition true since "
            f"{_d(alert.get('started_at'))})"
        )
    if alert.get("note"):
        lines.append(f"Note: {alert['note']}")
    lines.append(
        f"Alert #{aid}: rule {rule}, category {alert.get('category', '')}, "
        f"tier {alert['tier']}, evaluated {_d(alert.get('at'))}."
    )
    if dashboard_url:
        lines.append(f"See more: {dashboard_url.rstrip('/')}/alerts/{aid}")
    lines.append(f"Command: stratmon alerts show {aid}")
    if kind not in ("resolved", "reached"):  # a milestone is an event: nothing to acknowledge
        lines.append(f'Acknowledge: stratmon alerts ack {aid} --by NAME --note "..."')
    return subject, "\n".join(lines)


def digest_message(
    channel: str,
    period: str,
    items: Sequence[Mapping[str, Any]],
    changes: Sequence[str] = (),
) -> tuple[str, str]:
    """One digest of queued messages, grouped by strategy, headed by what changed that day.

    Parameters
    ----------
    channel : str
    period : str
        ``YYYY-MM-DD`` (daily) or ``YYYY-Www`` (weekly).
    items : sequence of mappings
        Outbox rows: ``strategy_id``, ``rule``, ``severity``, ``kind``, ``subject``,
        ``eval_date``, ``alert_id``.
    changes : sequence of str
        The day's "what changed since the previous session" lines
        (:func:`stratmon.changes.change_lines`); none for a weekly digest.

    Returns
    -------
    (str, str)
    """
    by_strategy: dict[str, list[Mapping[str, Any]]] = {}
    for it in items:
        by_strategy.setdefault(str(it.get("strategy_id") or "(no strategy)"), []).append(it)
    n = len(items)
    subject = f"[stratmon] digest {period}: {n} alert message{'s' if n != 1 else ''}"
    lines = [f"Alert digest for {period} ({channel}), grouped by strategy.", ""]
    if changes:
        lines.append("What changed since the previous session:")
        lines.extend(f"- {c}" for c in changes)
        lines.append("")
    for sid in sorted(by_strategy):
        lines.append(f"== {sid} ==")
        for it in by_strategy[sid]:
            sev = str(it.get("severity") or "").upper()
            ref = f"#{it['alert_id']}" if it.get("alert_id") else ""
            lines.append(
                f"- {_d(it.get('eval_date'))} {sev} {it.get('kind', '')} {it.get('rule', '')} "
                f"{ref}".rstrip()
            )
        lines.append("")
    lines.append("Details: stratmon alerts show ID; list: stratmon alerts list")
    return subject, "\n".join(lines)
