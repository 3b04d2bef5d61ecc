"""``stratmon alerts ...``: list, show, acknowledge, resolve, silence, dispatch, statistics and
channel tests. Registered in :mod:`stratmon.cli` as ``app.add_typer(alerts_app, name="alerts")``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.markup import escape
from rich.table import Table

from stratmon.alerts import actions
from stratmon.alerts.config import AlertConfig, alert_config_from_dict
from stratmon.alerts.dispatch import dispatch_outbox, test_channels, workspace_secrets
from stratmon.alerts.log import append_events
from stratmon.alerts.messages import format_value
from stratmon.cli_common import WorkspaceOpt, console, err_console, fail, open_workspace
from stratmon.config import Workspace
from stratmon.errors import StratmonError
from stratmon.store import Store
from stratmon.store import alerts_queries as aq

alerts_app = typer.Typer(
    help="List, inspect, acknowledge, resolve and silence alerts; test the channels.",
    no_args_is_help=True,
)


STATE_STYLE = {
    "firing": "bold red",
    "pending": "yellow",
    "no_data": "cyan",
    "resolved": "green",
    "inactive": "dim",
    "reached": "blue",
}
SEVERITY_STYLE = {"emergency": "bold magenta", "critical": "red", "warning": "yellow", "info": ""}


def _open(workspace: Path | None) -> tuple[Workspace, Store, AlertConfig]:
    ws, store = open_workspace(workspace)
    return ws, store, alert_config_from_dict(ws.config["alerts"])


def _styled(text: str, style: str) -> str:
    return f"[{style}]{escape(text)}[/]" if style else escape(text)


def _num(rule: str, x: Any) -> str:
    return format_value(rule, None if x is None else float(x))


def _when(x: Any) -> str:
    if x is None:
        return "–"
    return x.strftime("%Y-%m-%d %H:%M") if hasattr(x, "hour") else x.isoformat()


@alerts_app.command("list")
def list_(
    state: Annotated[
        str | None,
        typer.Option(
            "--state", help="firing, pending, no_data, resolved, inactive or reached (milestones)."
        ),
    ] = None,
    strategy: Annotated[str | None, typer.Option("--strategy", help="Strategy id.")] = None,
    rule: Annotated[str | None, typer.Option("--rule", help="Rule name.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many (newest).")] = 100,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Print the open alerts, one per strategy and concern, as JSON."
        ),
    ] = False,
    by_rule: Annotated[
        bool,
        typer.Option("--rules", help="One row per rule alert (the parts) instead of per concern."),
    ] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """The open alerts, one per strategy and concern, most severe first (``--json``: as the
    API serves them; ``--rules`` or a closed ``--state``: every rule alert, newest first)."""
    if state is not None and state not in STATE_STYLE:
        fail(StratmonError(f"--state {state!r}: use one of {', '.join(STATE_STYLE)}."))
    if as_json:
        typer.echo(json.dumps(_open_concerns(workspace, state, strategy, rule, limit), indent=2))
        return
    if not by_rule and state in (None, "firing", "pending", "no_data"):
        _concern_table(_open_concerns(workspace, state, strategy, rule, limit))
        return
    try:
        _, store, _ = _open(workspace)
        with store.read() as conn:
            rows = aq.list_alerts(conn, state=state, strategy_id=strategy, rule=rule, limit=limit)
    except StratmonError as err:
        fail(err)
    table = Table(title=f"Alerts ({len(rows)})")
    for col in ("ID", "State", "Severity", "Rule", "Strategy", "Value", "Threshold", "Since"):
        table.add_column(col, justify="right" if col in ("ID", "Value", "Threshold") else "left")
    table.add_column("Ack")
    for a in rows:
        table.add_row(
            str(a["id"]),
            _styled(a["state"], STATE_STYLE.get(a["state"], "")),
            _styled(a["severity"], SEVERITY_STYLE.get(a["severity"], "")),
            a["rule"],
            a["strategy_id"],
            _num(a["rule"], a["last_value"]),
            _num(a["rule"], a["threshold"]),
            _when(a["fired_at"] or a["started_at"]),
            escape(a["acknowledged_by"] or ""),
        )
    console.print(table)


def _open_concerns(
    workspace: Path | None, state: str | None, strategy: str | None, rule: str | None, limit: int
) -> list[dict[str, Any]]:
    """The open concern alerts (``aq.concern_alerts``) in this state, with this rule among
    their parts, at most ``limit``."""
    try:
        _, store, config = _open(workspace)
        with store.read() as conn:
            items = aq.concern_alerts(conn, strategy_id=strategy, config=config)
    except StratmonError as err:
        fail(err)
    return [
        a
        for a in items
        if (state is None or a["state"] == state) and (rule is None or rule in a["rules"])
    ][:limit]


def _concern_table(items: list[dict[str, Any]]) -> None:
    table = Table(title=f"Open alerts, one per strategy and concern ({len(items)})")
    for col in ("ID", "State", "Severity", "Strategy", "Concern", "Rules", "Since", "What"):
        table.add_column(col, justify="right" if col == "ID" else "left")
    for a in items:
        table.add_row(
            str(a["id"]),
            _styled(a["state"], STATE_STYLE.get(a["state"], "")),
            _styled(a["severity"], SEVERITY_STYLE.get(a["severity"], "")),
            a["strategy_id"],
            a["concern"],
            ", ".join(a["rules"]),
            a["fired_at"] or "–",
            escape(a["message"]),
        )
    console.print(table)
    console.print("Each rule alert: stratmon alerts list --rules; one: stratmon alerts show ID")


@alerts_app.command("history")
def history(
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only alerts still open on or after this date (YYYY-MM-DD)."),
    ] = None,
    strategy: Annotated[str | None, typer.Option("--strategy", help="Strategy id.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Every alert episode, one per strategy and concern, oldest first."""
    try:
        day = dt.date.fromisoformat(since) if since else None
    except ValueError:
        fail(StratmonError(f"--since {since!r}: give a date as YYYY-MM-DD."))
    try:
        _, store, config = _open(workspace)
        with store.read() as conn:
            items = aq.concern_alerts(
                conn, strategy_id=strategy, config=config, history=True, since=day
            )
    except StratmonError as err:
        fail(err)
    if as_json:
        typer.echo(json.dumps(items, indent=2))
        return
    table = Table(title=f"Alert history ({len(items)})")
    for col in ("ID", "Strategy", "Concern", "Rules", "Severity", "State", "Fired", "Resolved"):
        table.add_column(col, justify="right" if col == "ID" else "left")
    for a in items:
        table.add_row(
            str(a["id"]),
            a["strategy_id"],
            a["concern"],
            ", ".join(a["rules"]),
            _styled(a["severity"], SEVERITY_STYLE.get(a["severity"], "")),
            _styled(a["state"], STATE_STYLE.get(a["state"], "")),
            a["fired_at"] or "–",
            a["resolved_at"] or "–",
        )
    console.print(table)


