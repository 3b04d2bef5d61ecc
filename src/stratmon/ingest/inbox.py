"""The inbox folder: list dropped files, move them to ``rejected/`` or ``processed/``.

Layout::

    inbox/
      perf_2024-01-02.csv                 waiting
      rejected/perf_bad.csv               rejected, beside
      rejected/perf_bad.csv.error.txt     the full list of problems
      processed/2024-01-02/perf_ok.csv    accepted, filed under the day it was processed

A name already taken in the destination gets a numeric suffix: ``name.1.csv``, ``name.2.csv``.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from stratmon.errors import FileRejectedError

REJECTED_DIR = "rejected"
PROCESSED_DIR = "processed"
ERROR_SUFFIX = ".error.txt"
#: Names of files still being written by a copy/upload, never picked up.
_PARTIAL_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", "~")


def list_inbox(inbox: Path) -> list[Path]:
    """Files waiting in the inbox, sorted by name.

    Only regular files at the top level count; sub-folders (``rejected/``, ``processed/``...),
    hidden files (``.name``), ``*.error.txt`` and partial downloads (``.tmp``, ``.part``...)
    are ignored. Any other file is returned, whatever its type, so that a file stratmon cannot
    read is rejected with a message rather than silently left behind.

    Parameters
    ----------
    inbox : Path
        The inbox folder. A missing folder holds no files.

    Returns
    -------
    list of Path
    """
    inbox = Path(inbox)
    if not inbox.is_dir():
        return []
    out = []
    for p in inbox.iterdir():
        name = p.name
        if (
            name.startswith(".")
            or name.endswith(ERROR_SUFFIX)
            or name.lower().endswith(_PARTIAL_SUFFIXES)
            or not p.is_file()
        ):
            continue
        out.append(p)
    return sorted(out, key=lambda q: q.name)


def _free_name(folder: Path, name: str) -> Path:
    target = folder / name
    if not target.exists() and not (folder / (name + ERROR_SUFFIX)).exists():
        return target
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 1
    while True:
        candidate = folder / f"{stem}.{n}{suffix}"
        if not candidate.exists() and not (folder / (candidate.name + ERROR_SUFFIX)).exists():
            return candidate
        n += 1


def _error_text(error: FileRejectedError | str) -> str:
    if isinstance(error, str):
        return error.rstrip("\n") + "\n"
    lines = [
        f"{error.file} was rejected ({len(error.issues)} problem(s)); nothing from it was stored.",
        "",
    ]
    lines.extend(f"  - {issue}" for issue in error.issues)
    if error.issues and all(i.rule == "conflict" for i in error.issues):
        lines += [
            "",
            "If this file is the correction, move it back into the inbox and run "
            "`stratmon run --replace` (or `stratmon ingest --replace FILE`); otherwise "
            "remove the conflicting rows.",
        ]
    else:
        lines += ["", "Fix the file and drop it into the inbox again."]
    return "\n".join(lines) + "\n"


def reject(path: Path, error: FileRejectedError | str, inbox: Path) -> Path:
    """Move a rejected file to ``inbox/rejected/`` and write ``<name>.error.txt`` beside it.

    Parameters
    ----------
    path : Path
        The rejected file.
    error : FileRejectedError or str
        Why; the error file lists every issue (not only the first 50 of the exception message).
    inbox : Path
        The inbox folder.

    Returns
    -------
    Path
        The file's new path (``name.N.ext`` if ``name.ext`` was already there).
    """
    folder = Path(inbox) / REJECTED_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = _free_name(folder, Path(path).name)
    shutil.move(str(path), target)
    target.with_name(target.name + ERROR_SUFFIX).write_text(_error_text(error), encoding="utf-8")
    return target


def archive(path: Path, inbox: Path, day: dt.date | None = None) -> Path:
    """Move an accepted file to ``inbox/processed/YYYY-MM-DD/`` (the day it was processed).

    Parameters
    ----------
    path : Path
        The accepted file.
    inbox : Path
        The inbox folder.
    day : datetime.date, optional
        Folder date; today's date by default.

    Returns
    -------
    Path
        The file's new path (``name.N.ext`` if ``name.ext`` was already there).
    """
    folder = Path(inbox) / PROCESSED_DIR / (day or dt.date.today()).isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    target = _free_name(folder, Path(path).name)
    shutil.move(str(path), target)
    return target
