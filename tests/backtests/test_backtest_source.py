"""The backtest_source grammar: what parses to what, and the errors users get."""

from __future__ import annotations

import pytest

from stratmon.backtests import BacktestSourceError, MlflowSource, parse_backtest_source
from stratmon.backtests.mlflow_source import tracking_uri_of
from stratmon.backtests.source import is_configured

RUN = "0123456789abcdef0123456789abcdef"


def test_run_form() -> None:
    src = parse_backtest_source(f"mlflow:sqlite:////data/ml/mlruns.db#run={RUN}")
    assert src == MlflowSource(tracking_uri="sqlite:////data/ml/mlruns.db", run_id=RUN)


def test_experiment_with_tags_map_and_artifact() -> None:
    src = parse_backtest_source(
        "mlflow:http://mlflow.local:5000#experiment=Trend%20ES&tag.strategy_id=T1"
        "&tag.stage=prod&map.Sharpe=sharpe_ratio&map.dd=max_drawdown&map.tries=n_trials"
        "&artifact=bt/daily.csv"
    )
    assert src.tracking_uri == "http://mlflow.local:5000"
    assert src.run_id is None
    assert src.experiment == "Trend ES"
    assert src.tags == (("strategy_id", "T1"), ("stage", "prod"))
    assert dict(src.metric_map) == {
        "sharpe": "sharpe_ratio",
        "dd": "max_drawdown",
        "tries": "n_trials",
    }
    assert src.artifact == "bt/daily.csv"


def test_experiment_without_tags_filters_on_the_strategy_id() -> None:
    src = parse_backtest_source("mlflow:sqlite:////x.db#experiment_id=7")
    assert src.experiment_id == "7"
    assert src.tag_filter("EQ1") == (("strategy_id", "EQ1"),)
    tagged = parse_backtest_source("mlflow:sqlite:////x.db#experiment_id=7&tag.sid=A")
    assert tagged.tag_filter("EQ1") == (("sid", "A"),)


def test_encoded_ampersand_in_experiment_name() -> None:
    assert parse_backtest_source("mlflow:/m#experiment=a%26b").experiment == "a&b"


def test_bare_run_id_takes_the_uri_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    src = parse_backtest_source(f"mlflow:{RUN}")
    assert src.tracking_uri is None and src.run_id == RUN
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    with pytest.raises(BacktestSourceError, match="MLFLOW_TRACKING_URI"):
        tracking_uri_of(src)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://h:1")
    assert tracking_uri_of(src) == "http://h:1"
    assert parse_backtest_source(f"mlflow:#run={RUN}").tracking_uri is None


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("file:/tmp/x.csv", "unknown kind of source"),
        ("mlflow:sqlite:////x.db", "missing '#run="),
        (f"mlflow:sqlite:////x.db#run={RUN}&experiment=e", "exactly one of"),
        ("mlflow:sqlite:////x.db#artifact=a.csv", "exactly one of"),
        ("mlflow:sqlite:////x.db#experiment=e&colour=red", "unknown key 'colour'"),
        ("mlflow:sqlite:////x.db#experiment=e&experiment=f", "experiment is given twice"),
        (f"mlflow:sqlite:////x.db#run={RUN}&tag.strategy_id=A", "not to a run id"),
        ("mlflow:sqlite:////x.db#experiment=e&map.sharpe=sharp_ratio", "not a stratmon metric"),
        ("mlflow:sqlite:////x.db#experiment=e&map.a=cagr&map.A=cagr", "map.a is given twice"),
        ("mlflow:sqlite:////x.db#experiment=", "needs a value"),
        ("mlflow:sqlite:////x.db#experiment=e&tag.k=it's", "quote"),
        ("mlflow:sqlite:////x.db#run=abc/def", "not an MLflow run id"),
    ],
)
def test_errors_name_the_problem(text: str, match: str) -> None:
    with pytest.raises(BacktestSourceError, match=match) as info:
        parse_backtest_source(text)
    assert repr(text) in str(info.value)  # the message quotes the whole source


@pytest.mark.parametrize(
    ("source", "expected"),
    [(None, False), ("", False), ("file", False), ("  file ", False), (f"mlflow:{RUN}", True)],
)
def test_is_configured(source: str | None, expected: bool) -> None:
    assert is_configured(source) is expected
