"""The ``stratmon`` command line (Typer; Rich tables)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from stratmon.cli_common import WorkspaceOpt, console, fail, open_workspace, parse_date
from stratmon.config import create_workspace
from stratmon.domain import Strategy
from stratmon.errors import StratmonError
from stratmon.reports import format as fmt
from stratmon.store import open_store

app = typer.Typer(
    help="stratmon: watches live trading strategies against their backtests.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
strategies_app = typer.Typer(help="Register and list strategies.", no_args_is_help=True)
backtest_app = typer.Typer(
    help="Import backtest returns and expected metrics.", no_args_is_help=True
)
app.add_typer(strategies_app, name="strategies")
app.add_typer(backtest_app, name="backtest")


STATUS_STYLE = {
    "on_track": "green",
    "outperforming": "blue",
    "underperforming": "yellow",
    "alert": "bold red",
    "insufficient_data": "dim",
}


def evidence_table(ev: dict[str, Any]) -> Table:
    """Live-vs-backtest statistics of one evaluation (as stored), for people."""
    t = Table(title="Statistical evidence (live vs backtest)", header_style="bold")
    t.add_column("statistic")
    t.add_column("value", justify="right")
    t.add_column("meaning")
    sig = ev.get("sharpe_test") or {}
    welch = ev.get("welch") or {}
    t.add_row("backtest version", str(ev.get("backtest_version")), "compared with")
    t.add_row("PSR vs 0", fmt.pct(ev.get("psr_vs_zero")), "P(true live Sharpe > 0)")
    t.add_row(
        "PSR vs backtest",
        fmt.pct(ev.get("psr_vs_backtest")),
        "P(true live Sharpe > backtest Sharpe)",
    )
    t.add_row(
        "MinTRL vs backtest",
        fmt.num(ev.get("min_trl_vs_backtest"), 0),
        "sessions needed to call live > backtest at 95 %",
    )
    t.add_row(
        "Sharpe z-test",
        f"z {fmt.num(sig.get('z'))}, p {fmt.num(sig.get('p_value'), 3)}",
        "live vs backtest Sharpe (Mertens variances)",
    )
    t.add_row(
        "Welch t-test",
        f"t {fmt.num(welch.get('t'))}, p {fmt.num(welch.get('p_value'), 3)}",
        "mean daily return, live vs backtest",
    )
    boot = (ev.get("bootstrap") or {}).get("sharpe")
    if boot:
        diff = ev["bootstrap"]["sharpe_minus_backtest"]
        t.add_row(
            "Sharpe 95 % CI",
            f"[{fmt.num(boot['lower'])}, {fmt.num(boot['upper'])}]",
            "stationary bootstrap, annualised",
        )
        t.add_row(
            "Sharpe - backtest 95 % CI",
            f"[{fmt.num(diff['lower'])}, {fmt.num(diff['upper'])}]",
            "stationary bootstrap, annualised",
        )
    cone = ev.get("cone")
    if cone:
        bands = cone["bands"]
        breached = ", ".join(f"{b['band']} {b['side']}" for b in cone["breaches"]) or "none"
        t.add_row(
            f"cone day {cone['day']}",
            fmt.pct(cone["cumulative_return"]),
            f"5-95 % band [{fmt.pct(bands.get('p5'))}, {fmt.pct(bands.get('p95'))}]; "
            f"breached: {breached}",
        )
    dd = ev.get("drawdown") or {}
    t.add_row(
        "MaxDD 95 / 99 %",
        f"{fmt.pct(dd.get('max_drawdown_95'))} / {fmt.pct(dd.get('max_drawdown_99'))}",
        "statistical drawdown tiers from the backtest (triple penance)",
    )
    dsr = ev.get("dsr") or {}
    if dsr:
        t.add_row(
            "DSR of backtest",
            fmt.pct(dsr.get("value")),
            f"{dsr.get('n_trials')} trials; variance from {dsr.get('sharpe_variance_source')}",
        )
    decay = ev.get("decay") or {}
    if decay:
        verdict = f"ALARM since {decay.get('alarm_date')}" if decay.get("alarm") else "no alarm"
        t.add_row(
            "decay CUSUM",
            f"{fmt.num(decay.get('statistic'))} / {fmt.num(decay.get('threshold'))}",
            escape(verdict if decay.get("available") else str(decay.get("reason"))),
        )
    return t


@app.command()
def init(
    workspace: Annotated[Path, typer.Argument(help="Folder to create the workspace in.")],
    database_url: Annotated[
        str | None, typer.Option(help="SQLAlchemy URL (default: SQLite in the workspace).")
    ] = None,
) -> None:
    """Create a workspace: stratmon.toml, inbox/, reports/ and the database."""
    try:
        ws = create_workspace(workspace, database_url)
        open_store(ws.database_url).dispose()
    except StratmonError as err:
        fail(err)
    console.print(f"Workspace ready at [bold]{ws.root}[/]. Database: {ws.database_url}")


@strategies_app.command("add")
def strategies_add(
    strategy_id: Annotated[str, typer.Option("--id", help="Strategy id (as in data files).")],
    name: Annotated[str, typer.Option(help="Human name.")],
    sector: str = "",
    asset_class: str = "",
    researcher: str = "",
    pool: str = "",
    allocated_capital: float | None = None,
    allocation_date: str | None = None,
    periods_per_year: int = 252,
    benchmark: str | None = None,
    backtest_source: str | None = None,
    calendar: Annotated[str, typer.Option(help="Exchange calendar code or 24/7.")] = "XNYS",
    workspace: WorkspaceOpt = None,
) -> None:
    """Register (or update) one strategy."""
    from stratmon.ingest.calendar import validate_calendar
    from stratmon.store import repositories as repo

    try:
        validate_calendar(calendar)
        _ws, store = open_workspace(workspace)
        s = Strategy(
            strategy_id=strategy_id,
            name=name,
            sector=sector,
            asset_class=asset_class,
            researcher=researcher,
            pool=pool,
            allocated_capital=allocated_capital,
            allocation_date=parse_date(allocation_date),
            periods_per_year=periods_per_year,
            benchmark=benchmark,
            backtest_source=backtest_source,
            calendar=calendar,
        )
        with store.transaction() as conn:
            repo.upsert_strategies(conn, [s])
    except StratmonError as err:
        fail(err)
    console.print(f"Strategy [bold]{strategy_id}[/] registered.")


@strategies_app.command("import")
def strategies_import(
    file: Annotated[Path, typer.Argument(help="CSV/JSON/YAML with the strategy fields.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Register (or update) strategies from a file."""
    from stratmon.ingest import parse_strategies
    from stratmon.store import repositories as repo

    try:
        _ws, store = open_workspace(workspace)
        items = parse_strategies(file)
        with store.transaction() as conn:
            n = repo.upsert_strategies(conn, items)
    except StratmonError as err:
        fail(err)
    console.print(f"{n} strateg{'y' if n == 1 else 'ies'} registered from {file}.")


