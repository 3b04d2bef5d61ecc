"""Input coercion and the cached per-column panel every metric module works on.

A :class:`Panel` wraps a ``(T, N)`` float array of simple returns with NaN where a strategy has
no data, and caches the intermediate arrays (validity mask, zero-filled returns, counts,
centred deviations, wealth, sorted values) that several metrics share. Nothing here fills a
missing value into a statistic: zero-filling is used only where it leaves the result unchanged
(sums, products), and every count uses the validity mask.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from stratmon.errors import StratmonError

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

ArrayLike2D = npt.ArrayLike | pd.Series | pd.DataFrame


class MetricsInputError(StratmonError):
    """Returns, benchmark or dates given to a metrics function have the wrong shape or order."""


def periodic_risk_free(risk_free: float, periods_per_year: float) -> float:
    """Convert an annual risk-free rate to a per-period rate: ``(1 + rf)**(1/ppy) - 1``."""
    if periods_per_year <= 0:
        raise MetricsInputError(f"periods_per_year must be positive, got {periods_per_year!r}.")
    if risk_free <= -1.0:
        raise MetricsInputError(f"risk_free must be above -100 %, got {risk_free!r}.")
    return float((1.0 + risk_free) ** (1.0 / periods_per_year) - 1.0)


def as_float_2d(values: Any, what: str = "returns") -> tuple[FloatArray, bool]:
    """Return ``values`` as a ``(T, N)`` float64 array (no copy when possible) and ``was_1d``."""
    arr = (
        values.to_numpy(dtype=np.float64)
        if isinstance(values, pd.Series | pd.DataFrame)
        else (np.asarray(values, dtype=np.float64))
    )
    if arr.ndim == 1:
        return arr[:, None], True
    if arr.ndim == 2:
        return arr, False
    raise MetricsInputError(f"{what} must be 1-D (T,) or 2-D (T, N); got shape {arr.shape}.")


def column_names(returns: Any, n: int, names: Sequence[Any] | None) -> list[Any]:
    """Labels of the ``n`` columns: ``names``, else DataFrame columns / Series name, else 0..n-1."""
    if names is not None:
        out = list(names)
        if len(out) != n:
            raise MetricsInputError(f"names has {len(out)} entries but returns has {n} column(s).")
        return out
    if isinstance(returns, pd.DataFrame):
        return list(returns.columns)
    if isinstance(returns, pd.Series) and returns.name is not None:
        return [returns.name]
    return list(range(n))


def coerce_index(returns: Any, index: Any, length: int) -> pd.DatetimeIndex | None:
    """The dates of the ``length`` rows: ``index`` if given, else a DatetimeIndex of ``returns``."""
    if index is None:
        if isinstance(returns, pd.Series | pd.DataFrame) and isinstance(
            returns.index, pd.DatetimeIndex
        ):
            index = returns.index
        else:
            return None
    idx = pd.DatetimeIndex(index)
    if len(idx) != length:
        raise MetricsInputError(f"index has {len(idx)} dates but returns has {length} row(s).")
    if idx.hasnans:
        raise MetricsInputError("index contains missing dates (NaT); give one date per row.")
    if length > 1 and not idx.is_monotonic_increasing:
        raise MetricsInputError("index must be sorted in increasing date order.")
    return idx


def day_numbers(index: pd.DatetimeIndex) -> FloatArray:
    """Calendar day number of each date (days since 1970-01-01) as float64, shape (T,)."""
    days = index.values.astype("datetime64[D]").astype(np.int64)
    return days.astype(np.float64)


def month_codes(index: pd.DatetimeIndex) -> IntArray:
    """Integer month code ``year * 12 + month - 1`` of each date, shape (T,)."""
    months = index.values.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    return months


def year_codes(index: pd.DatetimeIndex) -> IntArray:
    """Calendar year of each date, shape (T,)."""
    return index.values.astype("datetime64[Y]").astype(np.int64) + 1970


def group_starts(codes: IntArray) -> IntArray:
    """Row offsets where a run of equal consecutive ``codes`` starts (for ``np.*.reduceat``)."""
    if len(codes) == 0:
        return np.zeros(0, dtype=np.int64)
    change = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    return np.concatenate(([0], change)).astype(np.int64)


def to_date(value: Any) -> dt.date:
    """Coerce a date-like value to ``datetime.date``."""
    return pd.Timestamp(value).date()


def safe_divide(num: FloatArray, den: FloatArray) -> FloatArray:
    """``num / den`` with NaN (never inf) where ``den`` is zero or either side is NaN."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.divide(num, den)
    out[~np.isfinite(out)] = np.nan
    return np.asarray(out, dtype=np.float64)


