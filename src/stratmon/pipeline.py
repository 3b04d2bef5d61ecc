"""The daily job: ingest what is new in the inbox, evaluate every active strategy as of a date,
persist metrics, comparison, health and alert transitions in one transaction, append alert
transitions to the JSON-lines log, and (optionally) write the daily report.

Re-running a date replaces that date's stored results; alert states advance at most once per
date (an alert already evaluated on or after the date is left as it is), so a re-run neither
double-counts hysteresis nor writes an event twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from stratmon.alerts.config import AlertConfig, alert_config_from_dict
from stratmon.alerts.dispatch import DispatchReport
from stratmon.alerts.job import alert_step, dispatch_after_commit, missing_sessions
from stratmon.alerts.log import append_events
from stratmon.alerts.state import AlertEvent
from stratmon.assess import assess
from stratmon.changes import rejected_file_changes
from stratmon.config import Workspace
from stratmon.domain import Strategy
from stratmon.domain.assessment import Assessment
from stratmon.engine import (
    BacktestProfile,
    StrategyEvaluation,
    StrategyInputs,
    evaluate,
    overlaps,
)
from stratmon.engine import backtest_profile as make_profile
from stratmon.history import History
from stratmon.incremental import IncrementalState
from stratmon.ingest import list_inbox
from stratmon.intake import IngestOutcome, ingest_paths
from stratmon.reports.build import write_daily_report
from stratmon.store import Store
from stratmon.store import alerts_queries as aq
from stratmon.store import assessments as sa
from stratmon.store import queries as q
from stratmon.store import repositories as repo
from stratmon.store.run_lock import run_lock

TREND_POINTS = 9  # earlier scores fed to the trend, with today's


@dataclass
class RunResult:
    """What one run of the daily job did."""

    as_of: dt.date | None
    ingested: list[IngestOutcome]
    evaluations: list[StrategyEvaluation]
    assessments: list[Assessment]
    events: list[AlertEvent]
    report: Path | None
    seconds: float
    dispatch: DispatchReport | None = None
    book_changes: list[str] = dataclasses.field(default_factory=list)


def _shallow(obj: Any) -> dict[str, Any]:
    """A dataclass's fields as a dict (no deep copy, unlike ``dataclasses.asdict``)."""
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}