@alerts_app.command("show")
def show(
    alert_id: Annotated[int, typer.Argument(help="Alert id (see `stratmon alerts list`).")],
    workspace: WorkspaceOpt = None,
) -> None:
    """One alert and its history (transitions, escalations, acknowledgements)."""
    try:
        _, store, _ = _open(workspace)
        with store.read() as conn:
            a = aq.alert(conn, alert_id)
            history = aq.alert_history(conn, alert_id) if a else []
    except StratmonError as err:
        fail(err)
    if a is None:
        fail(StratmonError(f"No alert #{alert_id}. List them with `stratmon alerts list`."))
    console.print(
        f"[bold]Alert #{a['id']}[/] {a['rule']} on {a['strategy_id']}: "
        f"{_styled(a['state'], STATE_STYLE.get(a['state'], ''))}, severity {a['severity']} "
        f"(tier {a['tier']}, {a['category'] or ''})"
    )
    console.print(f"  {escape(a['message'])}")
    console.print(
        f"  value {_num(a['rule'], a['last_value'])} vs threshold "
        f"{_num(a['rule'], a['threshold'])}; started {_when(a['started_at'])}, fired "
        f"{_when(a['fired_at'])}, resolved {_when(a['resolved_at'])}"
    )
    if a["acknowledged_by"]:
        console.print(
            f"  acknowledged by {escape(a['acknowledged_by'])} at {_when(a['acknowledged_at'])}"
            f": {escape(a['ack_note'] or '')}"
        )
    table = Table(title="History")
    for col in ("When", "What", "By", "Severity", "Value", "Threshold", "Message / note"):
        table.add_column(col)
    for h in history:
        what = f"{h['from_state']} -> {h['to_state']}" if h["kind"] == "transition" else h["kind"]
        table.add_row(
            _when(h["at"]),
            what,
            escape(h["actor"] or "stratmon"),
            h["severity"] or "",
            _num(a["rule"], h["value"]),
            _num(a["rule"], h["threshold"]),
            escape(h["text"] or ""),
        )
    console.print(table)
    if a["state"] in ("pending", "firing", "no_data"):
        console.print(f'Acknowledge: stratmon alerts ack {alert_id} --by NAME --note "..."')


