"""Shared fixtures for the metrics tests: real index returns from arch and random panels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="session")
def real_returns() -> pd.DataFrame:
    """Daily simple returns of the S&P 500 and NASDAQ (arch.data, 1999-2018), first row dropped."""
    import arch.data.nasdaq
    import arch.data.sp500

    sp = arch.data.sp500.load()["Adj Close"].pct_change()
    nq = arch.data.nasdaq.load()["Adj Close"].pct_change()
    frame = pd.DataFrame({"sp500": sp, "nasdaq": nq}).iloc[1:]
    return frame


def _random_panel(
    seed: int, t_len: int = 600, n_cols: int = 6, nan_share: float = 0.05
) -> tuple[np.ndarray, np.ndarray, pd.DatetimeIndex]:
    """Random returns (T, N) with NaNs, a correlated benchmark (T,), business-day dates."""
    rng = np.random.default_rng(seed)
    bench = rng.normal(0.0003, 0.011, t_len)
    betas = rng.uniform(-0.5, 1.5, n_cols)
    r = bench[:, None] * betas + rng.normal(0.0002, 0.01, (t_len, n_cols))
    r[rng.random(r.shape) < nan_share] = np.nan
    r[:25, 0] = np.nan  # a strategy that starts late
    idx = pd.bdate_range("2015-01-01", periods=t_len)
    return r, bench, idx


@pytest.fixture(scope="session")
def make_panel():  # type: ignore[no-untyped-def]
    """Factory fixture: ``make_panel(seed, t_len=600, n_cols=6, nan_share=0.05)``."""
    return _random_panel
