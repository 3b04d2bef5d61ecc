"""The JSON-lines alert log: one JSON object per alert event, appended.

Each line is :meth:`AlertEvent.to_dict`: ``rule``, ``strategy_id``, ``tier``, ``at`` (ISO
date), ``from_state``, ``to_state``, ``value``, ``threshold`` (fractions; ``null`` when NaN
or infinite, never ``NaN``/``Infinity``, which are not JSON) and ``message``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from stratmon.alerts.state import AlertEvent


def event_to_json(event: AlertEvent) -> str:
    """One event as a single line of strict JSON (no trailing newline).

    Parameters
    ----------
    event : AlertEvent

    Returns
    -------
    str
    """
    return json.dumps(event.to_dict(), ensure_ascii=False, allow_nan=False)


def append_events(path: str | Path, events: Iterable[AlertEvent]) -> int:
    """Append events to a JSON-lines file, one object per line.

    Parameters
    ----------
    path : str or Path
        The log file; it and its parent folders are created when missing.
    events : iterable of AlertEvent

    Returns
    -------
    int
        Number of lines written.

    Raises
    ------
    OSError
        When the file cannot be written.
    """
    lines = [event_to_json(e) + "\n" for e in events]
    if not lines:
        return 0
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with p.open("a", encoding="utf-8", newline="\n") as fh:
        fh.write("".join(lines))
    return len(lines)


def read_events(path: str | Path) -> list[AlertEvent]:
    """Read a JSON-lines alert log back (blank lines skipped).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    list of AlertEvent
        In file order; an absent file gives an empty list.

    Raises
    ------
    ValueError
        When a line is not a JSON object of an alert event; the message names the line.
    """
    p = Path(path)
    if not p.exists():
        return []
    out: list[AlertEvent] = []
    with p.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                out.append(AlertEvent.from_dict(json.loads(line)))
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{p}, line {lineno}: not an alert event ({exc})") from exc
    return out
