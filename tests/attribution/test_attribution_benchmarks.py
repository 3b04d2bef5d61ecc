"""Composite benchmarks, benchmark comparison (agrees with empyrical) and cohorts."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import empyrical
import numpy as np
import pytest

from stratmon.attribution import (
    align,
    benchmark_comparison,
    cohort_analysis,
    composite_returns,
)
from stratmon.errors import StratmonError

D0 = dt.date(2024, 1, 1)


def _days(n: int, offset: int = 0) -> list[dt.date]:
    return [D0 + dt.timedelta(days=offset + i) for i in range(n)]


def test_composite_is_weighted_sum_on_common_days_only() -> None:
    spx = (_days(4), np.array([0.01, -0.02, np.nan, 0.03]))
    cash = (_days(3, 1), np.array([0.001, 0.001, 0.001]))
    dates, r = composite_returns({"SPX": 0.6, "CASH": 0.4}, {"SPX": spx, "CASH": cash})
    assert dates == [D0 + dt.timedelta(days=1), D0 + dt.timedelta(days=3)]
    assert r.tolist() == pytest.approx([0.6 * -0.02 + 0.4 * 0.001, 0.6 * 0.03 + 0.4 * 0.001])
    with pytest.raises(StratmonError, match="BTC"):
        composite_returns({"BTC": 1.0}, {"SPX": spx})


def test_align_drops_missing_days() -> None:
    d, a, b = align(_days(3), np.array([0.1, np.nan, 0.3]), _days(2, 1), np.array([1.0, 2.0]))
    assert d == [D0 + dt.timedelta(days=2)]
    assert a.tolist() == [0.3] and b.tolist() == [2.0]


def test_benchmark_comparison_agrees_with_empyrical() -> None:
    rng = np.random.default_rng(3)
    b = rng.normal(0.0004, 0.01, 300)
    a = 0.0002 + 0.8 * b + rng.normal(0, 0.005, 300)
    out = benchmark_comparison(_days(300), a, _days(300), b, 252, 0.0)
    assert out["n_obs"] == 300
    assert out["beta"] == pytest.approx(empyrical.beta(a, b), rel=1e-9)
    assert out["alpha"] == pytest.approx(empyrical.alpha(a, b), rel=1e-9)
    assert out["strategy"]["total_return"] == pytest.approx(np.prod(1 + a) - 1, rel=1e-12)
    assert out["excess_return"] == pytest.approx(np.prod(1 + a) - np.prod(1 + b), rel=1e-12)
    assert out["benchmark"]["sharpe_ratio"] == pytest.approx(empyrical.sharpe_ratio(b), rel=1e-9)


def test_benchmark_comparison_without_overlap_is_nan() -> None:
    out = benchmark_comparison(_days(3), np.ones(3) * 0.01, _days(3, 10), np.ones(3) * 0.01)
    assert out["n_obs"] == 0 and math.isnan(out["beta"])


def test_cohorts_by_deployment_month() -> None:
    deployed = {
        "a": dt.date(2013, 1, 2),
        "b": dt.date(2013, 1, 20),
        "c": dt.date(2013, 3, 1),
        "d": None,
    }
    metrics: dict[str, dict[str, Any]] = {
        "a": {"sharpe_ratio": 1.0, "total_return": 0.10},
        "b": {"sharpe_ratio": None, "total_return": -0.05},
        "c": {"sharpe_ratio": 2.0, "total_return": 0.2},
    }
    cohorts = cohort_analysis(deployed, metrics)
    assert [c.month for c in cohorts] == ["2013-01", "2013-03"]
    jan = cohorts[0]
    assert jan.strategy_ids == ["a", "b"] and jan.n_strategies == 2
    assert jan.average_sharpe == 1.0  # None left out
    assert jan.average_return == pytest.approx(0.025)
    assert (jan.best, jan.worst) == ("a", "b")
