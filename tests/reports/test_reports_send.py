"""``stratmon report ... --send CHANNEL`` delivers for real, through apprise, to the loopback
receivers of the alert tests (an SMTP server with login, a JSON webhook): subject = the
report's title, body = its Markdown with the stored figures and the written file's path, and
on e-mail the HTML/PDF file attached byte for byte. An unknown channel stops the command
before anything is written or sent; a channel that is down fails alone (redacted error, exit
1) while the file is written and the other channel still gets the report. Secrets never reach
the command's output."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from typer.testing import CliRunner

from stratmon.cli import app
from stratmon.store import queries as q

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "alerts"))
from alert_receivers import _Mailbox, free_port, webhook_server

Workspace4Reports = Any  # the `rws` fixture of conftest.py
CHOSEN = ("spx_trend", "wti_trend", "spx_nasdaq_relative")  # as in conftest.py

SMTP_USER = "reports-robot"
SMTP_PASSWORD = "Sm7p-Pa55-k9Qz"
HOOK_TOKEN = "hK-70ken-Xy41"
SECRETS = (SMTP_PASSWORD, HOOK_TOKEN)


@contextmanager
def smtp_login_server() -> Iterator[tuple[int, list[Message], list[tuple[str, str]]]]:
    """The alert tests' mailbox behind an SMTP server offering a login (AUTH PLAIN / LOGIN
    over plain TCP, loopback only) that accepts only SMTP_USER / SMTP_PASSWORD; yields
    (port, messages, logins seen)."""
    box = _Mailbox()
    logins: list[tuple[str, str]] = []

    def authenticate(
        server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        if isinstance(data, LoginPassword):
            logins.append((data.login.decode(), data.password.decode()))
            ok = (data.login.decode(), data.password.decode()) == (SMTP_USER, SMTP_PASSWORD)
            return AuthResult(success=ok)
        return AuthResult(success=False)

    port = free_port()
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield port, box.messages, logins
    finally:
        controller.stop()


def workspace(rws: Workspace4Reports, root: Path, smtp_port: int, hook_port: int) -> str:
    """A workspace on the report fixture's database with a ``mail`` and a ``hook`` channel;
    the credentials live in its secrets file only."""
    root.mkdir()
    config = {
        "database": {"url": rws.ws.database_url},
        "alerts": {
            "secrets_file": "secrets.toml",
            "channels": {
                "mail": {
                    "url": "mailto://{secret:smtp_user}:{secret:smtp_password}"
                    f"@127.0.0.1:{smtp_port}?from=stratmon@example.com"
                    "&to=desk@example.com&mode=insecure",
                    "retries": 0,
                },
                "hook": {
                    "url": f"json://robot:{{secret:hook_token}}@127.0.0.1:{hook_port}/reports",
                    "retries": 0,
                },
            },
        },
    }
    (root / "stratmon.toml").write_text(tomli_w.dumps(config), encoding="utf-8")
    secrets = {"smtp_user": SMTP_USER, "smtp_password": SMTP_PASSWORD, "hook_token": HOOK_TOKEN}
    (root / "secrets.toml").write_text(tomli_w.dumps(secrets), encoding="utf-8")
    return str(root)


def run(*args: str) -> Any:
    res = CliRunner().invoke(app, list(args))
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    return res


def no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def parts(msg: Message) -> tuple[str, list[Message]]:
    """The text/plain body (CRLF normalised) and the attachment parts of a received mail."""
    body = next(p for p in msg.walk() if p.get_content_type() == "text/plain")
    payload = body.get_payload(decode=True)
    assert isinstance(payload, bytes)
    attached = [p for p in msg.walk() if p.get_content_disposition() == "attachment"]
    return payload.decode().replace("\r\n", "\n"), attached


def table(doc: dict[str, Any], section: str, table_id: str) -> list[dict[str, Any]]:
    (sec,) = [s for s in doc["sections"] if s["id"] == section]
    (tab,) = [t for t in sec["tables"] if t["id"] == table_id]
    rows: list[dict[str, Any]] = tab["rows"]
    return rows


def test_daily_report_arrives_by_mail_with_its_file_and_on_the_webhook(
    rws: Workspace4Reports, tmp_path: Path
) -> None:
    day = rws.days[-1]
    with smtp_login_server() as (smtp_port, mails, logins), webhook_server() as (hook, posts):
        ws = workspace(rws, tmp_path / "ws", smtp_port, hook)
        res = run("report", "daily", "--date", str(day), "--send", "mail", "--send", "hook",
                  "-w", ws)  # fmt: skip
        assert res.exit_code == 0, res.output
        as_json = run("report", "daily", "--date", str(day), "-f", "json", "-w", ws)
        assert as_json.exit_code == 0, as_json.output
    written = Path(ws) / "reports" / f"daily_{day}.html"
    assert f"Report: {written}" in res.output.replace("\n", "")
    assert "sent to mail" in res.output and "sent to hook" in res.output
    no_secret(res.output)
    doc = json.loads((Path(ws) / "reports" / f"daily_{day}.json").read_text())
    title = doc["title"]
    assert title == f"stratmon daily report {day}"

    # e-mail: logged in with the secrets-file credentials, subject = title, the body holds
    # the stored figures and the file's path, the HTML file is attached byte for byte
    assert logins == [(SMTP_USER, SMTP_PASSWORD)]
    (mail,) = mails
    assert mail["Subject"] == title and mail["To"] == "desk@example.com"
    body, attached = parts(mail)
    assert body.startswith(f"# {title}\n")
    assert f"Full report: {written}" in body
    with rws.store.read() as conn:
        names = {s.strategy_id: s.name for s in q.strategies(conn)}
        series = q.daily_series(conn, list(CHOSEN), until=day)
    for sid in CHOSEN:  # day PnL straight from the stored daily records
        assert series[sid].dates[-1] == day
        assert f"| {names[sid]} | {series[sid].daily_pnl[-1]:,.0f} |" in body
    (total,) = [r for r in table(doc, "pnl", "pnl") if r["strategy_id"] == "TOTAL"]
    assert total["nav"] == pytest.approx(sum(series[s].nav[-1] for s in CHOSEN), rel=1e-12)
    assert f"| {total['nav']:,.0f} |" in body  # the JSON form's portfolio NAV, as printed
    (html,) = attached
    assert html.get_content_type() == "text/html"
    assert html.get_filename() == written.name
    assert html.get_payload(decode=True) == written.read_bytes()

    # webhook: same subject and body (apprise's JSON payload), no attachment
    (post,) = posts
    assert post["path"] == "/reports"
    assert post["json"]["title"] == title and post["json"]["type"] == "info"
    assert post["json"]["message"].strip() == body.strip()
    assert not post["json"].get("attachments")


def test_weekly_pdf_is_attached_to_the_mail(rws: Workspace4Reports, tmp_path: Path) -> None:
    day = rws.days[-1]
    with smtp_login_server() as (smtp_port, mails, _), webhook_server() as (hook, posts):
        ws = workspace(rws, tmp_path / "ws", smtp_port, hook)
        out = tmp_path / "out" / "week.pdf"
        res = run("report", "weekly", "--date", str(day), "-f", "pdf", "-o", str(out),
                  "--send", "mail", "-w", ws)  # fmt: skip
        assert res.exit_code == 0, res.output
        as_json = run("report", "weekly", "--date", str(day), "-f", "json",
                      "-o", str(tmp_path / "week.json"), "-w", ws)  # fmt: skip
        assert as_json.exit_code == 0, as_json.output
    assert posts == []  # only the channel asked for
    doc = json.loads((tmp_path / "week.json").read_text())
    (mail,) = mails
    assert mail["Subject"] == doc["title"]
    assert doc["title"].startswith("stratmon weekly report") and str(day) in doc["title"]
    body, (pdf,) = parts(mail)
    assert f"Full report: {out}" in body.replace("\n", "")
    assert pdf.get_content_type() == "application/pdf" and pdf.get_filename() == "week.pdf"
    data = pdf.get_payload(decode=True)
    assert isinstance(data, bytes) and data.startswith(b"%PDF-")
    assert data == out.read_bytes()
    # a figure of the JSON form, as the Markdown body prints it: the first percentage cell
    pct = next(
        row[c["key"]]
        for s in doc["sections"]
        for t in s["tables"]
        for c in t["columns"]
        for row in t["rows"]
        if c["kind"] == "pct" and isinstance(row.get(c["key"]), float)
    )
    assert f"{pct * 100:.2f} %" in body


def test_unknown_channel_stops_before_anything_is_written_or_sent(
    rws: Workspace4Reports, tmp_path: Path
) -> None:
    with smtp_login_server() as (smtp_port, mails, _), webhook_server() as (hook, posts):
        ws = workspace(rws, tmp_path / "ws", smtp_port, hook)
        out = tmp_path / "daily.md"
        res = run("report", "daily", "-f", "md", "-o", str(out), "--send", "hook",
                  "--send", "slack", "-w", ws)  # fmt: skip
    assert res.exit_code == 2
    text = " ".join(res.output.split())
    assert "Channel(s) slack not configured in [alerts.channels]" in text
    assert "(configured: hook, mail)" in text
    assert not out.exists() and mails == [] and posts == []


def test_a_channel_that_is_down_fails_alone_and_redacted(
    rws: Workspace4Reports, tmp_path: Path
) -> None:
    closed = free_port()  # nothing listens there
    with webhook_server() as (hook, posts):
        ws = workspace(rws, tmp_path / "ws", closed, hook)
        res = run("report", "monthly", "--send", "mail", "--send", "hook", "-w", ws)
    assert res.exit_code == 1
    no_secret(res.output)
    assert SMTP_USER not in res.output  # the user name is part of the resolved URL too
    lines = res.output.splitlines()
    assert any(line.startswith("not sent to mail: channel mail:") for line in lines)
    assert "sent to hook" in lines
    (written,) = (Path(ws) / "reports").glob("monthly_*.html")
    assert written.stat().st_size > 1000
    (post,) = posts
    assert post["json"]["title"].startswith("stratmon monthly report")
    assert f"Full report: {written}" in post["json"]["message"]


def test_a_missing_secret_names_the_secret_and_the_other_channel_still_gets_it(
    rws: Workspace4Reports, tmp_path: Path
) -> None:
    with smtp_login_server() as (smtp_port, mails, logins), webhook_server() as (hook, posts):
        ws = workspace(rws, tmp_path / "ws", smtp_port, hook)
        (Path(ws) / "secrets.toml").write_text(
            tomli_w.dumps({"smtp_user": SMTP_USER, "hook_token": HOOK_TOKEN}), encoding="utf-8"
        )
        res = run("report", "daily", "-f", "md", "--send", "mail", "--send", "hook", "-w", ws)
    assert res.exit_code == 1
    assert "not sent to mail: channel mail: secret smtp_password not set." in res.output
    no_secret(res.output)
    assert mails == [] and logins == [] and len(posts) == 1
