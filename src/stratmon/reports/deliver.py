"""Send a rendered report through the alert system's channels (e-mail, chat ...)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from stratmon.alerts.channels import resolve_channel, send
from stratmon.alerts.config import alert_config_from_dict
from stratmon.alerts.dispatch import workspace_secrets
from stratmon.config import Workspace
from stratmon.errors import StratmonError
from stratmon.reports.model import Report
from stratmon.reports.render import to_markdown


def send_report(
    ws: Workspace, report: Report, path: Path, channels: Sequence[str]
) -> dict[str, str | None]:
    """Send the report's Markdown form (and where its file is) to each named channel.

    Returns
    -------
    dict str -> str or None
        Per channel: ``None`` when sent, else the (redacted) error.

    Raises
    ------
    StratmonError
        When a channel is not configured in ``[alerts.channels]``.
    """
    config = alert_config_from_dict(ws.config["alerts"])
    unknown = [c for c in channels if c not in config.channels]
    if unknown:
        raise StratmonError(
            f"Channel(s) {', '.join(unknown)} not configured in [alerts.channels] of "
            f"{ws.root / 'stratmon.toml'}."
        )
    secrets = workspace_secrets(ws.root, config)
    body = f"{to_markdown(report)}\n\nFull report: {path}\n"
    out: dict[str, str | None] = {}
    for name in channels:
        resolved = resolve_channel(config.channels[name], secrets)
        result = send(resolved, report.title, body, kind="info")
        out[name] = None if result.ok else result.error
    return out