@strategies_app.command("list")
def strategies_list(workspace: WorkspaceOpt = None) -> None:
    """List registered strategies."""
    from stratmon.store import queries as q

    try:
        _ws, store = open_workspace(workspace)
        with store.read() as conn:
            items = q.strategies(conn)
    except StratmonError as err:
        fail(err)
    table = Table(header_style="bold")
    for col in ("id", "name", "sector", "asset class", "pool", "capital", "since", "calendar"):
        table.add_column(col)
    for s in items:
        table.add_row(
            s.strategy_id,
            s.name,
            s.sector,
            s.asset_class,
            s.pool,
            fmt.money(s.allocated_capital),
            str(s.allocation_date or "–"),
            s.calendar,
        )
    console.print(table)


@backtest_app.command("import")
def backtest_import(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Backtest returns (CSV/JSON/Parquet: "
            "date,strategy_id,return) or expected "
            "metrics (YAML/JSON)."
        ),
    ],
    replace: bool = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Store backtest daily returns and/or expected metrics."""
    from stratmon.ingest import parse_expectations
    from stratmon.intake import ingest_paths
    from stratmon.store import repositories as repo

    try:
        ws, store = open_workspace(workspace)
        for f in files:
            if f.suffix.lower() in (".yaml", ".yml") or _is_expectation_json(f):
                items = parse_expectations(f)
                with store.transaction() as conn:
                    repo.insert_expectations(conn, items)
                console.print(f"{f.name}: expected metrics for {len(items)} strateg(ies).")
            else:
                _print_ingest(ingest_paths(ws, store, [f], replace=replace))
    except StratmonError as err:
        fail(err)


@backtest_app.command("sync")
def backtest_sync(workspace: WorkspaceOpt = None) -> None:
    """Refresh every strategy's backtest from its backtest_source (MLflow run or experiment).

    A new run is stored as a new backtest version beside the older ones. Exit code 1 when
    any strategy failed (the others are still synced).
    """
    from stratmon.backtests import sync_all

    try:
        _ws, store = open_workspace(workspace)
        outcomes = sync_all(store)
    except StratmonError as err:
        fail(err)
    style = {
        "new_version": "green",
        "unchanged": "dim",
        "not_configured": "dim",
        "error": "bold red",
    }
    for o in outcomes:
        label = o.status.replace("_", " ")
        console.print(
            f"[{style[o.status]}]{label}[/] [bold]{escape(o.strategy_id)}[/]: {escape(o.message)}"
        )
        for note in o.notes:
            console.print(f"   [yellow]note[/] {escape(note)}")
        if o.ignored_metrics:
            shown = ", ".join(o.ignored_metrics)
            console.print(f"   [dim]metrics not mapped (ignored): {escape(shown)}[/]")
    if not outcomes:
        console.print("No strategies registered.")
    if any(o.status == "error" for o in outcomes):
        raise typer.Exit(code=1)


def _is_expectation_json(path: Path) -> bool:
    if path.suffix.lower() != ".json":
        return False
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict)


def _print_ingest(outcomes: list[Any]) -> None:
    for o in outcomes:
        if o.outcome == "accepted":
            msg = (
                f"[green]accepted[/] {escape(o.file)} ({o.kind}): {o.n_new} new, "
                f"{o.n_identical} identical, {o.n_replaced} replaced"
            )
            if o.n_round_trips:
                msg += f", {o.n_round_trips} round trips matched"
            if o.quarantined:
                msg += f", [red]{len(o.quarantined)} day(s) quarantined[/]"
            console.print(msg)
            for d in o.quarantined[:10]:
                console.print(f"   [red]quarantined[/] {escape(d)}")
            for f in o.findings[:10]:
                console.print(f"   [yellow]finding[/] {escape(f)}")
        elif o.outcome == "duplicate":
            console.print(f"[dim]skipped[/] {escape(o.file)}: identical to a file already ingested")
        else:
            console.print(
                f"[red]rejected[/] {escape(o.file)} -> {escape(str(o.moved_to))}\n"
                f"{escape(o.error or '')}"
            )


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files to ingest (default: the inbox).")
    ] = None,
    replace: Annotated[
        bool, typer.Option(help="Let rows that contradict stored rows replace them.")
    ] = False,
    confirm: Annotated[
        list[str] | None,
        typer.Option(
            "--confirm",
            help="Confirm the quarantined days of an ingested FILE (by name): they go back "
            "into the statistics. Repeatable.",
        ),
    ] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Ingest daily performance, executions, closed trades and positions files.

    Exit code 2 when any file was rejected or any day quarantined (the last line says so);
    0 only when everything went in.
    """
    from stratmon.ingest import list_inbox
    from stratmon.intake import all_went_in, confirm_files, ingest_paths, outcome_summary

    try:
        ws, store = open_workspace(workspace)
        if confirm:
            _print_confirmed(confirm_files(store, confirm))
            if not paths:
                return
        files = list(paths) if paths else list_inbox(ws.inbox)
        if not files:
            console.print(f"Nothing to ingest in {ws.inbox}.")
            return
        outcomes = ingest_paths(ws, store, files, replace=replace)
    except StratmonError as err:
        fail(err)
    _print_ingest(outcomes)
    console.print(outcome_summary(outcomes), soft_wrap=True, markup=False)
    if not all_went_in(outcomes):
        raise typer.Exit(code=2)


