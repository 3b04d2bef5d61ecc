"""Send a rendered report through the alert system's channels (e-mail, chat, webhooks).

Each channel of ``[alerts.channels]`` in ``stratmon.toml`` is usable: ``stratmon report daily
--send email --send teams``. The message's subject is the report's title and its body the
report's Markdown form followed by the path of the written file. On an e-mail channel
(``mailto://`` / ``mailtos://``) an HTML or PDF report is also attached, so the reader gets
the full report with its charts. Credentials are resolved at send time as for alerts and
every error is redacted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

from stratmon.alerts.channels import ChannelError, ResolvedChannel, resolve_channel, send
from stratmon.alerts.config import AlertConfig, alert_config_from_dict
from stratmon.alerts.dispatch import workspace_secrets
from stratmon.config import Workspace
from stratmon.errors import StratmonError
from stratmon.reports.model import Report
from stratmon.reports.render import to_markdown

EMAIL_SCHEMES = frozenset({"mailto", "mailtos"})
"""apprise URL schemes of plain SMTP e-mail, the channels that get the report attached."""

ATTACHED_SUFFIXES = frozenset({".html", ".pdf"})
"""Report files attached to e-mail (Markdown is the body already; JSON is for machines)."""


def report_channels(ws: Workspace, channels: Sequence[str]) -> AlertConfig:
    """The workspace's alert configuration, once every named channel is known to exist.

    Parameters
    ----------
    ws : Workspace
    channels : sequence of str
        Names given to ``--send``.

    Returns
    -------
    AlertConfig

    Raises
    ------
    StratmonError
        When a channel is not configured in ``[alerts.channels]`` (the message lists the
        configured ones), or the ``[alerts]`` table is invalid.
    """
    config = alert_config_from_dict(ws.config["alerts"])
    unknown = [c for c in dict.fromkeys(channels) if c not in config.channels]
    if unknown:
        known = ", ".join(sorted(config.channels)) or "none"
        raise StratmonError(
            f"Channel(s) {', '.join(unknown)} not configured in [alerts.channels] of "
            f"{ws.root / 'stratmon.toml'} (configured: {known})."
        )
    return config


def is_email(channel: ResolvedChannel) -> bool:
    """True when the channel's apprise URL is SMTP e-mail (``mailto://`` or ``mailtos://``)."""
    scheme, sep, _ = channel.url.partition("://")
    return bool(sep) and scheme.lower() in EMAIL_SCHEMES


def report_body(report: Report, path: Path) -> str:
    """The message body: the report as Markdown, then where the full file was written."""
    return f"{to_markdown(report)}\n\nFull report: {path}\n"


def send_report(
    ws: Workspace,
    report: Report,
    path: Path,
    channels: Sequence[str],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, str | None]:
    """Send the report (Markdown body, and the file on e-mail) to each named channel.

    Every channel is tried, whatever happened to the others; a channel's ``retries`` and
    ``backoff_seconds`` apply as for alerts (waits of ``backoff_seconds * 2**k``).

    Parameters
    ----------
    ws : Workspace
        Its ``[alerts.channels]`` and secrets file are used.
    report : Report
        Subject: ``report.title``.
    path : Path
        The written report file; named in the body, attached on e-mail when HTML or PDF.
    channels : sequence of str
        Channel names (duplicates are sent once).
    sleep : callable, optional
        Used for the back-off between attempts.

    Returns
    -------
    dict str -> str or None
        Per channel: ``None`` when sent, else the (redacted) error.

    Raises
    ------
    StratmonError
        When a channel is not configured (nothing is sent then), or the secrets file is
        unreadable.

    References
    ----------
    apprise 2.x ``Apprise.notify(attach=...)``: the e-mail plugin adds each file as a MIME
    part with ``Content-Disposition: attachment``.
    """
    config = report_channels(ws, channels)
    secrets = workspace_secrets(ws.root, config)
    body = report_body(report, path)
    out: dict[str, str | None] = {}
    for name in dict.fromkeys(channels):
        channel = config.channels[name]
        try:
            resolved = resolve_channel(channel, secrets)
        except ChannelError as exc:
            out[name] = str(exc)
            continue
        attach = [path] if is_email(resolved) and path.suffix.lower() in ATTACHED_SUFFIXES else []
        error: str | None = "not attempted"
        for k in range(channel.retries + 1):
            result = send(resolved, report.title, body, kind="info", attach=attach)
            error = None if result.ok else (result.error or f"channel {name}: failed")
            if error is None:
                break
            if k < channel.retries:
                sleep(channel.backoff_seconds * 2**k)
        out[name] = error
    return out
