"""End to end: `stratmon dashboard` on a free loopback port, opened in headless Chromium
(Debian's /usr/bin/chromium driven by Playwright); a screenshot of each page is saved as a
test artefact under ``$STRATMON_ARTEFACTS`` (default: pytest's tmp dir)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from dashboard_assessments import CHANGE_0, CHANGE_1, REASON_0, REASON_1
from dashboard_seed import seed

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = {
    "portfolio": ("", "strat_000"),
    "health": ("health", "1. strat_001 — Strategy 1: act: reduce"),
    "strategy": ("strategy", "Live vs backtest"),
    "alerts": ("alerts", "underperformance"),
    "data_quality": ("data_quality", "performance_data_bad.csv"),
}

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is absent (install Debian's `chromium` package to run the "
    "browser test)",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _command(workspace: Path, port: int) -> list[str]:
    """`stratmon dashboard` when the lead has registered it, else the same Typer command
    run from its module."""
    from stratmon.cli import app

    names = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    if "dashboard" in names:
        exe = Path(sys.executable).with_name("stratmon")
        return [str(exe), "dashboard", str(workspace), "--port", str(port), "--refresh", "0"]
    return [
        sys.executable,
        "-m",
        "stratmon.cli_dashboard",
        str(workspace),
        "--port",
        str(port),
        "--refresh",
        "0",
    ]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[dt.date]]]:
    ws, store, days = seed(tmp_path_factory.mktemp("e2e") / "ws")
    store.dispose()
    port = _free_port()
    log = tmp_path_factory.mktemp("log") / "dashboard.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(_command(ws.root, port), stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"dashboard did not start:\n{log.read_text()}")
            time.sleep(0.3)
        yield url, days
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_pages_render_in_chromium(server: tuple[str, list[dt.date]], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    url, days = server
    artefacts = Path(os.environ.get("STRATMON_ARTEFACTS", tmp_path))
    artefacts.mkdir(parents=True, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    try:
        with sync_playwright() as p:
            ctx = p.chromium.launch_persistent_context(
                profile,
                executable_path=str(CHROMIUM),
                headless=True,
                args=ARGS,
                viewport={"width": 1400, "height": 1600},
            )
            page = ctx.new_page()
            loads: dict[str, float] = {}
            for name, (path, marker) in PAGES.items():
                t0 = time.perf_counter()
                page.goto(url + path)
                # table cells are drawn on a canvas; their text lives in hidden grid cells
                page.get_by_text(marker).first.wait_for(state="attached", timeout=30_000)
                loads[name] = time.perf_counter() - t0
                page.wait_for_timeout(800)  # charts finish drawing
                # Streamlit's markdown draws the record's "->" as an arrow
                body = page.inner_text("body").replace("\u2192", "->")
                if name == "portfolio":
                    # the table and metrics fill in after the change list above them
                    page.locator("td[role=gridcell]", has_text="Strategy 2").first.wait_for(
                        state="attached", timeout=30_000
                    )
                    page.get_by_text("Firing alerts").first.wait_for(
                        state="attached", timeout=30_000
                    )
                    body = page.inner_text("body").replace("\u2192", "->")
                    cells = page.locator("td[role=gridcell]").all_text_contents()
                    assert {"strat_000", "strat_001", "strat_002"} <= set(cells)
                    assert "Strategy 0" in cells
                    # strategy 0's stored verdict and health, as the table shows them
                    row = cells.index("strat_000")
                    assert "investigate" in cells[row : row + 4]
                    assert "38" in cells[row : row + 5]
                    assert "Firing alerts" in body
                    assert "What changed since the previous session" in body
                    assert f"strat_000: {CHANGE_0}" in body
                if name == "health":
                    # the most urgent card is open: verdict, reasons and changes are visible
                    for text in (
                        "act: reduce",
                        REASON_1.format(alarm=days[-4].isoformat()),
                        CHANGE_1,
                        REASON_0,
                        CHANGE_0,
                        "reduce 2,000,000 -> 1,000,000 (-1,000,000)",
                        "no data",
                    ):
                        assert text in body, text
                page.screenshot(path=str(artefacts / f"dashboard_{name}.png"), full_page=True)
                assert (artefacts / f"dashboard_{name}.png").stat().st_size > 10_000
            ctx.close()
        print("page load until the marker text (s):", {k: round(v, 2) for k, v in loads.items()})
        assert max(loads.values()) < 30
    finally:
        shutil.rmtree(profile, ignore_errors=True)
