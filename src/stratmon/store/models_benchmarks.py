"""Benchmark series the user imports (daily simple returns) and composite definitions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from stratmon.store.models import Base


class BenchmarkRow(Base):
    """A benchmark: an imported series (``kind = 'series'``) or a composite of others
    (``kind = 'composite'``, ``components`` maps series ids to weights)."""

    __tablename__ = "benchmarks"
    benchmark_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(16), default="series")
    components: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class BenchmarkReturnRow(Base):
    """One day's simple return (fraction) of an imported benchmark series."""

    __tablename__ = "benchmark_returns"
    benchmark_id: Mapped[str] = mapped_column(
        ForeignKey("benchmarks.benchmark_id"), primary_key=True
    )
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    ret: Mapped[float] = mapped_column(Float)
