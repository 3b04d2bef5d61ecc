"""Writing files into a test workspace's inbox."""

from __future__ import annotations

from pathlib import Path

from stratmon.config import Workspace


def drop(ws: Workspace, name: str, text: str) -> Path:
    """Write ``text`` into the workspace's inbox as ``name``."""
    p = ws.inbox / name
    p.write_text(text, encoding="utf-8")
    return p
