"""Fixtures of the ingest tests: registered strategies, a context factory, a file writer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stratmon.domain.records import Strategy
from stratmon.errors import FileRejectedError, ValidationIssue
from stratmon.ingest import IngestContext, InMemoryView, parse_file

TODAY = dt.date(2024, 3, 1)

STRATEGIES = {
    "EQ1": Strategy("EQ1", "US equity momentum", calendar="XNYS"),
    "EQ2": Strategy("EQ2", "US equity value", calendar="XNYS"),
    "BTC1": Strategy("BTC1", "Bitcoin trend", calendar="24/7", periods_per_year=365),
}


@pytest.fixture
def view() -> InMemoryView:
    return InMemoryView()


@pytest.fixture
def make_ctx(view: InMemoryView) -> Callable[..., IngestContext]:
    def make(**kw: Any) -> IngestContext:
        kw.setdefault("strategies", STRATEGIES)
        kw.setdefault("view", view)
        kw.setdefault("today", TODAY)
        return IngestContext(**kw)

    return make


@pytest.fixture
def ctx(make_ctx: Callable[..., IngestContext]) -> IngestContext:
    return make_ctx()


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    def w(name: str, text: str) -> Path:
        p = tmp_path / name
        p.write_text(text.lstrip("\n"), encoding="utf-8")
        return p

    return w


def rejected(path: Path, ctx: IngestContext) -> FileRejectedError:
    """Parse a file that must be rejected: it raises, so no record of it is returned."""
    with pytest.raises(FileRejectedError) as info:
        parse_file(path, ctx)
    assert info.value.file == path.name
    return info.value


def find_issue(
    err: FileRejectedError, rule: str, row: int | None, column: str | None, value: object
) -> ValidationIssue:
    """The issue with this rule/row/column/value, whose text names all of them."""
    hits = [i for i in err.issues if i.rule == rule and i.row == row and i.column == column]
    assert hits, f"no {rule} issue at row {row}, column {column}: {err.issues}"
    issue = hits[0]
    assert issue.value == value
    text = str(err)
    line = next(ln for ln in text.splitlines() if f"[{rule}]" in ln and str(issue) in ln)
    assert err.file in line
    if row is not None:
        assert f"row {row}" in line
    if column is not None:
        assert f"column '{column}'" in line
    if value is not None:
        assert repr(value) in line
    assert issue.message  # says what to do
    return issue
