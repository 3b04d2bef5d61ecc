"""Workspace discovery and ``stratmon.toml``.

A workspace is a folder holding ``stratmon.toml``, ``inbox/``, ``reports/`` and (by default)
an SQLite database. Commands find it as git finds its repository: ``--workspace``, else
``$STRATMON_WORKSPACE``, else the current directory or the nearest parent holding
``stratmon.toml``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from stratmon.errors import ConfigError, WorkspaceNotFoundError

CONFIG_NAME = "stratmon.toml"
ENV_VAR = "STRATMON_WORKSPACE"

DEFAULT_CONFIG: dict[str, Any] = {
    "database": {"url": "sqlite:///stratmon.db"},
    "ingest": {"outlier_pnl_fraction": 0.5, "nav_tolerance": 1e-4},
    "evaluation": {"windows": [30, 60, 90], "health_lookback": 30},
    "alerts": {
        "log": "alerts.jsonl",
        "underperformance": {"window": 30, "threshold": 0.20},
        "drawdown": {"fraction_of_backtest": 0.75},
        "win_rate": {"points_below": 0.15, "min_trades": 10},
        "for_evaluations": 2,
        "clear_evaluations": 3,
    },
    "reports": {"dir": "reports"},
    "dashboard": {"refresh_seconds": 60},
    "service": {
        "host": "127.0.0.1",
        "port": 8000,
        "daily_time": "17:30",
        "timezone": "America/New_York",
        "calendar": "XNYS",
        "poll_seconds": 60.0,
    },
}

_KNOWN_SECTIONS = set(DEFAULT_CONFIG)


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


@dataclass(frozen=True)
class Workspace:
    """A resolved workspace: its root folder and its merged configuration."""

    root: Path
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def reports_dir(self) -> Path:
        return self.root / str(self.config["reports"]["dir"])

    @property
    def alert_log(self) -> Path:
        return self.root / str(self.config["alerts"]["log"])

    @property
    def database_url(self) -> str:
        """SQLAlchemy URL; a relative SQLite path is taken relative to the workspace root."""
        url = str(self.config["database"]["url"])
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/"):
            rel = url[len(prefix) :]
            if rel and rel != ":memory:":
                return prefix + str((self.root / rel).resolve())
        return url

    @property
    def outlier_pnl_fraction(self) -> float:
        return float(self.config["ingest"]["outlier_pnl_fraction"])

    @property
    def nav_tolerance(self) -> float:
        return float(self.config["ingest"]["nav_tolerance"])

    @property
    def windows(self) -> list[int]:
        return [int(w) for w in self.config["evaluation"]["windows"]]

    @property
    def health_lookback(self) -> int:
        return int(self.config["evaluation"]["health_lookback"])


def load_config(path: Path) -> dict[str, Any]:
    """Read ``stratmon.toml`` and merge it over the defaults.

    Raises
    ------
    ConfigError
        When the file is not valid TOML or has an unknown top-level section.
    """
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}). Fix the file.") from exc
    unknown = sorted(set(raw) - _KNOWN_SECTIONS)
    if unknown:
        raise ConfigError(
            f"{path}: unknown section(s) {unknown}; known: {sorted(_KNOWN_SECTIONS)}."
        )
    return _merge(DEFAULT_CONFIG, raw)


def find_workspace(explicit: Path | str | None = None, cwd: Path | None = None) -> Workspace:
    """Resolve the workspace: explicit path, else ``$STRATMON_WORKSPACE``, else cwd upwards.

    Raises
    ------
    WorkspaceNotFoundError
        When no ``stratmon.toml`` is found; the message says how to create one.
    """
    candidates: list[Path]
    if explicit is not None:
        candidates = [Path(explicit)]
    elif os.environ.get(ENV_VAR):
        candidates = [Path(os.environ[ENV_VAR])]
    else:
        start = (cwd or Path.cwd()).resolve()
        candidates = [start, *start.parents]
    for folder in candidates:
        cfg = folder / CONFIG_NAME
        if cfg.is_file():
            return Workspace(root=folder.resolve(), config=load_config(cfg))
    where = candidates[0] if len(candidates) == 1 else f"{candidates[0]} or any parent"
    raise WorkspaceNotFoundError(
        f"No stratmon workspace ({CONFIG_NAME}) at {where}. "
        "Create one with `stratmon init DIR`, or pass --workspace / set $STRATMON_WORKSPACE."
    )


def create_workspace(root: Path, database_url: str | None = None) -> Workspace:
    """Create the folders and a ``stratmon.toml`` with the defaults (kept if it exists)."""
    root.mkdir(parents=True, exist_ok=True)
    cfg_path = root / CONFIG_NAME
    if not cfg_path.exists():
        cfg = _merge(DEFAULT_CONFIG, {})
        if database_url:
            cfg["database"] = {"url": database_url}
        cfg_path.write_text(
            "# stratmon workspace configuration. Fractions: 0.2 means 20 %.\n" + tomli_w.dumps(cfg),
            encoding="utf-8",
        )
    ws = Workspace(root=root.resolve(), config=load_config(cfg_path))
    for folder in (ws.inbox, ws.inbox / "rejected", ws.inbox / "processed", ws.reports_dir):
        folder.mkdir(parents=True, exist_ok=True)
    return ws
