"""Recipients of an alert by role, and how often each role hears about it.

The roles of the specification: the portfolio manager (``pm``), the strategy's own
``researcher``, the ``risk_manager``, the ``executive`` (emergencies only), ``data_operations``
and the allocation ``council``. Who receives an alert is its rule's ``default_recipients``
(:mod:`stratmon.alerts.registry`: underperformance -> PM, researcher, risk; drawdown -> PM,
risk, + executive on emergency; risk breach -> risk, PM; milestones -> PM, researcher; data
quality -> data operations, PM).

Each role maps to channels and a frequency (``[alerts.roles.NAME]`` in ``stratmon.toml``, see
:class:`~stratmon.alerts.config.RoleConfig`). By default the frequency follows the severity:
critical and emergency at once, warnings in the daily digest, info in the weekly one; every
role's channels also get the weekly summary of everything sent to it.
"""

from __future__ import annotations

from collections.abc import Sequence

from stratmon.alerts.config import TIER_RANK, AlertConfig
from stratmon.alerts.registry import ROLES

# ROLES (every role an alert can be addressed to) is declared once, with the rules.

FREQUENCIES: tuple[str, ...] = ("immediate", "daily", "weekly")


def default_roles(rule: str) -> tuple[str, ...]:
    """The rule's default recipients from the registry (PM and risk for an unknown rule)."""
    from stratmon.alerts.registry import rule_spec

    try:
        return tuple(rule_spec(rule).default_recipients)
    except KeyError:
        return ("pm", "risk_manager")


def emergency_roles(rule: str) -> tuple[str, ...]:
    """Roles added when the rule's alert is at ``emergency`` (the registry's
    ``emergency_recipients``; the executive for an unknown rule)."""
    from stratmon.alerts.registry import rule_spec

    try:
        return tuple(rule_spec(rule).emergency_recipients)
    except KeyError:
        return ("executive",)


def recipients(rule: str, severity: str, concern: str = "") -> tuple[str, ...]:
    """Roles that receive an alert of ``rule`` at ``severity``.

    Parameters
    ----------
    rule : str
    severity : {"info", "warning", "critical", "emergency"}
        The alert's current severity.
    concern : str, optional
        The rule's concern; a drawdown at ``emergency`` also goes to the executive.

    Returns
    -------
    tuple of str
        Roles of :data:`ROLES`, each once, in the registry's order.

    References
    ----------
    The alert-type -> recipients table of the stratmon specification.
    """
    out = list(default_roles(rule))
    if severity == "emergency":  # the spec: the executive hears of emergencies only
        out.extend(r for r in emergency_roles(rule) if r not in out)
    return tuple(out)


def frequency_for(severity: str, configured: str = "") -> str:
    """``immediate`` for critical and emergency, ``daily`` for warning, ``weekly`` for info,
    unless the role configures its own (``configured``)."""
    if configured:
        return configured
    rank = TIER_RANK.get(severity, 0)
    if rank >= TIER_RANK["critical"]:
        return "immediate"
    if rank >= TIER_RANK["warning"]:
        return "daily"
    return "weekly"


def deliveries(roles: Sequence[str], severity: str, config: AlertConfig) -> list[tuple[str, str]]:
    """``(channel, frequency)`` pairs that reach ``roles`` for an alert at ``severity``.

    Parameters
    ----------
    roles : sequence of str
        Recipient roles (:func:`recipients`).
    severity : {"info", "warning", "critical", "emergency"}
    config : AlertConfig
        ``config.roles`` maps a role to its channels and frequency; a role without an entry
        is reached by no channel here (the configured routes still apply).

    Returns
    -------
    list of (str, str)
        Each pair once, in the order of ``roles`` then of the role's channels. A channel that
        two roles share at different frequencies appears once per frequency; a role with
        ``weekly_summary`` also gets ``(channel, "weekly")``.

    References
    ----------
    The role -> channels/frequency table of the stratmon specification (immediate for
    critical, daily digest for warnings, weekly summary of all).
    """
    out: list[tuple[str, str]] = []
    for role in roles:
        rc = config.roles.get(role)
        if rc is None:
            continue
        freq = frequency_for(severity, rc.frequency)
        for name in rc.channels:
            wanted = [(name, freq)]
            if rc.weekly_summary and freq != "weekly":
                wanted.append((name, "weekly"))
            out.extend(t for t in wanted if t not in out)
    return out


__all__ = [
    "FREQUENCIES",
    "ROLES",
    "default_roles",
    "deliveries",
    "emergency_roles",
    "frequency_for",
    "recipients",
]
