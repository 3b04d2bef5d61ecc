"""Incremental per-strategy state carried from one daily job to the next.

- ``RunningMetrics`` (kind ``metrics`` in ``running_states``): whole-period statistics updated
  with each new return, so the job never recomputes years of history for them.
- The decay detector (``detector_states``, per strategy and backtest version): the CUSUM fed
  each live return exactly once.

Both keep in-process caches (a long replay reads nothing back) and write their new states in
the evaluation's transaction (:meth:`IncrementalState.persist`). Neither may disagree with the
store: a state older than a replacement or back-fill of history is rebuilt.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
from sqlalchemy import Connection

from stratmon.decay import DecayDetector
from stratmon.decay.alarm import alarm_status, feed
from stratmon.engine import DecayReading, StrategyInputs, group_by_dates
from stratmon.history import History
from stratmon.metrics import RunningMetrics, order_statistics
from stratmon.store import queries as q
from stratmon.store import repositories as repo

MIN_DECAY_BACKTEST = 126  # backtest returns the decay detector's calibration needs


class IncrementalState:
    """Running metrics and decay detectors of every strategy, between evaluations."""

    def __init__(self, history: History) -> None:
        self.history = history
        self._pending_detectors: list[
            tuple[str, int, dt.date | None, int, DecayDetector, list[int]]
        ] = []
        self._pending_running: list[dict[str, Any]] = []
        self._rm_cache: dict[tuple[str, ...], tuple[RunningMetrics, int, int]] = {}
        # (strategy, backtest version) -> (detector, returns fed, history generation, alarm
        # events as live-return indices)
        self._det_cache: dict[tuple[str, int], tuple[DecayDetector, int, int, list[int]]] = {}

    def running(
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
            rets = np.column_stack([m.returns for m in members])
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
        return [it.evolve(running_all=out[sid]) if sid in out else it for sid, it in by_id.items()]

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

    def decay(
        self, conn: Connection, items: list[StrategyInputs], as_of: dt.date
    ) -> list[StrategyInputs]:
        """Advance each strategy's stored decay detector over its new live returns.

        The detector's state is kept per strategy and backtest version; it is fed every live
        return exactly once, in order. Each crossing of its threshold is an alarm event, after
        which the detector starts afresh; the alarm stays active for the hold period of
        :mod:`stratmon.decay.alarm` (a false alarm costs a month, a decay raises the next one).
        A re-run or back-fill (``as_of`` not after the last date fed) only reads the stored
        state; a state that no longer matches the stored history (rows replaced) is rebuilt
        from the first live return.
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
                out.append(it.evolve(decay=DecayReading(False, reason=reason)))
                continue
            version = int(bt.version or 0)
            dates = list(it.nav_dates[1:])
            rets = it.returns
            row = stored.get((sid, version))
            det: DecayDetector | None = None
            history: list[int] = []
            done = 0
            cached = self._det_cache.get((sid, version))
            if (
                cached is not None
                and cached[2] == self.history.generation
                and cached[1] < len(rets)
                and row is not None
                and row["n_updates"] == cached[1]
            ):
                det, done, history = cached[0], cached[1], cached[3]  # fed here last
            elif row is not None and row["last_date"] is not None and as_of <= row["last_date"]:
                det, history = _load(q.detector_state(conn, sid, version))  # already fed
                done = -1
            elif row is not None:
                fed = bisect.bisect_right(dates, row["last_date"]) if row["last_date"] else 0
                if fed == row["n_updates"]:
                    det, history = _load(q.detector_state(conn, sid, version))
                    done = fed
            if det is None:
                det = DecayDetector.from_backtest(
                    bt.returns, periods_per_year=it.strategy.periods_per_year
                )
                history = []
            n_fed = len(rets)
            if done >= 0:
                history = list(history)
                feed(det, rets[done:], done, history)
                self._pending_detectors.append(
                    (sid, version, dates[-1] if dates else None, n_fed, det, history)
                )
                self._det_cache[(sid, version)] = (det, n_fed, self.history.generation, history)
            else:
                n_fed = int(row["n_updates"]) if row is not None else n_fed
            status = alarm_status(history, n_fed)
            last = status.last_index
            detectable = bool(det.calibration.detectable[0])
            reading = DecayReading(
                available=True,
                alarm=status.active,
                alarm_date=dates[last] if 0 <= last < len(dates) else None,
                statistic=float(det.statistic[0]),
                threshold=float(det.calibration.threshold[0]),
                reason="" if detectable else "backtest Sharpe not above the decayed level",
                alarm_count=status.count,
                sessions_since_alarm=status.sessions_since,
            )
            out.append(it.evolve(decay=reading))
        return out

    def persist(self, conn: Connection) -> None:
        """Write the states advanced by this evaluation (inside its transaction)."""
        repo.save_running_states(conn, "metrics", self._pending_running)
        repo.save_detector_states(
            conn,
            [
                {
                    "strategy_id": sid,
                    "backtest_version": version,
                    "last_date": last,
                    "n_updates": n,
                    "alarm_date": self._alarm_date(sid, history[-1] if history else -1),
                    "state": {**det.to_state(), "alarm_history": list(history)},
                }
                for sid, version, last, n, det, history in self._pending_detectors
            ],
        )

    def _alarm_date(self, strategy_id: str, index: int) -> dt.date | None:
        if index < 0:
            return None
        dates = self.history.dates(strategy_id)
        return dates[index + 1] if index + 1 < len(dates) else None


def _load(state: dict[str, Any]) -> tuple[DecayDetector, list[int]]:
    """A stored detector and its alarm events. A state saved before alarms restarted the
    detector (an alarm index and no history) counts its alarm as one event and restarts."""
    det = DecayDetector.from_state(state)
    history = [int(i) for i in state.get("alarm_history", [])]
    if "alarm_history" not in state and det.alarm_index[0] >= 0:
        history = [int(det.alarm_index[0])]
        det.reset()
    return det, history
