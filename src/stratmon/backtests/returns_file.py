"""Validate a daily backtest-returns file taken from a backtest run (an MLflow artifact).

The file is read with the ingest readers (CSV, JSON, JSON Lines, Parquet; column names
case-insensitive). Columns: ``date`` and ``return`` (a simple return, fraction), optionally
``strategy_id``; with it, only the rows of the strategy are kept (and there must be some).
Rules as for an ingested backtest-returns file: every date an ISO date and given once, every
return a finite number >= -1, no empty cell (missing data is never filled). Rows are sorted
by date. Other columns are ignored and named in a note.
"""

from __future__ import annotations

from pathlib import Path

from stratmon.domain import BacktestReturn
from stratmon.errors import FileRejectedError, ValidationIssue
from stratmon.ingest import values as v
from stratmon.ingest.readers import read_bytes, read_raw


def parse_returns_file(
    path: Path, strategy_id: str, display_name: str | None = None
) -> tuple[list[BacktestReturn], list[str]]:
    """Read and validate one strategy's daily backtest returns.

    Parameters
    ----------
    path : Path
        The file (.csv, .json, .jsonl/.ndjson or .parquet/.pq).
    strategy_id : str
        The strategy the returns belong to.
    display_name : str, optional
        Name used in messages (default: the file name), e.g. ``"run abc: returns.csv"``.

    Returns
    -------
    returns : list of BacktestReturn
        Sorted by date, one per date; ``ret`` a simple return (fraction).
    notes : list of str
        Columns ignored, rows of other strategies skipped.

    Raises
    ------
    FileRejectedError
        Listing every broken rule (``missing_column``, ``missing_value``, ``type``,
        ``return_range``, ``duplicate_row``, ``unknown_strategy``).
    """
    name = display_name or path.name
    table = read_raw(path.name, read_bytes(path))
    issues = [
        ValidationIssue(name, i.row, i.column, i.value, i.rule, i.message) for i in table.issues
    ]
    if issues:
        raise FileRejectedError(name, issues)
    cols = {c: j for j, c in enumerate(table.columns)}
    missing = [c for c in ("date", "return") if c not in cols]
    if missing:
        raise FileRejectedError(
            name,
            [
                ValidationIssue(
                    name,
                    None,
                    c,
                    None,
                    "missing_column",
                    f"a backtest-returns file needs columns date and return; {c!r} is missing "
                    f"(found: {', '.join(table.columns)})",
                )
                for c in missing
            ],
        )
    notes: list[str] = []
    extra = [c for c in table.columns if c not in ("date", "return", "strategy_id")]
    if extra:
        notes.append(f"{name}: column(s) {', '.join(extra)} ignored")
    sid_col = cols.get("strategy_id")
    out: dict[object, BacktestReturn] = {}
    seen_row: dict[object, int] = {}
    others: set[str] = set()
    for i, row in enumerate(table.rows, start=1):
        if sid_col is not None:
            sid = row[sid_col]
            sid_text = None if sid is None else str(sid).strip()
            if sid_text != strategy_id:
                others.add(sid_text or "")
                continue
        try:
            date = v.to_date(row[cols["date"]])
        except v.BadValueError as exc:
            issues.append(
                ValidationIssue(name, i, "date", row[cols["date"]], exc.rule, exc.message)
            )
            date = None
        else:
            if date is None:
                issues.append(
                    ValidationIssue(
                        name, i, "date", None, "missing_value", "every row needs a date"
                    )
                )
        raw = row[cols["return"]]
        try:
            ret = v.to_float(raw)
        except v.BadValueError as exc:
            issues.append(ValidationIssue(name, i, "return", raw, exc.rule, exc.message))
            continue
        if ret is None:
            issues.append(
                ValidationIssue(
                    name,
                    i,
                    "return",
                    raw,
                    "missing_value",
                    "the return is empty or NaN; a missing day is left out, never given as blank",
                )
            )
            continue
        if ret < -1:
            issues.append(
                ValidationIssue(
                    name,
                    i,
                    "return",
                    raw,
                    "return_range",
                    "a simple return cannot be below -1 (-100 %); give returns as fractions",
                )
            )
            continue
        if date is None:
            continue
        if date in out:
            issues.append(
                ValidationIssue(
                    name,
                    i,
                    "date",
                    date.isoformat(),
                    "duplicate_row",
                    f"date already given in row {seen_row[date]}; keep one row per date",
                )
            )
            continue
        out[date] = BacktestReturn(strategy_id, date, ret)
        seen_row[date] = i
    if sid_col is not None and not out and not issues:
        issues.append(
            ValidationIssue(
                name,
                None,
                "strategy_id",
                strategy_id,
                "unknown_strategy",
                f"no row for strategy {strategy_id!r} (found: {', '.join(sorted(others))})",
            )
        )
    if issues:
        raise FileRejectedError(name, issues)
    if others:
        notes.append(f"{name}: rows of other strategies skipped ({', '.join(sorted(others))})")
    return sorted(out.values(), key=lambda r: r.date), notes
