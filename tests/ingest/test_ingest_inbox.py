"""Inbox: listing, rejecting (with .error.txt) and archiving files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from stratmon.errors import FileRejectedError, ValidationIssue
from stratmon.ingest import archive, list_inbox, reject


def _touch(p: Path, text: str = "x") -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


def test_list_inbox(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    for name in [
        "b.csv",
        "a.json",
        "c.parquet",
        "notes.txt",
        ".hidden.csv",
        "up.csv.part",
        "a.json.error.txt",
    ]:
        _touch(inbox / name)
    _touch(inbox / "rejected" / "old.csv")
    _touch(inbox / "processed" / "2024-01-02" / "done.csv")
    assert [p.name for p in list_inbox(inbox)] == ["a.json", "b.csv", "c.parquet", "notes.txt"]
    assert list_inbox(tmp_path / "nope") == []


def test_reject_writes_error_with_every_issue(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    f = _touch(inbox / "perf.csv", "date\n")
    issues = [
        ValidationIssue("perf.csv", i, "nav", f"v{i}", "type", "expected a number")
        for i in range(1, 61)
    ]
    err = FileRejectedError("perf.csv", issues)
    moved = reject(f, err, inbox)
    assert moved == inbox / "rejected" / "perf.csv" and moved.read_text() == "date\n"
    assert not f.exists()
    text = (inbox / "rejected" / "perf.csv.error.txt").read_text()
    assert "perf.csv was rejected (60 problem(s))" in text
    assert "perf.csv, row 60, column 'nav', value 'v60': [type] expected a number" in text
    assert "... and" not in text  # all 60 listed, not the exception's first 50


def test_reject_name_taken_gets_suffix(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    first = reject(_touch(inbox / "perf.csv", "1"), "bad one", inbox)
    second = reject(_touch(inbox / "perf.csv", "2"), "bad two", inbox)
    third = reject(_touch(inbox / "perf.csv", "3"), "bad three", inbox)
    assert [p.name for p in (first, second, third)] == ["perf.csv", "perf.1.csv", "perf.2.csv"]
    assert (inbox / "rejected" / "perf.1.csv.error.txt").read_text() == "bad two\n"
    assert third.read_text() == "3"


def test_archive(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    day = dt.date(2024, 1, 3)
    a = archive(_touch(inbox / "perf.csv", "1"), inbox, day)
    b = archive(_touch(inbox / "perf.csv", "2"), inbox, day)
    assert a == inbox / "processed" / "2024-01-03" / "perf.csv"
    assert b == inbox / "processed" / "2024-01-03" / "perf.1.csv"
    assert list_inbox(inbox) == []
    c = archive(_touch(inbox / "x.csv"), inbox)
    assert c.parent.name == dt.date.today().isoformat()
