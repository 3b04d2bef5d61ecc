"""HTML is self-contained, the PDF opens and has pages (pdftoppm renders page 1), the PDF
renderer refuses network URLs, and the CLI writes every format."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from stratmon.cli_reports import benchmarks_app, report_app
from stratmon.reports import periodic
from stratmon.reports.render import html_to_pdf, safe_url_fetcher, to_html, write_report

Workspace4Reports = Any  # the `rws` fixture of conftest.py

app = typer.Typer()
app.add_typer(report_app, name="report")
app.add_typer(benchmarks_app, name="benchmarks")


def test_html_is_self_contained(rws: Workspace4Reports) -> None:
    with rws.store.read() as conn:
        html = to_html(periodic.build_weekly(conn))
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("data:") for u in urls)
    assert "<script" not in html


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdf_renders_and_page_one_rasterises(rws: Workspace4Reports, tmp_path: Path) -> None:
    with rws.store.read() as conn:
        rep = periodic.build_monthly(conn)
    pdf = write_report(rep, tmp_path / "monthly.pdf", "pdf")
    assert pdf.read_bytes().startswith(b"%PDF-")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]
    assert pages >= 2
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    (png,) = tmp_path.glob("page-*.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5_000
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "monthly report" in text and "Monthly returns" in text


def test_pdf_fetcher_refuses_network_urls() -> None:
    fetcher = safe_url_fetcher()
    html = '<p>x</p><img src="http://127.0.0.1:9/x.png"><img src="https://example.invalid/y.png">'
    assert html_to_pdf(html, fetcher).startswith(b"%PDF-")
    assert fetcher.refused == ["http://127.0.0.1:9/x.png", "https://example.invalid/y.png"]


def test_cli_writes_every_format(rws: Workspace4Reports, tmp_path: Path) -> None:
    runner = CliRunner()
    ws = str(rws.ws.root)
    day = rws.days[-1].isoformat()
    for kind in ("daily", "weekly"):
        for fmt in ("json", "md", "html"):
            out = tmp_path / f"{kind}.{fmt}"
            res = runner.invoke(
                app, ["report", kind, "--date", day, "-f", fmt, "-o", str(out), "-w", ws]
            )
            assert res.exit_code == 0, res.output
            assert out.stat().st_size > 500
    doc = json.loads((tmp_path / "daily.json").read_text())
    assert doc["as_of"] == day
    res = runner.invoke(
        app,
        [
            "report",
            "compare",
            "spx_trend",
            "wti_trend",
            "-f",
            "md",
            "-o",
            str(tmp_path / "c.md"),
            "-w",
            ws,
        ],
    )
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["report", "compare", "spx_trend", "nope", "-w", ws])
    assert res.exit_code == 2 and "nope" in res.output
    res = runner.invoke(app, ["report", "daily", "-f", "docx", "-w", ws])
    assert res.exit_code == 2


def test_cli_benchmark_import_and_composite(rws: Workspace4Reports, tmp_path: Path) -> None:
    runner = CliRunner()
    ws = str(rws.ws.root)
    good = tmp_path / "btc.csv"
    good.write_text("Date,Benchmark_ID,Return\n2013-01-02,BTC,0.05\n2013-01-03,BTC,-0.01\n")
    res = runner.invoke(app, ["benchmarks", "import", str(good), "-w", ws])
    assert res.exit_code == 0 and "BTC: 2" in res.output
    bad = tmp_path / "bad.csv"
    bad.write_text("date,benchmark_id,return\n2013-01-02,BTC,abc\n")
    res = runner.invoke(app, ["benchmarks", "import", str(bad), "-w", ws])
    assert res.exit_code == 2 and "row 2" in res.output and "return" in res.output
    res = runner.invoke(
        app,
        ["benchmarks", "composite", "MIX", "--weight", "SPX=0.5", "--weight", "BTC=0.5", "-w", ws],
    )
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["benchmarks", "composite", "BAD", "--weight", "NOPE=1", "-w", ws])
    assert res.exit_code == 2
    res = runner.invoke(app, ["benchmarks", "list", "-w", ws])
    assert "MIX" in res.output and "BTC" in res.output
