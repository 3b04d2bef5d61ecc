"""Read a benchmark returns file: CSV/JSON/Parquet with ``date, benchmark_id, return``."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd

from stratmon.errors import StratmonError

REQUIRED = ("date", "benchmark_id", "return")


def read_benchmark_file(path: Path) -> list[tuple[dt.date, str, float]]:
    """Rows ``(date, benchmark_id, return)`` of a benchmark file (column names any case).

    Parameters
    ----------
    path : Path
        ``.csv``, ``.json`` / ``.jsonl`` or ``.parquet``; ``return`` is a simple daily
        return as a fraction.

    Raises
    ------
    StratmonError
        Naming the file, row, column and value when a column is missing, a date does not
        parse, a return is not a finite number, or a (date, benchmark_id) repeats.
    """
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            df = pd.read_parquet(path)
        elif suffix in (".json", ".jsonl"):
            df = pd.read_json(path, lines=suffix == ".jsonl", dtype=False)
        else:
            df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as err:
        raise StratmonError(f"{path}: cannot be read as a benchmark file ({err}).") from err
    df.columns = [str(c).strip().lower() for c in df.columns]
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise StratmonError(
            f"{path}: missing column(s) {', '.join(missing)}; need {', '.join(REQUIRED)}."
        )
    out = []
    seen: set[tuple[dt.date, str]] = set()
    for i, (d, bid, r) in enumerate(
        zip(df["date"], df["benchmark_id"], df["return"], strict=True), start=2
    ):
        try:
            day = dt.date.fromisoformat(str(d)[:10])
        except ValueError:
            raise StratmonError(f"{path}, row {i}, column date: {d!r} is not YYYY-MM-DD.") from None
        try:
            ret = float(r)
        except (TypeError, ValueError):
            ret = math.nan
        if not math.isfinite(ret):
            raise StratmonError(
                f"{path}, row {i}, column return: {r!r} is not a number (fraction)."
            )
        name = str(bid).strip()
        if not name:
            raise StratmonError(f"{path}, row {i}, column benchmark_id: empty.")
        if (day, name) in seen:
            raise StratmonError(f"{path}, row {i}: {name} on {day} appears twice.")
        seen.add((day, name))
        out.append((day, name, ret))
    return out
