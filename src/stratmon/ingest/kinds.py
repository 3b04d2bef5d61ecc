"""The five kinds of data file, their columns, and detection of a file's kind."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from stratmon.errors import FileRejectedError
from stratmon.ingest import values as v
from stratmon.ingest.batch import FileKind


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One known column: name, converter, whether required, default when empty/absent."""

    name: str
    convert: v.Converter
    required: bool = False
    default: object = None
    hint: str = ""


def _req(name: str, convert: v.Converter, hint: str = "") -> ColumnSpec:
    return ColumnSpec(name, convert, True, None, hint)


def _opt(name: str, convert: v.Converter, default: object = None) -> ColumnSpec:
    return ColumnSpec(name, convert, False, default)


COLUMNS: dict[FileKind, tuple[ColumnSpec, ...]] = {
    "daily": (
        _req("date", v.to_date),
        _req("strategy_id", v.to_str),
        _req("nav", v.to_float),
        _opt("daily_pnl", v.to_float),
        _opt("realized_pnl", v.to_float),
        _opt("unrealized_pnl", v.to_float),
        _opt("cash_flow", v.to_float, 0.0),
        _opt("num_positions", v.to_int),
        _opt("gross_exposure_usd", v.to_float),
        _opt("net_exposure_usd", v.to_float),
        _opt("num_trades", v.to_int),
        _opt("trade_volume_usd", v.to_float),
        _opt("cash_balance", v.to_float),
        _opt("margin_used", v.to_float),
    ),
    "executions": (
        _req("execution_id", v.to_str),
        _req("strategy_id", v.to_str),
        _req("timestamp", v.to_datetime),
        _req("symbol", v.to_str),
        _req("side", v.to_side),
        _req("quantity", v.to_float),
        _req("price", v.to_float),
        _opt("commission", v.to_float, 0.0),
        _opt("fees", v.to_float, 0.0),
        _opt("currency", v.to_str, "USD"),
    ),
    "trades": (
        _req("trade_id", v.to_str),
        _req("strategy_id", v.to_str),
        _req("symbol", v.to_str),
        _req("entry_time", v.to_datetime),
        _req("exit_time", v.to_datetime),
        _req("entry_price", v.to_float),
        _req("exit_price", v.to_float),
        _req("quantity", v.to_float),
        _req("side", v.to_direction),
        _req("pnl", v.to_float),
        _opt("commission", v.to_float, 0.0),
    ),
    "positions": (
        _req("date", v.to_date),
        _req("strategy_id", v.to_str),
        _req("symbol", v.to_str),
        _req("quantity", v.to_float),
        _req("market_value", v.to_float),
        _req("unrealized_pnl", v.to_float),
        _opt("sector", v.to_str),
        _opt("asset_class", v.to_str),
    ),
    "backtest_returns": (
        _req("date", v.to_date),
        _req("strategy_id", v.to_str),
        _req("return", v.to_float),
    ),
}

#: Columns whose presence alone identifies a kind, strongest first.
_MARKERS: tuple[tuple[str, FileKind], ...] = (
    ("execution_id", "executions"),
    ("trade_id", "trades"),
    ("nav", "daily"),
    ("return", "backtest_returns"),
    ("market_value", "positions"),
)
_DAILY_NAME = re.compile(r"performance_data_.+_\d{4}-?\d{2}-?\d{2}", re.IGNORECASE)


def required_columns(kind: FileKind) -> list[str]:
    """Names of the required columns of ``kind``."""
    return [c.name for c in COLUMNS[kind] if c.required]


def detect_kind(columns: Collection[str], filename: str) -> FileKind:
    """The kind of a data file, from its columns and (for daily files) its name.

    A name ``performance_data_{strategy_id}_{date}.<ext>`` means daily performance. Otherwise a
    marker column decides, strongest first: ``execution_id`` (executions), ``trade_id``
    (closed trades), ``nav`` (daily), ``return`` (backtest returns), ``market_value``
    (positions). Failing that, the kind with the most required columns present wins (at least
    two). Missing required columns are reported later, by :func:`parse_file`.

    Parameters
    ----------
    columns : collection of str
        Column names (any case, any surrounding spaces).
    filename : str
        The file's name (a path is accepted; only the name is used).

    Returns
    -------
    str
        ``"daily"``, ``"executions"``, ``"trades"``, ``"positions"`` or ``"backtest_returns"``.

    Raises
    ------
    FileRejectedError
        Rule ``unknown_kind``: the columns match no kind.
    """
    name = Path(filename).name
    cols = {str(c).strip().lower() for c in columns}
    if _DAILY_NAME.fullmatch(Path(name).stem):
        return "daily"
    for marker, kind in _MARKERS:
        if marker in cols:
            return kind
    best: FileKind | None = None
    best_score = 1
    for kind in COLUMNS:
        score = len(cols.intersection(required_columns(kind)))
        if score > best_score:
            best, best_score = kind, score
    if best is not None:
        return best
    expected = "; ".join(f"{k}: {', '.join(required_columns(k))}" for k in COLUMNS)
    raise FileRejectedError.single(
        name,
        "unknown_kind",
        f"cannot tell what this file holds from its columns; expected one of: {expected}",
        value=", ".join(sorted(cols)),
    )
