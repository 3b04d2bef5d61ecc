"""Typed records shared by every layer (no I/O)."""

from stratmon.domain.records import (
    BacktestExpectation,
    BacktestReturn,
    DailyRecord,
    Execution,
    Finding,
    Position,
    RoundTrip,
    Strategy,
)

__all__ = [
    "BacktestExpectation",
    "BacktestReturn",
    "DailyRecord",
    "Execution",
    "Finding",
    "Position",
    "RoundTrip",
    "Strategy",
]
