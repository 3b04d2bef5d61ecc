"""Read a backtest from an MLflow tracking store with ``mlflow.tracking.MlflowClient``.

Works with ``mlflow-skinny`` on any tracking URI MLflow supports. Safety rules before the
client is created (MLflow would otherwise create a missing store, or add its tables to any
SQLite file it is pointed at):

- ``sqlite:`` URIs must name an absolute path (``sqlite:////abs/path.db``) of an existing
  file that already holds MLflow's ``experiments`` and ``runs`` tables;
- ``file:`` URIs and plain paths (the file store) must name an existing folder; for them
  ``MLFLOW_ALLOW_FILE_STORE=true`` is set (MLflow 3 refuses the file store without it).

``MLFLOW_DISABLE_TELEMETRY=true`` is set (unless already set) before MLflow is imported:
stratmon does not send usage data. MLflow is imported lazily (it takes seconds).

A run is read in two steps, so that an unchanged run costs one call: :func:`resolve_run`
finds the run id (the run given, or the newest finished run of an experiment matching the
tag filter), then :func:`read_run` reads its metrics (latest value of each), params, tags and
daily-returns artifact (downloaded to a temporary folder, validated, deleted).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from stratmon.backtests.source import RETURNS_ARTIFACTS, BacktestSourceError, MlflowSource
from stratmon.domain import BacktestReturn
from stratmon.errors import FileRejectedError

TRACKING_URI_ENV = "MLFLOW_TRACKING_URI"


@dataclass(frozen=True)
class MlflowRun:
    """What stratmon reads of one run. ``returns`` is empty without a returns artifact."""

    run_id: str
    experiment_id: str
    run_name: str | None
    status: str
    start_time: int | None  # ms since the epoch, as MLflow stores it
    metrics: dict[str, float]
    params: dict[str, str]
    tags: dict[str, str]
    returns: list[BacktestReturn] = field(default_factory=list)
    returns_artifact: str | None = None
    notes: list[str] = field(default_factory=list)


def tracking_uri_of(src: MlflowSource) -> str:
    """The tracking URI of ``src``, or ``$MLFLOW_TRACKING_URI`` when it names none.

    Raises
    ------
    BacktestSourceError
        When neither is set.
    """
    uri = src.tracking_uri or os.environ.get(TRACKING_URI_ENV, "").strip()
    if not uri:
        raise BacktestSourceError(
            "the MLflow source names no tracking URI and $MLFLOW_TRACKING_URI is not set; "
            "write it as mlflow:<tracking_uri>#run=<run_id>"
        )
    return uri


def check_tracking_uri(uri: str) -> None:
    """Refuse a local store that does not exist (see the module docstring).

    Raises
    ------
    BacktestSourceError
        A relative or missing SQLite file, a SQLite file that is not an MLflow store, or a
        missing file-store folder.
    """
    parsed = urlparse(uri)
    scheme = parsed.scheme.split("+")[0].lower()
    if scheme == "sqlite":
        prefix = uri.split(":", 1)[1]
        if not prefix.startswith("///"):
            raise BacktestSourceError(f"tracking URI {uri!r}: write sqlite:///<path>")
        path = unquote(prefix[3:].split("?", 1)[0])
        if not path.startswith("/"):
            raise BacktestSourceError(
                f"tracking URI {uri!r}: the SQLite path {path!r} is relative; give an absolute "
                f"one, sqlite:////abs/path/mlflow.db (four slashes)"
            )
        if not Path(path).is_file():
            raise BacktestSourceError(
                f"tracking URI {uri!r}: no MLflow database at {path}; check the path"
            )
        try:
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                names = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
            finally:
                con.close()
        except sqlite3.DatabaseError as exc:
            raise BacktestSourceError(
                f"tracking URI {uri!r}: {path} is not a readable SQLite database ({exc})"
            ) from exc
        if not {"experiments", "runs"} <= names:
            raise BacktestSourceError(
                f"tracking URI {uri!r}: {path} is not an MLflow tracking database "
                "(no experiments/runs tables); check the path"
            )
    elif scheme in ("", "file"):
        path = unquote(parsed.path) if scheme == "file" else uri
        if not Path(path).is_dir():
            raise BacktestSourceError(
                f"tracking URI {uri!r}: no MLflow file store (folder) at {path}; check the path"
            )
        os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"


@contextmanager
def _mlflow_errors(what: str) -> Iterator[None]:
    """Turn MLflow's and the network's exceptions into a :class:`BacktestSourceError`."""
    from mlflow.exceptions import MlflowException

    try:
        yield
    except MlflowException as exc:
        message = str(exc.message if hasattr(exc, "message") else exc).strip()
        raise BacktestSourceError(f"{what}: {message}") from exc
    except OSError as exc:  # connection refused, DNS, unreadable artifact (requests -> OSError)
        raise BacktestSourceError(f"{what}: {exc}") from exc


def make_client(src: MlflowSource) -> Any:
    """An ``MlflowClient`` on the source's tracking URI, after :func:`check_tracking_uri`."""
    uri = tracking_uri_of(src)
    check_tracking_uri(uri)
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    from mlflow.tracking import MlflowClient

    with _mlflow_errors(f"MLflow tracking URI {uri!r}"):
        return MlflowClient(tracking_uri=uri)


