"""Formatting for people: which columns are percentages, money, ratios or dates, and the
colours of comparison statuses. Values stay numbers in the tables (so they sort); only the
displayed text is formatted, with :mod:`stratmon.reports.format` (``5.2 %``, ``1,234,567``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from stratmon.reports import format as fmt

STATUS_COLOURS: dict[str, str] = {
    "on_track": "#dafbe1",
    "outperforming": "#ddf4ff",
    "underperforming": "#fff8c5",
    "alert": "#ffebe9",
    "insufficient_data": "#f6f8fa",
}
ACTION_COLOURS: dict[str, str] = {
    "retire review": "#ffebe9",
    "reduce": "#fff8c5",
    "increase": "#dafbe1",
    "maintain": "#f6f8fa",
}
STATE_COLOURS: dict[str, str] = {
    "firing": "#ffebe9",
    "pending": "#fff8c5",
    "acknowledged": "#ddf4ff",
    "resolved": "#dafbe1",
}


def date_text(x: Any) -> str:
    """A date (or datetime) as ISO ``2018-12-31`` (``2018-12-31 21:00`` with a time);
    missing -> '–'."""
    if x is None or (isinstance(x, float) and x != x) or x is pd.NaT:
        return "–"
    if isinstance(x, pd.Timestamp):
        x = x.to_pydatetime()
    if isinstance(x, dt.datetime):
        return x.strftime("%Y-%m-%d %H:%M") if (x.hour or x.minute) else x.strftime("%Y-%m-%d")
    if isinstance(x, dt.date):
        return x.isoformat()
    return str(x)


def formatters(
    percent: Iterable[str] = (),
    money: Iterable[str] = (),
    ratio: Iterable[str] = (),
    score: Iterable[str] = (),
    dates: Iterable[str] = (),
    integer: Iterable[str] = (),
) -> dict[str, Callable[[Any], str]]:
    """Per column: the function that turns a value into the text a person reads."""
    out: dict[str, Callable[[Any], str]] = {}
    for cols, f in (
        (percent, fmt.pct),
        (money, fmt.money),
        (ratio, fmt.num),
        (score, lambda x: fmt.num(x, 0)),
        (dates, date_text),
        (integer, lambda x: fmt.num(x, 0)),
    ):
        for c in cols:
            out[c] = f
    return out


def styled(
    df: pd.DataFrame,
    formats: dict[str, Callable[[Any], str]],
    colour_by: tuple[str, dict[str, str]] | None = None,
) -> Any:
    """A pandas Styler that shows ``df`` formatted (values stay numbers) and, with
    ``colour_by=(column, colours)``, each row's background by that column's value."""
    style = df.style.format({c: f for c, f in formats.items() if c in df.columns}, na_rep="–")
    if colour_by is not None:
        col, colours = colour_by

        def paint(row: pd.Series) -> list[str]:
            c = colours.get(str(row.get(col)), "")
            return [f"background-color: {c}" if c else ""] * len(row)

        if col in df.columns:
            style = style.apply(paint, axis=1)
    return style
