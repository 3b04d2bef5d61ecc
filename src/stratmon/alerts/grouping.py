"""One alert per problem: the rule alerts of a strategy grouped by concern.

Several rules restate the same evidence (underperformance, relative_return, relative_sharpe
and psr all say "performance below the backtest"). What people see is the *concern alert*:
one per strategy and concern (performance, drawdown, risk, decay, data, milestone; see
:data:`stratmon.domain.assessment.RULE_CONCERNS`) carrying the evidence of each rule inside
it (``triggered_by``, ``metrics``). Its severity is the worst current severity of its firing
parts (of all its parts when none fires), its state the most urgent of theirs (firing >
pending > no_data > resolved), ``fired_at`` the first part's firing and ``resolved_at`` the
last part's resolution once none is open.

In a history, the episodes of one strategy and concern that overlap in time (a part starts
before the group's last part resolved) make one concern alert.

The rule alerts keep their own hysteresis inside (:mod:`stratmon.alerts.state`); grouping is
a view over them, so ``alerts_queries.firing_by_strategy`` still gives the firing parts.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from stratmon.alerts.config import TIER_RANK, AlertConfig
from stratmon.alerts.roles import frequency_for, recipients
from stratmon.domain.assessment import concern_of

STATE_URGENCY: dict[str, int] = {
    "firing": 5,
    "pending": 4,
    "no_data": 3,
    "reached": 2,
    "resolved": 1,
    "inactive": 0,
}
"""The group's state is its most urgent part's."""

OPEN_PART_STATES = frozenset({"firing", "pending", "no_data"})


def component_of(rule: str) -> str:
    """The code that computes the rule's condition (``module.function``), from the registry."""
    from stratmon.alerts.registry import rule_spec

    try:
        fn = rule_spec(rule).condition
    except KeyError:
        return ""
    if fn is None:
        return "stratmon.decay" if rule == "decay" else "stratmon.alerts.processor"
    return f"{fn.__module__}.{fn.__qualname__}"


def _iso(x: Any) -> str | None:
    if x is None:
        return None
    return x.isoformat() if isinstance(x, dt.date) else str(x)


def _num(x: Any) -> float | None:
    if x is None:
        return None
    v = float(x)
    return v if math.isfinite(v) else None


def _metrics(part: Mapping[str, Any]) -> dict[str, Any]:
    raw = part.get("metrics")
    try:
        out: dict[str, Any] = dict(json.loads(raw)) if raw else {}
    except (TypeError, ValueError):
        out = {}
    out.setdefault("value", _num(part.get("last_value")))
    out.setdefault("threshold", _num(part.get("threshold")))
    return out


def _recipients(
    parts: Sequence[Mapping[str, Any]], config: AlertConfig | None
) -> list[dict[str, Any]]:
    roles: dict[str, str] = {}
    for p in parts:
        sev = str(p.get("severity") or p["tier"])
        for role in recipients(str(p["rule"]), sev):
            rc = config.roles.get(role) if config is not None else None
            freq = frequency_for(sev, rc.frequency if rc is not None else "")
            if role not in roles or _FREQ_RANK[freq] > _FREQ_RANK[roles[role]]:
                roles[role] = freq
    out = []
    for role, freq in roles.items():
        rc = config.roles.get(role) if config is not None else None
        out.append({"role": role, "frequency": freq, "channels": list(rc.channels) if rc else []})
    return out


_FREQ_RANK = {"weekly": 0, "daily": 1, "immediate": 2}


