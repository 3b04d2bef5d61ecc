"""The daily job, composed from the pure core with the store and the file system.

``ingest_paths``: each file is parsed and validated whole; an accepted file's rows, round
trips and findings are written in one transaction; a rejected file is moved to
``inbox/rejected/`` beside its ``.error.txt`` and recorded; an identical file (same content
hash) already accepted is a no-op.

``DailyJob.run``: ingest what is new in the inbox, then evaluate every active strategy as of a
date and persist metrics, comparison, health and alert transitions in one transaction, then
(optionally) write the daily report.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from stratmon.alerts.config import AlertConfig, alert_config_from_dict
from stratmon.alerts.log import append_events
from stratmon.alerts.state import AlertEvent, AlertState, step
from stratmon.config import Workspace
from stratmon.domain import Execution, RoundTrip, Strategy
from stratmon.engine import (
    WINDOW_ALL,
    BacktestProfile,
    StrategyEvaluation,
    StrategyInputs,
    backtest_profile,
    evaluate,
)
from stratmon.errors import FileRejectedError, StratmonError
from stratmon.ingest import (
    FifoMatcher,
    IngestBatch,
    IngestContext,
    archive,
    file_sha256,
    list_inbox,
    parse_file,
    reject,
)
from stratmon.reports.daily import equity_figure, growth_of_one, render_daily_report
from stratmon.reports.status_rows import StatusRow, build_status_rows
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


def _within(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _store_batch(conn: Any, batch: IngestBatch, file_id: int) -> int:
    """Write one accepted batch; returns the number of round trips matched from executions."""
    repo.insert_daily(conn, batch.daily, file_id)
    repo.insert_executions(conn, batch.executions, file_id)
    repo.insert_round_trips(conn, batch.round_trips, file_id, "file")
    repo.insert_positions(conn, batch.positions, file_id)
    repo.insert_backtest_returns(conn, batch.backtest_returns, file_id)
    by_type: dict[str, list[Any]] = {}
    for rec in batch.replacements:
        by_type.setdefault(type(rec).__name__, []).append(rec)
    repo.replace_daily(conn, by_type.get("DailyRecord", []), file_id)
    repo.replace_executions(conn, by_type.get("Execution", []), file_id)
    repo.replace_round_trips(conn, by_type.get("RoundTrip", []), file_id, "file")
    repo.replace_positions(conn, by_type.get("Position", []), file_id)
    repo.replace_backtest_returns(conn, by_type.get("BacktestReturn", []), file_id)
    repo.insert_findings(conn, batch.findings, file_id)
    return _match_executions(
        conn, batch.executions, by_type.get("Execution", []), file_id
    )


def _match_executions(
    conn: Any, new: Sequence[Execution], replaced: Sequence[Execution], file_id: int
) -> int:
    """Continue FIFO matching per strategy from its stored open lots. A replaced execution
    invalidates the strategy's matching, which is then rebuilt from all stored executions."""
    n = 0
    rebuild = {e.strategy_id for e in replaced}
    by_sid: dict[str, list[Execution]] = {}
    for e in new:
        by_sid.setdefault(e.strategy_id, []).append(e)
    for sid in rebuild:
        repo.delete_matched_round_trips(conn, sid)
        matcher = FifoMatcher()
        trips = matcher.match(q.executions(conn, sid))
        repo.insert_round_trips(conn, trips, file_id, "executions")
        repo.save_matcher_state(conn, sid, matcher.to_state())
        n += len(trips)
    for sid, execs in by_sid.items():
        if sid in rebuild:
            continue
        state = q.matcher_state(conn, sid)
        matcher = FifoMatcher.from_state(state) if state else FifoMatcher()
        trips = matcher.match(execs)
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
) -> list[IngestOutcome]:
    """Ingest files. Files inside the inbox are moved to ``processed/`` or ``rejected/``;
    files elsewhere stay where they are (a rejected one is copied aside with its error)."""
    today = today or dt.date.today()
    with store.read() as conn:
        strategies = {s.strategy_id: s for s in q.strategies(conn)}
    outcomes = []
    for path in sorted(Path(p) for p in paths):
        outcomes.append(_ingest_one(ws, store, path, strategies, replace, today))
    return outcomes


