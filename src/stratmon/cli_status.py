"""``stratmon status`` and ``stratmon recommend``: render the stored assessments (never a
judgement of their own)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from stratmon.changes import change_lines, held_data_lines
from stratmon.cli_common import WorkspaceOpt, console, fail, open_workspace, parse_date
from stratmon.domain.assessment import Assessment
from stratmon.errors import StratmonError
from stratmon.reports import assessment_view as view
from stratmon.reports import format as fmt

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def print_json(value: Any) -> None:
    """JSON on stdout, unwrapped (for scripts)."""
    typer.echo(json.dumps(value, indent=2, default=str))


def changes_panel(
    assessments: Sequence[Assessment],
    book: Sequence[str],
    held: Mapping[str, Sequence[str]] | None = None,
) -> None:
    """The "what changed since the previous session" list that opens the status, with the
    data each strategy's figures leave out (``held``: quarantined days, NAV/PnL
    disagreements, positions unknown)."""
    console.print("[bold]What changed since the previous session[/]")
    for line in change_lines(assessments, book, held):
        console.print(f"  • {escape(line)}")


def assessment_table(assessments: Sequence[Assessment], as_of: dt.date | None) -> Table:
    """One row per strategy, most urgent first (the firing alerts by name and each verdict's
    reasons follow the table)."""
    table = Table(title=f"stratmon status as of {as_of}", header_style="bold")
    for col, justify in (
        ("Strategy", "left"),
        ("Verdict", "left"),
        ("Health (recent)", "right"),
        ("Sharpe live/bt", "right"),
        ("Cur. DD", "right"),
        ("Status: live to date", "left"),
        ("Status: 30 sessions", "left"),
        ("Recommendation", "left"),
        ("Alerts firing", "left"),
    ):
        table.add_column(col, justify=justify, no_wrap=col == "Strategy")  # type: ignore[arg-type]
    for a in view.ranked(assessments):
        ev = a.evidence
        table.add_row(
            a.strategy_id,
            f"[{view.VERDICT_STYLE.get(a.verdict, '')}]{view.verdict_text(a)}[/]",
            f"{fmt.score(a.health, a.health_trend)} ({fmt.score(a.recent_health)})",
            f"{fmt.num(ev.get('live_sharpe_ratio'))} / {fmt.num(ev.get('backtest_sharpe_ratio'))}",
            fmt.pct(ev.get("current_drawdown")),
            f"[{view.STATUS_STYLE.get(a.status.status, '')}]{a.status.status}[/]",
            f"[{view.STATUS_STYLE.get(a.status_recent.status, '')}]{a.status_recent.status}[/]",
            view.recommendation_short(a),
            view.alert_counts(a),
        )
    return table


def reasons_panel(
    assessments: Sequence[Assessment], held: Mapping[str, Sequence[str]] | None = None
) -> None:
    """Why each verdict: its two or three pieces of evidence, then the data it stands on
    without (``held``, as :func:`stratmon.changes.held_data_lines`)."""
    console.print("[bold]Why[/]")
    held = held or {}
    for a in view.ranked(assessments):
        console.print(f"  [bold]{a.strategy_id}[/] ({view.verdict_text(a)}):")
        for r in a.reasons:
            console.print(f"    - {escape(r)}")
        for r in held.get(a.strategy_id, ()):
            console.print(f"    - [yellow]data: {escape(r)}[/]")
        firing = ", ".join(view.firing_text(a))
        if firing:
            console.print(f"    [dim]firing: {escape(firing)}[/]")


def print_status(
    assessments: Sequence[Assessment],
    as_of: dt.date,
    book: Sequence[str],
    held: Mapping[str, Sequence[str]] | None = None,
) -> None:
    """The whole status screen: changes, the table, the reasons."""
    changes_panel(assessments, book, held)
    console.print(assessment_table(assessments, as_of))
    reasons_panel(assessments, held)


def held_data(conn: Any, as_of: dt.date, ids: Sequence[str]) -> dict[str, list[str]]:
    """Per strategy, what its figures of ``as_of`` leave out or cannot vouch for."""
    from stratmon.store import queries as q

    return held_data_lines(
        q.quarantined_days(conn, ids), q.open_data_findings(conn, as_of, ids), as_of
    )


def detail(a: Assessment, held: Sequence[str] = ()) -> None:
    """One strategy's assessment in full (``held``: the data its figures leave out)."""
    console.print(
        f"[bold]{a.strategy_id}[/] as of {a.as_of}: "
        f"[{view.VERDICT_STYLE.get(a.verdict, '')}]{view.verdict_text(a)}[/]"
        + (f" since {a.verdict_since}" if a.verdict_since else "")
        + (f" ({a.pending} pending, {a.pending_sessions} session(s))" if a.pending else "")
    )
    for r in a.reasons:
        console.print(f"  - {escape(r)}")
    for r in held:
        console.print(f"  - [yellow]data: {escape(r)}[/]")
    console.print(f"Recommendation: {view.recommendation_text(a)}")
    if a.recommendation.rule:
        console.print(f"  [dim]{escape(a.recommendation.rule)}[/]")
    console.print(
        f"Status: {view.status_text(a.status.status, a.status.window)} – {escape(a.status.reason)}"
    )
    console.print(
        f"        {view.status_text(a.status_recent.status, a.status_recent.window)} – "
        f"{escape(a.status_recent.reason)}"
    )
    h = Table(
        title=f"Health {fmt.score(a.health, a.health_trend)} (recent {fmt.score(a.recent_health)})",
        header_style="bold",
    )
    for col in ("component", "weight", "score", "p-value", "test", "why"):
        h.add_column(col)
    for c in a.health_components:
        h.add_row(
            c.name,
            fmt.pct(c.weight, 0),
            view.component_text(c.value),
            fmt.num(c.p_value, 3),
            escape(c.test),
            escape(c.reason),
        )
    console.print(h)
    console.print("Firing alerts: " + (", ".join(view.firing_text(a)) or "none"))
    console.print("Changes since the previous session:")
    for line in (*a.changes, *held) or ("none",):
        console.print(f"  • {escape(line)}")


