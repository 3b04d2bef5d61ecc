"""Readers: CSV, JSON (array or JSON Lines) and Parquet into a light raw table.

Small CSV files are read with the :mod:`csv` module (a 6-row file costs well under a
millisecond); pandas is used only by :func:`read_table`, for callers who want a DataFrame.
Column names are normalised (stripped, lower-case).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stratmon.errors import FileRejectedError, ValidationIssue

if TYPE_CHECKING:
    import pandas as pd

CSV_SUFFIXES = frozenset({".csv"})
JSON_SUFFIXES = frozenset({".json"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
PARQUET_SUFFIXES = frozenset({".parquet", ".pq"})
DATA_SUFFIXES = CSV_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES | PARQUET_SUFFIXES

StrPath = str | PathLike[str]


@dataclass
class RawTable:
    """A file's cells before conversion. ``rows[i][j]`` is column ``columns[j]`` of data row i+1.

    ``issues`` are problems found while reading (shape, duplicate columns); the caller decides.
    """

    file: str
    columns: list[str]
    rows: list[list[Any]]
    issues: list[ValidationIssue] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)  # 1-based rows not worth converting


def file_sha256(path: StrPath) -> str:
    """SHA-256 of a file's bytes, as 64 hex digits.

    Parameters
    ----------
    path : str or PathLike
        The file.

    Returns
    -------
    str
        Lower-case hex digest.

    Raises
    ------
    OSError
        If the file cannot be read.

    References
    ----------
    FIPS 180-4 (SHA-256), via :mod:`hashlib`.
    """
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _reject(file: str, rule: str, message: str, value: object = None) -> FileRejectedError:
    return FileRejectedError.single(file, rule, message, value=value)


def read_bytes(path: StrPath) -> bytes:
    """The bytes of ``path``; an unreadable file raises :class:`FileRejectedError`."""
    p = Path(path)
    try:
        return p.read_bytes()
    except OSError as exc:
        raise _reject(
            p.name, "unreadable", f"cannot read the file ({exc.strerror}); check it exists"
        ) from exc


def _normalise_header(file: str, names: list[Any]) -> tuple[list[str], list[ValidationIssue]]:
    """Strip and lower-case names; a nameless column (pandas' index) becomes ``unnamed_<n>``."""
    columns = [str(n).strip().lower() or f"unnamed_{j + 1}" for j, n in enumerate(names)]
    issues: list[ValidationIssue] = []
    seen: dict[str, int] = {}
    for j, col in enumerate(columns):
        if col in seen:
            issues.append(
                ValidationIssue(
                    file,
                    None,
                    col,
                    names[j],
                    "duplicate_column",
                    f"column names are case-insensitive and {col!r} appears twice "
                    f"(columns {seen[col] + 1} and {j + 1}); keep one",
                )
            )
        else:
            seen[col] = j
    return columns, issues


def _decode(file: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _reject(
            file,
            "encoding",
            f"the file is not valid UTF-8 (byte {exc.start}); save it as UTF-8 and try again",
        ) from exc


def _read_csv(file: str, data: bytes) -> RawTable:
    text = _decode(file, data)
    try:
        records = [r for r in csv.reader(io.StringIO(text, newline="")) if r]
    except csv.Error as exc:
        raise _reject(file, "unreadable", f"not a readable CSV file ({exc})") from exc
    if not records:
        raise _reject(file, "empty_file", "the file is empty; expected a header and data rows")
    columns, issues = _normalise_header(file, records[0])
    rows = records[1:]
    width = len(columns)
    bad: set[int] = set()
    for i, row in enumerate(rows, start=1):
        if len(row) != width:
            if len(row) > width and not any(c.strip() for c in row[width:]):
                del row[width:]  # trailing empty cells (a stray comma): harmless
                continue
            issues.append(
                ValidationIssue(
                    file,
                    i,
                    None,
                    len(row),
                    "row_shape",
                    f"row has {len(row)} fields but the header has {width}; "
                    "check for unquoted commas or missing cells",
                )
            )
            row[:] = (row + [""] * width)[:width]
            bad.add(i)
    return RawTable(file, columns, rows, issues, bad)


def _records_to_table(file: str, records: list[Any]) -> RawTable:
    issues: list[ValidationIssue] = []
    index: dict[str, int] = {}
    raw_names: list[Any] = []
    dicts: list[dict[str, Any]] = []
    bad: set[int] = set()
    for i, rec in enumerate(records, start=1):
        if not isinstance(rec, dict):
            issues.append(
                ValidationIssue(
                    file,
                    i,
                    None,
                    rec if not isinstance(rec, list | dict) else None,
                    "format",
                    f"expected an object with named fields, got {type(rec).__name__}",
                )
            )
            dicts.append({})
            bad.add(i)
            continue
        norm: dict[str, Any] = {}
        for key, value in rec.items():
            col = str(key).strip().lower()
            if col in norm:
                issues.append(
                    ValidationIssue(
                        file,
                        i,
                        col,
                        key,
                        "duplicate_column",
                        f"field {col!r} appears twice (names are case-insensitive); keep one",
                    )
                )
                continue
            norm[col] = value
            if col not in index:
                index[col] = len(raw_names)
                raw_names.append(key)
        dicts.append(norm)
    columns, header_issues = _normalise_header(file, raw_names)
    rows = [[d.get(c) for c in columns] for d in dicts]
    return RawTable(file, columns, rows, header_issues + issues, bad)


def _read_json(file: str, data: bytes, lines: bool) -> RawTable:
    text = _decode(file, data).strip()
    if not text:
        raise _reject(file, "empty_file", "the file is empty; expected JSON records")
    if not lines:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            if "\n" not in text or text.startswith("["):
                raise _reject(
                    file,
                    "unreadable",
                    f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
                ) from exc
            lines = True  # several lines that are not one document: JSON Lines
        else:
            if isinstance(doc, dict):
                raise _reject(
                    file,
                    "format",
                    "the JSON document is an object; expected an array of records "
                    "(or one record per line, JSON Lines). Expected-metrics and strategy "
                    "files are loaded separately, not through the data inbox",
                )
            if not isinstance(doc, list):
                raise _reject(file, "format", "expected a JSON array of records")
            return _records_to_table(file, doc)
    records: list[Any] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise _reject(
                file,
                "unreadable",
                f"line {n} is not valid JSON ({exc.msg}); JSON Lines needs one object per line",
            ) from exc
    return _records_to_table(file, records)


def _read_parquet(file: str, data: bytes) -> RawTable:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError) as exc:
        raise _reject(file, "unreadable", f"not a readable Parquet file ({exc})") from exc
    keep = [n for n in table.column_names if not n.startswith("__index_level_")]
    table = table.select(keep)
    columns, issues = _normalise_header(file, keep)
    pylists = [table.column(j).to_pylist() for j in range(len(keep))]
    rows = [list(r) for r in zip(*pylists, strict=True)] if pylists else []
    return RawTable(file, columns, rows, issues)


def read_raw(file: str, data: bytes) -> RawTable:
    """Parse ``data`` (the bytes of a file named ``file``) into a :class:`RawTable`.

    Parameters
    ----------
    file : str
        File name; its suffix selects the format (.csv, .json, .jsonl/.ndjson, .parquet/.pq).
    data : bytes
        The file's content.

    Raises
    ------
    FileRejectedError
        Unknown format, not UTF-8, unreadable, or no data rows.
    """
    suffix = Path(file).suffix.lower()
    if suffix in CSV_SUFFIXES:
        table = _read_csv(file, data)
    elif suffix in JSON_SUFFIXES or suffix in JSONL_SUFFIXES:
        table = _read_json(file, data, lines=suffix in JSONL_SUFFIXES)
    elif suffix in PARQUET_SUFFIXES:
        table = _read_parquet(file, data)
    else:
        raise _reject(
            file,
            "unknown_format",
            f"unknown file type {suffix or '(none)'!r}; use .csv, .json, .jsonl or .parquet",
            suffix,
        )
    if not table.rows:
        raise _reject(file, "empty_file", "the file has no data rows")
    return table


def read_table(path: StrPath) -> pd.DataFrame:
    """Read a data file into a DataFrame with normalised (stripped, lower-case) column names.

    Values are as read (CSV cells are text); no validation beyond the file's shape.

    Parameters
    ----------
    path : str or PathLike
        A .csv, .json (array or JSON Lines), .jsonl/.ndjson or .parquet/.pq file.

    Returns
    -------
    pandas.DataFrame
        One row per data row.

    Raises
    ------
    FileRejectedError
        Unreadable, unknown format, not UTF-8, empty, or malformed (ragged rows, duplicate
        column names).
    """
    import pandas as pd

    p = Path(path)
    table = read_raw(p.name, read_bytes(p))
    if table.issues:
        raise FileRejectedError(p.name, table.issues)
    return pd.DataFrame(table.rows, columns=table.columns)