def _ingest_one(
    ws: Workspace,
    store: Store,
    path: Path,
    strategies: dict[str, Strategy],
    replace: bool,
    today: dt.date,
) -> IngestOutcome:
    in_inbox = _within(path, ws.inbox)
    sha = file_sha256(path)
    with store.transaction() as conn:
        if q.accepted_file_with_hash(conn, sha) is not None:
            repo.record_file(
                conn, name=path.name, path=str(path), sha256=sha, kind=None, outcome="duplicate"
            )
            moved = archive(path, ws.inbox) if in_inbox else None
            return IngestOutcome(file=path.name, outcome="duplicate", moved_to=moved)
        ctx = IngestContext(
            strategies=strategies,
            view=SqlStoredView(conn),
            today=today,
            outlier_pnl_fraction=ws.outlier_pnl_fraction,
            nav_tolerance=ws.nav_tolerance,
            replace=replace,
        )
        try:
            batch = parse_file(path, ctx)
        except FileRejectedError as err:
            rejected = err
        else:
            rejected = None
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
        )
    moved = archive(path, ws.inbox) if in_inbox else None
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
    )


@dataclass
class RunResult:
    as_of: dt.date | None
    ingested: list[IngestOutcome]
    evaluations: list[StrategyEvaluation]
    rows: list[StatusRow]
    events: list[AlertEvent]
    report: Path | None
    seconds: float


class DailyJob:
    """The daily job. Keeps per-process caches (backtest profiles) so that a replay of many
    days in one process does not recompute the backtest every day."""

    def __init__(self, ws: Workspace, store: Store) -> None:
        self.ws = ws
        self.store = store
        self.alert_config: AlertConfig = alert_config_from_dict(ws.config["alerts"])
        self._profiles: dict[tuple[str, int | None, int], BacktestProfile | None] = {}

    # -- loading ---------------------------------------------------------------------------
    def _profile(self, conn: Any, s: Strategy) -> BacktestProfile | None:
        version = q.backtest_version(conn, s.strategy_id)
        expectation = q.backtest_expectation(conn, s.strategy_id)
        exp_key = hash(json.dumps(expectation, sort_keys=True, default=str))
        key = (s.strategy_id, version, exp_key)
        if key not in self._profiles:
            dates, rets = q.backtest_returns(conn, s.strategy_id, version)
            if not dates and expectation is None:
                self._profiles[key] = None
            else:
                self._profiles[key] = backtest_profile(
                    rets, dates, expectation, s.periods_per_year, version
                )
        return self._profiles[key]

    def _inputs(self, conn: Any, as_of: dt.date) -> list[StrategyInputs]:
        strategies = q.strategies(conn, active_only=True)
        ids = [s.strategy_id for s in strategies]
        series = q.daily_series(conn, ids, until=as_of)
        until = dt.datetime.combine(as_of, dt.time.max)
        trips = q.round_trips_for(conn, ids, until=until)
        items = []
        for s in strategies:
            ds = series[s.strategy_id]
            if not ds.dates:
                continue
            items.append(
                StrategyInputs(
                    strategy=s,
                    nav_dates=ds.dates,
                    nav=ds.nav,
                    cash_flow=ds.cash_flow,
                    round_trips=trips.get(s.strategy_id, []),
                    backtest=self._profile(conn, s),
                    previous_scores=[sc for _, sc in q.recent_health(conn, s.strategy_id, as_of, 9)],
                )
            )
        return items

    # -- alerts ------------------------------------------------------------------------------
    def _step_alerts(
        self, conn: Any, evals: Sequence[StrategyEvaluation], as_of: dt.date
    ) -> list[AlertEvent]:
        stored = q.alert_states(conn, [e.strategy_id for e in evals])
        events: list[AlertEvent] = []
        for ev in evals:
            for cond in ev.conditions:
                key = (cond.rule, cond.strategy_id, cond.tier)
                row = stored.get(key)
                if row is not None and row.updated_at is not None and row.updated_at >= as_of:
                    continue  # already evaluated for this date (re-run or back-fill): no-op
                prev = None
                if row is not None and row.state != "resolved":
                    prev = AlertState(
                        **{f: getattr(row, f) for f in repo.ALERT_STATE_FIELDS},
                        last_evaluated_at=row.updated_at,
                    )
                new, evs = step(prev, cond, as_of, self.alert_config)
                if prev is None and new.state == "inactive" and not evs:
                    continue  # nothing to record for a rule that has never been true
                alert_id = None if (row is None or row.state == "resolved") else row.id
                values = {f: getattr(new, f) for f in repo.ALERT_STATE_FIELDS if f != "message"}
                values["message"] = cond.message
                alert_id = repo.save_alert_state(conn, alert_id, values, as_of)
                for e in evs:
                    repo.save_alert_event(
                        conn,
                        alert_id,
                        {
                            "at": e.at,
                            "from_state": e.from_state,
                            "to_state": e.to_state,
                            "value": e.value,
                            "threshold": e.threshold,
                            "message": e.message,
                        },
                    )
                events.extend(evs)
        return events

    # -- the job -------------------------------------------------------------------------------
    def ingest_inbox(self, *, replace: bool = False, today: dt.date | None = None) -> list[IngestOutcome]:
        return ingest_paths(self.ws, self.store, list_inbox(self.ws.inbox), replace=replace, today=today)

    def run(
        self,
        as_of: dt.date | None = None,
        *,
        write_report: bool = True,
        ingest: bool = True,
        today: dt.date | None = None,
    ) -> RunResult:
        t0 = time.perf_counter()
        ingested = self.ingest_inbox(today=today or as_of) if ingest else []
        with self.store.read() as conn:
            as_of = as_of or q.last_data_date(conn)
            if as_of is None:
                return RunResult(None, ingested, [], [], [], None, time.perf_counter() - t0)
            items = self._inputs(conn, as_of)
        evals = evaluate(
            items,
            as_of,
            windows=self.ws.windows,
            health_lookback=self.ws.health_lookback,
            alert_config=self.alert_config,
        )
        with self.store.transaction() as conn:
            eval_id = repo.start_evaluation(conn, as_of)
            repo.clear_results(conn, as_of, [e.strategy_id for e in evals])
            repo.save_snapshots(conn, _snapshot_rows(evals, eval_id))
            repo.save_comparisons(
                conn,
                [
                    {
                        "strategy_id": e.strategy_id,
                        "as_of": as_of,
                        "evaluation_id": eval_id,
                        "status": e.status,
                        "backtest_version": e.backtest_version,
                        "details": [c.__dict__ if hasattr(c, "__dict__") else _asdict(c) for c in e.comparisons],
                    }
                    for e in evals
                ],
            )
            repo.save_health(
                conn,
                [
                    {
                        "strategy_id": e.strategy_id,
                        "as_of": as_of,
                        "evaluation_id": eval_id,
                        "score": e.health.score,
                        "trend": e.trend,
                        "components": e.health.components,
                        "reasons": e.health.reasons,
                    }
                    for e in evals
                ],
            )
            events = self._step_alerts(conn, evals, as_of)
            repo.finish_evaluation(conn, eval_id, len(evals))
        if events:
            append_events(self.ws.alert_log, events)
        with self.store.read() as conn:
            rows = build_status_rows(
                as_of, q.strategies(conn, active_only=True), q.results_on(conn, as_of), q.firing_alerts(conn)
            )
        report = write_daily_report(self.ws, self.store, as_of) if write_report else None
        return RunResult(as_of, ingested, evals, rows, events, report, time.perf_counter() - t0)


