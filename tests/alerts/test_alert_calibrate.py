"""`stratmon alerts calibrate`: the replay's hysteresis, its counts, and the command."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from stratmon.alerts.calibrate import (
    _hysteresis,
    calibrate_strategy,
    delays,
    firings_per_year,
    simulated_rules,
    starts,
)
from stratmon.alerts.config import AlertConfig
from stratmon.alerts.rules import Condition
from stratmon.alerts.state import step
from stratmon.cli_alerts import alerts_app
from stratmon.config import create_workspace
from stratmon.domain import BacktestReturn, DailyRecord, Strategy
from stratmon.store import open_store
from stratmon.store import repositories as repo


def test_hysteresis_by_hand() -> None:
    # for 2, clear 3; -1 (not evaluated) neither advances nor resets
    a = np.array([1, 1, 0, 0, 0, 1, -1, 1, 0], dtype=np.int8)[:, None]
    got = _hysteresis(a, 2, 3)[:, 0].tolist()
    assert got == [False, True, True, True, False, False, False, True, True]
    assert starts(_hysteresis(a, 2, 3))[:, 0].tolist() == [
        False,
        True,
        False,
        False,
        False,
        False,
        False,
        True,
        False,
    ]


@settings(max_examples=60, deadline=None)
@given(
    seq=st.lists(st.sampled_from([1, 0, -1]), min_size=1, max_size=40),
    n_for=st.integers(1, 3),
    m_clear=st.integers(1, 4),
)
def test_hysteresis_agrees_with_the_state_machine(seq: list[int], n_for: int, m_clear: int) -> None:
    cfg = AlertConfig(for_evaluations=n_for, clear_evaluations=m_clear)
    prev = None
    want = []
    day = dt.date(2024, 1, 1)
    for k, code in enumerate(seq):
        active = None if code < 0 else bool(code)
        cond = Condition("psr", "s", "warning", active, 0.0, 0.0, "")
        prev, _ = step(prev, cond, day + dt.timedelta(days=k), cfg)
        want.append(prev.state == "firing")
    got = _hysteresis(np.array(seq, dtype=np.int8)[:, None], n_for, m_clear)[:, 0]
    # compared on the evaluable days: on a day without data the replay keeps the episode as
    # it was (the state machine may show it as no_data, and resumes it the next day)
    keep = [k for k, code in enumerate(seq) if code >= 0]
    assert [bool(got[k]) for k in keep] == [want[k] for k in keep]


def test_firings_per_year_and_delays() -> None:
    f = np.zeros((504, 2), dtype=bool)
    f[10:20, 0] = True  # one episode
    f[300:305, 0] = True  # another, after the change at 252: delay 300 - 252 + 1 = 49
    f[100:400, 1] = True  # firing across the change: no firing *starts* after it
    assert firings_per_year(f) == pytest.approx(3 / (2 * 2.0))
    d = delays(f, 252)
    assert d[0] == 49 and np.isinf(d[1])


def test_simulated_rules_are_judgement_and_return_limits() -> None:
    names = simulated_rules(AlertConfig())
    assert "underperformance" in names and "decay" in names and "drawdown_tiers" in names
    assert "concentration" not in names and "profitable" not in names
    assert "stale_data" not in names


BT = np.random.default_rng(7).normal(0.0012, 0.01, 300)  # annual Sharpe ~1.9


def test_calibrate_strategy_properties() -> None:
    cal = calibrate_strategy("S", BT, 100, n_paths=4, seed=3)
    assert cal.sessions == 252 and cal.change_at == 126 and cal.paths == 4
    by = {r.rule: r for r in cal.rules}
    assert set(by) == set(simulated_rules(AlertConfig()))
    # the union of the judgement rules fires at least as often as any one of them
    judged = [r for r in cal.rules if r.kind == "judgement"]
    assert cal.judgement.firings_per_year >= max(r.firings_per_year for r in judged) - 1e-12
    assert all(r.firings_per_year >= 0 for r in cal.rules)
    d = cal.to_dict()
    assert d["judgement"]["rule"] == "all judgement rules"
    json.dumps(d, allow_nan=False)  # JSON-safe: an undetected delay is null
    with pytest.raises(ValueError, match="126"):
        calibrate_strategy("S", BT[:100], 100)


def _workspace(tmp_path: Path) -> Path:
    ws = create_workspace(tmp_path / "ws")
    store = open_store(ws.database_url)
    day0 = dt.date(2022, 1, 3)
    bdays = [
        day0 + dt.timedelta(days=k) for k in range(500) if (day0 + dt.timedelta(k)).weekday() < 5
    ]
    with store.transaction() as conn:
        repo.upsert_strategies(conn, [Strategy("MOM", "Momentum"), Strategy("NEW", "No backtest")])
        repo.insert_backtest_returns(
            conn,
            [BacktestReturn("MOM", d, float(x)) for d, x in zip(bdays, BT, strict=False)],
            None,
        )
        nav = 1_000_000.0 * np.cumprod(1 + np.random.default_rng(1).normal(0.001, 0.01, 60))
        live = [dt.date(2024, 1, 1) + dt.timedelta(days=k) for k in range(60)]
        repo.insert_daily(
            conn, [DailyRecord("MOM", d, float(v)) for d, v in zip(live, nav, strict=True)], None
        )
    store.dispose()
    return ws.root


def test_calibrate_command_json_matches_a_seeded_run(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    runner = CliRunner()
    args = ["calibrate", "--json", "--paths", "4", "--seed", "3", "--workspace", str(root)]
    out = runner.invoke(alerts_app, args)
    assert out.exit_code == 0, out.output
    got = json.loads(out.output)
    assert got["skipped"] == ["NEW: 0 backtest returns (needs 126)"]
    (mom,) = got["strategies"]
    # 59 live returns < a year: the paths are a year long
    want = calibrate_strategy("MOM", BT, 59, n_paths=4, seed=3).to_dict()
    assert mom["sessions"] == 252
    for a, b in zip(mom["rules"], want["rules"], strict=True):
        assert a["rule"] == b["rule"]
        assert a["firings_per_year"] == pytest.approx(b["firings_per_year"], abs=1e-9)
    text = runner.invoke(
        alerts_app, ["calibrate", "--strategy", "MOM", "--paths", "4", "--workspace", str(root)]
    )
    assert text.exit_code == 0, text.output
    assert "all judgement rules" in text.output and "limits" in text.output
    bad = runner.invoke(alerts_app, ["calibrate", "--strategy", "NOPE", "--workspace", str(root)])
    assert bad.exit_code == 2 and "Unknown strategy" in bad.output
