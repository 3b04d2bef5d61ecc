"""Sync against a real MLflow tracking store (SQLite) filled with the real client."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from backtest_helpers import RETURNS_3, LogRun, Tracking, register

from stratmon.backtests import sync_all, sync_strategy
from stratmon.store import Store
from stratmon.store import queries as q

T0 = 1_700_000_000_000  # ms


def _run_source(tracking: Tracking, run_id: str, extra: str = "") -> str:
    return f"mlflow:{tracking.uri}#run={run_id}{extra}"


def test_sync_by_run_id_stores_version_1(
    tracking: Tracking, experiment: str, log_run: LogRun, store: Store
) -> None:
    rid = log_run(
        experiment,
        metrics={"sharpe": 1.35, "max_dd": 0.21, "cagr": 0.11, "loss": 0.4},
        params={"n_trials": "30", "lookback": "50"},
        tags={"strategy_id": "S1", "owner": "ana"},
        returns_csv=RETURNS_3,
    )
    s = register(store, "S1", _run_source(tracking, rid))
    with store.transaction() as conn:
        out = sync_strategy(conn, s)
    assert out.status == "new_version", out.message
    assert (out.version, out.source, out.n_returns) == (1, f"mlflow:{rid}", 3)
    assert out.params == {"n_trials": "30", "lookback": "50"}
    assert out.tags == {"strategy_id": "S1", "owner": "ana"}
    assert out.ignored_metrics == ("loss",)
    with store.read() as conn:
        exp = q.backtest_expectation(conn, "S1")
        assert exp == {
            "metrics": {"sharpe_ratio": 1.35, "max_drawdown": -0.21, "cagr": 0.11},
            "n_trials": 30,
            "source": f"mlflow:{rid}",
        }
        assert q.backtest_version(conn, "S1") == 1
        dates, rets = q.backtest_returns(conn, "S1")
    assert dates == [dt.date(2024, 1, 2), dt.date(2024, 1, 3), dt.date(2024, 1, 4)]
    np.testing.assert_array_equal(rets, [0.01, -0.005, 0.0025])


def test_new_run_is_a_new_version_beside_the_old_and_resync_is_a_noop(
    tracking: Tracking, experiment: str, log_run: LogRun, store: Store
) -> None:
    tags = {"strategy_id": "S2"}
    log_run(experiment, metrics={"sharpe": 1.0}, tags=tags, returns_csv=RETURNS_3, start_time=T0)
    source = f"mlflow:{tracking.uri}#experiment={experiment}"  # default filter: strategy_id=S2
    s = register(store, "S2", source)
    [first] = sync_all(store)
    assert (first.status, first.version) == ("new_version", 1)

    [again] = sync_all(store)
    assert (again.status, again.version, again.run_id) == ("unchanged", 1, first.run_id)

    second_csv = "date,return\n2024-02-01,0.02\n2024-02-02,0.03\n"
    rid2 = log_run(
        experiment, metrics={"sharpe": 0.8}, tags=tags, returns_csv=second_csv, start_time=T0 + 1000
    )
    with store.transaction() as conn:
        out = sync_strategy(conn, s)
    assert (out.status, out.version, out.run_id) == ("new_version", 2, rid2)
    with store.read() as conn:
        assert q.backtest_version(conn, "S2") == 2
        versions = q.backtest_versions(conn, "S2")
        _, v1 = q.backtest_returns(conn, "S2", 1)
        _, v2 = q.backtest_returns(conn, "S2")
        assert q.backtest_expectation(conn, "S2")["metrics"] == {"sharpe_ratio": 0.8}
    assert [(v["version"], v["n_returns"], v["source"]) for v in versions] == [
        (1, 3, f"mlflow:{first.run_id}"),
        (2, 2, f"mlflow:{rid2}"),
    ]
    np.testing.assert_array_equal(v1, [0.01, -0.005, 0.0025])
    np.testing.assert_array_equal(v2, [0.02, 0.03])
    [third] = sync_all(store)
    assert third.status == "unchanged" and third.version == 2


def test_experiment_filter_picks_the_newest_finished_matching_run(
    tracking: Tracking, experiment: str, log_run: LogRun, store: Store
) -> None:
    old = log_run(experiment, metrics={"sharpe": 1.0}, tags={"sid": "A"}, start_time=T0)
    newest = log_run(experiment, metrics={"sharpe": 2.0}, tags={"sid": "A"}, start_time=T0 + 20)
    log_run(experiment, metrics={"sharpe": 3.0}, tags={"sid": "B"}, start_time=T0 + 30)
    log_run(
        experiment, metrics={"sharpe": 4.0}, tags={"sid": "A"}, start_time=T0 + 40, finish=False
    )
    assert old != newest
    s = register(store, "A1", f"mlflow:{tracking.uri}#experiment={experiment}&tag.sid=A")
    with store.transaction() as conn:
        out = sync_strategy(conn, s)
    assert (out.status, out.run_id, out.metrics) == ("new_version", newest, {"sharpe_ratio": 2.0})


def test_artifact_in_a_folder_and_named_artifact(
    tracking: Tracking, experiment: str, log_run: LogRun, store: Store
) -> None:
    rid = log_run(
        experiment,
        metrics={"sharpe": 1.0},
        returns_csv=RETURNS_3,
        artifact_name="returns.csv",
        artifact_dir="backtest",
    )
    s = register(store, "F1", _run_source(tracking, rid))
    with store.transaction() as conn:
        assert sync_strategy(conn, s).n_returns == 3
    s2 = register(store, "F2", _run_source(tracking, rid, "&artifact=backtest/other.csv"))
    with store.transaction() as conn:
        out = sync_strategy(conn, s2)
    assert out.status == "error" and "no artifact 'backtest/other.csv'" in out.message


def test_missing_artifact_stores_expectations_only(
    tracking: Tracking, experiment: str, log_run: LogRun, store: Store
) -> None:
    rid = log_run(experiment, metrics={"Sharpe_Ratio": 0.9, "win_rate": 0.52})
    s = register(store, "E1", _run_source(tracking, rid))
    with store.transaction() as conn:
        out = sync_strategy(conn, s)
    assert (out.status, out.version, out.n_returns) == ("new_version", 1, 0)
    assert "no returns artifact" in out.message
    with store.read() as conn:
        assert q.backtest_version(conn, "E1") is None  # no returns stored
        assert q.highest_backtest_version(conn, "E1") == 1
        assert q.backtest_expectation(conn, "E1")["metrics"] == {
            "sharpe_ratio": 0.9,
            "win_rate": 0.52,
        }


def test_version_counts_past_file_expectations(
    tracking: Tracking, experiment: str, log_run: LogRun, store: Store, tmp_path: Path
) -> None:
    from stratmon.ingest import parse_expectations
    from stratmon.store import repositories as repo

    rid = log_run(experiment, metrics={"sharpe": 1.2})
    s = register(store, "V1", _run_source(tracking, rid))
    yml = tmp_path / "exp.yaml"
    yml.write_text("V1:\n  sharpe_ratio: 2.0\n", encoding="utf-8")
    with store.transaction() as conn:
        repo.insert_expectations(conn, parse_expectations(yml))
        out = sync_strategy(conn, s)
    assert out.version == 2
    with store.read() as conn:
        assert [v["source"] for v in q.backtest_versions(conn, "V1")] == ["file", f"mlflow:{rid}"]


def test_errors_are_per_strategy_and_nothing_is_stored(
    tracking: Tracking, experiment: str, log_run: LogRun, store: Store, tmp_path: Path
) -> None:
    good = log_run(experiment, metrics={"sharpe": 1.0})
    bad_csv = "date,return\n2024-01-02,0.01\n2024-01-02,0.02\n"
    bad_art = log_run(experiment, metrics={"sharpe": 1.0}, returns_csv=bad_csv)
    nothing = log_run(experiment, metrics={"accuracy": 0.9})
    pct = log_run(experiment, metrics={"win_rate": 56.0})
    stratmon_db = store.engine.url.database
    register(store, "A_missing_file", "mlflow:sqlite:////no/such/dir/mlruns.db#run=abc")
    register(store, "B_bad_scheme", f"mlflow:bogus://x#run={good}")
    register(store, "C_missing_run", f"mlflow:{tracking.uri}#run=" + "f" * 32)
    register(store, "D_no_experiment", f"mlflow:{tracking.uri}#experiment=nope-{experiment}")
    register(store, "E_good", _run_source(tracking, good))
    register(store, "F_not_mlflow_db", f"mlflow:sqlite:///{stratmon_db}#run={good}")
    register(store, "G_relative", f"mlflow:sqlite:///rel/mlruns.db#run={good}")
    register(store, "H_bad_artifact", _run_source(tracking, bad_art))
    register(store, "I_nothing_known", _run_source(tracking, nothing))
    register(store, "J_percent", _run_source(tracking, pct))
    register(store, "K_no_run_matches", f"mlflow:{tracking.uri}#experiment={experiment}")
    register(store, "L_file", "file")
    register(store, "M_unparsable", "mlflow:nothing")
    out = {o.strategy_id: o for o in sync_all(store)}
    status = {k: o.status for k, o in out.items()}
    assert status == {
        "A_missing_file": "error",
        "B_bad_scheme": "error",
        "C_missing_run": "error",
        "D_no_experiment": "error",
        "E_good": "new_version",
        "F_not_mlflow_db": "error",
        "G_relative": "error",
        "H_bad_artifact": "error",
        "I_nothing_known": "error",
        "J_percent": "error",
        "K_no_run_matches": "error",
        "L_file": "not_configured",
        "M_unparsable": "error",
    }
    msg = {k: o.message for k, o in out.items()}
    assert "no MLflow database at /no/such/dir/mlruns.db" in msg["A_missing_file"]
    assert not Path("/no/such/dir").exists()  # MLflow was not allowed to create it
    assert "bogus://x" in msg["B_bad_scheme"]
    assert "f" * 32 in msg["C_missing_run"] and "not found" in msg["C_missing_run"]
    assert f"no experiment 'nope-{experiment}'" in msg["D_no_experiment"]
    assert "not an MLflow tracking database" in msg["F_not_mlflow_db"]
    assert "is relative" in msg["G_relative"]
    assert (
        "row 2, column 'date'" in msg["H_bad_artifact"] and "duplicate_row" in msg["H_bad_artifact"]
    )
    assert "accuracy" in msg["I_nothing_known"] and "map." in msg["I_nothing_known"]
    assert "win_rate is a fraction" in msg["J_percent"]
    assert "with tags strategy_id=K_no_run_matches" in msg["K_no_run_matches"]
    with sqlite3.connect(stratmon_db) as con:  # stratmon's own database got no MLflow tables
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
    assert "experiments" not in tables and "runs" not in tables
    with store.read() as conn:
        stored = {sid for sid in q.backtest_keys(conn)}
    assert stored == {"E_good"}


def test_file_store_uri(tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from mlflow.tracking import MlflowClient

    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    folder = tmp_path / "mlruns"
    client = MlflowClient(tracking_uri=folder.as_uri())
    exp = client.create_experiment("fs")
    rid = client.create_run(exp, tags={"strategy_id": "FS"}).info.run_id
    client.log_metric(rid, "sharpe_ratio", 1.7)
    client.set_terminated(rid)
    monkeypatch.delenv("MLFLOW_ALLOW_FILE_STORE")
    register(store, "FS", f"mlflow:{folder.as_uri()}#experiment=fs")
    [out] = sync_all(store)
    assert (out.status, out.metrics) == ("new_version", {"sharpe_ratio": 1.7}), out.message