def _print_confirmed(confirmed: dict[str, list[tuple[str, dt.date]]]) -> None:
    for name, days in confirmed.items():
        if days:
            shown = ", ".join(f"{sid} {day.isoformat()}" for sid, day in days)
            console.print(
                f"[green]confirmed[/] {escape(name)}: {len(days)} day(s) back in the "
                f"statistics ({escape(shown)})"
            )
        else:
            console.print(f"[yellow]nothing to confirm[/] in {escape(name)}: no quarantined day")


@app.command()
def run(
    date: Annotated[
        str | None, typer.Option("--date", help="Evaluation date (default: latest data).")
    ] = None,
    no_report: Annotated[bool, typer.Option("--no-report", help="Skip the HTML report.")] = False,
    replace: Annotated[
        bool,
        typer.Option(help="Let inbox rows that contradict stored rows replace them (corrections)."),
    ] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """The daily job: ingest the inbox, evaluate every active strategy, alert, report.

    Exit code 2 when any inbox file was rejected or any day quarantined (the last line says
    so); 0 only when everything went in.
    """
    from stratmon.intake import all_went_in, outcome_summary
    from stratmon.pipeline import DailyJob

    try:
        ws, store = open_workspace(workspace)
        result = DailyJob(ws, store).run(
            parse_date(date), write_report=not no_report, replace=replace
        )
    except StratmonError as err:
        fail(err)
    _print_ingest(result.ingested)
    if result.as_of is None:
        console.print("No data yet: drop files into the inbox and run again.")
    else:
        from stratmon.cli_status import held_data, print_status

        with store.read() as conn:  # quarantined days, NAV/PnL disagreements, positions unknown
            held = held_data(conn, result.as_of, [a.strategy_id for a in result.assessments])
        print_status(result.assessments, result.as_of, result.book_changes, held)
        for e in result.events:
            console.print(
                f"alert {e.rule}/{e.tier} {e.strategy_id}: {e.from_state} -> {e.to_state}"
            )
        if result.report:
            console.print(f"Report: {result.report}")
    if result.ingested:
        console.print(outcome_summary(result.ingested), soft_wrap=True, markup=False)
    if not all_went_in(result.ingested):
        raise typer.Exit(code=2)


def comparison_details(store: Any, strategy: str, as_of: dt.date) -> None:
    """The stored comparison, evidence, metrics by window and alerts of one strategy."""
    from stratmon.store import queries as q

    with store.read() as conn:
        res = q.results_on(conn, as_of).get(strategy, {})
        alert_history = q.alerts(conn, strategy_id=strategy)
        evidence = q.statistics_on(conn, as_of).get(strategy, {})
    cmp_table = Table(title="Live vs backtest, metric by metric", header_style="bold")
    for col in ("metric", "live", "backtest", "deviation", "band", "why"):
        cmp_table.add_column(col)
    for c in res.get("comparison", []):
        cmp_table.add_row(
            c["metric"],
            fmt.num(c["live"], 3),
            fmt.num(c["backtest"], 3),
            fmt.deviation(c["deviation"], c["live"], c["backtest"]),
            f"[{STATUS_STYLE.get(c['status'], '')}]{c['status']}[/]",
            c.get("reason", ""),
        )
    console.print(cmp_table)
    if evidence:
        console.print(evidence_table(evidence))
    m_table = Table(title="Metrics by window", header_style="bold")
    metrics = res.get("metrics", {})
    windows = sorted(metrics, key=lambda w: (w != "all", w))
    m_table.add_column("metric")
    for w in windows:
        m_table.add_column(w if w == "all" else f"{w}d", justify="right")
    for name in list(metrics.get("all", {})):
        m_table.add_row(name, *(fmt.num(metrics[w].get(name), 4) for w in windows))
    console.print(m_table)
    if alert_history:
        a_table = Table(title="Alerts", header_style="bold")
        for col in ("id", "rule", "tier", "state", "since", "fired", "resolved", "message"):
            a_table.add_column(col)
        for a in alert_history:
            a_table.add_row(
                str(a["id"]),
                a["rule"],
                a["tier"],
                a["state"],
                str(a["started_at"]),
                str(a["fired_at"] or "–"),
                str(a["resolved_at"] or "–"),
                a["message"],
            )
        console.print(a_table)


@app.command()
def demo(
    directory: Annotated[Path, typer.Argument(help="Workspace folder for the demo.")] = Path(
        "demo-workspace"
    ),
) -> None:
    """Build a workspace from real market data (arch) and replay 2013-2018 day by day."""
    from stratmon.demo.run import run_demo

    try:
        run_demo(directory, console)
    except StratmonError as err:
        fail(err)


from stratmon.cli_alerts import alerts_app  # noqa: E402
from stratmon.cli_dashboard import dashboard as dashboard_command  # noqa: E402
from stratmon.cli_reports import benchmarks_app, report_app  # noqa: E402
from stratmon.cli_service import keys_app, serve  # noqa: E402
from stratmon.cli_status import recommend, status  # noqa: E402

app.command("status")(status)
app.command("recommend")(recommend)
app.add_typer(report_app, name="report")
app.add_typer(benchmarks_app, name="benchmarks")
app.add_typer(keys_app, name="keys")
app.add_typer(alerts_app, name="alerts")
app.command("serve", help="Serve the REST API, /metrics and the daily-job scheduler.")(serve)

app.command("dashboard", help="Serve the Streamlit dashboard on 127.0.0.1.")(dashboard_command)

if __name__ == "__main__":  # pragma: no cover
    app()