class Panel:
    """Cached views of one ``(T, N)`` block of simple returns (NaN = no data that day).

    Parameters
    ----------
    r : ndarray, shape (T, N)
        Simple returns per period, fractions.
    """

    def __init__(self, r: FloatArray) -> None:
        self.r = r

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.r.shape[0]), int(self.r.shape[1]))

    @cached_property
    def valid(self) -> BoolArray:
        return ~np.isnan(self.r)

    @cached_property
    def n(self) -> FloatArray:
        """Non-NaN observations per column, shape (N,), as float."""
        return self.valid.sum(axis=0).astype(np.float64)

    @cached_property
    def filled(self) -> FloatArray:
        """Returns with NaN replaced by 0 (only used where 0 leaves the result unchanged)."""
        return np.where(self.valid, self.r, 0.0)

    @cached_property
    def mean(self) -> FloatArray:
        return safe_divide(self.filled.sum(axis=0), self.n)

    @cached_property
    def dev(self) -> FloatArray:
        """Deviations from the column mean, 0 where NaN, shape (T, N)."""
        return np.where(self.valid, self.r - self.mean, 0.0)

    @cached_property
    def dev2(self) -> FloatArray:
        return self.dev * self.dev

    @cached_property
    def m2_sum(self) -> FloatArray:
        """Sum of squared deviations from the mean, shape (N,)."""
        return self.dev2.sum(axis=0)

    @cached_property
    def std(self) -> FloatArray:
        """Sample standard deviation (ddof=1), 0 for a constant column, NaN below 2 obs."""
        with np.errstate(invalid="ignore", divide="ignore"):
            sd = np.sqrt(self.m2_sum / (self.n - 1.0))
        sd[self.n < 2] = np.nan
        sd[self.constant & (self.n >= 2)] = 0.0
        return sd

    @cached_property
    def best(self) -> FloatArray:
        out = np.where(self.valid, self.r, -np.inf).max(axis=0)
        out[self.n == 0] = np.nan
        return out

    @cached_property
    def worst(self) -> FloatArray:
        out = np.where(self.valid, self.r, np.inf).min(axis=0)
        out[self.n == 0] = np.nan
        return out

    @cached_property
    def sign_sums(self) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """(sum of positive returns, count, sum of negative returns, count), each (N,)."""
        pos = self.filled > 0
        neg = self.filled < 0
        pos_sum = np.maximum(self.filled, 0.0).sum(axis=0)
        neg_sum = np.minimum(self.filled, 0.0).sum(axis=0)
        return (
            pos_sum,
            pos.sum(axis=0).astype(np.float64),
            neg_sum,
            neg.sum(axis=0).astype(np.float64),
        )

    @cached_property
    def constant(self) -> BoolArray:
        """True where every present value of the column is equal (zero dispersion)."""
        return np.asarray(self.best == self.worst)

    @cached_property
    def wealth(self) -> FloatArray:
        """Compounded wealth after each row, anchored at 1.0 before the first return."""
        return np.cumprod(1.0 + self.filled, axis=0, dtype=np.float64)

    @cached_property
    def obs_index(self) -> FloatArray:
        """0-based index of each row among the column's valid observations (T, N)."""
        return np.cumsum(self.valid, axis=0, dtype=np.float64) - 1.0

    @cached_property
    def sorted_t(self) -> FloatArray:
        """Each column sorted ascending, transposed to (N, T); NaNs sort last."""
        return np.sort(np.ascontiguousarray(self.r.T), axis=1)