@alerts_app.command("ack")
def ack(
    alert_id: Annotated[int, typer.Argument(help="Alert id.")],
    by: Annotated[str, typer.Option("--by", help="Who acknowledges.")],
    note: Annotated[str, typer.Option("--note", help="Why / what is being done.")] = "",
    workspace: WorkspaceOpt = None,
) -> None:
    """Acknowledge an alert: no repeats until it escalates or resolves."""
    try:
        ws, store, _ = _open(workspace)
        event = actions.acknowledge(store, alert_id, by, note)
        append_events(ws.alert_log, [event])
    except StratmonError as err:
        fail(err)
    console.print(f"Alert #{alert_id} acknowledged by {escape(by)}.")


@alerts_app.command("resolve")
def resolve(
    alert_id: Annotated[int, typer.Argument(help="Alert id.")],
    note: Annotated[str, typer.Option("--note", help="Why it is resolved.")] = "",
    by: Annotated[str, typer.Option("--by", help="Who resolves.")] = "cli",
    workspace: WorkspaceOpt = None,
) -> None:
    """Resolve an alert by hand (the resolved message is queued and dispatched)."""
    try:
        ws, store, config = _open(workspace)
        event = actions.resolve(store, alert_id, by, note, config=config)
        append_events(ws.alert_log, [event])
        report = dispatch_outbox(store, config, secrets=workspace_secrets(ws.root, config))
    except StratmonError as err:
        fail(err)
    console.print(f"Alert #{alert_id} resolved by {escape(by)}.")
    if report.sent or report.pending:
        console.print(f"Notifications: {report.sent} sent, {report.pending} waiting.")


@alerts_app.command("silence")
def silence(
    duration: Annotated[str, typer.Option("--for", help="How long: 30m, 12h, 2d, 1w.")],
    strategy: Annotated[str | None, typer.Option("--strategy", help="Strategy id.")] = None,
    rule: Annotated[str | None, typer.Option("--rule", help="Rule name.")] = None,
    pool: Annotated[str | None, typer.Option("--pool", help="Pool name.")] = None,
    by: Annotated[str, typer.Option("--by", help="Who silences.")] = "cli",
    note: Annotated[str, typer.Option("--note", help="Why.")] = "",
    workspace: WorkspaceOpt = None,
) -> None:
    """Silence notifications of matching alerts for a while (state tracking goes on)."""
    try:
        _, store, _ = _open(workspace)
        silence_id = actions.silence(
            store,
            duration=actions.parse_duration(duration),
            by=by,
            strategy_id=strategy,
            rule=rule,
            pool=pool,
            note=note,
        )
        with store.read() as conn:
            s = next(x for x in aq.silences(conn) if x["id"] == silence_id)
    except StratmonError as err:
        fail(err)
    matchers = ", ".join(
        f"{k}={v}" for k, v in (("strategy", strategy), ("rule", rule), ("pool", pool)) if v
    )
    console.print(f"Silence #{silence_id} ({matchers}) until {_when(s['ends_at'])} UTC.")


@alerts_app.command("silences")
def silences(workspace: WorkspaceOpt = None) -> None:
    """Every silence (in force or not)."""
    try:
        _, store, _ = _open(workspace)
        with store.read() as conn:
            rows = aq.silences(conn)
    except StratmonError as err:
        fail(err)
    table = Table(title="Silences")
    for col in ("ID", "Strategy", "Rule", "Pool", "From", "Until", "By", "Note"):
        table.add_column(col)
    for s in rows:
        table.add_row(
            str(s["id"]),
            s["strategy_id"] or "*",
            s["rule"] or "*",
            s["pool"] or "*",
            _when(s["starts_at"]),
            _when(s["ends_at"]),
            escape(s["created_by"]),
            escape(s["note"] or ""),
        )
    console.print(table)


@alerts_app.command("dispatch")
def dispatch(workspace: WorkspaceOpt = None) -> None:
    """Send what the outbox holds (digests included); failures stay queued."""
    try:
        ws, store, config = _open(workspace)
        report = dispatch_outbox(store, config, secrets=workspace_secrets(ws.root, config))
    except StratmonError as err:
        fail(err)
    console.print(f"{report.sent} sent, {report.digests} digests built, {report.pending} waiting.")
    for e in report.errors:
        err_console.print(f"[yellow]{escape(e)}[/]")
    if report.pending:
        raise typer.Exit(code=1)


