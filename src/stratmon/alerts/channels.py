"""Delivery channels through apprise, with credentials resolved at send time and redacted.

A channel's URL is an apprise URL (``mailto://``, ``slack://``, ``msteams://``,
``pagerduty://``, ``json://``, SMS gateways...). Credentials never sit in ``stratmon.toml``:
the URL writes them ``{env:NAME}`` (an environment variable) or ``{secret:NAME}`` (a key of
the secrets file, a TOML table of strings kept out of version control), or the whole URL comes
from ``url_env``. Resolved values are replaced by ``***`` in every error this module returns,
and the resolved URL itself is never logged.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import apprise

from stratmon.alerts.config import _PLACEHOLDER, ChannelConfig
from stratmon.errors import StratmonError

REDACTED = "***"


class ChannelError(StratmonError):
    """A channel cannot be used (a variable or secret is missing); the message names it."""


def load_secrets(path: str | Path | None) -> dict[str, str]:
    """Read the secrets file: a TOML table of ``name = "value"`` strings.

    Parameters
    ----------
    path : str, Path or None
        ``None`` or a missing file gives no secrets.

    Returns
    -------
    dict

    Raises
    ------
    ChannelError
        When the file is not valid TOML or a value is not a string (values never printed).
    """
    if path is None:
        return {}
    p = Path(path)
    if not p.exists():
        return {}
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError:
        raise ChannelError(f"{p}: the secrets file is not valid TOML.") from None
    bad = sorted(k for k, v in data.items() if not isinstance(v, str))
    if bad:
        raise ChannelError(f"{p}: secrets {bad} must be strings.")
    return {str(k): str(v) for k, v in data.items()}


@dataclass(frozen=True)
class ResolvedChannel:
    """A channel with its URL resolved; ``secret_values`` are what to redact."""

    name: str
    url: str = field(repr=False)
    secret_values: tuple[str, ...] = field(default=(), repr=False)

    def redact(self, text: str) -> str:
        """``text`` with every resolved credential replaced by ``***``."""
        out = text.replace(self.url, f"<{self.name} URL>") if self.url else text
        for value in sorted(self.secret_values, key=len, reverse=True):
            if value:
                out = out.replace(value, REDACTED)
        return out


def resolve_channel(
    channel: ChannelConfig,
    secrets: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> ResolvedChannel:
    """Substitute ``{env:NAME}`` / ``{secret:NAME}`` (or read ``url_env``).

    Raises
    ------
    ChannelError
        Naming the missing variable or secret, never a value.
    """
    env = os.environ if environ is None else environ
    sec = secrets or {}
    used: list[str] = []
    if channel.url_env is not None:
        url = env.get(channel.url_env)
        if not url:
            raise ChannelError(
                f"channel {channel.name}: environment variable {channel.url_env} is not set."
            )
        return ResolvedChannel(channel.name, url, (url,))
    template = channel.url or ""
    missing: list[str] = []

    def sub(match: object) -> str:
        kind, name = match.group(1), match.group(2)  # type: ignore[attr-defined]
        value = env.get(name) if kind == "env" else sec.get(name)
        if value is None:
            missing.append(f"{'environment variable' if kind == 'env' else 'secret'} {name}")
            return ""
        used.append(value)
        return value

    url = _PLACEHOLDER.sub(sub, template)
    if missing:
        raise ChannelError(f"channel {channel.name}: {', '.join(missing)} not set.")
    return ResolvedChannel(channel.name, url, tuple(used))


@dataclass(frozen=True)
class SendResult:
    """Outcome of one send: ``ok`` or a redacted ``error``."""

    ok: bool
    error: str | None = None


def notify_type(kind: str, severity: str) -> str:
    """apprise notification type of a message: ``success`` for a resolution, ``failure`` for
    critical / emergency, ``warning`` for warning, else ``info``."""
    if kind == "resolved":
        return "success"
    if severity in ("critical", "emergency"):
        return "failure"
    return "warning" if severity == "warning" else "info"


def send(
    resolved: ResolvedChannel,
    subject: str,
    body: str,
    kind: str = "info",
    timeout: float = 15.0,
    *,
    attach: Sequence[str | Path] = (),
) -> SendResult:
    """Send one message through apprise (a fresh instance per message).

    Parameters
    ----------
    resolved : ResolvedChannel
    subject, body : str
    kind : str
        apprise notification type (``info``, ``success``, ``warning``, ``failure``).
    timeout : float
        Seconds for the whole notification.
    attach : sequence of str or Path, optional
        Local files to attach (for plugins with attachment support, e.g. ``mailto://``: each
        becomes a MIME part named after the file). Empty (the default): no attachment.

    Returns
    -------
    SendResult
        ``ok`` only on full success (``bool(AppriseResult)``); otherwise the warnings apprise
        logged, with credentials redacted.

    References
    ----------
    apprise 2.x: ``Apprise.add`` returns False on a bad URL; ``notify`` returns an
    ``AppriseResult`` whose truth is full success.
    """
    ap = apprise.Apprise()
    if not ap.add(resolved.url):
        return SendResult(False, f"channel {resolved.name}: apprise does not accept its URL.")
    try:
        result = ap.notify(
            body=body,
            title=subject,
            notify_type=kind,
            body_format="text",
            timeout=timeout,
            attach=[str(p) for p in attach] or None,
        )
    except Exception as exc:  # a plugin error must not stop the dispatcher
        return SendResult(False, resolved.redact(f"channel {resolved.name}: {exc}"))
    if bool(result):
        return SendResult(True)
    logs = [e.message for e in result.logs() if getattr(e, "level", "") in ("WARNING", "ERROR")]
    detail = "; ".join(logs) or f"apprise status {result.status}"
    return SendResult(False, resolved.redact(f"channel {resolved.name}: {detail}"))
