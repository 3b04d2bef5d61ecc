"""Service settings: ``[service]`` in ``stratmon.toml`` over these defaults, then CLI options."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from stratmon.config import Workspace
from stratmon.errors import ConfigError


@dataclass(frozen=True)
class ServiceSettings:
    """How ``stratmon serve`` runs.

    Parameters
    ----------
    host, port : str, int
        Where the API listens (loopback by default).
    daily_time : str
        ``HH:MM`` local time of the daily job, in ``timezone``.
    timezone : str
        IANA time zone of ``daily_time``.
    calendar : str
        Exchange calendar whose sessions the daily job runs on (``24/7`` for every day).
    poll_seconds : float
        Inbox polling interval; 0 turns polling off.
    schedule : bool
        Run the scheduler at all.
    write_report : bool
        Write the daily HTML report after scheduled runs.
    max_ingest_bytes : int
        Largest accepted ``POST /ingest`` body.
    cors_origins : tuple of str
        Allowed CORS origins; empty means CORS off.
    metrics_auth : bool
        Require a viewer key on ``/metrics``.
    key_cache_seconds : float
        How long a verified API key is trusted without a database read. A key revoked over
        the API stops working at once; one revoked another way (``stratmon keys revoke``)
        within this many seconds. 0 checks the database on every request.
    """

    host: str = "127.0.0.1"
    port: int = 8000
    daily_time: str = "17:30"
    timezone: str = "America/New_York"
    calendar: str = "XNYS"
    poll_seconds: float = 60.0
    schedule: bool = True
    write_report: bool = True
    max_ingest_bytes: int = 10 * 1024 * 1024
    cors_origins: tuple[str, ...] = ()
    metrics_auth: bool = True
    key_cache_seconds: float = 1.0

    def __post_init__(self) -> None:
        self.time_of_day()
        self.zone()
        if self.max_ingest_bytes <= 0:
            raise ConfigError("[service] max_ingest_bytes must be positive.")
        if not 0 <= self.key_cache_seconds <= 60:
            raise ConfigError("[service] key_cache_seconds must be between 0 and 60.")
        if self.poll_seconds < 0:
            raise ConfigError("[service] poll_seconds must be >= 0 (0 turns polling off).")

    def time_of_day(self) -> dt.time:
        try:
            return dt.time.fromisoformat(self.daily_time)
        except ValueError as exc:
            raise ConfigError(
                f'[service] daily_time {self.daily_time!r} is not HH:MM (e.g. "17:30").'
            ) from exc

    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(
                f"[service] timezone {self.timezone!r} is not an IANA time zone "
                "(e.g. America/New_York)."
            ) from exc

    @classmethod
    def from_workspace(cls, ws: Workspace, **overrides: Any) -> ServiceSettings:
        """Defaults, then ``[service]`` of the workspace config, then non-None overrides."""
        names = {f.name for f in dataclasses.fields(cls)}
        raw = dict(ws.config.get("service", {}) or {})
        unknown = sorted(set(raw) - names)
        if unknown:
            raise ConfigError(f"[service]: unknown key(s) {unknown}; known: {sorted(names)}.")
        raw.update({k: v for k, v in overrides.items() if v is not None})
        if "cors_origins" in raw:
            raw["cors_origins"] = tuple(raw["cors_origins"])
        return cls(**raw)