def status(
    strategy: Annotated[str | None, typer.Argument(help="One strategy id for details.")] = None,
    date: Annotated[str | None, typer.Option("--date")] = None,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """What changed, then each strategy's verdict, health, status and recommendation."""
    from stratmon.cli import comparison_details
    from stratmon.store import assessments as sa

    try:
        _ws, store = open_workspace(workspace)
        with store.read() as conn:
            as_of = sa.latest_assessment_date(conn, parse_date(date))
            if as_of is None:
                if as_json:
                    print_json([] if strategy is None else None)
                    return
                console.print("No evaluation yet: run `stratmon run`.")
                return
            assessments = sa.assessments_on(conn, as_of)
            book = sa.book_changes(conn, as_of)
            held = held_data(conn, as_of, [a.strategy_id for a in assessments])
            chosen = next((a for a in assessments if a.strategy_id == strategy), None)
            if strategy is not None and chosen is None:
                raise StratmonError(
                    f"No assessment of strategy {strategy!r} on {as_of}; known: "
                    f"{sorted(a.strategy_id for a in assessments)}."
                )
    except StratmonError as err:
        fail(err)
    if strategy is None:
        if as_json:
            print_json([a.to_dict() for a in view.ranked(assessments)])
        else:
            print_status(assessments, as_of, book, held)
        return
    assert chosen is not None
    if as_json:
        print_json(chosen.to_dict())
        return
    detail(chosen, held.get(chosen.strategy_id, ()))
    comparison_details(store, chosen.strategy_id, as_of)


def recommend(
    date: Annotated[str | None, typer.Option("--date")] = None,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """The book's reallocation proposal: each strategy's suggested capital and the change."""
    from stratmon.store import assessments as sa

    try:
        _ws, store = open_workspace(workspace)
        with store.read() as conn:
            as_of = sa.latest_assessment_date(conn, parse_date(date))
            assessments = sa.assessments_on(conn, as_of) if as_of else []
    except StratmonError as err:
        fail(err)
    rows = [
        {"strategy_id": a.strategy_id, "verdict": a.verdict, **a.recommendation.to_dict()}
        for a in view.ranked(assessments)
    ]
    current = sum(r["current_capital"] or 0.0 for r in rows)
    suggested = sum(r["suggested_capital"] or 0.0 for r in rows)
    book = {
        "as_of": as_of.isoformat() if as_of else None,
        "total_current_capital": current,
        "total_suggested_capital": suggested,
        "unallocated_after": current - suggested,
        "strategies": rows,
    }
    if as_json:
        print_json(book)
        return
    if as_of is None:
        console.print("No evaluation yet: run `stratmon run`.")
        return
    t = Table(title=f"Reallocation proposal as of {as_of}", header_style="bold")
    for col, justify in (
        ("Strategy", "left"),
        ("Verdict", "left"),
        ("Action", "left"),
        ("Current", "right"),
        ("Suggested", "right"),
        ("Change", "right"),
    ):
        t.add_column(col, justify=justify)  # type: ignore[arg-type]
    for a in view.ranked(assessments):
        r = a.recommendation
        t.add_row(
            a.strategy_id,
            view.verdict_text(a),
            view.ACTION_LABELS.get(r.action, r.action),
            fmt.money(r.current_capital),
            fmt.money(r.suggested_capital),
            fmt.money(r.change),
        )
    t.add_row(
        "unallocated (cash)",
        "",
        "",
        "0",
        fmt.money(current - suggested),
        fmt.money(current - suggested),
    )
    t.add_row("[bold]book[/]", "", "", fmt.money(current), fmt.money(current), "0")
    console.print(t)
    rule = next((a.recommendation.rule for a in assessments if a.recommendation.rule), "")
    if rule:
        console.print(f"[dim]Rule: {escape(rule)}[/]")
