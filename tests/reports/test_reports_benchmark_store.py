"""Benchmark series storage: import replaces a day's value, composites resolve from stored
series, and the demo's cash series compounds to the Fama-French monthly rate exactly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from stratmon.demo.benchmarks import cash_daily_returns
from stratmon.demo.market import load_market
from stratmon.errors import StratmonError
from stratmon.store import benchmarks_repo as brepo
from stratmon.store import open_store

D = dt.date(2020, 1, 2)


def test_import_replace_and_composite(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'b.db'}")
    with store.transaction() as conn:
        brepo.import_returns(conn, [(D, "SPX", 0.01), (D + dt.timedelta(days=1), "SPX", 0.02)])
        brepo.import_returns(conn, [(D, "SPX", -0.03), (D, "CASH", 0.0001)])
        brepo.define_composite(conn, "BLEND", {"SPX": 0.5, "CASH": 0.5})
        with pytest.raises(StratmonError, match="NOPE"):
            brepo.define_composite(conn, "BAD", {"NOPE": 1.0})
        with pytest.raises(StratmonError, match="already stored as a composite"):
            brepo.import_returns(conn, [(D, "BLEND", 0.0)])
    with store.read() as conn:
        spx = brepo.benchmark_series(conn, "SPX")
        blend = brepo.benchmark_series(conn, "BLEND")
        assert brepo.benchmark_series(conn, "NONE") is None
        listed = {b["benchmark_id"]: b for b in brepo.benchmarks(conn)}
    assert spx is not None and blend is not None
    assert spx[0] == [D, D + dt.timedelta(days=1)]
    assert spx[1].tolist() == [-0.03, 0.02]
    assert blend[0] == [D] and blend[1].tolist() == pytest.approx([0.5 * -0.03 + 0.5 * 0.0001])
    assert listed["BLEND"]["kind"] == "composite" and listed["SPX"]["n_obs"] == 2
    store.dispose()


def test_demo_cash_compounds_to_the_monthly_risk_free_rate() -> None:
    market = load_market()
    cash = cash_daily_returns(market)
    months = np.array([d.year * 100 + d.month for d in market.sessions])
    for year, month in ((2008, 10), (2013, 1), (2018, 6)):
        sel = months == year * 100 + month
        assert np.prod(1 + cash[sel]) - 1 == pytest.approx(
            market.risk_free_monthly[(year, month)], rel=1e-12
        )
    spx = market.benchmark_returns("SPX")
    i = market.index_of(dt.date(2018, 12, 31))
    assert spx[i] == pytest.approx(market.close["SPX"][i] / market.close["SPX"][i - 1] - 1)
