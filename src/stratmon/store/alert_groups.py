"""Milestones as events: every time a milestone rule was reached, as a list.

Milestones (profitable, annual return target, new maximum drawdown; kind ``milestone`` in
:mod:`stratmon.alerts.registry`) are not concern alerts: they never fire, they are reached.
Their alert row keeps only the latest state, so the events come from the alert's
transitions into ``reached`` (``alert_events``), one per reach: a strategy that becomes
profitable, loses it and becomes profitable again has two events.

The concern alerts themselves (one per strategy and concern) are
:func:`stratmon.store.alerts_queries.concern_alerts`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, select

from stratmon.store.models import AlertEventRow, AlertRow


def milestone_events(
    conn: Connection,
    *,
    since: dt.date | None = None,
    strategy_id: str | None = None,
) -> list[dict[str, Any]]:
    """Every reach of a milestone, oldest first, JSON-safe.

    Parameters
    ----------
    conn : Connection
    since : datetime.date, optional
        Only events on or after this date.
    strategy_id : str, optional
        Only this strategy's events.

    Returns
    -------
    list of dict
        ``id`` (``"<strategy>:<rule>:<ISO date>"``, stable across runs), ``alert_id``,
        ``strategy_id``, ``rule``, ``concern`` (``"milestone"``), ``reached_at`` (ISO date),
        ``value`` and ``threshold`` (the rule's figure and its threshold that day, ``None``
        when unknown), ``message``, ``recipients`` (roles, from the rule's
        ``default_recipients``).

    References
    ----------
    Milestones as events: issue 14, item 2 (Alertmanager has no equivalent; Grafana's
    annotations are the nearest).
    """
    from stratmon.alerts.registry import RULES
    from stratmon.alerts.roles import recipients

    milestones = sorted(name for name, spec in RULES.items() if spec.kind == "milestone")
    a, e = AlertRow.__table__, AlertEventRow.__table__
    q = (
        select(
            e.c.alert_id, e.c.at, e.c.value, e.c.threshold, e.c.message, a.c.strategy_id, a.c.rule
        )
        .select_from(e.join(a, a.c.id == e.c.alert_id))
        .where(e.c.to_state == "reached", a.c.rule.in_(milestones))
    )
    if since is not None:
        q = q.where(e.c.at >= since)
    if strategy_id is not None:
        q = q.where(a.c.strategy_id == strategy_id)
    q = q.order_by(e.c.at, a.c.strategy_id, a.c.rule, e.c.id)
    return [
        {
            "id": f"{r.strategy_id}:{r.rule}:{r.at.isoformat()}",
            "alert_id": int(r.alert_id),
            "strategy_id": r.strategy_id,
            "rule": r.rule,
            "concern": "milestone",
            "reached_at": r.at.isoformat(),
            "value": r.value,
            "threshold": r.threshold,
            "message": r.message or "",
            "recipients": list(recipients(r.rule, "info")),
        }
        for r in conn.execute(q)
    ]


__all__ = ["milestone_events"]
