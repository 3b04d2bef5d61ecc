"""Write and read benchmark series (imported daily returns) and composite definitions."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from sqlalchemy import Connection, delete, insert, select, update

from stratmon.attribution.benchmarks import composite_returns
from stratmon.errors import StratmonError
from stratmon.store.models_benchmarks import BenchmarkReturnRow, BenchmarkRow


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _upsert_definition(
    conn: Connection,
    benchmark_id: str,
    name: str,
    kind: str,
    components: dict[str, Any] | None,
    source: str,
) -> None:
    row = conn.execute(
        select(BenchmarkRow.kind).where(BenchmarkRow.benchmark_id == benchmark_id)
    ).first()
    values = {
        "name": name,
        "kind": kind,
        "components": components,
        "source": source,
        "updated_at": _now(),
    }
    if row is None:
        conn.execute(insert(BenchmarkRow).values(benchmark_id=benchmark_id, **values))
    else:
        if row[0] != kind:
            raise StratmonError(
                f"Benchmark {benchmark_id!r} is already stored as a {row[0]}; choose another id."
            )
        conn.execute(
            update(BenchmarkRow).where(BenchmarkRow.benchmark_id == benchmark_id).values(**values)
        )


def import_returns(
    conn: Connection,
    rows: Iterable[tuple[dt.date, str, float]],
    *,
    names: Mapping[str, str] | None = None,
    source: str = "",
) -> dict[str, int]:
    """Store (replace) daily returns ``(date, benchmark_id, return)``; returns rows per id.

    Raises
    ------
    StratmonError
        For a non-finite return.
    """
    by_id: dict[str, dict[dt.date, float]] = {}
    for day, bid, ret in rows:
        if not math.isfinite(ret):
            raise StratmonError(f"Benchmark {bid!r} on {day}: return {ret!r} is not a number.")
        by_id.setdefault(bid, {})[day] = float(ret)
    for bid, values in by_id.items():
        _upsert_definition(conn, bid, (names or {}).get(bid, bid), "series", None, source)
        conn.execute(
            delete(BenchmarkReturnRow).where(
                BenchmarkReturnRow.benchmark_id == bid,
                BenchmarkReturnRow.date.in_(list(values)),
            )
        )
        conn.execute(
            insert(BenchmarkReturnRow),
            [{"benchmark_id": bid, "date": d, "ret": r} for d, r in sorted(values.items())],
        )
    return {bid: len(v) for bid, v in by_id.items()}


def define_composite(
    conn: Connection, benchmark_id: str, weights: Mapping[str, float], name: str = ""
) -> None:
    """Store a composite benchmark as weights of stored series.

    Raises
    ------
    StratmonError
        When a component is not a stored series.
    """
    known = {r[0]: r[1] for r in conn.execute(select(BenchmarkRow.benchmark_id, BenchmarkRow.kind))}
    bad = [k for k in weights if known.get(k) != "series"]
    if bad:
        raise StratmonError(
            f"Composite {benchmark_id!r}: {', '.join(bad)} not stored as imported series."
        )
    _upsert_definition(
        conn,
        benchmark_id,
        name or benchmark_id,
        "composite",
        {k: float(v) for k, v in weights.items()},
        "composite",
    )


def benchmarks(conn: Connection) -> list[dict[str, Any]]:
    """Every stored benchmark: id, name, kind, components, first/last date and count."""
    out = []
    for r in conn.execute(select(BenchmarkRow).order_by(BenchmarkRow.benchmark_id)):
        m = r._mapping
        dates = [
            d[0]
            for d in conn.execute(
                select(BenchmarkReturnRow.date)
                .where(BenchmarkReturnRow.benchmark_id == m["benchmark_id"])
                .order_by(BenchmarkReturnRow.date)
            )
        ]
        out.append(
            {
                "benchmark_id": m["benchmark_id"],
                "name": m["name"],
                "kind": m["kind"],
                "components": m["components"],
                "n_obs": len(dates),
                "first": dates[0] if dates else None,
                "last": dates[-1] if dates else None,
            }
        )
    return out


def _raw(
    conn: Connection, bid: str, start: dt.date | None, end: dt.date | None
) -> tuple[list[dt.date], np.ndarray]:
    q = select(BenchmarkReturnRow.date, BenchmarkReturnRow.ret).where(
        BenchmarkReturnRow.benchmark_id == bid
    )
    if start is not None:
        q = q.where(BenchmarkReturnRow.date >= start)
    if end is not None:
        q = q.where(BenchmarkReturnRow.date <= end)
    rows = conn.execute(q.order_by(BenchmarkReturnRow.date)).all()
    return [r[0] for r in rows], np.array([r[1] for r in rows], dtype=float)


def benchmark_series(
    conn: Connection,
    benchmark_id: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> tuple[list[dt.date], np.ndarray] | None:
    """Daily returns of a stored series or composite between ``start`` and ``end``
    (inclusive), or ``None`` when no benchmark has that id."""
    row = conn.execute(
        select(BenchmarkRow.kind, BenchmarkRow.components).where(
            BenchmarkRow.benchmark_id == benchmark_id
        )
    ).first()
    if row is None:
        return None
    if row[0] != "composite":
        return _raw(conn, benchmark_id, start, end)
    weights: dict[str, float] = dict(row[1] or {})
    parts = {k: _raw(conn, k, start, end) for k in weights}
    return composite_returns(weights, parts)
