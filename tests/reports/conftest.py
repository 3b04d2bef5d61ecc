"""A small real workspace for the report tests: three demo strategies backtested on real
prices (arch) and replayed live for 60 sessions through the daily job, plus the demo
benchmarks (S&P 500, NASDAQ, cash)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import yaml

from stratmon.config import Workspace, create_workspace
from stratmon.demo.benchmarks import import_demo_benchmarks
from stratmon.demo.files import write_backtest_files, write_day_files
from stratmon.demo.market import MarketData, load_market
from stratmon.demo.run import expected_trade_metrics
from stratmon.demo.simulate import backtest, live
from stratmon.demo.strategies import demo_strategies
from stratmon.ingest import parse_expectations
from stratmon.intake import ingest_paths
from stratmon.pipeline import DailyJob
from stratmon.store import Store, open_store
from stratmon.store import repositories as repo

CHOSEN = ("spx_trend", "wti_trend", "spx_nasdaq_relative")
N_SESSIONS = 62  # 2013-01-02 .. early April: crosses month and quarter ends


@dataclass
class Workspace4Reports:
    ws: Workspace
    store: Store
    market: MarketData
    days: list[dt.date]


@pytest.fixture(scope="session")
def rws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace4Reports]:
    root = tmp_path_factory.mktemp("reports")
    market = load_market()
    chosen = [s for s in demo_strategies() if s.strategy_id in CHOSEN]
    backtests = {s.strategy_id: backtest(s, market) for s in chosen}
    lives = {s.strategy_id: live(s, market) for s in chosen}
    ws = create_workspace(root / "ws")
    store = open_store(ws.database_url)
    with store.transaction() as conn:
        repo.upsert_strategies(conn, [s.spec for s in chosen])
    files = write_backtest_files(root / "bt", backtests)
    (out,) = ingest_paths(ws, store, [files[0]], today=dt.date(2013, 1, 2))
    assert out.outcome == "accepted", out.error
    exp_path = root / "bt" / "expected.yaml"
    exp_path.write_text(
        yaml.safe_dump({sid: expected_trade_metrics(r) for sid, r in backtests.items()}),
        encoding="utf-8",
    )
    with store.transaction() as conn:
        repo.insert_expectations(conn, parse_expectations(exp_path))
    import_demo_benchmarks(ws, store, market)
    days = list(next(iter(lives.values())).dates[:N_SESSIONS])
    job = DailyJob(ws, store)
    for day in days:
        write_day_files(ws.inbox, day, lives)
        job.run(day, write_report=False, today=day)
    yield Workspace4Reports(ws, store, market, days)
    store.dispose()
