"""The daily job: ingest what is new in the inbox, evaluate every active strategy as of a date,
persist metrics, comparison, health and alert transitions in one transaction, append alert
transitions to the JSON-lines log, and (optionally) write the daily report.

Re-running a date replaces that date's stored results; alert states advance at most once per
date (an alert already evaluated on or after the date is left as it is), so a re-run neither
double-counts hysteresis nor writes an event twice.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Connection

from stratmon.alerts.config import AlertConfig, alert_config_from_dict
from stratmon.alerts.log import append_events
from stratmon.alerts.state import AlertEvent, AlertState, step
from stratmon.config import Workspace
from stratmon.decay import DecayDetector
from stratmon.domain import Strategy
from stratmon.engine import (
    BacktestProfile,
    DecayReading,
    StrategyEvaluation,
    StrategyInputs,
    evaluate,
    group_by_dates,
    overlaps,
)
from stratmon.engine import backtest_profile as make_profile
from stratmon.errors import StratmonError
from stratmon.history import History
from stratmon.ingest import list_inbox
from stratmon.intake import IngestOutcome, ingest_paths
from stratmon.metrics import RunningMetrics, order_statistics, returns_from_nav
from stratmon.reports.daily import equity_figure, growth_of_one, render_daily_report
from stratmon.reports.status_rows import StatusRow, build_status_rows
from stratmon.store import Store
from stratmon.store import queries as q
from stratmon.store import repositories as repo

TREND_POINTS = 9  # earlier scores fed to the trend, with today's
MIN_DECAY_BACKTEST = 126  # backtest returns the decay detector's calibration needs


@dataclass
class RunResult:
    """What one run of the daily job did."""

    as_of: dt.date | None
    ingested: list[IngestOutcome]
    evaluations: list[StrategyEvaluation]
    rows: list[StatusRow]
    events: list[AlertEvent]
    report: Path | None
    seconds: float


def _shallow(obj: Any) -> dict[str, Any]:
    """A dataclass's fields as a dict (no deep copy, unlike ``dataclasses.asdict``)."""
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}


