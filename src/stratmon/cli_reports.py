"""``stratmon report ...`` and ``stratmon benchmarks ...`` (Typer groups)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table as RichTable

from stratmon.cli_common import WorkspaceOpt, console, fail, open_workspace, parse_date
from stratmon.errors import StratmonError
from stratmon.reports.model import Report

report_app = typer.Typer(
    help="Reports from the stored results: daily, weekly, monthly and ad hoc.",
    no_args_is_help=True,
)
benchmarks_app = typer.Typer(
    help="Benchmark series (daily returns) and composite benchmarks.", no_args_is_help=True
)


DateOpt = Annotated[
    str | None,
    typer.Option(
        "--date", help="Evaluation date YYYY-MM-DD (default: the newest; else the newest before)."
    ),
]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="html, pdf, md or json.")]
OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="File to write (default: reports/<kind>_<date>.<ext>)."),
]
SendOpt = Annotated[
    list[str] | None,
    typer.Option("--send", help="Also send it through this alert channel (repeatable)."),
]


def _day(value: str | None) -> dt.date | None:
    """``--date`` parsed, or a clean exit naming the bad value."""
    try:
        return parse_date(value)
    except StratmonError as err:
        fail(err)


def _required_date(value: str, option: str) -> dt.date:
    d = parse_date(value, option)
    assert d is not None
    return d


def _emit(
    workspace: Path | None,
    build: Callable[..., Report],
    fmt_: str,
    output: Path | None,
    send: list[str] | None,
    name: str,
    *args: object,
) -> None:
    from stratmon.reports.render import FORMATS, write_report

    failed = 0
    try:
        if fmt_ not in FORMATS:
            raise StratmonError(f"--format {fmt_!r}: use one of {', '.join(FORMATS)}.")
        ws, store = open_workspace(workspace)
        try:
            if send:  # an unknown channel stops here: nothing built, written or sent
                from stratmon.reports.deliver import report_channels

                report_channels(ws, send)
            with store.read() as conn:
                report = build(conn, *args)
        finally:
            store.dispose()
        path = output or ws.reports_dir / f"{name}_{report.as_of.isoformat()}.{fmt_}"
        write_report(report, path, fmt_)
        console.print(f"Report: {path}")
        if send:
            from stratmon.reports.deliver import send_report

            for channel, error in send_report(ws, report, path, send).items():
                failed += error is not None
                console.print(
                    f"sent to {escape(channel)}"
                    if error is None
                    else f"[red]not sent to {escape(channel)}:[/] {escape(error)}"
                )
    except StratmonError as err:
        fail(err)
    if failed:  # the report is written; a channel that failed still fails the command
        raise typer.Exit(code=1)


@report_app.command("daily")
def report_daily(
    date: DateOpt = None,
    fmt_: FormatOpt = "html",
    output: OutputOpt = None,
    send: SendOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """PnL per strategy, top winners and losers, NAV and utilisation, positions, alerts."""
    from stratmon.reports.periodic import build_daily

    day = _day(date)
    _emit(workspace, build_daily, fmt_, output, send, "daily", day)


@report_app.command("weekly")
def report_weekly(
    date: DateOpt = None,
    fmt_: FormatOpt = "html",
    output: OutputOpt = None,
    send: SendOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Weekly returns, rolling Sharpe, drawdowns, trades, attribution, benchmarks."""
    from stratmon.reports.periodic import build_weekly

    day = _day(date)
    _emit(workspace, build_weekly, fmt_, output, send, "weekly", day)


