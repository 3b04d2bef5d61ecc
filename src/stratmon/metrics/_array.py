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


def coerce_dates(returns: Any, index: Any, length: int) -> npt.NDArray[np.datetime64] | None:
    """The dates of the rows as a ``datetime64[ns]`` array, validated as :func:`coerce_index`.

    The fast path of :func:`coerce_index` for callers that only need day and month numbers:
    a DatetimeIndex (given, or the index of ``returns``) is checked with numpy directly.
    """
    if index is None:
        if isinstance(returns, pd.Series | pd.DataFrame) and isinstance(
            returns.index, pd.DatetimeIndex
        ):
            index = returns.index
        else:
            return None
    if not isinstance(index, pd.DatetimeIndex):
        return coerce_index(returns, index, length).values  # type: ignore[union-attr]
    values = index.values
    if len(values) != length:
        raise MetricsInputError(f"index has {len(values)} dates but returns has {length} row(s).")
    if np.isnat(values).any():
        raise MetricsInputError("index contains missing dates (NaT); give one date per row.")
    if length > 1 and not bool((values[1:] >= values[:-1]).all()):
        raise MetricsInputError("index must be sorted in increasing date order.")
    return values


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


def sample_std(m2_sum: FloatArray, n: FloatArray, constant: BoolArray) -> FloatArray:
    """Sample standard deviation (ddof=1) from the sum of squared deviations, shape (N,).

    NaN below 2 observations; exactly 0 for a ``constant`` column (whose ``m2_sum`` may carry
    rounding). Shared by :class:`Panel` and the running metrics.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(m2_sum / (n - 1.0))
    sd[n < 2] = np.nan
    sd[constant & (n >= 2)] = 0.0
    return np.asarray(sd)


def stacked_column_sums(buf: FloatArray) -> FloatArray:
    """Column sums ``buf.sum(axis=0)`` of a stacked ``(T, k, N)`` buffer, shape (k, N).

    Each of the k ``(T, N)`` slices gets exactly the sums a separate ``.sum(axis=0)`` would
    give: row by row in order for N > 1 (one reduction for all k, far fewer passes), and
    numpy's pairwise sum of a contiguous column for N == 1.
    """
    if buf.shape[2] == 1:
        return np.stack(
            [np.ascontiguousarray(buf[:, i, :]).sum(axis=0) for i in range(buf.shape[1])]
        )
    return np.asarray(buf.sum(axis=0))


TAIL_Q = 0.05
"""Quantile reach of :attr:`Panel.tail_sorted_t`: exact order statistics below 5 % / above 95 %."""


class Panel:
    """Cached views of one ``(T, N)`` block of simple returns (NaN = no data that day).

    Parameters
    ----------
    r : ndarray, shape (T, N)
        Simple returns per period, fractions.
    """

    def __init__(self, r: FloatArray) -> None:
        self.r = r

    def stack_buffer(self, k: int) -> FloatArray:
        """A new ``(T, k, N)`` buffer: k arrays of the panel's shape, summed with one
        reduction by :func:`stacked_column_sums`. Not cached: a long-lived buffer raises the
        memory a call holds, and fresh pages cost more than the allocation on small inputs.
        """
        return np.empty((self.shape[0], k, self.shape[1]))

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.r.shape[0]), int(self.r.shape[1]))

    @cached_property
    def valid(self) -> BoolArray:
        return ~np.isnan(self.r)

    @cached_property
    def all_valid(self) -> bool:
        """True when no value is NaN (lets metrics skip their masking passes)."""
        return bool(self.valid.all())

    @cached_property
    def n(self) -> FloatArray:
        """Non-NaN observations per column, shape (N,), as float."""
        if self.all_valid:
            return np.full(self.shape[1], float(self.shape[0]))
        return self.valid.sum(axis=0).astype(np.float64)

    @cached_property
    def filled(self) -> FloatArray:
        """Returns with NaN replaced by 0 (only used where 0 leaves the result unchanged).

        Read-only by convention: without NaN this is the input array itself.
        """
        if self.all_valid:
            return self.r
        return np.where(self.valid, self.r, 0.0)

    @cached_property
    def first_sums(self) -> FloatArray:
        """Column sums of r, max(r, 0), min(r, 0), [r > 0] and [r < 0] (NaN as 0), (5, N).

        One reduction over a stacked buffer: each column is still summed row by row in
        order, so every sum is bit for bit the one of a separate ``.sum(axis=0)``.
        """
        f = self.filled
        buf = self.stack_buffer(5)
        np.copyto(buf[:, 0, :], f)
        np.maximum(f, 0.0, out=buf[:, 1, :])
        np.minimum(f, 0.0, out=buf[:, 2, :])
        np.copyto(buf[:, 3, :], f > 0)
        np.copyto(buf[:, 4, :], f < 0)
        return stacked_column_sums(buf)

    @cached_property
    def mean(self) -> FloatArray:
        return safe_divide(self.first_sums[0], self.n)

    @cached_property
    def dev(self) -> FloatArray:
        """Deviations from the column mean, 0 where NaN, shape (T, N)."""
        if self.all_valid:
            return self.r - self.mean
        return np.where(self.valid, self.r - self.mean, 0.0)

    @cached_property
    def dev2(self) -> FloatArray:
        return self.dev * self.dev

    @cached_property
    def moment_sums(self) -> FloatArray:
        """Sums of dev**2, dev**2 * dev and dev**2 * dev**2 per column, shape (3, N)."""
        dev = self.dev
        buf = self.stack_buffer(3)
        d2 = np.multiply(dev, dev, out=buf[:, 0, :])
        np.multiply(d2, dev, out=buf[:, 1, :])
        np.multiply(d2, d2, out=buf[:, 2, :])
        return stacked_column_sums(buf)

    @cached_property
    def m2_sum(self) -> FloatArray:
        """Sum of squared deviations from the mean, shape (N,)."""
        return self.moment_sums[0]

    @cached_property
    def std(self) -> FloatArray:
        """Sample standard deviation (ddof=1), 0 for a constant column, NaN below 2 obs."""
        return sample_std(self.m2_sum, self.n, self.constant)

    @cached_property
    def best(self) -> FloatArray:
        if "tail_sorted_t" in self.__dict__ or "sorted_t" in self.__dict__:
            return self._ends_of_sorted()[1]
        if self.all_valid and self.shape[0]:
            return self.r.max(axis=0)
        out = np.where(self.valid, self.r, -np.inf).max(axis=0)
        out[self.n == 0] = np.nan
        return out

    @cached_property
    def worst(self) -> FloatArray:
        if "tail_sorted_t" in self.__dict__ or "sorted_t" in self.__dict__:
            return self._ends_of_sorted()[0]
        if self.all_valid and self.shape[0]:
            return self.r.min(axis=0)
        out = np.where(self.valid, self.r, np.inf).min(axis=0)
        out[self.n == 0] = np.nan
        return out

    def _ends_of_sorted(self) -> tuple[FloatArray, FloatArray]:
        """(min, max) of each column read off the sorted tails; NaN for an empty column."""
        ordered = self.__dict__.get("tail_sorted_t")
        if ordered is None:
            ordered = self.sorted_t
        n_cols = self.shape[1]
        lo = np.full(n_cols, np.nan)
        hi = np.full(n_cols, np.nan)
        count = self.n.astype(np.int64)
        has = np.flatnonzero(count > 0)
        lo[has] = ordered[has, 0]
        hi[has] = ordered[has, count[has] - 1]
        return lo, hi

    @cached_property
    def one_plus(self) -> FloatArray:
        """``1 + r`` with NaN days as a factor 1, shape (T, N)."""
        return 1.0 + self.filled

    @cached_property
    def sign_sums(self) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """(sum of positive returns, count, sum of negative returns, count), each (N,)."""
        sums = self.first_sums
        return (sums[1], sums[3], sums[2], sums[4])

    @cached_property
    def constant(self) -> BoolArray:
        """True where every present value of the column is equal (zero dispersion)."""
        return np.asarray(self.best == self.worst)

    @cached_property
    def growth(self) -> FloatArray:
        """Compounded growth ``prod(1 + r)`` over the non-NaN rows, shape (N,)."""
        if "wealth" in self.__dict__ and self.shape[0]:
            return np.asarray(self.wealth[-1])
        return np.prod(self.one_plus, axis=0)

    @cached_property
    def wealth(self) -> FloatArray:
        """Compounded wealth after each row, anchored at 1.0 before the first return."""
        return np.cumprod(self.one_plus, axis=0, dtype=np.float64)

    @cached_property
    def obs_index(self) -> FloatArray:
        """0-based index of each row among the column's valid observations (T, N)."""
        if self.all_valid:
            steps = np.arange(self.shape[0], dtype=np.float64)[:, None]
            return np.broadcast_to(steps, self.shape)
        return np.cumsum(self.valid, axis=0, dtype=np.float64) - 1.0

    @cached_property
    def sorted_t(self) -> FloatArray:
        """Each column sorted ascending, transposed to (N, T); NaNs sort last."""
        return np.sort(np.ascontiguousarray(self.r.T), axis=1)

    @cached_property
    def tail_sorted_t(self) -> FloatArray:
        """Like :attr:`sorted_t`, but only the two tails are guaranteed in place.

        Positions up to the 5th percentile (and the 5 % CVaR tail) and from the 95th
        percentile on hold exactly the values of :attr:`sorted_t`; the middle is unordered.
        One partition and two small sorts instead of a full sort.
        """
        if "sorted_t" in self.__dict__:
            return self.sorted_t
        t_len = self.shape[0]
        have = self.n[self.n > 0]
        if not len(have):
            return self.sorted_t
        low = int(np.floor((have.max() - 1.0) * TAIL_Q)) + 3
        high = int(np.floor((have.min() - 1.0) * (1.0 - TAIL_Q))) - 2
        if low >= high or high >= t_len:
            return self.sorted_t
        out = self.r.T.copy(order="C")  # always a copy: partitioned in place below
        out.partition([low - 1, high], axis=1)
        out[:, :low] = np.sort(out[:, :low], axis=1)
        out[:, high:] = np.sort(out[:, high:], axis=1)
        return out
