"""The alert step of the daily job: assemble every strategy's conditions from its evaluation
and stored data, then run the processor (inside the job's transaction) -- and, after the
commit, the dispatcher.

The daily job calls :func:`alert_step` in its transaction and :func:`dispatch_after_commit`
once that transaction is committed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from sqlalchemy import Connection

from stratmon.alerts.conditions import AlertInputs, apply_rule_settings, build_conditions
from stratmon.alerts.config import AlertConfig
from stratmon.alerts.dispatch import DispatchReport, dispatch_outbox, workspace_secrets
from stratmon.alerts.processor import process_conditions
from stratmon.alerts.rules import Condition
from stratmon.alerts.state import AlertEvent
from stratmon.domain import Strategy
from stratmon.domain.numbers import as_float as _f
from stratmon.errors import StratmonError
from stratmon.ingest import sessions_between
from stratmon.store import Store
from stratmon.store import alerts_queries as aq


class _Evaluation(Protocol):
    @property
    def strategy_id(self) -> str: ...
    @property
    def metrics(self) -> dict[str, dict[str, float]]: ...
    @property
    def statistics(self) -> dict[str, Any]: ...
    @property
    def conditions(self) -> list[Condition]: ...


class _Backtest(Protocol):
    @property
    def metrics(self) -> dict[str, float]: ...


class _Inputs(Protocol):
    @property
    def strategy(self) -> Strategy: ...
    @property
    def nav_dates(self) -> Sequence[dt.date]: ...
    @property
    def nav(self) -> np.ndarray: ...
    @property
    def cash_flow(self) -> np.ndarray: ...
    @property
    def backtest(self) -> _Backtest | None: ...
    @property
    def returns(self) -> np.ndarray: ...


def missing_sessions(calendar: str, last: dt.date, as_of: dt.date) -> int:
    """Sessions of ``calendar`` after ``last`` up to and including ``as_of``."""
    if last >= as_of:
        return 0
    return len(sessions_between(calendar, last + dt.timedelta(days=1), as_of))


def strategy_conditions(
    conn: Connection,
    evaluations: Sequence[_Evaluation],
    inputs: Sequence[_Inputs],
    as_of: dt.date,
    config: AlertConfig,
) -> list[Condition]:
    """Every condition of this round: the engine's (first-form rules, decay) with the rule
    settings applied, and the rules of :mod:`stratmon.alerts.conditions`.

    Parameters
    ----------
    conn : Connection
        Reads positions, the latest daily records and findings.
    evaluations : sequence of StrategyEvaluation
    inputs : sequence of StrategyInputs
        The same strategies' inputs (NAV history, backtest profile).
    as_of : datetime.date
    config : AlertConfig

    Returns
    -------
    list of Condition
    """
    by_id = {it.strategy.strategy_id: it for it in inputs}
    ids = [e.strategy_id for e in evaluations]
    records = aq.latest_records(conn, ids, as_of)
    positions = aq.positions_on(conn, ids, as_of)  # that day's book only; absent = unknown
    last_dates = [r["date"] for r in records.values()]
    findings = aq.findings_on(conn, ids, last_dates)
    out: list[Condition] = []
    for ev in evaluations:
        it = by_id.get(ev.strategy_id)
        if it is None:
            continue
        s = it.strategy
        cfg = config.for_strategy(s.strategy_id, s.pool)
        out.extend(apply_rule_settings(ev.conditions, cfg))
        rec = records.get(s.strategy_id, {})
        last = rec.get("date") or (it.nav_dates[-1] if it.nav_dates else None)
        bt = it.backtest
        alert_inputs = AlertInputs(
            strategy_id=s.strategy_id,
            as_of=as_of,
            metrics=ev.metrics,
            statistics=ev.statistics,
            backtest_metrics=bt.metrics if bt is not None else {},
            nav_dates=it.nav_dates,
            nav=it.nav,
            cash_flow=it.cash_flow,
            missing_sessions=missing_sessions(s.calendar, last, as_of) if last else None,
            positions=positions.get(s.strategy_id),
            gross_exposure=_f(rec.get("gross_exposure_usd")),
            margin_used=_f(rec.get("margin_used")),
            findings=findings.get(s.strategy_id, []),
            returns=it.returns,
            periods_per_year=s.periods_per_year,
        )
        out.extend(build_conditions(alert_inputs, cfg))
    return out


def alert_step(
    conn: Connection,
    evaluations: Sequence[_Evaluation],
    inputs: Sequence[_Inputs],
    as_of: dt.date,
    config: AlertConfig,
    *,
    now: dt.datetime | None = None,
) -> list[AlertEvent]:
    """Conditions -> state machine -> stored events and outbox, in the caller's transaction.

    Returns
    -------
    list of AlertEvent
        This round's transitions and escalations.
    """
    pools: Mapping[str, str] = {it.strategy.strategy_id: it.strategy.pool for it in inputs}
    conds = strategy_conditions(conn, evaluations, inputs, as_of, config)
    return process_conditions(conn, conds, as_of, config, pools=pools, now=now)


def dispatch_after_commit(
    store: Store, config: AlertConfig, root: Path, as_of: dt.date | None
) -> DispatchReport:
    """Send the outbox once the job's transaction committed. A failure to send is not the
    job's failure: messages stay queued and the report says so.

    Returns
    -------
    DispatchReport
    """
    if not config.channels:
        return DispatchReport()
    try:
        secrets = workspace_secrets(root, config)
    except StratmonError as exc:
        return DispatchReport(errors=[str(exc)])
    return dispatch_outbox(store, config, as_of=as_of, secrets=secrets)
