"""Benchmark series: composites of other series, and a strategy's comparison with one."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stratmon.errors import StratmonError
from stratmon.metrics import summarize_arrays

FloatArray = NDArray[np.float64]
Series = tuple[Sequence[dt.date], FloatArray]

COMPARISON_FIELDS = (
    "total_return",
    "cagr",
    "annual_volatility",
    "sharpe_ratio",
    "max_drawdown",
)


def align(
    dates_a: Sequence[dt.date], a: FloatArray, dates_b: Sequence[dt.date], b: FloatArray
) -> tuple[list[dt.date], FloatArray, FloatArray]:
    """The days on which both series have a finite return (no filling), ascending.

    Parameters
    ----------
    dates_a, dates_b : sequence of datetime.date
    a, b : ndarray, shape (len(dates_a),), (len(dates_b),)

    Returns
    -------
    (dates, a, b) : common dates and both series on them.

    References
    ----------
    DESIGN.md: missing data is never filled silently.
    """
    mb = {d: float(v) for d, v in zip(dates_b, b, strict=True) if math.isfinite(float(v))}
    keep = [
        (d, float(v), mb[d])
        for d, v in zip(dates_a, a, strict=True)
        if math.isfinite(float(v)) and d in mb
    ]
    return (
        [k[0] for k in keep],
        np.array([k[1] for k in keep], dtype=float),
        np.array([k[2] for k in keep], dtype=float),
    )


def composite_returns(
    weights: Mapping[str, float], series: Mapping[str, Series]
) -> tuple[list[dt.date], FloatArray]:
    """Daily-rebalanced composite benchmark ``sum_k w_k r_k`` on the days every part has data.

    Parameters
    ----------
    weights : mapping str -> float
        Weight of each component series (fractions; e.g. ``{"SPX": 0.6, "CASH": 0.4}``).
    series : mapping str -> (dates, returns)
        Daily simple returns of the components.

    Returns
    -------
    (dates, returns) : list of datetime.date, ndarray of shape (D,)

    Raises
    ------
    StratmonError
        When a component has no series or the weights are empty.

    References
    ----------
    Bacon, C. (2008), Practical Portfolio Performance Measurement and Attribution, 2nd ed.,
    section on customised (blended) benchmarks rebalanced each period.
    """
    if not weights:
        raise StratmonError("A composite benchmark needs at least one component weight.")
    missing = [k for k in weights if k not in series]
    if missing:
        raise StratmonError(
            f"Composite benchmark component(s) {', '.join(missing)} have no stored series; "
            "import them first (`stratmon benchmarks import FILE`)."
        )
    maps = []
    for k in weights:
        dates, values = series[k]
        maps.append(
            {d: float(v) for d, v in zip(dates, values, strict=True) if math.isfinite(float(v))}
        )
    common = sorted(set.intersection(*(set(m) for m in maps)))
    out = np.zeros(len(common))
    for w, m in zip(weights.values(), maps, strict=True):
        out += float(w) * np.array([m[d] for d in common], dtype=float)
    return common, out


def benchmark_comparison(
    dates: Sequence[dt.date],
    returns: FloatArray,
    bench_dates: Sequence[dt.date],
    bench_returns: FloatArray,
    periods_per_year: float = 252,
    risk_free: float = 0.0,
) -> dict[str, Any]:
    """A strategy against a benchmark on their common days.

    Parameters
    ----------
    dates, returns : strategy daily simple returns, shape (T,)
    bench_dates, bench_returns : benchmark daily simple returns, shape (B,)
    periods_per_year : float
    risk_free : float
        Annual risk-free rate (fraction) for the Sharpe ratios.

    Returns
    -------
    dict
        ``n_obs``, ``first``/``last`` date, ``strategy`` and ``benchmark`` dicts of
        :data:`COMPARISON_FIELDS`, ``excess_return`` (difference of total returns),
        ``alpha``, ``beta``, ``correlation``, ``tracking_error``, ``information_ratio``;
        NaN where not computable (fewer than 2 common days).

    References
    ----------
    empyrical-reloaded (alpha, beta, tracking error); information ratio annualised as in
    DESIGN.md.
    """
    common, a, b = align(dates, returns, bench_dates, bench_returns)
    nan = math.nan
    out: dict[str, Any] = {
        "n_obs": len(common),
        "first": common[0] if common else None,
        "last": common[-1] if common else None,
    }
    if len(common) < 2:
        empty = dict.fromkeys(COMPARISON_FIELDS, nan)
        out.update(
            strategy=empty,
            benchmark=dict(empty),
            excess_return=nan,
            alpha=nan,
            beta=nan,
            correlation=nan,
            tracking_error=nan,
            information_ratio=nan,
        )
        return out
    names, values = summarize_arrays(
        np.column_stack([a, b]),
        benchmark=np.column_stack([b, b]),
        risk_free=risk_free,
        periods_per_year=periods_per_year,
    )
    col = {n: i for i, n in enumerate(names)}
    out["strategy"] = {k: float(values[0, col[k]]) for k in COMPARISON_FIELDS}
    out["benchmark"] = {k: float(values[1, col[k]]) for k in COMPARISON_FIELDS}
    out["excess_return"] = out["strategy"]["total_return"] - out["benchmark"]["total_return"]
    for k in ("alpha", "beta", "correlation", "tracking_error", "information_ratio"):
        out[k] = float(values[0, col[k]])
    return out


__all__ = ["COMPARISON_FIELDS", "align", "benchmark_comparison", "composite_returns"]