@alerts_app.command("stats")
def stats(workspace: WorkspaceOpt = None) -> None:
    """Per rule: alerts fired, acknowledged, resolved; time to acknowledge and to resolve."""
    try:
        _, store, _ = _open(workspace)
        with store.read() as conn:
            rows = aq.resolution_stats(conn)
    except StratmonError as err:
        fail(err)

    def f(x: Any, digits: int = 1) -> str:
        return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"

    table = Table(title="Alert resolution by rule")
    for col in ("Rule", "Fired", "Acked", "Resolved", "Median h to ack", "Median d to resolve"):
        table.add_column(col, justify="left" if col == "Rule" else "right")
    for rule, d in rows.items():
        table.add_row(
            rule,
            str(d["fired"]),
            str(d["acknowledged"]),
            str(d["resolved"]),
            f(d["median_hours_to_acknowledge"]),
            f(d["median_days_to_resolve"], 0),
        )
    console.print(table)


@alerts_app.command("test-channels")
def test_channels_cmd(workspace: WorkspaceOpt = None) -> None:
    """Send a test message to every configured channel and say which worked."""
    try:
        ws, _, config = _open(workspace)
        if not config.channels:
            console.print("No channels configured: add [alerts.channels.NAME] to stratmon.toml.")
            return
        results = test_channels(config, secrets=workspace_secrets(ws.root, config))
    except StratmonError as err:
        fail(err)
    failed = 0
    for name, res in results.items():
        if res.ok:
            console.print(f"[green]ok[/]    {name}")
        else:
            failed += 1
            console.print(f"[red]fail[/]  {name}: {escape(res.error or '')}")
    if failed:
        raise typer.Exit(code=1)


def _delay_text(d: float | None, sessions: int) -> str:
    return f">{sessions}" if d is None else f"{d:.0f}"


@alerts_app.command("calibrate")
def calibrate_cmd(
    strategy: Annotated[str | None, typer.Option("--strategy", help="Strategy id.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    paths: Annotated[int, typer.Option("--paths", help="Bootstrap paths per strategy.")] = 50,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap.")] = 0,
    workspace: WorkspaceOpt = None,
) -> None:
    """Per rule: expected firings per strategy-year when live behaves like the backtest, and
    the median delay to fire after a Sharpe-to-zero decay (stationary bootstrap of each
    strategy's own backtest, as long as its live record; at least a year)."""
    import json

    from stratmon.alerts.calibrate import calibrate_strategy
    from stratmon.store import queries as q

    if paths < 2:
        fail(StratmonError(f"--paths {paths}: use at least 2."))
    out: list[dict[str, Any]] = []
    skipped: list[str] = []
    try:
        _, store, config = _open(workspace)
        with store.read() as conn:
            chosen = [s for s in q.strategies(conn) if strategy in (None, s.strategy_id)]
            if strategy is not None and not chosen:
                raise StratmonError(f"Unknown strategy {strategy!r}.")
            data = []
            for s in chosen:
                _, rets = q.backtest_returns(conn, s.strategy_id)
                live = q.daily_series(conn, [s.strategy_id]).get(s.strategy_id)
                data.append((s, rets, max(len(live.dates) - 1, 0) if live else 0))
    except StratmonError as err:
        fail(err)
    for s, rets, n_live in data:
        finite = rets[np.isfinite(rets)] if rets.size else rets
        if finite.size < 126:
            skipped.append(f"{s.strategy_id}: {finite.size} backtest returns (needs 126)")
            continue
        cal = calibrate_strategy(
            s.strategy_id,
            finite,
            n_live,
            config.for_strategy(s.strategy_id, s.pool),
            n_paths=paths,
            periods_per_year=s.periods_per_year,
            seed=seed,
        )
        out.append(cal.to_dict())
    if as_json:
        print(json.dumps({"strategies": out, "skipped": skipped}, indent=2, allow_nan=False))
        return
    for cal_d in out:
        n = cal_d["sessions"]
        table = Table(
            title=(
                f"{cal_d['strategy_id']}: {cal_d['paths']} bootstrap paths of {n} sessions; "
                f"decay at session {cal_d['change_at']}"
            )
        )
        for col in ("Rule", "Kind", "Concern", "Firings / strategy-year", "Median delay"):
            table.add_column(col, justify="right" if col[0] in "FM" else "left")
        rows = [r for r in cal_d["rules"] if r["kind"] == "judgement"]
        rows += [*cal_d["concerns"], cal_d["judgement"]]
        rows += [r for r in cal_d["rules"] if r["kind"] == "limit"] + [cal_d["limits"]]
        for r in rows:
            table.add_row(
                r["rule"],
                r["kind"],
                r["concern"],
                f"{r['firings_per_year']:.2f}",
                _delay_text(r["median_delay_sessions"], n - cal_d["change_at"]),
            )
        console.print(table)
    for line in skipped:
        console.print(f"Skipped {escape(line)}")
