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
#: Row colours by verdict, keyed by the verdict label (``act: reduce`` is coloured as ``act``).
VERDICT_COLOURS: dict[str, str] = {
    "on track": "#dafbe1",
    "watch": "#fff8c5",
    "investigate": "#ffe2c4",
    "act": "#ffebe9",
}
#: Plot colours of the verdicts (health history charts), keyed by the stored verdict.
VERDICT_PLOT_COLOURS: dict[str, str] = {
    "on_track": "#1a7f37",
    "watch": "#bf8700",
    "investigate": "#bc4c00",
    "act": "#cf222e",
}
STATE_COLOURS: dict[str, str] = {
    "firing": "#ffebe9",
    "pending": "#fff8c5",
    "acknowledged": "#ddf4ff",
    "resolved": "#dafbe1",
}


_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>$~|#"})


def md_escape(text: str) -> str:
    """Text shown literally by ``st.markdown`` (no emphasis, links, HTML or LaTeX)."""
    return text.translate(_MARKDOWN_SPECIAL)


def md_list(lines: Iterable[str]) -> str:
    """A markdown bullet list of literal lines."""
    return "\n".join(f"- {md_escape(line)}" for line in lines)


def field_markdown(label: str, value: str) -> str:
    """A labelled value in small type (for words such as ``underperforming`` that a metric's
    large type would cut off in a narrow column)."""
    return f"{md_escape(label)}  \n**{md_escape(value)}**"


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
    ``colour_by=(column, colours)``, each row's background by that column's value (or, for
    a value such as ``act: reduce``, by the text before the colon)."""
    style = df.style.format({c: f for c, f in formats.items() if c in df.columns}, na_rep="–")
    if colour_by is not None:
        col, colours = colour_by

        def paint(row: pd.Series) -> list[str]:
            value = str(row.get(col))
            c = colours.get(value) or colours.get(value.split(":")[0], "")
            return [f"background-color: {c}" if c else ""] * len(row)

        if col in df.columns:
            style = style.apply(paint, axis=1)
    return style