def resolve_run(client: Any, src: MlflowSource, strategy_id: str) -> str:
    """The run id to read: the one given, or the newest finished run matching the filter.

    Raises
    ------
    BacktestSourceError
        Unknown run or experiment, or no finished run matching the tag filter.
    """
    uri = client.tracking_uri
    if src.run_id is not None:
        with _mlflow_errors(f"run {src.run_id} at {uri}"):
            run = client.get_run(src.run_id)
        return str(run.info.run_id)
    with _mlflow_errors(f"experiment lookup at {uri}"):
        if src.experiment is not None:
            exp = client.get_experiment_by_name(src.experiment)
            label = f"experiment {src.experiment!r}"
        else:
            exp = client.get_experiment(src.experiment_id)
            label = f"experiment id {src.experiment_id}"
    if exp is None:
        raise BacktestSourceError(f"no {label} at {uri}; check the name in backtest_source")
    tag_filter = src.tag_filter(strategy_id)
    clauses = [f"tags.`{k}` = '{v}'" for k, v in tag_filter] + ["attributes.status = 'FINISHED'"]
    with _mlflow_errors(f"search of {label} at {uri}"):
        runs = client.search_runs(
            [exp.experiment_id],
            filter_string=" and ".join(clauses),
            order_by=["attributes.start_time DESC", "attributes.end_time DESC"],
            max_results=1,
        )
    if not runs:
        shown = ", ".join(f"{k}={v}" for k, v in tag_filter)
        raise BacktestSourceError(f"no finished run in {label} at {uri} with tags {shown}")
    return str(runs[0].info.run_id)


def _known_returns_file(listing: list[Any]) -> str | None:
    """Path of the first :data:`RETURNS_ARTIFACTS` name among the files of one listing."""
    files = {f.path.rpartition("/")[2]: f.path for f in listing if not f.is_dir}
    return next((files[name] for name in RETURNS_ARTIFACTS if name in files), None)


def _find_artifact(client: Any, run_id: str, wanted: str | None) -> str | None:
    """Path of the returns artifact: ``wanted`` (must exist) or the first known name found at
    the top level, then one folder down."""
    top = client.list_artifacts(run_id)
    if wanted is not None:
        folder = wanted.rpartition("/")[0] or None
        listing = top if folder is None else client.list_artifacts(run_id, folder)
        if any(f.path == wanted and not f.is_dir for f in listing):
            return wanted
        raise BacktestSourceError(
            f"run {run_id} has no artifact {wanted!r} (artifact=... in backtest_source); "
            f"found: {', '.join(f.path for f in top) or 'no artifacts'}"
        )
    if (found := _known_returns_file(top)) is not None:
        return found
    for d in (f for f in top if f.is_dir):
        if (found := _known_returns_file(client.list_artifacts(run_id, d.path))) is not None:
            return found
    return None


def read_run(client: Any, run_id: str, src: MlflowSource, strategy_id: str) -> MlflowRun:
    """Read metrics (latest values), params, tags and the daily-returns artifact of a run.

    Raises
    ------
    BacktestSourceError
        The run cannot be read, the artifact named by ``artifact=`` is missing, or the
        returns artifact breaks a rule of
        :func:`~stratmon.backtests.returns_file.parse_returns_file` (every problem listed).
    """
    from stratmon.backtests.returns_file import parse_returns_file

    uri = client.tracking_uri
    with _mlflow_errors(f"run {run_id} at {uri}"):
        run = client.get_run(run_id)
        artifact = _find_artifact(client, run_id, src.artifact)
        returns: list[BacktestReturn] = []
        notes: list[str] = []
        if artifact is not None:
            with tempfile.TemporaryDirectory(prefix="stratmon-mlflow-") as tmp:
                local = Path(client.download_artifacts(run_id, artifact, tmp))
                try:
                    returns, notes = parse_returns_file(
                        local, strategy_id, display_name=f"run {run_id}: {artifact}"
                    )
                except FileRejectedError as exc:
                    shown = "; ".join(str(i) for i in exc.issues[:10])
                    more = f" (and {len(exc.issues) - 10} more)" if len(exc.issues) > 10 else ""
                    raise BacktestSourceError(
                        f"returns artifact {artifact!r} of run {run_id} is invalid, nothing was "
                        f"stored: {shown}{more}"
                    ) from exc
    info, data = run.info, run.data
    return MlflowRun(
        run_id=str(info.run_id),
        experiment_id=str(info.experiment_id),
        run_name=getattr(info, "run_name", None),
        status=str(info.status),
        start_time=info.start_time,
        metrics={str(k): float(v) for k, v in data.metrics.items()},
        params={str(k): str(v) for k, v in data.params.items()},
        tags={str(k): str(v) for k, v in data.tags.items()},
        returns=returns,
        returns_artifact=artifact,
        notes=notes,
    )
