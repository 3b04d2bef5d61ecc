"""Demo benchmarks: S&P 500 and NASDAQ daily returns from ``arch`` and cash from the
Fama-French risk-free rate, imported through the same file importer a user runs."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from stratmon.attribution.benchmark_file import read_benchmark_file
from stratmon.config import Workspace
from stratmon.demo.market import MarketData
from stratmon.store import Store
from stratmon.store import benchmarks_repo as brepo

NAMES = {
    "SPX": "S&P 500",
    "IXIC": "NASDAQ Composite",
    "CASH": "Cash (1-month T-bill)",
    "SPX60_CASH40": "60 % S&P 500 / 40 % cash",
}


def cash_daily_returns(market: MarketData) -> np.ndarray:
    """Daily cash returns per session, shape (T,): each month's Fama-French ``RF`` spread
    evenly (compounded) over that month's sessions, so they compound to ``RF`` exactly;
    NaN in a month without a rate.

    References
    ----------
    Kenneth R. French data library, one-month T-bill return (RF).
    """
    months = [(d.year, d.month) for d in market.sessions]
    counts: dict[tuple[int, int], int] = {}
    for m in months:
        counts[m] = counts.get(m, 0) + 1
    out = np.full(len(months), np.nan)
    for i, m in enumerate(months):
        rf = market.risk_free_monthly.get(m)
        if rf is not None:
            out[i] = (1.0 + rf) ** (1.0 / counts[m]) - 1.0
    return out


def write_demo_benchmark_file(path: Path, market: MarketData) -> Path:
    """Write ``date,benchmark_id,return`` rows for SPX, IXIC and CASH."""
    path.parent.mkdir(parents=True, exist_ok=True)
    series = {
        "SPX": market.benchmark_returns("SPX"),
        "IXIC": market.benchmark_returns("IXIC"),
        "CASH": cash_daily_returns(market),
    }
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["date", "benchmark_id", "return"])
        for bid, values in series.items():
            for day, r in zip(market.sessions, values, strict=True):
                if np.isfinite(r):
                    w.writerow([day.isoformat(), bid, repr(float(r))])
    return path


def import_demo_benchmarks(ws: Workspace, store: Store, market: MarketData) -> dict[str, int]:
    """Import SPX, NASDAQ (IXIC) and CASH into the workspace, and define a 60/40 composite.

    Returns
    -------
    dict str -> int
        Rows stored per imported series.
    """
    path = write_demo_benchmark_file(ws.root / "benchmarks" / "benchmarks.csv", market)
    rows = read_benchmark_file(path)
    with store.transaction() as conn:
        counts = brepo.import_returns(conn, rows, names=NAMES, source=str(path))
        brepo.define_composite(
            conn, "SPX60_CASH40", {"SPX": 0.6, "CASH": 0.4}, name=NAMES["SPX60_CASH40"]
        )
    return counts