@report_app.command("monthly")
def report_monthly(
    date: DateOpt = None,
    fmt_: FormatOpt = "html",
    output: OutputOpt = None,
    send: SendOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Monthly returns, risk, attribution, cohorts, utilisation, recommendations."""
    from stratmon.reports.periodic import build_monthly

    day = _day(date)
    _emit(workspace, build_monthly, fmt_, output, send, "monthly", day)


@report_app.command("strategy")
def report_strategy(
    strategy_id: str,
    date: DateOpt = None,
    fmt_: FormatOpt = "html",
    output: OutputOpt = None,
    send: SendOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Deep dive into one strategy."""
    from stratmon.reports.adhoc import build_strategy

    day = _day(date)
    _emit(
        workspace, build_strategy, fmt_, output, send, f"strategy_{strategy_id}", strategy_id, day
    )


@report_app.command("compare")
def report_compare(
    strategy_ids: list[str],
    date: DateOpt = None,
    fmt_: FormatOpt = "html",
    output: OutputOpt = None,
    send: SendOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Strategies side by side (return, Sharpe, drawdown, hit rate, volatility, trades)."""
    from stratmon.reports.adhoc import build_compare

    day = _day(date)
    _emit(workspace, build_compare, fmt_, output, send, "compare", strategy_ids, day)


@report_app.command("period")
def report_period(
    from_: Annotated[str, typer.Option("--from", help="First day of period A.")],
    to: Annotated[str, typer.Option("--to", help="Last day of period A.")],
    vs_from: Annotated[str, typer.Option("--vs-from", help="First day of period B.")],
    vs_to: Annotated[str, typer.Option("--vs-to", help="Last day of period B.")],
    fmt_: FormatOpt = "html",
    output: OutputOpt = None,
    send: SendOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Compare two periods (e.g. Q1 vs Q2)."""
    from stratmon.reports.adhoc import build_period

    try:
        a, b = _required_date(from_, "--from"), _required_date(to, "--to")
        c, d = _required_date(vs_from, "--vs-from"), _required_date(vs_to, "--vs-to")
    except StratmonError as err:
        fail(err)
    _emit(workspace, build_period, fmt_, output, send, f"period_{a}_{b}_vs_{c}_{d}", a, b, c, d)


@report_app.command("backtest")
def report_backtest(
    strategy_id: str,
    date: DateOpt = None,
    fmt_: FormatOpt = "html",
    output: OutputOpt = None,
    send: SendOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Live vs backtest: comparison, statistics and the cone."""
    from stratmon.reports.adhoc import build_backtest

    day = _day(date)
    _emit(
        workspace, build_backtest, fmt_, output, send, f"backtest_{strategy_id}", strategy_id, day
    )


@benchmarks_app.command("import")
def benchmarks_import(
    file: Annotated[Path, typer.Argument(help="CSV/JSON/Parquet: date, benchmark_id, return")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Import (replace) daily benchmark returns."""
    from stratmon.attribution.benchmark_file import read_benchmark_file
    from stratmon.store import benchmarks_repo as brepo

    try:
        rows = read_benchmark_file(file)
        _, store = open_workspace(workspace)
        with store.transaction() as conn:
            counts = brepo.import_returns(conn, rows, source=str(file))
        store.dispose()
    except StratmonError as err:
        fail(err)
    for bid, n in counts.items():
        console.print(f"{bid}: {n} daily returns stored")


@benchmarks_app.command("composite")
def benchmarks_composite(
    benchmark_id: str,
    weight: Annotated[
        list[str],
        typer.Option(
            "--weight", help="SERIES=WEIGHT (repeatable), e.g. --weight SPX=0.6 --weight CASH=0.4"
        ),
    ],
    name: Annotated[str, typer.Option("--name")] = "",
    workspace: WorkspaceOpt = None,
) -> None:
    """Define a composite benchmark as weights of stored series (rebalanced daily)."""
    from stratmon.store import benchmarks_repo as brepo

    try:
        weights = {}
        for w in weight:
            key, _, value = w.partition("=")
            try:
                weights[key.strip()] = float(value)
            except ValueError:
                raise StratmonError(f"--weight {w!r}: use SERIES=WEIGHT, e.g. SPX=0.6.") from None
        _, store = open_workspace(workspace)
        with store.transaction() as conn:
            brepo.define_composite(conn, benchmark_id, weights, name)
        store.dispose()
    except StratmonError as err:
        fail(err)
    console.print(f"{benchmark_id} = " + " + ".join(f"{v:g} x {k}" for k, v in weights.items()))


@benchmarks_app.command("list")
def benchmarks_list(workspace: WorkspaceOpt = None) -> None:
    """Stored benchmarks."""
    from stratmon.store import benchmarks_repo as brepo

    try:
        _, store = open_workspace(workspace)
        with store.read() as conn:
            rows = brepo.benchmarks(conn)
        store.dispose()
    except StratmonError as err:
        fail(err)
    table = RichTable(title="benchmarks", header_style="bold")
    for c in ("id", "name", "kind", "components", "days", "first", "last"):
        table.add_column(c)
    for r in rows:
        table.add_row(
            r["benchmark_id"],
            r["name"],
            r["kind"],
            ", ".join(f"{k}={v:g}" for k, v in (r["components"] or {}).items()),
            str(r["n_obs"]),
            str(r["first"] or "–"),
            str(r["last"] or "–"),
        )
    console.print(table)
