"""Page-load measurement: 100 strategies x 5 years seeded through the repositories, then each
page's data loading (uncached) and its full AppTest run timed.

Run: ``.venv/bin/python tests/dashboard/measure_dashboard_load.py`` (not part of the suite).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from dashboard_seed import seed
from streamlit.testing.v1 import AppTest

from stratmon.config import ENV_VAR
from stratmon.dashboard import APP_PATH, REFRESH_ENV
from stratmon.dashboard import data as dd


def main() -> None:
    root = Path(tempfile.mkdtemp()) / "ws"
    t0 = time.perf_counter()
    ws, store, days = seed(root, 100, dt.date(2014, 1, 2), dt.date(2018, 12, 31), 90)
    print(f"seeded 100 strategies x {len(days)} sessions in {time.perf_counter() - t0:.1f} s")
    loaders: dict[str, tuple[Callable[..., Any], tuple[Any, ...]]] = {
        "portfolio": (dd.load_portfolio, ()),
        "health": (dd.load_health, (90,)),
        "strategy": (dd.load_strategy, ("strat_000",)),
        "alerts": (dd.load_alerts, ()),
        "data_quality": (dd.load_data_quality, ()),
    }
    for name, (fn, args) in loaders.items():
        best = []
        for _ in range(3):
            with store.read() as conn:
                t = time.perf_counter()
                fn(conn, *args)
                best.append(time.perf_counter() - t)
        print(f"data  {name:13s} {min(best):.3f} s (best of 3)")
    os.environ[ENV_VAR] = str(ws.root)
    os.environ[REFRESH_ENV] = "0"
    for name in loaders:
        at = AppTest.from_file(str(APP_PATH), default_timeout=60)
        t = time.perf_counter()
        at.run()
        if name != "portfolio":
            at.switch_page(f"pages/{name}.py")
            at.run()
        cold = time.perf_counter() - t
        t = time.perf_counter()
        at.run()
        warm = time.perf_counter() - t
        assert not at.exception, at.exception
        print(f"page  {name:13s} first {cold:.3f} s, rerun (cached) {warm:.3f} s")


if __name__ == "__main__":
    main()
