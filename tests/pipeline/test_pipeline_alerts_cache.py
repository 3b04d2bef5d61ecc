"""The daily job on crafted data: drawdown-alert hysteresis, and the history cache never
disagreeing with the store (replacements, back-filled days)."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator
from pathlib import Path

import empyrical
import numpy as np
import pytest
import tomli_w

from stratmon.alerts.config import RULE_NAMES
from stratmon.config import CONFIG_NAME, DEFAULT_CONFIG, Workspace, create_workspace, load_config
from stratmon.domain import Strategy
from stratmon.ingest import sessions_between
from stratmon.intake import ingest_paths
from stratmon.pipeline import DailyJob, RunResult
from stratmon.store import Store, open_store
from stratmon.store import queries as q
from stratmon.store import repositories as repo

SID = "DD1"
BT_DAYS = sessions_between("XNYS", dt.date(2023, 1, 3), dt.date(2023, 6, 30))
LIVE_DAYS = sessions_between("XNYS", dt.date(2024, 1, 2), dt.date(2024, 3, 28))
N_FOR = int(DEFAULT_CONFIG["alerts"]["for_evaluations"])
M_CLEAR = int(DEFAULT_CONFIG["alerts"]["clear_evaluations"])
FRACTION = float(DEFAULT_CONFIG["alerts"]["drawdown"]["fraction_of_backtest"])


@pytest.fixture
def env(tmp_path: Path) -> Iterator[tuple[Workspace, Store]]:
    ws = create_workspace(tmp_path / "ws")
    # Only the first-form rules under test: the full alert system's other rules (tiers,
    # milestones...) would also fire on this crafted drawdown.
    cfg = load_config(ws.root / CONFIG_NAME)
    for rule in RULE_NAMES:
        if rule not in ("underperformance", "drawdown", "win_rate", "decay"):
            cfg["alerts"].setdefault(rule, {})["enabled"] = False
    (ws.root / CONFIG_NAME).write_text(tomli_w.dumps(cfg), encoding="utf-8")
    ws = Workspace(ws.root, load_config(ws.root / CONFIG_NAME))
    store = open_store(ws.database_url)
    with store.transaction() as conn:
        repo.upsert_strategies(conn, [Strategy(SID, "Crafted drawdown", allocated_capital=1e6)])
    # backtest: steady gains with one 10 % loss -> max drawdown exactly -10 %
    rets = np.full(len(BT_DAYS), 0.001)
    rets[len(rets) // 2] = -0.10
    lines = [f"{d.isoformat()},{SID},{r!r}" for d, r in zip(BT_DAYS, rets.tolist(), strict=True)]
    bt = tmp_path / "bt_returns.csv"
    bt.write_text("date,strategy_id,return\n" + "\n".join(lines) + "\n", encoding="utf-8")
    (out,) = ingest_paths(ws, store, [bt], today=LIVE_DAYS[0])
    assert out.outcome == "accepted", out.error
    assert empyrical.max_drawdown(rets) == pytest.approx(-0.10)
    yield ws, store
    store.dispose()


def drop_day(ws: Workspace, day: dt.date, nav: float, name: str | None = None) -> Path:
    p = ws.inbox / (name or f"performance_data_{day.isoformat()}.csv")
    p.write_text(f"date,strategy_id,nav\n{day.isoformat()},{SID},{nav!r}\n", encoding="utf-8")
    return p


def test_drawdown_alert_hysteresis_through_the_job(env: tuple[Workspace, Store]) -> None:
    ws, store = env
    level = FRACTION * -0.10  # the rule holds when current drawdown < level
    # 2 flat days, then a drawdown of 20 % held for N_FOR + 2 days, then new highs
    hold = N_FOR + 2
    navs = (
        [100.0, 100.0] + [80.0 - k for k in range(hold)] + [110.0 + k for k in range(M_CLEAR + 2)]
    )
    assert level > (80.0 - 100.0) / 100.0
    job = DailyJob(ws, store)
    results: list[RunResult] = []
    for day, nav in zip(LIVE_DAYS, navs, strict=False):
        drop_day(ws, day, nav)
        results.append(job.run(day, write_report=False, today=day))
    first_true = LIVE_DAYS[2]
    fire_day = LIVE_DAYS[2 + N_FOR - 1]
    first_clear = LIVE_DAYS[2 + hold]
    resolve_day = LIVE_DAYS[2 + hold + M_CLEAR - 1]
    with store.read() as conn:
        (alert,) = q.alerts(conn, strategy_id=SID)
        events = q.alert_events(conn, alert["id"])
    assert alert["rule"] == "drawdown"
    assert (alert["started_at"], alert["fired_at"], alert["resolved_at"]) == (
        first_true,
        fire_day,
        resolve_day,
    )
    assert alert["state"] == "resolved"
    assert [(e["at"], e["from_state"], e["to_state"]) for e in events] == [
        (first_true, "inactive", "pending"),
        (fire_day, "pending", "firing"),
        (resolve_day, "firing", "resolved"),
    ]
    assert events[1]["value"] == pytest.approx(-(100.0 - (80.0 - (N_FOR - 1))) / 100.0)
    assert events[1]["threshold"] == pytest.approx(level)
    assert first_clear < resolve_day
    # the run results report the same transitions on the same days
    by_day = {r.as_of: [(e.from_state, e.to_state) for e in r.events] for r in results}
    assert by_day[fire_day] == [("pending", "firing")]
    assert by_day[resolve_day] == [("firing", "resolved")]
    assert sum(len(v) for v in by_day.values()) == 3
    # the JSON-lines log: one parseable line per transition, in order
    lines = ws.alert_log.read_text(encoding="utf-8").splitlines()
    logged = [json.loads(line) for line in lines]
    assert [(d["from_state"], d["to_state"]) for d in logged] == [
        ("inactive", "pending"),
        ("pending", "firing"),
        ("firing", "resolved"),
    ]
    assert all(d["strategy_id"] == SID and d["rule"] == "drawdown" for d in logged)
    # a firing day shows in the status rows; re-running the fire day changes nothing
    n_lines = len(lines)
    again = DailyJob(ws, store).run(fire_day, write_report=False, ingest=False)
    assert again.events == []
    assert len(ws.alert_log.read_text(encoding="utf-8").splitlines()) == n_lines
    with store.read() as conn:
        assert len(q.alert_events(conn, alert["id"])) == 3


def _metrics(result: RunResult) -> dict[str, dict[str, list[float]]]:
    out = {}
    for e in result.evaluations:
        out[e.strategy_id] = {
            w: [math.nan if v is None else float(v) for _, v in sorted(m.items())]
            for w, m in e.metrics.items()
        }
    return out


def _assert_same(a: RunResult, b: RunResult) -> None:
    ma, mb = _metrics(a), _metrics(b)
    assert ma.keys() == mb.keys()
    for sid in ma:
        assert ma[sid].keys() == mb[sid].keys()
        for w in ma[sid]:
            np.testing.assert_array_equal(np.array(ma[sid][w]), np.array(mb[sid][w]))
    assert [e.health.score for e in a.evaluations] == [e.health.score for e in b.evaluations]


def _fresh(ws: Workspace, store: Store, day: dt.date) -> RunResult:
    return DailyJob(ws, store).run(day, write_report=False, ingest=False)


def test_cache_follows_a_replacement(env: tuple[Workspace, Store]) -> None:
    ws, store = env
    job = DailyJob(ws, store)
    days = LIVE_DAYS[:12]
    for k, day in enumerate(days):
        drop_day(ws, day, 100.0 + k + (k % 3))
        job.run(day, write_report=False, today=day)
    before = _fresh(ws, store, days[-1])
    # replace day 4's NAV
    p = drop_day(ws, days[4], 70.0, name="fix.csv")
    (out,) = ingest_paths(ws, store, [p], replace=True, today=days[-1])
    assert (out.outcome, out.n_replaced) == ("accepted", 1)
    cached = job.run(days[-1], write_report=False, ingest=False)
    fresh = _fresh(ws, store, days[-1])
    _assert_same(cached, fresh)
    # and the replacement did change the metrics (the check can fail)
    assert _metrics(before)[SID]["all"] != _metrics(fresh)[SID]["all"]


def test_cache_follows_a_backfilled_day(env: tuple[Workspace, Store]) -> None:
    ws, store = env
    job = DailyJob(ws, store)
    days = LIVE_DAYS[:12]
    missing = days[5]
    for k, day in enumerate(days):
        if day != missing:
            drop_day(ws, day, 100.0 + k * (1 if k % 2 else -0.5))
        job.run(day, write_report=False, today=day)
    before = _fresh(ws, store, days[-1])
    drop_day(ws, missing, 90.0)
    nxt = LIVE_DAYS[12]
    drop_day(ws, nxt, 104.0)
    cached = job.run(nxt, write_report=False, today=nxt)
    assert [o.outcome for o in cached.ingested] == ["accepted", "accepted"]
    fresh = _fresh(ws, store, nxt)
    _assert_same(cached, fresh)
    assert cached.evaluations[0].n_obs["all"] == len(days)  # 13 NAVs -> 12 returns
    # the back-filled day alone, re-evaluated as of an earlier date, also agrees
    _assert_same(job.run(days[-1], write_report=False, ingest=False), _fresh(ws, store, days[-1]))
    assert before.evaluations[0].n_obs["all"] == len(days) - 2
