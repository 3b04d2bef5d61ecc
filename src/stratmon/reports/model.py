"""The report model: sections of tables and charts, rendered to HTML, PDF, Markdown or JSON.

Tables keep raw values (fractions, currency) so the JSON form is exact; each column says how
a human-facing format prints it (``pct``, ``num``, ``money``, ``int``, ``text``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Column:
    key: str
    label: str
    kind: str = "num"  # pct | num | money | int | text


@dataclass
class Table:
    id: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    caption: str = ""


@dataclass
class Chart:
    """An SVG chart (embedded as a data: URI, so HTML and PDF need no network)."""

    id: str
    title: str
    svg: str


@dataclass
class Section:
    id: str
    title: str
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    kind: str  # daily | weekly | monthly | strategy | compare | period | backtest
    title: str
    as_of: dt.date
    subtitle: str = ""
    sections: list[Section] = field(default_factory=list)

    def section(self, section_id: str) -> Section:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)


def cols(*specs: tuple[str, str, str] | tuple[str, str]) -> list[Column]:
    """Columns from ``(key, label[, kind])`` tuples."""
    return [Column(*s) for s in specs]
