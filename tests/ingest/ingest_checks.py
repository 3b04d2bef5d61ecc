"""Assertions shared by the ingest tests (a plain module: ``conftest`` is not importable by
name when several test folders each have one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stratmon.errors import FileRejectedError, ValidationIssue
from stratmon.ingest import IngestContext, parse_file


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
