"""What one accepted file yields: new records, replacements and findings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from stratmon.domain.records import (
    BacktestReturn,
    DailyRecord,
    Execution,
    Finding,
    Position,
    RoundTrip,
)

FileKind = Literal["daily", "executions", "trades", "positions", "backtest_returns"]
IngestRecord = DailyRecord | Execution | RoundTrip | Position | BacktestReturn


@dataclass
class IngestBatch:
    """The validated content of one file, ready to be stored in one transaction.

    ``daily``/``executions``/``round_trips``/``positions``/``backtest_returns`` hold only rows
    that are new to the store. Rows identical to stored ones are skipped and counted in
    ``n_identical``. Rows that differ from stored ones (accepted only with
    ``IngestContext.replace``) are in ``replacements``, each with a ``replaced_row`` finding.
    """

    file: str
    kind: FileKind
    sha256: str
    n_rows: int
    n_identical: int = 0
    daily: list[DailyRecord] = field(default_factory=list)
    executions: list[Execution] = field(default_factory=list)
    round_trips: list[RoundTrip] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    backtest_returns: list[BacktestReturn] = field(default_factory=list)
    replacements: list[IngestRecord] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    #: Days held out of the statistics until confirmed or replaced: (strategy_id, date) ->
    #: the quarantine rule (``nav_disconnect``, ``outlier`` or ``sigma_move``).
    quarantined: dict[tuple[str, dt.date], str] = field(default_factory=dict)
    #: The findings (among ``findings``) that quarantine their day.
    quarantine_findings: list[Finding] = field(default_factory=list)
    #: First missing date of each ``missing_data`` finding (same order as they appear).
    gap_starts: dict[tuple[str, dt.date], dt.date] = field(default_factory=dict)

    @property
    def new_records(self) -> list[IngestRecord]:
        """All new records of the batch (whatever the kind), not counting replacements."""
        out: list[IngestRecord] = []
        out.extend(self.daily)
        out.extend(self.executions)
        out.extend(self.round_trips)
        out.extend(self.positions)
        out.extend(self.backtest_returns)
        return out