def concern_alert(
    parts: Sequence[Mapping[str, Any]],
    actions: Mapping[int, Sequence[Mapping[str, Any]]] | None = None,
    config: AlertConfig | None = None,
) -> dict[str, Any]:
    """One concern alert (JSON-safe dict) from its rule alerts.

    Parameters
    ----------
    parts : sequence of mappings
        Rule alerts of one strategy and concern, as ``alerts_queries.list_alerts`` gives them
        (``id, rule, strategy_id, tier, state, severity, started_at, fired_at, resolved_at,
        last_value, threshold, message, metrics, metrics_window``).
    actions : mapping alert id -> history entries, optional
        ``alerts_queries.actions_of`` rows (``action, actor, at, note``).
    config : AlertConfig, optional
        Supplies the roles' channels and frequencies.

    Returns
    -------
    dict
        ``id, strategy_id, concern, rules, severity, state, fired_at, resolved_at, message,
        triggered_by, metrics, recipients, actions_taken``.

    Raises
    ------
    ValueError
        When ``parts`` is empty or mixes strategies or concerns.
    """
    if not parts:
        raise ValueError("a concern alert needs at least one part")
    keys = {(p["strategy_id"], concern_of(str(p["rule"]))) for p in parts}
    if len(keys) != 1:
        raise ValueError(f"one concern alert per strategy and concern, got {sorted(keys)}")
    ((sid, concern),) = keys
    ordered = sorted(parts, key=lambda p: int(p["id"]))
    state = max((str(p["state"]) for p in ordered), key=lambda s: STATE_URGENCY.get(s, 0))
    firing = [p for p in ordered if p["state"] == "firing"] or list(ordered)
    severity = max(
        (str(p.get("severity") or p["tier"]) for p in firing), key=lambda s: TIER_RANK.get(s, 0)
    )
    fired = [p["fired_at"] for p in ordered if p.get("fired_at") is not None]
    open_parts = [p for p in ordered if p["state"] in OPEN_PART_STATES]
    resolved = [p["resolved_at"] for p in ordered if p.get("resolved_at") is not None]
    worst = max(firing, key=lambda p: TIER_RANK.get(str(p.get("severity") or p["tier"]), 0))
    acts = actions or {}
    return {
        "id": int(ordered[0]["id"]),
        "strategy_id": sid,
        "concern": concern,
        "rules": sorted({str(p["rule"]) for p in ordered}),
        "severity": severity,
        "state": state,
        "fired_at": _iso(min(fired)) if fired else None,
        "resolved_at": _iso(max(resolved)) if resolved and not open_parts else None,
        "message": str(worst.get("message") or ""),
        "triggered_by": [
            {
                "alert_id": int(p["id"]),
                "rule": p["rule"],
                "component": component_of(str(p["rule"])),
                "window": p.get("metrics_window") or "",
                "state": p["state"],
                "severity": p.get("severity") or p["tier"],
                "message": p.get("message") or "",
            }
            for p in ordered
        ],
        "metrics": {str(p["rule"]): _metrics(p) for p in ordered},
        "recipients": _recipients(ordered, config),
        "actions_taken": [
            {
                "alert_id": int(p["id"]),
                "action": a["action"],
                "by": a["actor"],
                "at": _iso(a["at"]),
                "session": _iso(a.get("eval_date")),
                "note": a.get("note") or "",
            }
            for p in ordered
            for a in acts.get(int(p["id"]), ())
        ],
    }


def group_current(
    rows: Sequence[Mapping[str, Any]],
    actions: Mapping[int, Sequence[Mapping[str, Any]]] | None = None,
    config: AlertConfig | None = None,
) -> list[dict[str, Any]]:
    """The open concern alerts: rule alerts that are firing, pending or no_data, one group per
    strategy and concern, most severe first (then strategy, concern)."""
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for r in rows:
        if r["state"] in OPEN_PART_STATES:
            key = (str(r["strategy_id"]), concern_of(str(r["rule"])))
            groups.setdefault(key, []).append(r)
    out = [concern_alert(g, actions, config) for g in groups.values()]
    out.sort(
        key=lambda a: (
            -STATE_URGENCY.get(a["state"], 0),
            -TIER_RANK.get(a["severity"], 0),
            a["strategy_id"],
            a["concern"],
        )
    )
    return out


def group_history(
    rows: Sequence[Mapping[str, Any]],
    actions: Mapping[int, Sequence[Mapping[str, Any]]] | None = None,
    config: AlertConfig | None = None,
    since: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Every concern alert that existed: rule episodes of one strategy and concern that
    overlap in time make one; with ``since``, only those still open on or after that date.
    Oldest first."""
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for r in rows:
        if r["state"] == "inactive" or r.get("started_at") is None:
            continue  # never true: no alert to tell about
        groups.setdefault((str(r["strategy_id"]), concern_of(str(r["rule"]))), []).append(r)
    out: list[dict[str, Any]] = []
    for parts in groups.values():
        parts.sort(key=lambda p: (p["started_at"], int(p["id"])))
        episode: list[Mapping[str, Any]] = []
        end: dt.date | None = None  # None while open
        for p in parts:
            if episode and end is not None and p["started_at"] > end:
                out.append(concern_alert(episode, actions, config))
                episode = []
            p_end = None if p["state"] in OPEN_PART_STATES else p.get("resolved_at")
            if p_end is None and p["state"] == "reached":
                p_end = p.get("resolved_at") or p["started_at"]
            if not episode:
                end = p_end
            elif end is not None:
                end = None if p_end is None else max(end, p_end)
            episode.append(p)
        if episode:
            out.append(concern_alert(episode, actions, config))
    if since is not None:
        out = [
            a
            for a in out
            if a["resolved_at"] is None or dt.date.fromisoformat(a["resolved_at"]) >= since
        ]
    out.sort(key=lambda a: (a["fired_at"] or "", a["strategy_id"], a["concern"], a["id"]))
    return out


__all__ = ["component_of", "concern_alert", "group_current", "group_history"]