def _results_view(evals: Sequence[StrategyEvaluation]) -> dict[str, dict[str, Any]]:
    """The evaluation in the shape of ``queries.results_on`` (for the status table)."""
    return {
        e.strategy_id: {
            "metrics": {w: dict(m, n_obs=e.n_obs.get(w, 0)) for w, m in e.metrics.items()},
            "status": e.status,
            "comparison": [_shallow(c) for c in e.comparisons],
            "health": {
                "score": e.health.score,
                "trend": e.trend,
                "components": e.health.components,
                "reasons": e.health.reasons,
            },
        }
        for e in evals
    }


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
        self._pending_detectors: list[tuple[str, int, dt.date | None, int, DecayDetector]] = []
        self._pending_running: list[dict[str, Any]] = []
        self._rm_cache: dict[tuple[str, ...], tuple[RunningMetrics, int, int]] = {}

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
                )
            )
        need_costs = [
            it.strategy.strategy_id
            for it in items
            if it.backtest is not None and overlaps(it.nav_dates, it.backtest.dates)
        ]
        if need_costs:
            costs = q.daily_cost_fractions(conn, need_costs, as_of)
            items = [
                dataclasses.replace(it, live_costs=costs.get(it.strategy.strategy_id, {}))
                if it.strategy.strategy_id in costs
                else it
                for it in items
            ]
        items = self._running(conn, items, as_of)
        return self._decay(conn, items, as_of)

    def _running(
        self, conn: Connection, items: list[StrategyInputs], as_of: dt.date
    ) -> list[StrategyInputs]:
        """Whole-period metrics from ``RunningMetrics`` state kept in the store.

        Strategies sharing dates share one N-wide object; each strategy's slice of its state is
        stored (``running_states``, kind ``metrics``) with the number of returns fed and the
        last date. Only returns after that date are fed; the order statistics (VaR, CVaR, tail
        ratio) are recomputed from the stored returns, as ``summarize`` defines them. A state
        that no longer matches the history (rows replaced or back-filled) is rebuilt; a
        re-run of an earlier date falls back to ``summarize`` on the history.
        """
        self._pending_running = []
        by_id = {it.strategy.strategy_id: it for it in items}
        out: dict[str, Mapping[str, float]] = {}
        for members in group_by_dates(items):
            sids = [m.strategy.strategy_id for m in members]
            dates = list(members[0].nav_dates[1:])
            rets = np.column_stack([returns_from_nav(m.nav, m.cash_flow)[1:] for m in members])
            ppy = members[0].strategy.periods_per_year
            rm, fed = self._running_object(conn, tuple(sids), dates, ppy, as_of)
            if rm is None:
                continue
            for row, day in zip(rets[fed:], dates[fed:], strict=True):
                rm.update(row, day)
            self._rm_cache[tuple(sids)] = (rm, len(dates), self.history.generation)
            columns, values = rm.snapshot_arrays()
            order = order_statistics(rets)
            states = rm.state_slices()
            for j, sid in enumerate(sids):
                metrics = dict(zip(columns, values[j].tolist(), strict=True))
                metrics.update({k: float(v[j]) for k, v in order.items()})
                out[sid] = metrics
                self._pending_running.append(
                    {
                        "strategy_id": sid,
                        "last_date": dates[-1],
                        "n_updates": len(dates),
                        "state": {**states[j], "file_watermark": self.history.watermark},
                    }
                )
        return [
            dataclasses.replace(it, running_all=out[sid]) if sid in out else it
            for sid, it in by_id.items()
        ]

    def _running_object(
        self,
        conn: Connection,
        key: tuple[str, ...],
        dates: list[dt.date],
        ppy: int,
        as_of: dt.date,
    ) -> tuple[RunningMetrics | None, int]:
        """(object, returns already fed) for a group: from memory, the store, or new."""
        if not dates:
            return None, 0
        cached = self._rm_cache.get(key)
        if cached is not None and cached[2] == self.history.generation and cached[1] <= len(dates):
            return cached[0], cached[1]
        stored = q.running_states(conn, list(key), "metrics")
        if len(stored) == len(key):
            lasts = {v["last_date"] for v in stored.values()}
            counts = {v["n_updates"] for v in stored.values()}
            if len(lasts) == 1 and len(counts) == 1:
                last, fed = lasts.pop(), counts.pop()
                if last is not None and last > as_of:
                    return None, 0  # a re-run of an earlier date: summarize instead
                marks = {int(v["state"].get("file_watermark", -1)) for v in stored.values()}
                fresh = all(q.files_replacing_since(conn, m) == 0 for m in marks)
                if fresh and bisect.bisect_right(dates, last) == fed:
                    parts = [RunningMetrics.from_state(stored[sid]["state"]) for sid in key]
                    return RunningMetrics.concat(parts), fed
        return RunningMetrics(len(key), periods_per_year=ppy), 0

    def _decay(
        self, conn: Connection, items: list[StrategyInputs], as_of: dt.date
    ) -> list[StrategyInputs]:
        """Advance each strategy's stored decay detector over its new live returns.

        The detector's state is kept per strategy and backtest version; it is fed every live
        return exactly once, in order. An alarm stays raised while the CUSUM statistic stays
        above zero and clears (the detector restarts) once the evidence has fully reverted,
        so a shock that the following returns undo does not page anyone forever, while a real
        decay keeps the statistic growing and the alert firing. A re-run or back-fill
        (``as_of`` not after the last date fed) only reads the stored verdict; a state that no
        longer matches the stored history (rows replaced) is rebuilt from the first live
        return.
        """
        self._pending_detectors = []
        usable = {
            it.strategy.strategy_id: it.backtest
            for it in items
            if it.backtest is not None
            and it.backtest.version is not None
            and it.backtest.returns is not None
            and it.backtest.returns.size >= MIN_DECAY_BACKTEST
        }
        stored = q.detector_states(
            conn, [(sid, int(bt.version or 0)) for sid, bt in usable.items()]
        )
        out = []
        for it in items:
            sid = it.strategy.strategy_id
            bt = usable.get(sid)
            if bt is None or bt.returns is None:
                reason = f"needs a stored backtest of at least {MIN_DECAY_BACKTEST} returns"
                out.append(dataclasses.replace(it, decay=DecayReading(False, reason=reason)))
                continue
            version = int(bt.version or 0)
            dates = list(it.nav_dates[1:])
            rets = returns_from_nav(it.nav, it.cash_flow)[1:]
            row = stored.get((sid, version))
            det: DecayDetector | None = None
            done = 0
            if row is not None and row["last_date"] is not None and as_of <= row["last_date"]:
                det = DecayDetector.from_state(row["state"])  # read-only: already fed
                done = -1
            elif row is not None:
                fed = bisect.bisect_right(dates, row["last_date"]) if row["last_date"] else 0
                if fed == row["n_updates"]:
                    det, done = DecayDetector.from_state(row["state"]), fed
            if det is None:
                det = DecayDetector.from_backtest(
                    bt.returns, periods_per_year=it.strategy.periods_per_year
                )
            if done >= 0:
                for r in rets[done:]:
                    det.update(np.array([r]))
                    if det.alarm_index[0] >= 0 and det.statistic[0] <= 0.0:
                        det.reset()  # the evidence fully reverted: the alarm clears
                self._pending_detectors.append(
                    (sid, version, dates[-1] if dates else None, len(rets), det)
                )
            idx = int(det.alarm_index[0])
            alarm_date = dates[idx] if 0 <= idx < len(dates) else None
            if done < 0 and row is not None:
                alarm_date = row["alarm_date"]
            detectable = bool(det.calibration.detectable[0])
            reading = DecayReading(
                available=True,
                alarm=idx >= 0,
                alarm_date=alarm_date,
                statistic=float(det.statistic[0]),
                threshold=float(det.calibration.threshold[0]),
                reason="" if detectable else "backtest Sharpe not above the decayed level",
            )
            out.append(dataclasses.replace(it, decay=reading))
        return out

    # -- alerts ------------------------------------------------------------------------------
    def _step_alerts(
        self, conn: Connection, evals: Sequence[StrategyEvaluation], as_of: dt.date
    ) -> list[AlertEvent]:
        stored = q.alert_states(conn, [e.strategy_id for e in evals])
        events: list[AlertEvent] = []
        updates: list[tuple[int, dict[str, Any]]] = []
        for ev in evals:
            for cond in ev.conditions:
                row = stored.get((cond.rule, cond.strategy_id, cond.tier))
                if row is not None and row.updated_at is not None and row.updated_at >= as_of:
                    continue  # already evaluated for this date (a re-run or a back-fill)
                prev = None
                if row is not None:
                    prev = AlertState(
                        **{f: getattr(row, f) for f in repo.ALERT_STATE_FIELDS},
                        last_evaluated_at=row.updated_at,
                    )
                new, evs = step(prev, cond, as_of, self.alert_config)
                if row is None and new.state == "inactive" and not evs:
                    continue  # a rule that has never been true leaves no row
                # A resolved alert that turns true again is a new alert (a new episode).
                new_episode = row is not None and row.state == "resolved" and bool(evs)
                values = {f: getattr(new, f) for f in repo.ALERT_STATE_FIELDS}
                values["message"] = cond.message
                if row is not None and not new_episode and not evs:
                    updates.append((row.id, {**values, "updated_at": as_of}))
                    continue  # counters only: batched below
                alert_id = repo.save_alert_state(
                    conn, None if (row is None or new_episode) else row.id, values, as_of
                )
                if new_episode and row is not None:
                    repo.touch_alert(conn, row.id, as_of)
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
        repo.update_alert_states(conn, updates)
        return events

    # -- the job -------------------------------------------------------------------------------
    def ingest_inbox(
        self, *, replace: bool = False, today: dt.date | None = None
    ) -> list[IngestOutcome]:
        """Ingest every data file waiting in the inbox."""
        return ingest_paths(
            self.ws, self.store, list_inbox(self.ws.inbox), replace=replace, today=today
        )

    def run(
        self,
        as_of: dt.date | None = None,
        *,
        write_report: bool = True,
        ingest: bool = True,
        today: dt.date | None = None,
    ) -> RunResult:
        """Run the daily job as of ``as_of`` (default: the latest stored data date)."""
        t0 = time.perf_counter()
        ingested = self.ingest_inbox(today=today or as_of) if ingest else []
        with self.store.read() as conn:
            as_of = as_of or q.last_data_date(conn)
            if as_of is None:
                return RunResult(None, ingested, [], [], [], None, time.perf_counter() - t0)
            strategies = q.strategies(conn, active_only=True)
            items = self._inputs(conn, as_of, strategies)
            firing_before = q.firing_alerts(conn)
        evals = evaluate(
            items,
            as_of,
            windows=self.ws.windows,
            health_lookback=self.ws.health_lookback,
            alert_config=self.alert_config,
            bootstrap=write_report,
        )
        with self.store.transaction() as conn:
            events = self._persist(conn, evals, as_of)
        if events:
            append_events(self.ws.alert_log, events)
        firing = _firing_after(firing_before, events)
        rows = build_status_rows(as_of, strategies, _results_view(evals), firing)
        report = write_daily_report(self.ws, self.store, as_of) if write_report else None
        return RunResult(as_of, ingested, evals, rows, events, report, time.perf_counter() - t0)

    def _persist(
        self, conn: Connection, evals: Sequence[StrategyEvaluation], as_of: dt.date
    ) -> list[AlertEvent]:
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
                    "components": e.health.components,
                    "reasons": e.health.reasons,
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
        repo.save_running_states(conn, "metrics", self._pending_running)
        repo.save_detector_states(
            conn,
            [
                {
                    "strategy_id": sid,
                    "backtest_version": version,
                    "last_date": last,
                    "n_updates": n,
                    "alarm_date": (
                        None
                        if int(det.alarm_index[0]) < 0
                        else self._alarm_date(sid, int(det.alarm_index[0]))
                    ),
                    "state": det.to_state(),
                }
                for sid, version, last, n, det in self._pending_detectors
            ],
        )
        events = self._step_alerts(conn, evals, as_of)
        repo.finish_evaluation(conn, eval_id, len(evals))
        return events

    def _alarm_date(self, strategy_id: str, index: int) -> dt.date | None:
        dates = self.history.dates(strategy_id)
        return dates[index + 1] if index + 1 < len(dates) else None


