"""The Typer CLI on a temporary workspace, through ``typer.testing.CliRunner``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stratmon.cli import app
from stratmon.config import ENV_VAR
from stratmon.ingest import sessions_between
from stratmon.store import open_store
from stratmon.store import queries as q

runner = CliRunner()
DAYS = sessions_between("XNYS", dt.date(2024, 1, 2), dt.date(2024, 1, 12))
BT_DAYS = sessions_between("XNYS", dt.date(2023, 1, 3), dt.date(2023, 3, 31))


def invoke(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, list(args))
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    return res.exit_code, res.output


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)  # not inside any workspace
    root = tmp_path / "ws"
    code, out = invoke("init", str(root))
    assert code == 0, out
    return root


def _counts(root: Path) -> dict[str, int]:
    store = open_store(f"sqlite:///{root / 'stratmon.db'}")
    with store.read() as conn:
        counts = q.table_counts(conn)
    store.dispose()
    return counts


def _setup(root: Path, tmp_path: Path) -> None:
    w = ("--workspace", str(root))
    code, out = invoke("strategies", "add", "--id", "EQ1", "--name", "Equity One", *w)
    assert code == 0 and "EQ1" in out, out
    reg = tmp_path / "strategies.csv"
    reg.write_text(
        "strategy_id,name,sector,allocated_capital,calendar\n"
        "EQ2,Equity Two,US,1000000,XNYS\nEQ3,Equity Three,EU,500000,XNYS\n",
        encoding="utf-8",
    )
    code, out = invoke("strategies", "import", str(reg), *w)
    assert code == 0 and "2 strategies" in out, out
    bt = tmp_path / "bt_returns.csv"
    rows = [
        f"{d},{sid},{0.0005 * (1 + i % 3) - 0.0004}"
        for i, d in enumerate(BT_DAYS)
        for sid in ("EQ1", "EQ2")
    ]
    bt.write_text("date,strategy_id,return\n" + "\n".join(rows) + "\n", encoding="utf-8")
    exp = tmp_path / "expected.yaml"
    exp.write_text("EQ1:\n  sharpe_ratio: 1.1\n  win_rate: 0.55\n", encoding="utf-8")
    code, out = invoke("backtest", "import", str(bt), str(exp), *w)
    assert code == 0, out
    assert "accepted bt_returns.csv" in out and "expected metrics for 1" in out


def test_full_cycle(ws: Path, tmp_path: Path) -> None:
    _setup(ws, tmp_path)
    w = ("--workspace", str(ws))
    code, out = invoke("strategies", "list", *w)
    assert code == 0
    for sid, name in (("EQ1", "Equity One"), ("EQ2", "Equity Two"), ("EQ3", "Equity Three")):
        assert sid in out and name in out
    assert _counts(ws)["backtest_returns"] == 2 * len(BT_DAYS)

    lines = [
        f"{d},{sid},{100 + i + j}"
        for i, d in enumerate(DAYS)
        for j, sid in enumerate(("EQ1", "EQ2", "EQ3"))
    ]
    good = tmp_path / "perf.csv"
    good.write_text("date,strategy_id,nav\n" + "\n".join(lines) + "\n", encoding="utf-8")
    bad = tmp_path / "bad_perf.csv"
    bad.write_text(f"date,strategy_id,nav\n{DAYS[0]},EQ1,-3\n", encoding="utf-8")
    code, out = invoke("ingest", str(good), str(bad), *w)
    assert code == 2, out  # a rejected file: not everything went in
    assert out.strip().splitlines()[-1].startswith("Not everything went in: 1 file(s) REJECTED")
    assert "accepted perf.csv" in out
    assert "rejected bad_perf.csv" in out and "nav_positive" in out
    assert (ws / "inbox" / "rejected" / "bad_perf.csv.error.txt").exists()
    assert good.exists()  # a file from outside the inbox stays where it was
    assert _counts(ws)["daily_records"] == 3 * len(DAYS)

    code, out = invoke("run", "--date", DAYS[-1].isoformat(), *w)
    assert code == 0, out
    assert "EQ1" in out and "EQ3" in out and "Report:" in out
    assert (ws / "reports" / f"run_{DAYS[-1].isoformat()}.html").exists()
    report = ws / "reports" / f"daily_{DAYS[-1].isoformat()}.html"
    assert not report.exists()  # written by `report daily` below

    code, out = invoke("status", *w)
    assert code == 0 and f"as of {DAYS[-1]}" in out
    assert all(sid in out for sid in ("EQ1", "EQ2", "EQ3"))
    code, out = invoke("status", "EQ1", *w)
    assert code == 0
    assert "Live vs backtest" in out and "sharpe_ratio" in out
    assert "Recommendation:" in out and "performance" in out and "p-value" in out
    code, out = invoke("status", "NOPE", *w)
    assert code == 2 and "NOPE" in out

    code, out = invoke("report", "daily", "--date", DAYS[-1].isoformat(), *w)
    assert code == 0 and report.exists(), out
    code, out = invoke("report", "daily", "--date", "2020-01-02", *w)
    assert code == 2 and "stratmon run" in out


def test_run_exits_zero_when_an_alert_fires(ws: Path, tmp_path: Path) -> None:
    _setup(ws, tmp_path)
    w = ("--workspace", str(ws))
    navs = [100.0, 100.0, 60.0, 59.0, 58.0]  # far beyond 75 % of the backtest max drawdown
    for day, nav in zip(DAYS, navs, strict=False):
        (ws / "inbox" / f"p_{day}.csv").write_text(
            f"date,strategy_id,nav\n{day},EQ1,{nav}\n", encoding="utf-8"
        )
        code, out = invoke("run", "--date", day.isoformat(), "--no-report", *w)
        assert code == 0, out
    assert "drawdown" in out
    code, out = invoke("status", "EQ1", *w)
    assert code == 0 and "firing" in out


def test_workspace_from_environment(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, str(ws))
    code, out = invoke("strategies", "add", "--id", "ENV1", "--name", "From env")
    assert code == 0, out
    code, out = invoke("strategies", "list")
    assert code == 0 and "ENV1" in out


def test_workspace_from_cwd_subfolder(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ws / "inbox" / "processed")
    code, out = invoke("strategies", "add", "--id", "CWD1", "--name", "From cwd")
    assert code == 0, out
    code, out = invoke("strategies", "list", "--workspace", str(ws))
    assert "CWD1" in out


def test_no_workspace_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    empty = tmp_path / "nowhere"
    empty.mkdir()
    monkeypatch.chdir(empty)
    for args in (["status"], ["run"], ["strategies", "list"], ["ingest"]):
        code, out = invoke(*args)
        assert code == 2, (args, out)
        assert "stratmon init" in out
    code, out = invoke("status", "--workspace", str(empty))
    assert code == 2 and "stratmon init" in out


def test_bad_date_is_a_clear_error(ws: Path) -> None:
    code, out = invoke("run", "--date", "2024-13-01", "--workspace", str(ws))
    assert code == 2 and "YYYY-MM-DD" in out


def test_rejection_text_is_printed_verbatim(ws: Path, tmp_path: Path) -> None:
    # brackets in a file's values or the rule names must not be read as Rich markup
    bad = tmp_path / "odd.csv"
    bad.write_text(f"date,strategy_id,nav\n{DAYS[0]},[/x],100\n", encoding="utf-8")
    code, out = invoke("ingest", str(bad), "--workspace", str(ws))
    assert code == 2, out
    assert "value '[/x]': [unknown_strategy]" in out
