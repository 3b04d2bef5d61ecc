"""Ingest files into the store: validate whole files, write each accepted file in one
transaction, keep rejected files aside with their errors, and skip files already ingested.

Files inside the inbox are moved to ``processed/`` or ``rejected/``; files given from elsewhere
stay where they are (a rejected one is copied into ``inbox/rejected/`` beside its error).
Executions are matched FIFO into round trips, continuing from each strategy's stored open lots.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from stratmon.config import Workspace
from stratmon.domain import DailyRecord, Execution, Finding, Strategy
from stratmon.errors import FileRejectedError
from stratmon.ingest import (
    FifoMatcher,
    IngestBatch,
    IngestContext,
    archive,
    file_sha256,
    parse_file,
    reject,
)
from stratmon.ingest.inbox import ERROR_SUFFIX, REJECTED_DIR
from stratmon.ingest.matching import ExecutionOrderError
from stratmon.store import Store
from stratmon.store import queries as q
from stratmon.store import repositories as repo
from stratmon.store.view import SqlStoredView


@dataclass
class IngestOutcome:
    """What happened to one file."""

    file: str
    outcome: str  # accepted | rejected | duplicate
    kind: str | None = None
    n_rows: int = 0
    n_new: int = 0
    n_identical: int = 0
    n_replaced: int = 0
    n_round_trips: int = 0
    findings: list[str] = field(default_factory=list)
    error: str | None = None
    moved_to: Path | None = None
    #: Days held out of the statistics until confirmed or replaced: "strategy date (rule)".
    quarantined: list[str] = field(default_factory=list)
    #: Findings of earlier files this file resolved (a replaced row, a late file).
    n_resolved: int = 0

    @property
    def went_in(self) -> bool:
        """True when everything of the file went in (accepted with nothing quarantined, or
        an identical duplicate)."""
        return self.outcome in ("accepted", "duplicate") and not self.quarantined


def all_went_in(outcomes: Sequence[IngestOutcome]) -> bool:
    """True when no file was rejected and no day quarantined (``stratmon ingest``/``run``
    exit 0 only then)."""
    return all(o.went_in for o in outcomes)


def outcome_summary(outcomes: Sequence[IngestOutcome]) -> str:
    """The last line of ``stratmon ingest``/``run``: how many files went in, how many were
    rejected and how many days quarantined, and what to do."""
    rejected = [o for o in outcomes if o.outcome == "rejected"]
    held = [d for o in outcomes for d in o.quarantined]
    if not rejected and not held:
        return f"All {len(outcomes)} file(s) went in."
    parts = []
    if rejected:
        parts.append(f"{len(rejected)} file(s) REJECTED (see inbox/rejected/*.error.txt)")
    if held:
        files = sorted({o.file for o in outcomes if o.quarantined})
        parts.append(
            f"{len(held)} day(s) QUARANTINED in {', '.join(files)} (held out of the "
            "statistics until `stratmon ingest --confirm FILE` or a corrected file sent "
            "with --replace)"
        )
    return "Not everything went in: " + "; ".join(parts) + "."


def _within(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _store_batch(conn: Connection, batch: IngestBatch, file_id: int) -> int:
    """Write one accepted batch; returns the number of round trips matched from executions."""
    repo.insert_daily(conn, batch.daily, file_id, batch.quarantined)
    repo.insert_executions(conn, batch.executions, file_id)
    repo.insert_round_trips(conn, batch.round_trips, file_id, "file")
    repo.insert_positions(conn, batch.positions, file_id)
    repo.insert_backtest_returns(conn, batch.backtest_returns, file_id)
    by_type: dict[str, list[Any]] = {}
    for rec in batch.replacements:
        by_type.setdefault(type(rec).__name__, []).append(rec)
    repo.replace_daily(conn, by_type.get("DailyRecord", []), file_id, batch.quarantined)
    repo.replace_executions(conn, by_type.get("Execution", []), file_id)
    repo.replace_round_trips(conn, by_type.get("RoundTrip", []), file_id, "file")
    repo.replace_positions(conn, by_type.get("Position", []), file_id)
    repo.replace_backtest_returns(conn, by_type.get("BacktestReturn", []), file_id)
    by = f"file {batch.file}"
    replaced_days = {_day_of(r) for r in batch.replacements}
    repo.resolve_replaced_findings(conn, replaced_days, file_id, f"replaced by {by}")
    repo.resolve_gap_findings(conn, [(r.strategy_id, r.date) for r in batch.daily], file_id, by)
    repo.resolve_positions_findings(
        conn, {(p.strategy_id, p.date) for p in batch.positions}, f"positions arrived in {by}"
    )
    repo.insert_findings(
        conn,
        batch.findings,
        file_id,
        quarantine=batch.quarantine_findings,
        gap_starts=batch.gap_starts,
    )
    if batch.quarantined:
        repo.mark_file_replacing(conn, file_id)  # a held-out day: caches of history reload
    return _match_executions(conn, batch.executions, by_type.get("Execution", []), file_id)


def _day_of(rec: Any) -> tuple[str, dt.date]:
    if isinstance(rec, Execution):
        return rec.strategy_id, rec.timestamp.date()
    if hasattr(rec, "exit_time"):
        return rec.strategy_id, rec.exit_time.date()
    return rec.strategy_id, rec.date


def _rebuild_matching(conn: Connection, strategy_id: str, file_id: int) -> int:
    """Re-match all stored executions of a strategy from scratch (after a replacement or a
    late fill). Marks the file as replacing rows, so caches of history reload."""
    repo.delete_matched_round_trips(conn, strategy_id)
    matcher = FifoMatcher()
    trips = matcher.match(q.executions(conn, strategy_id))
    repo.insert_round_trips(conn, trips, file_id, "executions")
    repo.save_matcher_state(conn, strategy_id, matcher.to_state())
    repo.mark_file_replacing(conn, file_id)
    return len(trips)


def _match_executions(
    conn: Connection, new: Sequence[Execution], replaced: Sequence[Execution], file_id: int
) -> int:
    """Continue FIFO matching per strategy from its stored open lots. A replaced execution
    invalidates the strategy's matching, which is then rebuilt from all stored executions."""
    n = 0
    rebuild = {e.strategy_id for e in replaced}
    by_sid: dict[str, list[Execution]] = {}
    for e in new:
        by_sid.setdefault(e.strategy_id, []).append(e)
    for sid in rebuild:
        n += _rebuild_matching(conn, sid, file_id)
    for sid, execs in by_sid.items():
        if sid in rebuild:
            continue
        state = q.matcher_state(conn, sid)
        matcher = FifoMatcher.from_state(state) if state else FifoMatcher()
        try:
            trips = matcher.match(execs)
        except ExecutionOrderError:
            # A fill earlier than one already matched (a late file): rebuild from all fills.
            n += _rebuild_matching(conn, sid, file_id)
            continue
        repo.insert_round_trips(conn, trips, file_id, "executions")
        repo.save_matcher_state(conn, sid, matcher.to_state())
        n += len(trips)
    return n