def _firing_after(
    before: list[dict[str, Any]], events: Sequence[AlertEvent]
) -> list[dict[str, Any]]:
    """Firing alerts after this run's transitions, without another query."""
    firing = {(a["rule"], a["strategy_id"], a["tier"]): a for a in before}
    for e in events:
        key = (e.rule, e.strategy_id, e.tier)
        if e.to_state == "firing":
            firing[key] = {"rule": e.rule, "strategy_id": e.strategy_id, "tier": e.tier}
        elif key in firing:
            del firing[key]
    return list(firing.values())


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


def _stored_cone(
    conn: Connection, strategy_id: str, dates: list[dt.date], as_of: dt.date
) -> dict[str, np.ndarray] | None:
    """Growth-of-1 cone bands per NAV date, from the cone position stored each evaluation."""
    history = q.cone_history(conn, strategy_id, as_of)
    if not history:
        return None
    pos = {d: i for i, d in enumerate(dates)}
    out = {k: np.full(len(dates), np.nan) for k in ("p5", "p25", "p75", "p95")}
    for day, cone in history:
        i = pos.get(day)
        if i is None:
            continue
        for k in out:
            value = cone["bands"].get(k)
            if value is not None:
                out[k][i] = 1.0 + float(value)
    return out


def write_daily_report(ws: Workspace, store: Store, as_of: dt.date | None = None) -> Path:
    """Render the daily report of ``as_of`` (default: the latest evaluation) from the store.

    Raises
    ------
    StratmonError
        When no evaluation is stored for that date.
    """
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
                expected = (1.0 + float(np.nanmean(bt))) ** np.arange(len(ds.dates))
            figures[r.strategy_id] = equity_figure(
                ds.dates,
                growth,
                expected,
                cone=_stored_cone(conn, r.strategy_id, ds.dates, as_of),
                title=f"{r.name}: live vs backtest",
            )
        comparisons = {sid: res.get("comparison", []) for sid, res in results.items()}
    path = ws.reports_dir / f"daily_{as_of.isoformat()}.html"
    return render_daily_report(path, as_of, rows, figures, comparisons)


__all__ = ["DailyJob", "IngestOutcome", "RunResult", "ingest_paths", "write_daily_report"]
