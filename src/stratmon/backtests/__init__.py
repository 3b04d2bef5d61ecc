"""Backtest sources: where a strategy's backtest expectations live, and syncing them.

A strategy's ``backtest_source`` names an MLflow run (or an experiment plus tag filter); see
:mod:`stratmon.backtests.source` for the grammar, :mod:`stratmon.backtests.mapping` for the
metric-name mapping and sign rules, :mod:`stratmon.backtests.mlflow_source` for reading a run,
and :mod:`stratmon.backtests.sync` for versioning. ``stratmon backtest sync`` runs
:func:`sync_all`.
"""

from stratmon.backtests.mapping import MappedMetrics, MappingError, map_metrics
from stratmon.backtests.source import (
    DEFAULT_METRIC_MAP,
    BacktestSourceError,
    MlflowSource,
    is_configured,
    parse_backtest_source,
)
from stratmon.backtests.sync import SyncOutcome, sync_all, sync_strategy

__all__ = [
    "DEFAULT_METRIC_MAP",
    "BacktestSourceError",
    "MappedMetrics",
    "MappingError",
    "MlflowSource",
    "SyncOutcome",
    "is_configured",
    "map_metrics",
    "parse_backtest_source",
    "sync_all",
    "sync_strategy",
]
