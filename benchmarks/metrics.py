"""Speed and memory of stratmon.metrics against empyrical-reloaded and quantstats.

A script, not a test: ``python benchmarks/metrics.py``. Data: random normal returns (mean
0.0004, sd 0.01), 2,520 days x 1,000 strategies, 1 % NaN, a benchmark, business-day dates;
and, for the fixed cost of one call, small panels of 30 and 1,500 days x 21 strategies.
Every figure is measured on this machine in this run.
"""

from __future__ import annotations

import functools
import statistics
import time
import tracemalloc
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from stratmon.metrics import RunningMetrics, summarize

T_LEN, N_COLS, SEED = 2520, 1000, 42
TARGET_SUMMARIZE_S = 0.5
TARGET_EMPYRICAL_X = 5.0
TARGET_QUANTSTATS_X = 1000.0
TARGET_MEMORY_X = 8.0
TARGET_UPDATE_MS = 5.0
SMALL_SHAPES_TARGET_MS = ((30, 21, 1.5), (1500, 21, 3.0))  # (T, N, median ms per call)
SMALL_CALLS = 300


def best_of(fn: Callable[[], Any], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def make_data() -> tuple[np.ndarray, np.ndarray, pd.DatetimeIndex]:
    rng = np.random.default_rng(SEED)
    r = rng.normal(0.0004, 0.01, (T_LEN, N_COLS))
    r[rng.random(r.shape) < 0.01] = np.nan
    bench = rng.normal(0.0003, 0.01, T_LEN)
    return r, bench, pd.bdate_range("2010-01-04", periods=T_LEN)


def empyrical_shared(r: np.ndarray, bench: np.ndarray) -> None:
    """The metrics empyrical and stratmon both define: 2-D calls where supported."""
    import empyrical as ep
    import scipy.stats

    ep.cum_returns_final(r)
    ep.annual_volatility(r)
    ep.sharpe_ratio(r)
    ep.sortino_ratio(r)
    ep.downside_risk(r)
    ep.max_drawdown(r)
    ep.alpha_beta_aligned(r, np.broadcast_to(bench[:, None], r.shape).copy())
    ep.excess_sharpe(r, bench[:, None])
    for j in range(r.shape[1]):  # no 2-D support (or pooled columns): a column loop
        x = r[:, j]
        x = x[~np.isnan(x)]
        b = bench[~np.isnan(r[:, j])]
        ep.cagr(x)
        ep.calmar_ratio(x)
        ep.omega_ratio(x)
        ep.tail_ratio(x)
        ep.stability_of_timeseries(x)
        ep.value_at_risk(x, 0.05)
        ep.value_at_risk(x, 0.01)
        ep.conditional_value_at_risk(x, 0.05)
        ep.conditional_value_at_risk(x, 0.01)
        scipy.stats.skew(x)
        scipy.stats.kurtosis(x)
        ep.up_capture(x, b)
        ep.down_capture(x, b)


def median_call_ms(fn: Callable[[], Any], calls: int) -> float:
    for _ in range(20):  # warm-up
        fn()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def small_inputs() -> None:
    """Fixed cost per call: the daily job calls summarize once per day on a small panel."""
    rng = np.random.default_rng(SEED)
    for t_len, n_cols, target in SMALL_SHAPES_TARGET_MS:
        r = rng.normal(0.0004, 0.01, (t_len, n_cols))
        idx = pd.bdate_range("2015-01-01", periods=t_len)
        med = median_call_ms(functools.partial(summarize, r, index=idx), SMALL_CALLS)
        print(
            f"summarize ({t_len}, {n_cols}) with dates: median {med:.3f} ms over {SMALL_CALLS} "
            f"calls (target < {target} ms) -> {'OK' if med < target else 'MISS'}"
        )


def main() -> None:
    warnings.simplefilter("ignore")
    r, bench, idx = make_data()
    small_inputs()
    print(f"data: {T_LEN} x {N_COLS} returns, {np.isnan(r).mean():.2%} NaN, benchmark, dates")

    summarize(r, benchmark=bench, index=idx)  # warm-up
    t_sum = best_of(lambda: summarize(r, benchmark=bench, index=idx), repeat=5)
    print(
        f"summarize (catalogue items 1-7, {N_COLS} strategies): {t_sum:.3f} s "
        f"(target < {TARGET_SUMMARIZE_S} s) -> {'OK' if t_sum < TARGET_SUMMARIZE_S else 'MISS'}"
    )

    t_emp = best_of(lambda: empyrical_shared(r, bench), repeat=1)
    ratio = t_emp / t_sum
    print(
        f"empyrical-reloaded, shared metrics: {t_emp:.3f} s; stratmon full summarize is "
        f"{ratio:.1f}x faster (target >= {TARGET_EMPYRICAL_X}x) -> "
        f"{'OK' if ratio >= TARGET_EMPYRICAL_X else 'MISS'}"
    )

    try:
        import quantstats as qs

        n_qs = 5
        start = time.perf_counter()
        for j in range(n_qs):
            s = pd.Series(r[:, j], index=idx).dropna()
            b = pd.Series(bench, index=idx).loc[s.index]
            qs.reports.metrics(s, b, mode="full", display=False)
        t_qs = (time.perf_counter() - start) / n_qs * N_COLS
        ratio_qs = t_qs / t_sum
        print(
            f"quantstats reports.metrics(mode='full'): timed {n_qs} columns, scaled to "
            f"{N_COLS}: {t_qs:.1f} s; stratmon is {ratio_qs:.0f}x faster "
            f"(target >= {TARGET_QUANTSTATS_X:.0f}x) -> "
            f"{'OK' if ratio_qs >= TARGET_QUANTSTATS_X else 'MISS'}"
        )
    except Exception as exc:  # report, do not hide, a quantstats failure
        print(f"quantstats timing failed: {type(exc).__name__}: {exc}")

    tracemalloc.start()
    summarize(r, benchmark=bench, index=idx)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    mem_x = peak / r.nbytes
    print(
        f"peak extra memory (tracemalloc): {peak / 2**20:.1f} MiB = {mem_x:.2f}x the input "
        f"({r.nbytes / 2**20:.1f} MiB) (target < {TARGET_MEMORY_X}x) -> "
        f"{'OK' if mem_x < TARGET_MEMORY_X else 'MISS'}"
    )

    rm = RunningMetrics(N_COLS)
    times = []
    for t in range(T_LEN):
        start = time.perf_counter()
        rm.update(r[t], idx[t])
        times.append(time.perf_counter() - start)
    med = statistics.median(times) * 1e3
    print(
        f"RunningMetrics.update, {N_COLS} strategies x 1 day: median {med:.3f} ms over "
        f"{T_LEN} updates (target < {TARGET_UPDATE_MS} ms) -> "
        f"{'OK' if med < TARGET_UPDATE_MS else 'MISS'}"
    )


if __name__ == "__main__":
    main()