def _asdict(obj: Any) -> dict[str, Any]:
    import dataclasses

    return dataclasses.asdict(obj)


def _snapshot_rows(evals: Sequence[StrategyEvaluation], eval_id: int) -> list[dict[str, Any]]:
    rows = []
    for e in evals:
        for window, mets in e.metrics.items():
            rows.append(
                {
                    "strategy_id": e.strategy_id,
                    "as_of": e.as_of,
                    "window": window,
                    "evaluation_id": eval_id,
                    "n_obs": e.n_obs.get(window, 0),
                    "metrics": {k: v for k, v in mets.items() if k != "n_obs"},
                }
            )
    return rows


def write_daily_report(ws: Workspace, store: Store, as_of: dt.date | None = None) -> Path:
    """Render the daily report of ``as_of`` (default: the latest evaluation) from the store."""
    with store.read() as conn:
        as_of = as_of or q.latest_evaluation_date(conn)
        if as_of is None:
            raise StratmonError("No evaluation stored yet: run `stratmon run` first.")
        strategies = q.strategies(conn, active_only=True)
        results = q.results_on(conn, as_of)
        if not results:
            raise StratmonError(
                f"No evaluation stored for {as_of}: run `stratmon run --date {as_of}` first."
            )
        rows = build_status_rows(as_of, strategies, results, q.firing_alerts(conn))
        series = q.daily_series(conn, [r.strategy_id for r in rows], until=as_of)
        figures = {}
        for r in rows:
            ds = series[r.strategy_id]
            growth = growth_of_one(ds.nav, ds.cash_flow)
            _, bt = q.backtest_returns(conn, r.strategy_id)
            expected = None
            if bt.size:
                mean = float(np.nanmean(bt))
                expected = (1.0 + mean) ** np.arange(len(ds.dates))
            figures[r.strategy_id] = equity_figure(
                ds.dates, growth, expected, title=f"{r.name}: live vs backtest"
            )
        comparisons = {sid: res.get("comparison", []) for sid, res in results.items()}
    path = ws.reports_dir / f"daily_{as_of.isoformat()}.html"
    return render_daily_report(path, as_of, rows, figures, comparisons)


__all__ = ["DailyJob", "IngestOutcome", "RunResult", "ingest_paths", "write_daily_report", "WINDOW_ALL", "RoundTrip"]
