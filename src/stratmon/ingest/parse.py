"""Validate one data file and turn it into an :class:`IngestBatch` (or reject it whole)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

from stratmon.domain.records import (
    BacktestReturn,
    DailyRecord,
    Execution,
    Finding,
    Position,
    RoundTrip,
)
from stratmon.errors import FileRejectedError, ValidationIssue
from stratmon.ingest.batch import FileKind, IngestBatch, IngestRecord
from stratmon.ingest.calendar import UnknownCalendarError, calendar_bounds, is_session
from stratmon.ingest.context import IngestContext, StoredView
from stratmon.ingest.findings import daily_findings
from stratmon.ingest.kinds import COLUMNS, detect_kind, required_columns
from stratmon.ingest.readers import StrPath, read_bytes, read_raw
from stratmon.ingest.values import BadValueError, extra_value

#: Stop collecting issues after this many (the file is rejected anyway).
MAX_ISSUES = 500
#: Relative and absolute tolerance when comparing a row with the stored one.
SAME_REL_TOL = 1e-12
SAME_ABS_TOL = 1e-9

_REPLACE_HINT = (
    "if the file is the correction, accept it with `stratmon ingest --replace FILE` or "
    "`stratmon run --replace` (move it from inbox/rejected/ back into the inbox first); "
    "otherwise remove the row"
)


class _Issues:
    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[ValidationIssue] = []
        self.full = False

    def add(self, row: int | None, column: str | None, value: object, rule: str, msg: str) -> None:
        if len(self.items) >= MAX_ISSUES:
            self.full = True
            return
        self.items.append(ValidationIssue(self.file, row, column, value, rule, msg))

    def finish(self) -> list[ValidationIssue]:
        self.items.sort(key=lambda x: -1 if x.row is None else x.row)
        if self.full:
            self.items.append(
                ValidationIssue(
                    self.file,
                    None,
                    None,
                    None,
                    "too_many_issues",
                    f"stopped checking after {MAX_ISSUES} problems; fix these and try again",
                )
            )
        return self.items


# --------------------------------------------------------------------------------------------
# Per-kind behaviour


def _key(kind: FileKind, f: Mapping[str, Any]) -> Hashable:
    if kind == "executions":
        return f["execution_id"]
    if kind == "trades":
        return f["trade_id"]
    if kind == "positions":
        return (f["strategy_id"], f["date"], f["symbol"])
    return (f["strategy_id"], f["date"])


_KEY_NAMES: dict[FileKind, str] = {
    "daily": "(strategy_id, date)",
    "executions": "execution_id",
    "trades": "trade_id",
    "positions": "(strategy_id, date, symbol)",
    "backtest_returns": "(strategy_id, date)",
}
_FIELD_TO_COLUMN = {"ret": "return", "direction": "side"}
_KEY_COLUMN: dict[FileKind, str] = {
    "daily": "date",
    "executions": "execution_id",
    "trades": "trade_id",
    "positions": "symbol",
    "backtest_returns": "date",
}


def _row_date(kind: FileKind, f: Mapping[str, Any]) -> tuple[str, dt.date]:
    if kind == "executions":
        return "timestamp", f["timestamp"].date()
    if kind == "trades":
        return "exit_time", f["exit_time"].date()
    return "date", f["date"]


_NON_NEGATIVE_DAILY = (
    "num_positions",
    "gross_exposure_usd",
    "num_trades",
    "trade_volume_usd",
    "margin_used",
)


def _row_rules(kind: FileKind, f: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(column, rule, message) for each value rule the row breaks."""
    out: list[tuple[str, str, str]] = []
    if kind == "daily":
        if f["nav"] <= 0:
            out.append(("nav", "nav_positive", "nav must be > 0; correct the net asset value"))
        for col in _NON_NEGATIVE_DAILY:
            if f[col] is not None and f[col] < 0:
                out.append((col, "non_negative", f"{col} cannot be negative; correct it"))
    elif kind in ("executions", "trades"):
        if f["quantity"] <= 0:
            out.append(
                (
                    "quantity",
                    "quantity_positive",
                    "quantity must be > 0 (the direction goes in 'side'); correct it",
                )
            )
        for col in ("price",) if kind == "executions" else ("entry_price", "exit_price"):
            if f[col] <= 0:
                out.append((col, "price_positive", f"{col} must be > 0; correct it"))
        if kind == "trades" and f["exit_time"] < f["entry_time"]:
            out.append(
                ("exit_time", "time_order", "exit_time is before entry_time; swap or fix them")
            )
    elif kind == "backtest_returns" and f["return"] < -1:
        out.append(
            (
                "return",
                "return_range",
                "a simple return cannot be below -1 (-100 %); give returns as fractions",
            )
        )
    return out


