"""``stratmon demo``: a workspace built from real market data, replayed day by day.

1. Load real daily prices shipped with ``arch`` (S&P 500, NASDAQ, WTI) on NYSE sessions.
2. Backtest each demo strategy on 1999-2012 (backtest costs) and store its daily returns and
   its expected trade statistics (from the backtest's own fills, FIFO-matched by stratmon).
3. Replay 2013-2018 as the live period: for every session, write that day's daily-performance,
   execution and position files into the inbox (live costs a little worse than backtest) and
   run the same daily job a user runs, in-process, without the daily report; the last day
   writes the report.
"""

from __future__ import annotations

import math
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

import yaml
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from stratmon.config import CONFIG_NAME, Workspace, create_workspace, load_config
from stratmon.demo.benchmarks import import_demo_benchmarks
from stratmon.demo.files import write_backtest_files, write_day_files
from stratmon.demo.market import load_market
from stratmon.demo.simulate import SimResult, backtest, live
from stratmon.demo.strategies import DemoStrategy, demo_strategies
from stratmon.errors import StratmonError
from stratmon.ingest import FifoMatcher, parse_expectations
from stratmon.intake import ingest_paths
from stratmon.metrics import trade_statistics
from stratmon.pipeline import DailyJob
from stratmon.store import open_store
from stratmon.store import repositories as repo

MARKER = ".stratmon-demo"


def _prepare_dir(directory: Path) -> None:
    if directory.exists() and any(directory.iterdir()):
        if not (directory / MARKER).exists():
            raise StratmonError(
                f"{directory} exists and is not a demo workspace; choose an empty or new folder."
            )
        shutil.rmtree(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MARKER).write_text("built by `stratmon demo`; safe to delete\n")


def expected_trade_metrics(result: SimResult) -> dict[str, float]:
    """Trade statistics the backtest promises, from its own fills matched FIFO by stratmon."""
    trips = FifoMatcher().match(result.executions)
    stats = trade_statistics(trips, capital=result.capital)
    n_sessions = max(len(result.dates) - 1, 1)
    keep = ("win_rate", "profit_factor", "avg_win", "avg_loss", "total_trades")
    out = {k: float(stats[k]) for k in keep if k in stats and math.isfinite(float(stats[k]))}
    out["trades_per_day"] = len(trips) / n_sessions
    return out


def write_mandate_overrides(ws: Workspace, strategies: Sequence[DemoStrategy]) -> Workspace:
    """Per-strategy alert overrides that follow each demo strategy's mandate, appended to
    the workspace's ``stratmon.toml``; returns the workspace with the config reloaded.

    A strategy that trades a single instrument holds one position by design, so the
    concentration limit (largest position / NAV) would fire every day it is invested and
    say nothing: it is disabled for those strategies, as a desk would configure it. A book of
    K < 5 instruments cannot keep its largest position under the default 20 % (it is at least
    1/K of the gross book; the demo's inverse-volatility SPX/WTI book holds 67-80 % in SPX):
    its limit is the mandate's, no single leg beyond 100 % of NAV.
    """
    single = [s.strategy_id for s in strategies if len(s.symbols) == 1]
    few = [s.strategy_id for s in strategies if 1 < len(s.symbols) < 5]
    if not single and not few:
        return ws
    lines = ["", "# Single-instrument mandates: one position is the strategy, not a risk."]
    for sid in single:
        lines += [f"[alerts.strategies.{sid}.concentration]", "enabled = false"]
    lines += ["# Books of a few instruments: no single leg beyond 100 % of NAV."]
    for sid in few:
        lines += [f"[alerts.strategies.{sid}.concentration]", "max_weight = 1.0"]
    path = ws.root / CONFIG_NAME
    with path.open("a", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return Workspace(root=ws.root, config=load_config(path))


def run_demo(directory: Path, console: Console | None = None) -> Path:
    """Build the demo workspace in ``directory`` and replay the live years; returns the
    final report's path."""
    console = console or Console()
    t0 = time.perf_counter()
    _prepare_dir(directory)
    strategies = demo_strategies()
    ws = write_mandate_overrides(create_workspace(directory), strategies)
    store = open_store(ws.database_url)
    market = load_market()
    backtests = {s.strategy_id: backtest(s, market) for s in strategies}
    lives = {s.strategy_id: live(s, market) for s in strategies}
    console.print(
        f"Loaded real prices ({len(market)} NYSE sessions) and simulated {len(strategies)} "
        f"strategies in {time.perf_counter() - t0:.1f} s."
    )
    with store.transaction() as conn:
        repo.upsert_strategies(conn, [s.spec for s in strategies])
    import_demo_benchmarks(ws, store, market)
    bt_dir = ws.root / "backtests"
    files = write_backtest_files(bt_dir, backtests)
    returns_files = [f for f in files if f.suffix == ".csv" and "return" in f.name]
    ingest_paths(ws, store, returns_files)
    expectations = {sid: expected_trade_metrics(r) for sid, r in backtests.items()}
    exp_path = bt_dir / "expected_metrics.yaml"
    exp_path.write_text(yaml.safe_dump(expectations, sort_keys=True), encoding="utf-8")
    with store.transaction() as conn:
        repo.insert_expectations(conn, parse_expectations(exp_path))

    job = DailyJob(ws, store)
    days = sorted({d for r in lives.values() for d in r.dates})
    result = None
    with Progress(
        TextColumn("replaying live sessions"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} {task.fields[day]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("replay", total=len(days), day="")
        for i, day in enumerate(days):
            write_day_files(ws.inbox, day, lives)
            result = job.run(day, write_report=(i == len(days) - 1), today=day)
            rejected = [o for o in result.ingested if o.outcome == "rejected"]
            if rejected:
                console.print(f"[red]{day}: rejected {[o.file for o in rejected]}[/]")
            progress.update(task, advance=1, day=day.isoformat())
    assert result is not None and result.as_of is not None
    from stratmon.cli_status import print_status

    print_status(result.assessments, result.as_of, result.book_changes)
    elapsed = time.perf_counter() - t0
    console.print(
        f"Replayed {len(days)} live sessions ({days[0]} .. {days[-1]}) in {elapsed:.1f} s. "
        f"Workspace: {ws.root} ({CONFIG_NAME}). Report: {result.report}"
    )
    assert result.report is not None
    return result.report
