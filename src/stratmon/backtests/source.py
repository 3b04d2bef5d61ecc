"""The ``backtest_source`` string of a strategy: where its backtest lives.

Grammar (everything after ``#`` is ``key=value`` pairs joined by ``&``; keys and values are
percent-decoded, so ``%26`` is a literal ``&`` and ``%20`` a space)::

    mlflow:<tracking_uri>#run=<run_id>[&artifact=<path>][&map.<mlflow_name>=<stratmon_name>]...
    mlflow:<tracking_uri>#experiment=<name>[&tag.<key>=<value>]...[&artifact=...][&map...]
    mlflow:<tracking_uri>#experiment_id=<id>[&tag.<key>=<value>]...
    mlflow:<run_id>                  # 32 hex digits; tracking URI from $MLFLOW_TRACKING_URI
    mlflow:#run=<run_id>             # idem, with options

- ``run`` names one run. ``experiment`` (by name) or ``experiment_id`` picks the newest
  *finished* run of that experiment (largest start time) whose tags equal every ``tag.<key>``
  given; without any ``tag.`` filter the filter is ``tag.strategy_id=<the strategy's id>``.
- ``map.<mlflow_name>=<stratmon_name>`` maps a metric (or a parameter, for ``n_trials``) of the
  run onto a stratmon metric name; it overrides :data:`DEFAULT_METRIC_MAP`.
- ``artifact=<path>`` names the daily-returns artifact of the run (default: the first of
  :data:`RETURNS_ARTIFACTS` found at the top level of the run's artifacts or one folder down).

``None``, ``""`` and ``"file"`` mean "no remote source" (expectations come from files
imported with ``stratmon backtest import``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from stratmon.errors import StratmonError
from stratmon.metrics.summary import METRIC_COLUMNS
from stratmon.metrics.trades import TRADE_METRICS

SCHEME = "mlflow:"

#: Metric names stratmon knows (a mapping target must be one of them, or ``n_trials``).
KNOWN_METRICS: frozenset[str] = frozenset(
    {*METRIC_COLUMNS, *TRADE_METRICS, "trades_per_day"} - {"n_obs"}
)

#: MLflow metric name (lower-cased) -> stratmon metric name, used when no ``map.`` overrides.
#: Every known stratmon name also maps to itself (an exact name wins over an alias).
DEFAULT_METRIC_MAP: dict[str, str] = {
    "sharpe": "sharpe_ratio",
    "sortino": "sortino_ratio",
    "calmar": "calmar_ratio",
    "max_dd": "max_drawdown",
    "mdd": "max_drawdown",
    "maximum_drawdown": "max_drawdown",
    "annual_return": "cagr",
    "annualized_return": "cagr",
    "annualised_return": "cagr",
    "volatility": "annual_volatility",
    "annualized_volatility": "annual_volatility",
    "annualised_volatility": "annual_volatility",
    "ann_vol": "annual_volatility",
}

#: Parameter (then metric, then tag) names read as ``n_trials`` when no ``map.X=n_trials``.
N_TRIALS_NAMES: tuple[str, ...] = ("n_trials", "num_trials", "trials")

#: Artifact names searched for daily backtest returns, in this order.
RETURNS_ARTIFACTS: tuple[str, ...] = (
    "backtest_returns.csv",
    "backtest_returns.parquet",
    "backtest_returns.json",
    "returns.csv",
    "returns.parquet",
    "returns.json",
)

_RUN_ID = re.compile(r"[0-9a-f]{32}")
_RUN_ID_LOOSE = re.compile(r"[A-Za-z0-9_\-]+")
_TAG_KEY = re.compile(r"[A-Za-z0-9_.\-/ :]+")
_KEYS = ("run", "experiment", "experiment_id", "artifact")


class BacktestSourceError(StratmonError):
    """A ``backtest_source`` that cannot be parsed, or a source that cannot be read."""


@dataclass(frozen=True, slots=True)
class MlflowSource:
    """A parsed ``mlflow:`` backtest source.

    ``tracking_uri`` is ``None`` when it is to be taken from ``$MLFLOW_TRACKING_URI``.
    Exactly one of ``run_id``, ``experiment`` and ``experiment_id`` is set. ``tags`` are the
    tag filters (only with an experiment), ``metric_map`` the user's ``map.`` pairs
    (MLflow name lower-cased -> stratmon name).
    """

    tracking_uri: str | None
    run_id: str | None = None
    experiment: str | None = None
    experiment_id: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    metric_map: tuple[tuple[str, str], ...] = ()
    artifact: str | None = None

    def tag_filter(self, strategy_id: str) -> tuple[tuple[str, str], ...]:
        """The tag filter of an experiment search (default ``strategy_id=<id>``)."""
        return self.tags or (("strategy_id", strategy_id),)


def is_configured(source: str | None) -> bool:
    """True when ``source`` names a remote (MLflow) backtest, not files."""
    return source is not None and source.strip() not in ("", "file")


def _fail(source: str, message: str) -> BacktestSourceError:
    return BacktestSourceError(f"backtest_source {source!r}: {message}")


def parse_backtest_source(source: str) -> MlflowSource:
    """Parse a ``backtest_source`` string (grammar in the module docstring).

    Parameters
    ----------
    source : str
        E.g. ``"mlflow:sqlite:////data/mlruns.db#experiment=trend&tag.strategy_id=T1"``.

    Returns
    -------
    MlflowSource
        The parsed source; nothing is contacted.

    Raises
    ------
    BacktestSourceError
        Unknown scheme, unknown or repeated key, no (or more than one) of ``run`` /
        ``experiment`` / ``experiment_id``, ``tag.`` filters with a run, a bad run id, a
        ``map.`` target that is not a stratmon metric name, or an empty value.
    """
    text = source.strip()
    if not text.startswith(SCHEME):
        raise _fail(
            source,
            "unknown kind of source; use 'mlflow:<tracking_uri>#run=<run_id>' or "
            "'mlflow:<tracking_uri>#experiment=<name>&tag.strategy_id=<id>' "
            "(files are imported with `stratmon backtest import`)",
        )
    rest = text[len(SCHEME) :]
    if "#" not in rest:
        if _RUN_ID.fullmatch(rest):
            return MlflowSource(tracking_uri=None, run_id=rest)
        raise _fail(
            source,
            "missing '#run=<run_id>' or '#experiment=<name>' after the tracking URI",
        )
    uri, _, fragment = rest.rpartition("#")
    tracking_uri = uri.strip() or None
    fields: dict[str, str] = {}
    tags: dict[str, str] = {}
    mapping: dict[str, str] = {}
    for part in fragment.split("&"):
        if not part.strip():
            continue
        key_raw, eq, value_raw = part.partition("=")
        key, value = unquote(key_raw.strip()), unquote(value_raw.strip())
        if not eq or not value:
            raise _fail(source, f"{key or part!r} needs a value ('key=value')")
        if key.startswith("tag."):
            tag = key[4:]
            if not _TAG_KEY.fullmatch(tag):
                raise _fail(source, f"bad tag name {tag!r} (letters, digits, _ . - / : space)")
            if "'" in value:
                raise _fail(source, f"tag value {value!r} may not contain a quote (')")
            if tag in tags:
                raise _fail(source, f"tag.{tag} is given twice")
            tags[tag] = value
        elif key.startswith("map."):
            name = key[4:].lower()
            target = value.lower()
            if not name:
                raise _fail(source, "'map.' needs an MLflow metric name: map.<mlflow>=<stratmon>")
            if target not in KNOWN_METRICS and target != "n_trials":
                raise _fail(
                    source,
                    f"map.{name}={value}: {value!r} is not a stratmon metric name "
                    "(e.g. sharpe_ratio, max_drawdown, cagr, annual_volatility, win_rate, "
                    "profit_factor, n_trials)",
                )
            if name in mapping:
                raise _fail(source, f"map.{name} is given twice")
            mapping[name] = target
        elif key in _KEYS:
            if key in fields:
                raise _fail(source, f"{key} is given twice")
            fields[key] = value
        else:
            raise _fail(
                source,
                f"unknown key {key!r}; known: run, experiment, experiment_id, artifact, "
                "tag.<key>, map.<mlflow_metric>",
            )
    chosen = [k for k in ("run", "experiment", "experiment_id") if k in fields]
    if len(chosen) != 1:
        raise _fail(
            source,
            "give exactly one of run=<run_id>, experiment=<name> or experiment_id=<id>"
            + (f" (got {', '.join(chosen)})" if chosen else ""),
        )
    run_id = fields.get("run")
    if run_id is not None and not _RUN_ID_LOOSE.fullmatch(run_id):
        raise _fail(source, f"run id {run_id!r} is not an MLflow run id (letters and digits)")
    if run_id is not None and tags:
        raise _fail(source, "tag.<key> filters apply to an experiment search, not to a run id")
    return MlflowSource(
        tracking_uri=tracking_uri,
        run_id=run_id,
        experiment=fields.get("experiment"),
        experiment_id=fields.get("experiment_id"),
        tags=tuple(tags.items()),
        metric_map=tuple(mapping.items()),
        artifact=fields.get("artifact"),
    )