def ingest_paths(
    ws: Workspace,
    store: Store,
    paths: Iterable[Path],
    *,
    replace: bool = False,
    today: dt.date | None = None,
    registry: Sequence[Strategy] | None = None,
) -> list[IngestOutcome]:
    """Ingest files. Files inside the inbox are moved to ``processed/`` or ``rejected/``;
    files elsewhere stay where they are (a rejected one is copied aside with its error).

    ``registry`` is every registered strategy when the caller has just read it (the daily
    job); otherwise it is read from the store.
    """
    paths = sorted(Path(p) for p in paths)
    if not paths:
        return []
    today = today or dt.date.today()
    if registry is None:
        with store.read() as conn:
            registry = q.strategies(conn)
    strategies = {s.strategy_id: s for s in registry}
    outcomes = []
    days: set[tuple[str, dt.date]] = set()
    for path in paths:
        outcome, new_days = _ingest_one(ws, store, path, strategies, replace, today)
        outcomes.append(outcome)
        days |= new_days
    _positions_unknown(store, days)
    return outcomes


def quarantine_settings(ws: Workspace) -> dict[str, Any]:
    """The quarantine settings of ``[ingest]`` in ``stratmon.toml`` (defaults of
    :class:`~stratmon.ingest.IngestContext` where absent): ``quarantine`` (bool),
    ``quarantine_sigma`` (k), ``sigma_min_history``, ``sigma_lookback_days``, ``sigma_min_move``."""
    section = ws.config.get("ingest", {})
    out: dict[str, Any] = {}
    for key, conv in (
        ("quarantine", bool),
        ("quarantine_sigma", float),
        ("sigma_min_history", int),
        ("sigma_lookback_days", int),
        ("sigma_min_move", float),
    ):
        if key in section:
            out[key] = conv(section[key])
    return out


def _positions_unknown(store: Store, days: set[tuple[str, dt.date]]) -> None:
    """A day of daily data without that day's positions, for a strategy that sent positions
    before, gets a "positions unknown" finding (positions are never carried forward)."""
    if not days:
        return
    with store.transaction() as conn:
        unknown = q.days_without_positions(conn, sorted(days))
        findings = [
            Finding(
                "missing_data",
                sid,
                day,
                "(positions)",
                None,
                "positions",
                last.isoformat(),
                f"no positions snapshot for {sid} on {day.isoformat()} although it sent "
                f"positions before (last on {last.isoformat()}): its positions are unknown "
                "for that day and position-based rules are not evaluated; send that day's "
                "positions file (a flat book is a snapshot with zero exposure)",
            )
            for sid, day, last in unknown
        ]
        repo.insert_positions_findings(conn, findings, None)


