"""Same-date comparison of live and a backtest re-run over the live period."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from stratmon.compare.overlap import MIN_OVERLAP, same_date_comparison


def _dates(n: int, start: dt.date = dt.date(2020, 1, 1)) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range(n)]


def test_hand_computed_shortfall_split() -> None:
    d = _dates(25)
    bt = np.full(25, 0.001)
    live = np.full(25, 0.001)
    live[0] = -0.004  # one bad fill day
    costs = {d[0]: 0.0005, d[1]: 0.0005}
    out = same_date_comparison(
        d, live, d, bt, live_cost_fraction=costs, backtest_cost_per_day=0.00001
    )
    assert out is not None
    assert out["n_days"] == 25
    live_total = (1 - 0.004) * 1.001**24 - 1
    bt_total = 1.001**25 - 1
    assert out["implementation_shortfall"] == pytest.approx(live_total - bt_total, abs=1e-15)
    assert out["costs"] == pytest.approx(-(0.001 - 25 * 0.00001), abs=1e-15)
    assert out["other"] == pytest.approx(out["implementation_shortfall"] - out["costs"], abs=1e-15)
    diff = live - bt
    assert out["tracking_error"] == pytest.approx(diff.std(ddof=1) * math.sqrt(252), rel=1e-12)


def test_only_common_finite_dates_are_used() -> None:
    rng = np.random.default_rng(3)
    live_d, bt_d = _dates(60), _dates(60, dt.date(2020, 1, 21))  # 40 common dates
    live, bt = rng.normal(0, 0.01, 60), rng.normal(0, 0.01, 60)
    live[25] = np.nan  # one common date missing live
    out = same_date_comparison(live_d, live, bt_d, bt)
    assert out is not None
    assert out["n_days"] == 39
    assert out["start"] == dt.date(2020, 1, 21)
    common = [i for i in range(20, 60) if i != 25]
    lv, bv = live[common], bt[[i - 20 for i in common]]
    assert out["correlation"] == pytest.approx(np.corrcoef(lv, bv)[0, 1], rel=1e-12)


def test_too_little_overlap_gives_none() -> None:
    d = _dates(MIN_OVERLAP - 1)
    r = np.full(len(d), 0.001)
    assert same_date_comparison(d, r, d, r) is None