class DailyJob:
    """The daily job over one workspace and store.

    It keeps an in-process cache of history and backtest profiles, so a replay of many days
    in one process (the demo, a service) reads only what is new each day.
    """

    def __init__(self, ws: Workspace, store: Store) -> None:
        self.ws = ws
        self.store = store
        self.alert_config: AlertConfig = alert_config_from_dict(ws.config["alerts"])
        self.history = History()
        self._profiles: dict[tuple[str, int | None, int | None], BacktestProfile | None] = {}
        self._bt_keys: dict[str, tuple[int | None, int | None]] = {}
        self._bt_stamp: tuple[int, int] | None = None
        self.state = IncrementalState(self.history)

    # -- loading -----------------------------------------------------------------------------
    def _profile(
        self, conn: Connection, s: Strategy, key: tuple[int | None, int | None]
    ) -> BacktestProfile | None:
        cache_key = (s.strategy_id, *key)
        if cache_key not in self._profiles:
            version, exp_id = key
            expectation = q.backtest_expectation(conn, s.strategy_id, exp_id) if exp_id else None
            dates, rets = q.backtest_returns(conn, s.strategy_id, version)
            self._profiles[cache_key] = (
                None
                if not dates and expectation is None
                else make_profile(
                    rets, dates, expectation, s.periods_per_year, version, s.strategy_id
                )
            )
        return self._profiles[cache_key]

    def _inputs(
        self, conn: Connection, as_of: dt.date, strategies: list[Strategy]
    ) -> list[StrategyInputs]:
        ids = [s.strategy_id for s in strategies]
        self.history.refresh(conn, ids)
        stamp = q.backtest_stamp(conn)
        if stamp != self._bt_stamp:
            self._bt_keys, self._bt_stamp = q.backtest_keys(conn), stamp
        keys = self._bt_keys
        scores = q.recent_health_all(conn, ids, as_of, TREND_POINTS)
        previous = sa.previous_assessments(conn, ids, as_of)
        items = []
        for s in strategies:
            dates, nav, cash_flow, trips = self.history.upto(s.strategy_id, as_of)
            if not dates:
                continue
            items.append(
                StrategyInputs(
                    strategy=s,
                    nav_dates=dates,
                    nav=nav,
                    cash_flow=cash_flow,
                    round_trips=trips,
                    backtest=self._profile(conn, s, keys.get(s.strategy_id, (None, None))),
                    previous_scores=scores.get(s.strategy_id, []),
                    previous=previous.get(s.strategy_id),
                )
            )
        # NAV already in memory: the cost query need not read the daily history again
        need_costs = {
            it.strategy.strategy_id: (it.nav_dates, it.nav)
            for it in items
            if it.backtest is not None and overlaps(it.nav_dates, it.backtest.dates)
        }
        if need_costs:
            costs = q.daily_cost_fractions(conn, list(need_costs), as_of, navs=need_costs)
            items = [
                it.evolve(live_costs=costs.get(it.strategy.strategy_id, {}))
                if it.strategy.strategy_id in costs
                else it
                for it in items
            ]
        items = self.state.running(conn, items, as_of)
        return self.state.decay(conn, items, as_of)

    # -- the job -------------------------------------------------------------------------------
    def ingest_inbox(
        self,
        *,
        replace: bool = False,
        today: dt.date | None = None,
        registry: Sequence[Strategy] | None = None,
    ) -> list[IngestOutcome]:
        """Ingest every data file waiting in the inbox."""
        return ingest_paths(
            self.ws,
            self.store,
            list_inbox(self.ws.inbox),
            replace=replace,
            today=today,
            registry=registry,
        )

    def run(
        self,
        as_of: dt.date | None = None,
        *,
        write_report: bool = True,
        ingest: bool = True,
        today: dt.date | None = None,
        replace: bool = False,
    ) -> RunResult:
        """Run the daily job as of ``as_of`` (default: the latest stored data date).

        The whole run, inbox ingest included, holds the store's run lock: two jobs at once
        (a scheduler and a hand-started run, two hosts on one PostgreSQL) are serialised.
        ``replace`` lets inbox rows that contradict stored rows replace them (corrections),
        as ``stratmon ingest --replace`` does.
        """
        with run_lock(self.store):
            return self._run(
                as_of, write_report=write_report, ingest=ingest, today=today, replace=replace
            )

    def _run(
        self,
        as_of: dt.date | None,
        *,
        write_report: bool,
        ingest: bool,
        today: dt.date | None,
        replace: bool = False,
    ) -> RunResult:
        t0 = time.perf_counter()
        with self.store.read() as conn:
            registry = q.strategies(conn)  # ingest does not change the registry
        ingested = (
            self.ingest_inbox(replace=replace, today=today or as_of, registry=registry)
            if ingest
            else []
        )
        strategies = [s for s in registry if s.active]
        with self.store.read() as conn:
            as_of = as_of or q.last_data_date(conn)
            if as_of is None:
                return RunResult(None, ingested, [], [], [], None, time.perf_counter() - t0)
            items = self._inputs(conn, as_of, strategies)
        evals = evaluate(
            items,
            as_of,
            windows=self.ws.windows,
            health_lookback=self.ws.health_lookback,
            alert_config=self.alert_config,
            bootstrap=write_report,
        )
        book_changes = rejected_file_changes(ingested)
        with self.store.transaction() as conn:
            events, assessments = self._persist(conn, evals, items, as_of, book_changes)
        if events:
            append_events(self.ws.alert_log, events)
        dispatch = dispatch_after_commit(self.store, self.alert_config, self.ws.root, as_of)
        report = write_daily_report(self.ws, self.store, as_of) if write_report else None
        return RunResult(
            as_of,
            ingested,
            evals,
            assessments,
            events,
            report,
            time.perf_counter() - t0,
            dispatch,
            book_changes,
        )

    def _persist(
        self,
        conn: Connection,
        evals: Sequence[StrategyEvaluation],
        items: Sequence[StrategyInputs],
        as_of: dt.date,
        book_changes: Sequence[str] = (),
    ) -> tuple[list[AlertEvent], list[Assessment]]:
        if repo.evaluated_on(conn, as_of):  # a re-run: replace that date's results
            repo.clear_results(conn, as_of, [e.strategy_id for e in evals])
        eval_id = repo.start_evaluation(conn, as_of)
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
                    "details": [_shallow(c) for c in e.comparisons],
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
                    "components": {c.name: c.value for c in e.health.components},
                    "reasons": {c.name: c.reason for c in e.health.components},
                }
                for e in evals
            ],
        )
        repo.save_statistics(
            conn,
            [
                {
                    "strategy_id": e.strategy_id,
                    "as_of": as_of,
                    "evaluation_id": eval_id,
                    "backtest_version": e.backtest_version,
                    "statistics": e.statistics,
                }
                for e in evals
                if e.statistics
            ],
        )
        repo.save_cone_breaches(
            conn,
            [
                {
                    "strategy_id": e.strategy_id,
                    "as_of": as_of,
                    "band": b["band"],
                    "side": b["side"],
                    "bound": b["bound"],
                    "live_day": e.statistics["cone"]["day"],
                    "cumulative_return": e.statistics["cone"]["cumulative_return"],
                }
                for e in evals
                if "cone" in e.statistics
                for b in e.statistics["cone"]["breaches"]
            ],
        )
        self.state.persist(conn)
        # every alert rule, the state machine and the outbox (:mod:`stratmon.alerts.job`)
        events = alert_step(conn, evals, items, as_of, self.alert_config)
        assessments, _book = assess(
            evals,
            items,
            as_of,
            firing=aq.firing_by_strategy(conn),
            events=events,
            previous={it.strategy.strategy_id: it.previous for it in items if it.previous},
            missing_sessions={
                it.strategy.strategy_id: missing_sessions(
                    it.strategy.calendar, it.nav_dates[-1], as_of
                )
                for it in items
                if it.nav_dates
            },
        )
        sa.save_assessments(conn, assessments, eval_id)
        sa.save_book_changes(conn, eval_id, book_changes)
        repo.finish_evaluation(conn, eval_id, len(evals))
        return events, assessments


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


__all__ = ["DailyJob", "IngestOutcome", "RunResult", "ingest_paths", "write_daily_report"]
