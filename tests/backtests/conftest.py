"""A real MLflow tracking store (SQLite) shared by the backtest tests, and helpers to fill it.

Creating an MLflow SQLite store runs its migrations (several seconds), so one store is made per
test session; each test logs into its own experiment (a fresh name) so tests do not interact.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from backtest_helpers import LogRun, Tracking
from mlflow.tracking import MlflowClient

from stratmon.config import create_workspace
from stratmon.store import Store, open_store


@pytest.fixture(scope="session")
def tracking(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tracking]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
        root = tmp_path_factory.mktemp("mlflow")
        uri = f"sqlite:///{root}/mlruns.db"
        client = MlflowClient(tracking_uri=uri)
        files = root / "files"
        files.mkdir()
        yield Tracking(uri, client, root / "artifacts", files)


@pytest.fixture(autouse=True)
def _no_telemetry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")


@pytest.fixture
def experiment(tracking: Tracking) -> str:
    """A fresh experiment name (artifacts under the session folder)."""
    name = f"exp-{uuid.uuid4().hex[:10]}"
    tracking.client.create_experiment(name, artifact_location=(tracking.artifacts / name).as_uri())
    return name


@pytest.fixture
def log_run(tracking: Tracking) -> LogRun:
    """Log one finished run with the real client; returns its run id."""

    def log(
        experiment: str,
        *,
        metrics: Mapping[str, float] | None = None,
        params: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
        returns_csv: str | None = None,
        artifact_name: str = "backtest_returns.csv",
        artifact_dir: str | None = None,
        start_time: int | None = None,
        finish: bool = True,
    ) -> str:
        c = tracking.client
        exp = c.get_experiment_by_name(experiment)
        run = c.create_run(exp.experiment_id, start_time=start_time, tags=dict(tags or {}))
        rid = str(run.info.run_id)
        for k, v in dict(metrics or {}).items():
            c.log_metric(rid, k, v)
        for k, v in dict(params or {}).items():
            c.log_param(rid, k, v)
        if returns_csv is not None:
            folder = tracking.files / rid
            folder.mkdir()
            path = folder / artifact_name
            path.write_text(returns_csv.lstrip("\n"), encoding="utf-8")
            c.log_artifact(rid, str(path), artifact_dir)
        if finish:
            c.set_terminated(
                rid, "FINISHED", end_time=None if start_time is None else start_time + 1
            )
        return rid

    return log


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    ws = create_workspace(tmp_path / "ws")
    s = open_store(ws.database_url)
    yield s
    s.dispose()
