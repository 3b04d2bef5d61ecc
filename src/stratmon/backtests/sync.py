"""Refresh stored backtest expectations from each strategy's ``backtest_source``.

Versioning: every distinct MLflow run of a strategy is one backtest *version*. A run not yet
stored becomes version ``max(existing returns or expectation version) + 1``: its daily
returns (if the run has a returns artifact) are stored under that version beside the older
ones, with one expected-metrics row of the same version whose ``source`` is
``"mlflow:<run_id>"``. The comparison step records the version it compared with.

Re-syncing is a no-op when the strategy's newest expected-metrics row already comes from the
same run (``source == "mlflow:<run_id>"``): only the run id is resolved, nothing is read or
written. If the newest row comes from elsewhere (another run, or a file imported since), the
run is stored again as a new version, so that what MLflow points at is what is compared with.

A run that gives neither a known metric nor returns is an error (nothing stored). Errors are
per strategy: :func:`sync_all` syncs each strategy in its own transaction and reports an error
outcome without stopping the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Connection

from stratmon.backtests.mapping import MappingError, map_metrics
from stratmon.backtests.mlflow_source import make_client, read_run, resolve_run, tracking_uri_of
from stratmon.backtests.source import BacktestSourceError, is_configured, parse_backtest_source
from stratmon.domain import BacktestExpectation, Strategy
from stratmon.store import Store
from stratmon.store import queries as q
from stratmon.store import repositories as repo

SyncStatus = Literal["new_version", "unchanged", "not_configured", "error"]


@dataclass(frozen=True)
class SyncOutcome:
    """What syncing one strategy did.

    ``version`` is the stored version (new or current); ``source`` is ``"mlflow:<run_id>"``.
    ``params`` and ``tags`` are the run's (MLflow's own ``mlflow.*`` tags left out);
    ``ignored_metrics`` are run metrics that map to no stratmon name; ``notes`` explain sign
    flips, dropped values and ignored columns; ``message`` is the one-line summary or the
    reason of an error.
    """

    strategy_id: str
    status: SyncStatus
    message: str
    version: int | None = None
    source: str | None = None
    run_id: str | None = None
    n_returns: int = 0
    metrics: dict[str, float] = field(default_factory=dict)
    n_trials: int | None = None
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    ignored_metrics: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def sync_strategy(
    conn: Connection, strategy: Strategy, *, clients: dict[str, Any] | None = None
) -> SyncOutcome:
    """Bring one strategy's stored backtest up to date with its MLflow source.

    Parameters
    ----------
    conn : Connection
        Inside the caller's transaction; written only for a new version.
    strategy : Strategy
        A registered strategy; its ``backtest_source`` says where the backtest lives.
    clients : dict, optional
        Cache of MLflow clients by tracking URI, shared across strategies.

    Returns
    -------
    SyncOutcome
        ``not_configured`` (no MLflow source), ``unchanged``, ``new_version`` or ``error``
        (bad source string, unreachable store, missing run or experiment, invalid returns
        artifact or metric value; nothing stored).
    """
    sid = strategy.strategy_id
    if not is_configured(strategy.backtest_source):
        return SyncOutcome(
            sid, "not_configured", "no MLflow backtest_source (files: `stratmon backtest import`)"
        )
    assert strategy.backtest_source is not None
    try:
        src = parse_backtest_source(strategy.backtest_source)
        uri = tracking_uri_of(src)
        cache = clients if clients is not None else {}
        if uri not in cache:
            cache[uri] = make_client(src)
        client = cache[uri]
        run_id = resolve_run(client, src, sid)
        source = f"mlflow:{run_id}"
        latest = q.latest_expectation_source(conn, sid)
        if latest is not None and latest[1] == source:
            return SyncOutcome(
                sid,
                "unchanged",
                f"version {latest[0]} is already run {run_id}",
                version=latest[0],
                source=source,
                run_id=run_id,
            )
        run = read_run(client, run_id, src, sid)
        mapped = map_metrics(run.metrics, run.params, run.tags, dict(src.metric_map))
    except (BacktestSourceError, MappingError) as exc:
        return SyncOutcome(sid, "error", str(exc))
    if not mapped.metrics and not run.returns:
        return SyncOutcome(
            sid,
            "error",
            f"run {run_id} has no metric stratmon knows and no returns artifact; nothing "
            f"stored (metrics in the run: {', '.join(mapped.ignored) or 'none'}; add "
            "map.<mlflow_name>=<stratmon_name> to backtest_source)",
            run_id=run_id,
        )
    version = (q.highest_backtest_version(conn, sid) or 0) + 1
    repo.insert_backtest_returns(conn, run.returns, None, version)
    repo.insert_expectation_version(
        conn, BacktestExpectation(sid, mapped.metrics, mapped.n_trials, source), version
    )
    what = f"{len(mapped.metrics)} metric(s)"
    what += f", {len(run.returns)} daily returns" if run.returns else ", no returns artifact"
    return SyncOutcome(
        sid,
        "new_version",
        f"version {version} from run {run_id}: {what}",
        version=version,
        source=source,
        run_id=run_id,
        n_returns=len(run.returns),
        metrics=mapped.metrics,
        n_trials=mapped.n_trials,
        params=run.params,
        tags={k: v for k, v in run.tags.items() if not k.startswith("mlflow.")},
        ignored_metrics=mapped.ignored,
        notes=(*mapped.notes, *run.notes),
    )


def sync_all(store: Store, strategy_ids: Sequence[str] | None = None) -> list[SyncOutcome]:
    """Sync every registered strategy (or those named), each in its own transaction.

    Parameters
    ----------
    store : Store
        The stratmon store.
    strategy_ids : sequence of str, optional
        Only these strategies (default: all registered, active or not).

    Returns
    -------
    list of SyncOutcome
        One per strategy, by strategy id. An error of one strategy does not stop the others.
    """
    with store.read() as conn:
        items = q.strategies(conn)
    if strategy_ids is not None:
        wanted = set(strategy_ids)
        items = [s for s in items if s.strategy_id in wanted]
    clients: dict[str, Any] = {}
    out = []
    for s in items:
        with store.transaction() as conn:
            out.append(sync_strategy(conn, s, clients=clients))
    return out
