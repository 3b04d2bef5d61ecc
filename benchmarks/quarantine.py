"""False-quarantine rate of the k-sigma rule (``[ingest] quarantine_sigma``).

A day is quarantined when, with no cash flow, its NAV-implied return is more than k standard
deviations from the mean of the strategy's own accepted returns of the previous
``sigma_lookback_days`` calendar days (at least ``sigma_min_history`` returns). Nothing is
wrong with any day here, so every quarantine is a false one. Measured on real index returns
(arch.data: S&P 500 and NASDAQ, 1999-2018, 2008 included) and on Student-t(3) returns
(fatter tails than any daily equity index), per strategy-year of 252 sessions.

The replay is the production rule itself (``stratmon.ingest.findings.daily_findings``)
fed one day at a time on the XNYS calendar (a 92-day look-back holds ~63 returns), with
quarantined days held out of the following days' history as the store does.

Measured (2026-12-03), false quarantines per strategy-year, with the default 10 % floor
(``sigma_min_move``: a move must also exceed 10 % of NAV):

    series     days        k=6        k=8       k=10       k=12
    sp500      5030      0.000      0.000      0.000      0.000
    nasdaq     5030      0.000      0.000      0.000      0.000
    t3         5030      0.150      0.150      0.150      0.150

Without the floor (before it was added): sp500 0.150 / 0.050 / 0 / 0, nasdaq 0.050 / 0 / 0 /
0, t3 0.902 / 0.501 / 0.250 / 0.150 -- and the demo's real 2013-2018 replay quarantined 55
genuine days of strategies that had been flat for weeks (a near-zero standard deviation makes
a +0.85 % trading day "157 sd"); with the floor it quarantines none.

Run: ``.venv/bin/python benchmarks/quarantine.py``
"""

from __future__ import annotations

import datetime as dt
import sys

import numpy as np

from stratmon.domain.records import DailyRecord, Strategy
from stratmon.ingest import IngestContext, InMemoryView, sessions_between
from stratmon.ingest.findings import daily_findings

KS = (6.0, 8.0, 10.0, 12.0)


def _replay(dates: list[dt.date], rets: np.ndarray, k: float) -> int:
    view = InMemoryView()
    strategies = {"S": Strategy("S", "bench", calendar="XNYS")}
    ctx = IngestContext(
        strategies=strategies,
        view=view,
        today=dates[-1],
        quarantine_sigma=k,
        outlier_pnl_fraction=10.0,  # the sigma rule alone
    )
    nav = 1e6
    n = 0
    for i, day in enumerate(dates):
        if i:
            nav *= 1 + float(rets[i - 1])
        rec = DailyRecord("S", day, nav)
        checks = daily_findings("bench", [(1, rec, True)], ctx)
        view.add_records([rec])
        if checks.quarantined:
            view.quarantined.add(("S", day))
            n += 1
    return n


def _series(name: str) -> tuple[list[dt.date], np.ndarray]:
    """Session dates (T + 1) and daily simple returns (T)."""
    if name == "t3":
        dates = sessions_between("XNYS", dt.date(1999, 1, 4), dt.date(2018, 12, 31))
        rng = np.random.default_rng(20261203)
        # Student-t(3) scaled to 1 % daily volatility (var of t3 is 3)
        return dates, rng.standard_t(3, size=len(dates) - 1) * 0.01 / np.sqrt(3.0)
    import importlib

    data = importlib.import_module(f"arch.data.{name}").load()
    close = data["Adj Close"].to_numpy(dtype=float)
    days = [ts.date() for ts in data.index]
    return days, np.diff(close) / close[:-1]


def main() -> int:
    """Print false quarantines per strategy-year for each k."""
    print(f"{'series':8} {'days':>6} " + " ".join(f"k={k:g}".rjust(10) for k in KS))
    for name in ("sp500", "nasdaq", "t3"):
        dates, rets = _series(name)
        rates = []
        for k in KS:
            n = _replay(dates, rets, k)
            rates.append(n / (len(rets) / 252))
        print(f"{name:8} {len(rets):6d} " + " ".join(f"{r:10.3f}" for r in rates))
    return 0


if __name__ == "__main__":
    sys.exit(main())
