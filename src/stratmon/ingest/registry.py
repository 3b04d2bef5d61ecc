"""Strategy registry files and expected-metrics (backtest) files.

Strategies: CSV (one row per strategy), JSON or YAML (a list of objects, a mapping
``strategy_id -> {fields}``, or either under a top-level ``strategies`` key). Expectations:
YAML or JSON, a mapping ``strategy_id -> {metric: value, ..., n_trials: int}`` or a list of
objects with ``strategy_id`` (metrics either flat or under ``metrics``). Both are validated
whole: any problem raises :class:`~stratmon.errors.FileRejectedError` listing all of them.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import yaml

from stratmon.domain.records import BacktestExpectation, Strategy
from stratmon.errors import FileRejectedError, ValidationIssue
from stratmon.ingest import values as v
from stratmon.ingest.calendar import UnknownCalendarError, validate_calendar
from stratmon.ingest.readers import StrPath, read_bytes, read_raw

_STRATEGY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
_METRIC = re.compile(r"[a-z][a-z0-9_]*")

#: Strategy fields, their converters and defaults (``name`` defaults to the id).
_STRATEGY_FIELDS: dict[str, tuple[v.Converter, object]] = {
    "strategy_id": (v.to_str, None),
    "name": (v.to_str, None),
    "sector": (v.to_str, ""),
    "asset_class": (v.to_str, ""),
    "researcher": (v.to_str, ""),
    "pool": (v.to_str, ""),
    "allocated_capital": (v.to_float, None),
    "allocation_date": (v.to_date, None),
    "periods_per_year": (v.to_int, 252),
    "benchmark": (v.to_str, None),
    "backtest_source": (v.to_str, None),
    "calendar": (v.to_str, "XNYS"),
    "active": (v.to_bool, True),
}


def _load_document(path: Path) -> tuple[str, Any]:
    name = path.name
    data = read_bytes(path)
    suffix = path.suffix.lower()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRejectedError.single(name, "encoding", "save the file as UTF-8") from exc
    try:
        if suffix in (".yaml", ".yml"):
            return name, yaml.safe_load(text)
        if suffix == ".json":
            return name, json.loads(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise FileRejectedError.single(name, "unreadable", f"cannot parse the file: {exc}") from exc
    raise FileRejectedError.single(
        name, "unknown_format", "unknown file type; use .yaml, .yml or .json", value=suffix
    )


def _entries(doc: Any, key: str, id_field: str) -> list[dict[str, Any]] | None:
    """Normalise a list of objects or an id -> object mapping to a list of dicts."""
    if isinstance(doc, Mapping) and key in doc and len(doc) == 1:
        doc = doc[key]
    if isinstance(doc, list):
        return [dict(x) if isinstance(x, Mapping) else {"__bad__": x} for x in doc]
    if isinstance(doc, Mapping):
        out = []
        for sid, body in doc.items():
            entry = dict(body) if isinstance(body, Mapping) else {"__bad__": body}
            entry.setdefault(id_field, sid)
            out.append(entry)
        return out
    return None


def _lower_keys(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k).strip().lower(): val for k, val in entry.items()}


# --------------------------------------------------------------------------------------------


def parse_strategies(path: StrPath) -> list[Strategy]:
    """Read and validate a strategy registry file.

    Rules: ``strategy_id`` present, made of letters, digits, ``_ . -`` and unique
    (``duplicate_row``); ``allocated_capital`` > 0; ``allocation_date`` ISO;
    ``periods_per_year`` a whole number in 1..366; ``calendar`` a known exchange-calendars code
    or ``"24/7"``; ``active`` a boolean. Unknown fields are rejected (``unknown_column``): a
    misspelt ``calendar`` would otherwise silently default to XNYS.

    Parameters
    ----------
    path : str or PathLike
        A .csv, .json or .yaml/.yml file.

    Returns
    -------
    list of Strategy
        In file order.

    Raises
    ------
    FileRejectedError
        Listing every problem found.
    """
    p = Path(path)
    name = p.name
    if p.suffix.lower() in (".csv", ".jsonl", ".ndjson", ".parquet", ".pq"):
        table = read_raw(name, read_bytes(p))
        if table.issues:
            raise FileRejectedError(name, table.issues)
        entries = [dict(zip(table.columns, row, strict=True)) for row in table.rows]
    else:
        name, doc = _load_document(p)
        found = _entries(doc, "strategies", "strategy_id")
        if found is None:
            raise FileRejectedError.single(
                name, "format", "expected a list of strategies or a mapping strategy_id -> fields"
            )
        entries = found
    issues: list[ValidationIssue] = []
    out: list[Strategy] = []
    seen: dict[str, int] = {}
    for i, raw_entry in enumerate(entries, start=1):
        if "__bad__" in raw_entry:
            issues.append(
                ValidationIssue(name, i, None, None, "format", "each strategy must be an object")
            )
            continue
        entry = _lower_keys(raw_entry)
        fields: dict[str, Any] = {}
        ok = True

        def bad(col: str, value: object, rule: str, msg: str, row: int = i) -> None:
            issues.append(ValidationIssue(name, row, col, value, rule, msg))

        for col in entry:
            if col not in _STRATEGY_FIELDS:
                bad(
                    col,
                    entry[col],
                    "unknown_column",
                    f"unknown strategy field {col!r}; known: {', '.join(_STRATEGY_FIELDS)}",
                )
                ok = False
        for col, (conv, default) in _STRATEGY_FIELDS.items():
            raw = entry.get(col)
            try:
                val = conv(raw)
            except v.BadValueError as exc:
                bad(col, raw, exc.rule, f"{exc.message}; correct the value")
                ok = False
                continue
            fields[col] = default if val is None else val
        sid = fields.get("strategy_id")
        if sid is None:
            if "strategy_id" in fields:
                bad(
                    "strategy_id",
                    entry.get("strategy_id"),
                    "missing_value",
                    "every strategy needs a strategy_id",
                )
            ok = False
            continue
        if not _STRATEGY_ID.fullmatch(sid):
            bad(
                "strategy_id",
                sid,
                "strategy_id",
                "use letters, digits, '_', '.' and '-' only (no spaces)",
            )
            ok = False
        if sid in seen:
            bad(
                "strategy_id",
                sid,
                "duplicate_row",
                f"strategy {sid!r} is already defined in row {seen[sid]}; keep one",
            )
            ok = False
        seen.setdefault(sid, i)
        cap = fields.get("allocated_capital")
        if cap is not None and cap <= 0:
            bad("allocated_capital", cap, "positive", "allocated_capital must be > 0")
            ok = False
        ppy = fields.get("periods_per_year")
        if isinstance(ppy, int) and not 1 <= ppy <= 366:
            bad(
                "periods_per_year",
                ppy,
                "periods_per_year",
                "periods_per_year must be in 1..366 (252 for stocks, 365 for crypto)",
            )
            ok = False
        cal = fields.get("calendar")
        if isinstance(cal, str):
            try:
                validate_calendar(cal)
            except UnknownCalendarError as exc:
                bad("calendar", cal, "calendar", str(exc))
                ok = False
        if ok:
            if fields["name"] is None:
                fields["name"] = sid
            out.append(Strategy(**fields))
    if issues:
        raise FileRejectedError(name, issues)
    return out


def parse_expectations(
    path: StrPath, known_strategies: Collection[str] | None = None
) -> list[BacktestExpectation]:
    """Read and validate an expected-metrics file (YAML or JSON).

    Accepted shapes::

        trend_es:                    # mapping strategy_id -> metrics
          sharpe_ratio: 1.2
          max_drawdown: -0.15        # fractions, annualised where annualised
          n_trials: 20               # optional: how many variants were tried
        - strategy_id: trend_es      # or a list of objects (metrics flat or under "metrics")
          metrics: {sharpe_ratio: 1.2}

    Parameters
    ----------
    path : str or PathLike
        A .yaml, .yml or .json file.
    known_strategies : collection of str, optional
        If given, a strategy id not in it is an issue (``unknown_strategy``).

    Returns
    -------
    list of BacktestExpectation
        In file order, ``source="file"``.

    Raises
    ------
    FileRejectedError
        Rules: ``format``, ``missing_value`` (no strategy_id), ``duplicate_row``,
        ``unknown_strategy``, ``type`` (a metric that is not a finite number, a metric name
        that is not lower_snake_case), ``n_trials`` (not a whole number >= 1).
    """
    p = Path(path)
    name, doc = _load_document(p)
    entries = _entries(doc, "expectations", "strategy_id")
    if entries is None:
        raise FileRejectedError.single(
            name,
            "format",
            "expected a mapping strategy_id -> {metric: value} or a list of objects "
            "with strategy_id",
        )
    issues: list[ValidationIssue] = []
    out: list[BacktestExpectation] = []
    seen: dict[str, int] = {}
    for i, raw_entry in enumerate(entries, start=1):
        if "__bad__" in raw_entry:
            issues.append(
                ValidationIssue(
                    name, i, None, None, "format", "each entry must map metric names to values"
                )
            )
            continue
        entry = _lower_keys(raw_entry)
        ok = True
        try:
            sid = v.to_str(entry.pop("strategy_id", None))
        except v.BadValueError:
            sid = None
        if sid is None:
            issues.append(
                ValidationIssue(
                    name, i, "strategy_id", None, "missing_value", "give each entry a strategy_id"
                )
            )
            continue
        if sid in seen:
            issues.append(
                ValidationIssue(
                    name,
                    i,
                    "strategy_id",
                    sid,
                    "duplicate_row",
                    f"strategy {sid!r} already has expectations in entry {seen[sid]}; merge them",
                )
            )
            ok = False
        seen.setdefault(sid, i)
        if known_strategies is not None and sid not in known_strategies:
            issues.append(
                ValidationIssue(
                    name,
                    i,
                    "strategy_id",
                    sid,
                    "unknown_strategy",
                    f"strategy {sid!r} is not registered; register it first or correct the id",
                )
            )
            ok = False
        n_trials_raw = entry.pop("n_trials", None)
        n_trials: int | None = None
        try:
            n_trials = v.to_int(n_trials_raw)
            if n_trials is not None and n_trials < 1:
                raise v.BadValueError("n_trials", "")
        except v.BadValueError:
            issues.append(
                ValidationIssue(
                    name,
                    i,
                    "n_trials",
                    n_trials_raw,
                    "n_trials",
                    "n_trials must be a whole number >= 1 (the number of variants tried)",
                )
            )
            ok = False
        source_raw = entry.pop("source", None)
        source = source_raw if isinstance(source_raw, str) and source_raw else "file"
        nested = entry.pop("metrics", None)
        if isinstance(nested, Mapping):
            entry.update(_lower_keys(nested))
        elif nested is not None:
            issues.append(
                ValidationIssue(
                    name, i, "metrics", None, "format", "metrics must map names to numbers"
                )
            )
            ok = False
        metrics: dict[str, float] = {}
        for metric, raw in entry.items():
            if not _METRIC.fullmatch(metric):
                issues.append(
                    ValidationIssue(
                        name,
                        i,
                        metric,
                        raw,
                        "type",
                        "metric names are lower_snake_case, e.g. sharpe_ratio",
                    )
                )
                ok = False
                continue
            try:
                val = v.to_float(raw)
            except v.BadValueError as exc:
                val, msg = None, exc.message
            else:
                msg = "expected a number"
            if val is None or not math.isfinite(val):
                issues.append(
                    ValidationIssue(
                        name,
                        i,
                        metric,
                        raw,
                        "type",
                        f"{msg}; give {metric} as a number (fractions: 0.05 for 5 %)",
                    )
                )
                ok = False
                continue
            metrics[metric] = val
        if ok:
            out.append(BacktestExpectation(sid, metrics, n_trials, source))
    if issues:
        raise FileRejectedError(name, issues)
    return out
