"""Converters from raw cell values (CSV text, JSON or Parquet values) to typed values.

Each converter returns ``None`` for an empty cell (``""``, ``None``, NaN) and raises
:class:`BadValueError` (rule ``"type"`` or ``"side"``) for a value of the wrong type.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MIDNIGHT_RE = re.compile(r"(\d{4}-\d{2}-\d{2})[T ]00:00(?::00(?:\.0+)?)?(?:Z|[+-]00:?00)?")

Converter = Callable[[Any], Any]


class BadValueError(Exception):
    """A cell that cannot be converted; ``message`` says what was expected."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def to_float(value: Any) -> float | None:
    """A finite float; ``None`` for an empty cell or NaN."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise BadValueError("type", "expected a number, got a boolean")
    if isinstance(value, float | int | Decimal):
        out = float(value)
    elif isinstance(value, str):
        try:
            out = float(value)
        except ValueError:
            raise BadValueError(
                "type", "expected a plain number such as 1234.56 (no thousands separators)"
            ) from None
    else:
        raise BadValueError("type", f"expected a number, got {type(value).__name__}")
    if math.isnan(out):
        return None
    if math.isinf(out):
        raise BadValueError("type", "expected a finite number, got infinity")
    return out


def to_int(value: Any) -> int | None:
    """An integer (``3`` or ``3.0``); ``None`` for an empty cell."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    out = to_float(value)
    if out is None:
        return None
    if not out.is_integer():
        raise BadValueError("type", "expected a whole number such as 12")
    return int(out)


def to_str(value: Any) -> str | None:
    """A stripped string; ``None`` for an empty cell. Integers are accepted as text."""
    if _blank(value):
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise BadValueError("type", f"expected text, got {type(value).__name__}")


def to_date(value: Any) -> dt.date | None:
    """An ISO date ``yyyy-mm-dd`` (a midnight ISO timestamp is accepted too)."""
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.utcoffset() in (None, dt.timedelta(0)):
            return value.date()
        raise BadValueError("type", "expected a date without a time of day (yyyy-mm-dd)")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        m = _MIDNIGHT_RE.fullmatch(text)
        if m is not None:
            text = m.group(1)
        if _DATE_RE.fullmatch(text):
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                raise BadValueError(
                    "type", "not a valid calendar date (check month and day)"
                ) from None
    raise BadValueError("type", "expected an ISO date yyyy-mm-dd, e.g. 2024-01-31")


def to_datetime(value: Any) -> dt.datetime | None:
    """An ISO 8601 timestamp as a naive UTC datetime (aware values are converted to UTC)."""
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        out = value
    elif isinstance(value, dt.date):
        out = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            out = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise BadValueError(
                "type", "expected an ISO 8601 timestamp, e.g. 2024-01-31T14:30:00Z"
            ) from None
    else:
        raise BadValueError("type", "expected an ISO 8601 timestamp, e.g. 2024-01-31T14:30:00Z")
    if out.tzinfo is not None:
        out = out.astimezone(dt.UTC).replace(tzinfo=None)
    return out


def to_side(value: Any) -> str | None:
    """``"BUY"`` or ``"SELL"`` (case-insensitive)."""
    text = to_str(value)
    if text is None:
        return None
    side = text.upper()
    if side not in ("BUY", "SELL"):
        raise BadValueError("side", "side must be BUY or SELL")
    return side


_DIRECTIONS = {"LONG": "LONG", "BUY": "LONG", "SHORT": "SHORT", "SELL": "SHORT"}


def to_direction(value: Any) -> str | None:
    """``"LONG"`` or ``"SHORT"``; ``BUY`` means long and ``SELL`` short."""
    text = to_str(value)
    if text is None:
        return None
    direction = _DIRECTIONS.get(text.upper())
    if direction is None:
        raise BadValueError("side", "side must be LONG or SHORT (or BUY for long, SELL for short)")
    return direction


def to_bool(value: Any) -> bool | None:
    """``true/false``, ``yes/no``, ``1/0`` (case-insensitive)."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "yes", "y", "1"):
            return True
        if text in ("false", "no", "n", "0"):
            return False
    raise BadValueError("type", "expected true or false")


def extra_value(value: Any) -> Any:
    """An unknown column's value as kept in ``extras``: numbers parsed from text, blanks None."""
    if _blank(value):
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            out = float(text)
        except ValueError:
            return text
        return out if math.isfinite(out) else text
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dt.date):  # datetime too: keep extras JSON-safe
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value