def _build(kind: FileKind, f: Mapping[str, Any], extras: dict[str, Any]) -> IngestRecord:
    if kind == "daily":
        return DailyRecord(**f, extras=extras)
    if kind == "executions":
        return Execution(**f)
    if kind == "trades":
        g = dict(f)
        g["direction"] = g.pop("side")
        return RoundTrip(**g)
    if kind == "positions":
        return Position(**f)
    return BacktestReturn(strategy_id=f["strategy_id"], date=f["date"], ret=f["return"])


def _stored(kind: FileKind, view: StoredView, keys: list[Any]) -> Mapping[Any, Any]:
    if not keys:
        return {}
    if kind == "daily":
        return view.daily_records(keys)
    if kind == "executions":
        return view.executions(keys)
    if kind == "trades":
        return view.round_trips(keys)
    if kind == "positions":
        return view.positions(keys)
    stored = view.backtest_returns(keys)
    return {k: BacktestReturn(k[0], k[1], r) for k, r in stored.items()}


def _same(a: object, b: object) -> bool:
    if isinstance(a, float | int) and isinstance(b, float | int):
        return math.isclose(a, b, rel_tol=SAME_REL_TOL, abs_tol=SAME_ABS_TOL)
    return a == b


def record_differences(old: IngestRecord, new: IngestRecord) -> dict[str, tuple[Any, Any]]:
    """Fields whose values differ between a stored record and a new one: ``{field: (old, new)}``.

    Numbers are compared with a tolerance of 1e-12 relative / 1e-9 absolute (a float that went
    through a database is the same number); ``DailyRecord.extras`` is not compared.
    """
    out: dict[str, tuple[Any, Any]] = {}
    for fld in dataclasses.fields(new):
        if fld.name == "extras":
            continue
        a, b = getattr(old, fld.name), getattr(new, fld.name)
        if not _same(a, b):
            out[fld.name] = (a, b)
    return out