def confirm_files(
    store: Store, names: Iterable[str], *, by: str = "user"
) -> dict[str, list[tuple[str, dt.date]]]:
    """``stratmon ingest --confirm FILE``: put the quarantined days of each named file back
    into the statistics and resolve their quarantine findings.

    Parameters
    ----------
    store : Store
    names : iterable of str
        File names (or paths: only the name counts) as they were ingested.
    by : str
        Who confirmed, for the findings' ``resolved_by``.

    Returns
    -------
    dict
        File name -> the (strategy_id, date) days confirmed (empty: nothing was quarantined).
    """
    out: dict[str, list[tuple[str, dt.date]]] = {}
    for raw in names:
        name = Path(raw).name
        with store.transaction() as conn:
            days = repo.confirm_quarantine(
                conn, name, f"confirmed by {by} (stratmon ingest --confirm {name})"
            )
            if days:  # a new file id that changed stored rows: caches of history reload
                file_id = repo.record_file(
                    conn,
                    name=name,
                    path=str(raw),
                    sha256="",
                    kind="confirm",
                    outcome="confirmed",
                    n_rows=len(days),
                )
                repo.mark_file_replacing(conn, file_id)
        out[name] = days
    return out


def _drop_stale_rejection(ws: Workspace, name: str, sha: str) -> None:
    """An accepted file makes the ``.error.txt`` of its earlier rejection stale: remove it
    (and the rejected copy when it is this very file)."""
    folder = ws.inbox / REJECTED_DIR
    error = folder / (name + ERROR_SUFFIX)
    if error.exists():
        error.unlink()
    copy = folder / name
    if copy.is_file() and file_sha256(copy) == sha:
        copy.unlink()


def _ingest_one(
    ws: Workspace,
    store: Store,
    path: Path,
    strategies: dict[str, Strategy],
    replace: bool,
    today: dt.date,
) -> tuple[IngestOutcome, set[tuple[str, dt.date]]]:
    in_inbox = _within(path, ws.inbox)
    sha = file_sha256(path)
    with store.transaction() as conn:
        if q.accepted_file_with_hash(conn, sha) is not None:
            repo.record_file(
                conn, name=path.name, path=str(path), sha256=sha, kind=None, outcome="duplicate"
            )
            moved = archive(path, ws.inbox) if in_inbox else None
            return IngestOutcome(file=path.name, outcome="duplicate", moved_to=moved), set()
        ctx = IngestContext(
            strategies=strategies,
            view=SqlStoredView(conn),
            today=today,
            outlier_pnl_fraction=ws.outlier_pnl_fraction,
            nav_tolerance=ws.nav_tolerance,
            replace=replace,
            **quarantine_settings(ws),
        )
        rejected: FileRejectedError | None = None
        try:
            batch = parse_file(path, ctx)
        except FileRejectedError as err:
            rejected = err
        else:
            file_id = repo.record_file(
                conn,
                name=path.name,
                path=str(path),
                sha256=sha,
                kind=batch.kind,
                outcome="accepted",
                n_rows=batch.n_rows,
                n_new=len(batch.new_records),
                n_identical=batch.n_identical,
                n_replaced=len(batch.replacements),
            )
            n_trips = _store_batch(conn, batch, file_id)
    if rejected is not None:
        with store.transaction() as conn:
            repo.record_file(
                conn,
                name=path.name,
                path=str(path),
                sha256=sha,
                kind=None,
                outcome="rejected",
                error=str(rejected),
            )
        if not in_inbox:  # keep the user's file; put a copy aside with its error
            copy = ws.inbox / path.name
            shutil.copy2(path, copy)
            path = copy
        moved = reject(path, rejected, ws.inbox)
        return IngestOutcome(
            file=path.name, outcome="rejected", error=str(rejected), moved_to=moved
        ), set()
    name = path.name
    moved = archive(path, ws.inbox) if in_inbox else None
    _drop_stale_rejection(ws, name, sha)
    daily_days = {(r.strategy_id, r.date) for r in batch.daily} | {
        (r.strategy_id, r.date) for r in batch.replacements if isinstance(r, DailyRecord)
    }
    held = [
        f"{sid} {day.isoformat()} ({rule})"
        for (sid, day), rule in sorted(batch.quarantined.items())
    ]
    return IngestOutcome(
        file=path.name,
        outcome="accepted",
        kind=batch.kind,
        n_rows=batch.n_rows,
        n_new=len(batch.new_records),
        n_identical=batch.n_identical,
        n_replaced=len(batch.replacements),
        n_round_trips=n_trips,
        findings=[f"{f.kind}: {f.message}" for f in batch.findings],
        moved_to=moved,
        quarantined=held,
    ), daily_days