def _fmt(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(value)


def _describe_key(kind: FileKind, key: Hashable) -> str:
    if isinstance(key, tuple):
        return ", ".join(_fmt(k) if not isinstance(k, str) else k for k in key)
    return str(key)


# --------------------------------------------------------------------------------------------


def parse_file(path: StrPath, ctx: IngestContext) -> IngestBatch:
    """Read, validate and convert one data file; all or nothing.

    The kind is detected from the columns (see :func:`detect_kind`). Every row is checked
    (types, required values, value rules, known strategy, trading session, no future date, no
    duplicate key) and compared with stored rows: identical rows are skipped and counted,
    different ones are conflicts (or replacements with ``ctx.replace``). Unknown columns are
    kept (daily files: in ``DailyRecord.extras``) and reported as findings.

    Parameters
    ----------
    path : str or PathLike
        A .csv, .json, .jsonl/.ndjson or .parquet/.pq file.
    ctx : IngestContext
        Registered strategies, stored view, today's date and thresholds.

    Returns
    -------
    IngestBatch
        New records, replacements and findings (outliers, NAV disconnects, missing sessions,
        unknown columns, replaced rows).

    Raises
    ------
    FileRejectedError
        If any rule is broken; it lists every issue found (up to :data:`MAX_ISSUES`), each
        with file, 1-based data row, column, value, rule id and what to do.
    """
    p = Path(path)
    name = p.name
    data = read_bytes(p)
    sha = hashlib.sha256(data).hexdigest()
    table = read_raw(name, data)
    kind = detect_kind(table.columns, name)
    issues = _Issues(name)
    for issue in table.issues:
        issues.add(issue.row, issue.column, issue.value, issue.rule, issue.message)

    specs = COLUMNS[kind]
    index = {c: j for j, c in enumerate(table.columns) if c}
    missing_cols = [s.name for s in specs if s.required and s.name not in index]
    if missing_cols:
        needed = ", ".join(required_columns(kind))
        for col in missing_cols:
            issues.add(
                None,
                col,
                None,
                "required_column",
                f"required column {col!r} is missing; a {kind} file needs: {needed}",
            )
        raise FileRejectedError(name, issues.finish())

    known = [(s, index[s.name]) for s in specs if s.name in index]
    defaults = {s.name: s.default for s in specs if s.name not in index}
    spec_names = {s.name for s in specs}
    unknown = [(c, j) for c, j in index.items() if c not in spec_names]

    # 1. cell conversion and per-row value rules
    parsed: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
    for i, row in enumerate(table.rows, start=1):
        if i in table.bad_rows:
            continue
        fields: dict[str, Any] = dict(defaults)
        ok = True
        for spec, j in known:
            raw = row[j]
            try:
                val = spec.convert(raw)
            except BadValueError as exc:
                issues.add(i, spec.name, raw, exc.rule, f"{exc.message}; correct the value")
                ok = False
                continue
            if val is None:
                if spec.required:
                    issues.add(
                        i,
                        spec.name,
                        raw,
                        "missing_value",
                        f"{spec.name} is required but empty; fill it in or remove the row",
                    )
                    ok = False
                    continue
                val = spec.default
            fields[spec.name] = val
        if not ok:
            if issues.full:
                break
            continue
        for col, rule, msg in _row_rules(kind, fields):
            issues.add(i, col, fields[col], rule, msg)
        extras = {c: extra_value(row[j]) for c, j in unknown} if kind == "daily" else {}
        parsed.append((i, fields, extras))
        if issues.full:
            break

    # 2. strategy, calendar, dates, duplicates
    first_row: dict[Hashable, int] = {}
    keyed: list[tuple[int, Hashable, dict[str, Any], dict[str, Any]]] = []
    bad_calendars: set[str] = set()
    for i, fields, extras in parsed:
        if issues.full:
            break
        sid = fields["strategy_id"]
        strategy = ctx.strategies.get(sid)
        if strategy is None:
            issues.add(
                i,
                "strategy_id",
                sid,
                "unknown_strategy",
                f"strategy {sid!r} is not registered; register it first or correct the id",
            )
        date_col, day = _row_date(kind, fields)
        if day > ctx.today:
            issues.add(
                i,
                date_col,
                _fmt(fields[date_col]),
                "future_date",
                f"{day.isoformat()} is after today ({ctx.today.isoformat()}); correct the date",
            )
        elif strategy is not None and date_col == "date" and strategy.calendar not in bad_calendars:
            _check_session(issues, i, day, sid, strategy.calendar, bad_calendars)
        key = _key(kind, fields)
        if key in first_row:
            issues.add(
                i,
                _KEY_COLUMN[kind],
                _describe_key(kind, key),
                "duplicate_row",
                f"same {_KEY_NAMES[kind]} as row {first_row[key]}; keep only one of the rows",
            )
            continue
        first_row[key] = i
        keyed.append((i, key, fields, extras))

    # 3. compare with stored rows
    records = [(i, key, _build(kind, f, x)) for i, key, f, x in keyed]
    stored = _stored(kind, ctx.view, [key for _, key, _ in records])
    status: dict[int, str] = {}
    diffs: dict[int, dict[str, tuple[Any, Any]]] = {}
    for i, key, rec in records:
        old = stored.get(key)
        if old is None:
            status[i] = "new"
            continue
        diff = record_differences(old, rec)
        if not diff:
            status[i] = "identical"
            continue
        status[i] = "replace"
        diffs[i] = diff
        if not ctx.replace:
            col, (_, now) = next(iter(diff.items()))
            detail = "; ".join(
                f"{c}: stored {_fmt(a)}, file {_fmt(b)}" for c, (a, b) in diff.items()
            )
            issues.add(
                i,
                _FIELD_TO_COLUMN.get(col, col),
                now,
                "conflict",
                f"a row for {_describe_key(kind, key)} is already stored with different values "
                f"({detail}); {_REPLACE_HINT}",
            )

    if issues.items or issues.full:
        raise FileRejectedError(name, issues.finish())

    # 4. accepted: assemble the batch and its findings
    batch = IngestBatch(file=name, kind=kind, sha256=sha, n_rows=len(table.rows))
    targets: dict[str, list[Any]] = {
        "daily": batch.daily,
        "executions": batch.executions,
        "trades": batch.round_trips,
        "positions": batch.positions,
        "backtest_returns": batch.backtest_returns,
    }
    target = targets[kind]
    fresh = any(st != "identical" for st in status.values())
    for c, _ in unknown if fresh else ():  # a no-op re-ingest repeats no finding
        batch.findings.append(
            Finding(
                "unknown_column",
                None,
                None,
                name,
                None,
                c,
                c,
                f"column {c!r} is not a known {kind} column; "
                + ("it was kept as an extra" if kind == "daily" else "it was ignored")
                + " (rename it if it is a misspelt known column)",
            )
        )
    for i, key, rec in records:
        st = status[i]
        if st == "new":
            target.append(rec)
        elif st == "identical":
            batch.n_identical += 1
        else:
            batch.replacements.append(rec)
            diff = diffs[i]
            sid, day = _finding_where(rec)
            batch.findings.append(
                Finding(
                    "replaced_row",
                    sid,
                    day,
                    name,
                    i,
                    _FIELD_TO_COLUMN.get(next(iter(diff)), next(iter(diff))),
                    {
                        "old": {c: _jsonable(a) for c, (a, _) in diff.items()},
                        "new": {c: _jsonable(b) for c, (_, b) in diff.items()},
                    },
                    f"stored row for {_describe_key(kind, key)} replaced: "
                    + "; ".join(f"{c} {_fmt(a)} -> {_fmt(b)}" for c, (a, b) in diff.items()),
                )
            )
    if kind == "daily":
        rows = [
            (i, rec, status[i] != "identical")
            for i, _, rec in records
            if isinstance(rec, DailyRecord)
        ]
        checks = daily_findings(name, rows, ctx)
        batch.findings.extend(checks.findings)
        batch.quarantine_findings = checks.quarantine_findings
        batch.quarantined = checks.quarantined
        batch.gap_starts = checks.gap_starts
    return batch


def _check_session(
    issues: _Issues, row: int, day: dt.date, sid: str, calendar: str, bad: set[str]
) -> None:
    try:
        if is_session(calendar, day):
            return
        bounds = calendar_bounds(calendar)
    except UnknownCalendarError as exc:
        bad.add(calendar)
        issues.add(row, "strategy_id", sid, "unknown_calendar", f"{exc}; fix the registry")
        return
    if bounds is not None and not bounds[0] <= day <= bounds[1]:
        why = f"outside the range the {calendar} calendar covers ({bounds[0]} to {bounds[1]})"
    else:
        why = f"not a trading session of {calendar} (weekend or holiday)"
    issues.add(
        row,
        "date",
        day.isoformat(),
        "trading_session",
        f"{day.isoformat()} is {why} for strategy {sid!r}; remove the row or correct the date "
        "(or the strategy's calendar)",
    )


def _finding_where(rec: IngestRecord) -> tuple[str, dt.date]:
    if isinstance(rec, Execution):
        return rec.strategy_id, rec.timestamp.date()
    if isinstance(rec, RoundTrip):
        return rec.strategy_id, rec.exit_time.date()
    return rec.strategy_id, rec.date


def _jsonable(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
