"""Incremental metrics: O(1) state per strategy, O(1) work per strategy per new day.

:class:`RunningMetrics` keeps, for N strategies at once, arrays of shape (N,): counts, mean and
central moments M2..M4 (Welford / Pébay updates), downside and omega sums, compounded wealth,
peak, drawdown and its durations, the current drawdown episode's trough, streaks of positive
and negative periods, the cumulative log return regression sums (for ``stability``), and the
current calendar month. :meth:`RunningMetrics.snapshot` returns the same columns as
:func:`~stratmon.metrics.summarize`; on the same history the running statistics agree with it
to about 1e-9.

Omitted (NaN in the snapshot), because they need the whole history or a benchmark:
the order statistics (``value_at_risk_95/99``, ``conditional_value_at_risk_95/99``,
``tail_ratio``), the benchmark-relative metrics and the regime Sharpe ratios. Use
:func:`~stratmon.metrics.summarize` on the stored history for those. The parametric VaRs
(Gaussian and Cornish-Fisher) come from the running moments and are included.

A NaN in an update row means "no data for that strategy today": its state is left unchanged.
Calendar metrics (``max_drawdown_duration_days`` and the month metrics) need a date on every
update; after an update without a date they are NaN.
"""

from __future__ import annotations

import datetime as dt
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from stratmon.metrics._array import (
    FloatArray,
    MetricsInputError,
    periodic_risk_free,
    safe_divide,
    sample_std,
)
from stratmon.metrics.risk import kurtosis_from_sums, skew_from_sums, stability_undefined
from stratmon.metrics.summary import METRIC_COLUMNS
from stratmon.metrics.tail import cornish_fisher_quantile

_STATE_FIELDS: tuple[str, ...] = (
    "n",
    "mean",
    "m2",
    "m3",
    "m4",
    "best",
    "worst",
    "down_sq",
    "gain_sum",
    "loss_sum",
    "pos_count",
    "pos_sum",
    "neg_count",
    "neg_sum",
    "wealth",
    "peak",
    "max_dd",
    "cur_dd",
    "peak_obs",
    "peak_day",
    "first_day",
    "max_dur",
    "max_dur_days",
    "trough_obs",
    "trough_dd",
    "longest_rec",
    "any_under",
    "cum_log",
    "max_abs_cum_log",
    "reg_my",
    "reg_cxy",
    "reg_cxx",
    "reg_cyy",
    "win_streak",
    "loss_streak",
    "max_win_streak",
    "max_loss_streak",
    "month_code",
    "month_growth",
    "month_has",
    "win_months",
    "loss_months",
    "best_month",
    "worst_month",
)

_INITIAL: dict[str, float] = {
    "wealth": 1.0,
    "peak": 1.0,
    "peak_obs": -1.0,
    "peak_day": np.nan,
    "first_day": np.nan,
    "trough_obs": -1.0,
    "longest_rec": -1.0,
    "best": -np.inf,
    "worst": np.inf,
    "month_code": np.nan,
    "month_growth": 1.0,
    "best_month": -np.inf,
    "worst_month": np.inf,
}

RUNNING_EXTRA_COLUMNS: tuple[str, ...] = (
    "current_winning_period_streak",
    "current_losing_period_streak",
    "longest_winning_period_streak",
    "longest_losing_period_streak",
    "current_month_return",
)
"""Extra columns of ``snapshot(include_running=True)``."""


_Z_05 = NormalDist().inv_cdf(0.05)  # normal quantile of the 95 % parametric VaR


def _day_and_month(date: Any) -> tuple[float, float]:
    if isinstance(date, dt.datetime):
        date = date.date()
    if not isinstance(date, dt.date):
        date = pd.Timestamp(date).date()
    day = float(np.datetime64(date, "D").astype(np.int64))
    month = float((date.year - 1970) * 12 + date.month - 1)
    return day, month


class RunningMetrics:
    """Running performance statistics of N strategies, updated one period at a time.

    Parameters
    ----------
    n_strategies : int
        Number of strategies (columns) tracked.
    periods_per_year : float
        Annualisation factor (252 trading days, 365 for crypto).
    risk_free : float
        Annual risk-free rate, converted per period as ``(1 + rf)**(1/ppy) - 1``.

    Examples
    --------
    >>> rm = RunningMetrics(2)
    >>> rm.update(np.array([0.01, np.nan]), date="2024-01-02")
    >>> int(rm.snapshot().loc[0, "n_obs"])
    1

    References
    ----------
    Welford (1962), "Note on a method for calculating corrected sums of squares"; Pébay (2008),
    "Formulas for robust, one-pass parallel computation of covariances and arbitrary-order
    statistical moments", Sandia report SAND2008-6212.
    """

    def __init__(
        self, n_strategies: int, periods_per_year: float = 252, risk_free: float = 0.0
    ) -> None:
        if n_strategies < 1:
            raise MetricsInputError(f"n_strategies must be at least 1, got {n_strategies!r}.")
        self.n_strategies = int(n_strategies)
        self.periods_per_year = float(periods_per_year)
        self.risk_free = float(risk_free)
        self._rf = periodic_risk_free(risk_free, periods_per_year)
        self.dated = True
        self.n_updates = 0
        self.last_day = float("nan")
        self._s: dict[str, FloatArray] = {
            name: np.full(self.n_strategies, _INITIAL.get(name, 0.0)) for name in _STATE_FIELDS
        }

    # ------------------------------------------------------------------ update
    def update(self, returns_row: Any, date: Any = None) -> None:
        """Add one period of returns.

        Parameters
        ----------
        returns_row : array-like, shape (N,)
            Simple returns of the period; NaN for a strategy without data.
        date : date-like, optional
            The period's date (needed for calendar metrics); must not go backwards.

        Raises
        ------
        MetricsInputError
            On a wrong-length row or a date earlier than the previous one.
        """
        r = np.asarray(returns_row, dtype=np.float64).reshape(-1)
        if r.shape[0] != self.n_strategies:
            raise MetricsInputError(
                f"returns_row has {r.shape[0]} values but {self.n_strategies} strategies."
            )
        s = self._s
        day = month = float("nan")
        if date is None:
            self.dated = False
        else:
            day, month = _day_and_month(date)
            if day < self.last_day:
                raise MetricsInputError(
                    f"date {date!s} is earlier than the previous update's date."
                )
            self.last_day = day
        self.n_updates += 1
        m = ~np.isnan(r)
        if not m.any():
            self._roll_month(month, m)
            return
        x = np.where(m, r, 0.0)
        rf = self._rf

        # Moments (Welford / Pébay), count.
        n1 = s["n"]
        n = n1 + m
        delta = x - s["mean"]
        delta_n = np.where(m, delta / np.maximum(n, 1.0), 0.0)
        delta_n2 = delta_n * delta_n
        term1 = delta * delta_n * n1
        s["m4"] += (
            term1 * delta_n2 * (n * n - 3.0 * n + 3.0)
            + 6.0 * delta_n2 * s["m2"]
            - 4.0 * delta_n * s["m3"]
        )
        s["m3"] += term1 * delta_n * (n - 2.0) - 3.0 * delta_n * s["m2"]
        s["m2"] += term1
        s["mean"] += delta_n
        s["n"] = n
        np.maximum(s["best"], np.where(m, x, -np.inf), out=s["best"])
        np.minimum(s["worst"], np.where(m, x, np.inf), out=s["worst"])

        ex = x - rf
        below = np.where(m, np.minimum(ex, 0.0), 0.0)
        s["down_sq"] += below * below
        s["gain_sum"] += np.where(m & (ex > 0), ex, 0.0)
        s["loss_sum"] -= np.where(m & (ex < 0), ex, 0.0)
        pos = m & (x > 0)
        neg = m & (x < 0)
        s["pos_count"] += pos
        s["pos_sum"] += np.where(pos, x, 0.0)
        s["neg_count"] += neg
        s["neg_sum"] += np.where(neg, x, 0.0)

        # Streaks of positive / negative periods (a zero period breaks both).
        zero = m & (x == 0)
        s["win_streak"] = np.where(
            pos, s["win_streak"] + 1.0, np.where(neg | zero, 0.0, s["win_streak"])
        )
        s["loss_streak"] = np.where(
            neg, s["loss_streak"] + 1.0, np.where(pos | zero, 0.0, s["loss_streak"])
        )
        np.maximum(s["max_win_streak"], s["win_streak"], out=s["max_win_streak"])
        np.maximum(s["max_loss_streak"], s["loss_streak"], out=s["max_loss_streak"])

        # Stability: regression of cumulative log return on the observation number.
        with np.errstate(invalid="ignore", divide="ignore"):
            cum_log = s["cum_log"] + np.log1p(x)
        s["cum_log"] = cum_log
        s["max_abs_cum_log"] = np.where(
            m, np.fmax(s["max_abs_cum_log"], np.abs(cum_log)), s["max_abs_cum_log"]
        )
        k = n1  # 0-based observation number of this return
        mx_old = np.where(n1 > 0, (n1 - 1.0) / 2.0, 0.0)
        mx_new = (n - 1.0) / 2.0
        dx = k - mx_old
        dy = cum_log - s["reg_my"]
        my_new = s["reg_my"] + np.where(m, dy / np.maximum(n, 1.0), 0.0)
        s["reg_cxy"] += np.where(m, dx * (cum_log - my_new), 0.0)
        s["reg_cxx"] += np.where(m, dx * (k - mx_new), 0.0)
        s["reg_cyy"] += np.where(m, dy * (cum_log - my_new), 0.0)
        s["reg_my"] = my_new

        # Wealth, drawdown and durations.
        if not np.isnan(day):
            s["first_day"] = np.where(m & np.isnan(s["first_day"]), day, s["first_day"])
        wealth = s["wealth"] * (1.0 + x)
        s["wealth"] = wealth
        peak = s["peak"]
        dd = wealth / peak - 1.0
        at_peak = m & (dd >= 0.0)
        under = m & ~at_peak
        span = k - s["peak_obs"]
        peak_day = np.where(s["peak_obs"] < 0, s["first_day"], s["peak_day"])
        span_days = day - peak_day
        recovery = at_peak & (span > 1.0)
        episode = under | recovery
        s["max_dur"] = np.where(episode, np.maximum(s["max_dur"], span), s["max_dur"])
        s["max_dur_days"] = np.where(
            episode, np.maximum(s["max_dur_days"], span_days), s["max_dur_days"]
        )
        s["longest_rec"] = np.where(
            recovery, np.maximum(s["longest_rec"], k - s["trough_obs"]), s["longest_rec"]
        )
        # Same key as the batch computation (drawdown.py), so ties resolve identically.
        key = dd - 2.0 * (s["peak_obs"] + 1.0)
        new_trough = under & (key <= s["trough_dd"])
        s["trough_dd"] = np.where(
            new_trough, key, np.where(at_peak, -2.0 * (k + 1.0), s["trough_dd"])
        )
        s["trough_obs"] = np.where(new_trough, k, s["trough_obs"])
        s["any_under"] = np.maximum(s["any_under"], under)
        s["peak"] = np.where(at_peak, wealth, peak)
        s["peak_obs"] = np.where(at_peak, k, s["peak_obs"])
        s["peak_day"] = np.where(at_peak, day, s["peak_day"])
        s["cur_dd"] = np.where(m, np.minimum(dd, 0.0), s["cur_dd"])
        np.minimum(s["max_dd"], s["cur_dd"], out=s["max_dd"])

        self._roll_month(month, m, x)

    def _roll_month(self, month: float, m: Any, x: FloatArray | None = None) -> None:
        s = self._s
        if np.isnan(month):
            return
        changed = s["month_code"] != month
        if changed.any():
            done = changed & (s["month_has"] > 0)
            ret = s["month_growth"] - 1.0
            s["win_months"] += done & (ret > 0)
            s["loss_months"] += done & (ret < 0)
            s["best_month"] = np.where(done, np.maximum(s["best_month"], ret), s["best_month"])
            s["worst_month"] = np.where(done, np.minimum(s["worst_month"], ret), s["worst_month"])
            s["month_growth"] = np.where(changed, 1.0, s["month_growth"])
            s["month_has"] = np.where(changed, 0.0, s["month_has"])
            s["month_code"] = np.full(self.n_strategies, month)
        if x is not None:
            s["month_growth"] = s["month_growth"] * (1.0 + x)
            s["month_has"] = np.maximum(s["month_has"], m)

    # ---------------------------------------------------------------- snapshot
    def _snapshot_data(self, include_running: bool) -> dict[str, FloatArray]:
        """The snapshot's columns (name -> values of shape (N,))."""
        s = self._s
        ppy = self.periods_per_year
        rf = self._rf
        n = s["n"]
        has = n > 0
        nan = np.full(self.n_strategies, np.nan)
        constant = s["best"] == s["worst"]
        sd = sample_std(s["m2"], n, constant)
        mean = np.where(has, s["mean"], np.nan)
        total = np.where(has, s["wealth"] - 1.0, np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            cagr = np.power(s["wealth"], ppy / n) - 1.0
        cagr[~has | (s["wealth"] < 0)] = np.nan
        down_pp = np.sqrt(safe_divide(s["down_sq"], n))
        sortino = safe_divide(mean - rf, down_pp) * np.sqrt(ppy)
        sortino[n < 2] = np.nan
        max_dd = np.where(has, s["max_dd"], np.nan)
        calmar = safe_divide(cagr, np.abs(max_dd))
        calmar[~(max_dd < 0)] = np.nan
        omega = safe_divide(s["gain_sum"], s["loss_sum"])
        omega[(n < 2) | ~(s["loss_sum"] > 0)] = np.nan
        skew = skew_from_sums(n, mean, s["m2"], s["m3"], constant)
        kurt = kurtosis_from_sums(n, mean, s["m2"], s["m4"], constant)
        stability = np.minimum(safe_divide(s["reg_cxy"] ** 2, s["reg_cxx"] * s["reg_cyy"]), 1.0)
        stability[(n < 2) | stability_undefined(n, s["reg_cyy"], s["max_abs_cum_log"])] = np.nan
        z_cf = cornish_fisher_quantile(0.05, skew, kurt, constant)
        rec = np.where(
            s["longest_rec"] >= 0, s["longest_rec"], np.where(s["any_under"] > 0, np.nan, 0.0)
        )
        cur_dur = (n - 1.0) - s["peak_obs"]
        dated = self.dated and self.n_updates > 0
        if dated:
            cur_has = s["month_has"] > 0
            cur_ret = np.where(cur_has, s["month_growth"] - 1.0, np.nan)
            any_month = (s["win_months"] + s["loss_months"] > 0) | np.isfinite(s["best_month"])
            any_month = any_month | cur_has
            win_m = s["win_months"] + (cur_has & (cur_ret > 0))
            loss_m = s["loss_months"] + (cur_has & (cur_ret < 0))
            best_m = np.fmax(s["best_month"], cur_ret)
            worst_m = np.fmin(s["worst_month"], cur_ret)
            month_cols = [np.where(any_month, v, np.nan) for v in (win_m, loss_m, best_m, worst_m)]
            max_days = s["max_dur_days"].copy()
        else:
            cur_ret = nan
            month_cols = [nan] * 4
            max_days = nan.copy()
        pos_mean = safe_divide(s["pos_sum"], s["pos_count"])
        neg_mean = safe_divide(s["neg_sum"], s["neg_count"])
        cols: dict[str, FloatArray] = {
            "total_return": total,
            "cagr": cagr,
            "annual_volatility": sd * np.sqrt(ppy),
            "best_day": np.where(has, s["best"], np.nan),
            "worst_day": np.where(has, s["worst"], np.nan),
            "mean_daily_return": mean,
            "sharpe_ratio": safe_divide(mean - rf, sd) * np.sqrt(ppy),
            "sortino_ratio": sortino,
            "calmar_ratio": calmar,
            "omega_ratio": omega,
            "tail_ratio": nan,
            "stability": stability,
            "downside_deviation": down_pp * np.sqrt(ppy),
            "skew": skew,
            "kurtosis": kurt,
            "max_drawdown": max_dd,
            "current_drawdown": np.where(has, s["cur_dd"], np.nan),
            "max_drawdown_duration": s["max_dur"],
            "max_drawdown_duration_days": max_days,
            "current_drawdown_duration": cur_dur,
            "longest_recovery": rec,
            "value_at_risk_95_gaussian": mean + _Z_05 * sd,
            "value_at_risk_95_cornish_fisher": mean + z_cf * sd,
            "winning_months": month_cols[0],
            "losing_months": month_cols[1],
            "best_month": month_cols[2],
            "worst_month": month_cols[3],
            "hit_rate": safe_divide(s["pos_count"], n),
            "profit_loss_ratio": safe_divide(pos_mean, np.abs(neg_mean)),
            "n_obs": n.copy(),
        }
        data = {}
        for name in METRIC_COLUMNS:
            values = np.array(cols.get(name, nan), dtype=np.float64, copy=True)
            if name != "n_obs":
                values[~has] = np.nan
            values[~np.isfinite(values)] = np.nan
            data[name] = values
        if include_running:
            data["current_winning_period_streak"] = s["win_streak"].copy()
            data["current_losing_period_streak"] = s["loss_streak"].copy()
            data["longest_winning_period_streak"] = s["max_win_streak"].copy()
            data["longest_losing_period_streak"] = s["max_loss_streak"].copy()
            data["current_month_return"] = np.where(np.isfinite(cur_ret), cur_ret, np.nan)
        return data

    def snapshot(self, names: Any = None, include_running: bool = False) -> pd.DataFrame:
        """Current statistics, one row per strategy, columns as :func:`summarize`.

        Parameters
        ----------
        names : sequence, length N, optional
            Row labels (default 0..N-1).
        include_running : bool
            Also return :data:`RUNNING_EXTRA_COLUMNS` (period streaks, current month return).

        Returns
        -------
        pandas.DataFrame
            Omitted statistics (see the module docstring) are NaN.
        """
        data = self._snapshot_data(include_running)
        index = pd.Index(list(names) if names is not None else range(self.n_strategies))
        return pd.DataFrame(data, index=index)

    def snapshot_arrays(self) -> tuple[list[str], FloatArray]:
        """:meth:`snapshot` without pandas: (column names, values of shape (N, M))."""
        data = self._snapshot_data(False)
        return list(data), np.column_stack(list(data.values()))

    def state_slices(self) -> list[dict[str, Any]]:
        """:meth:`to_state` of each strategy alone (as :meth:`select` would give), without
        building N objects: the daily job stores one state per strategy."""
        whole = self.to_state()
        arrays = whole["arrays"]
        return [
            {
                **whole,
                "n_strategies": 1,
                "arrays": {k: [v[j]] for k, v in arrays.items()},
            }
            for j in range(self.n_strategies)
        ]

    # ------------------------------------------------------------ persistence
    def to_state(self) -> dict[str, Any]:
        """A JSON-serialisable copy of the state (NaN and infinities written as strings)."""

        def enc(v: float) -> float | str:
            if np.isnan(v):
                return "nan"
            if np.isinf(v):
                return "inf" if v > 0 else "-inf"
            return float(v)

        return {
            "version": 1,
            "n_strategies": self.n_strategies,
            "periods_per_year": self.periods_per_year,
            "risk_free": self.risk_free,
            "dated": self.dated,
            "n_updates": self.n_updates,
            "last_day": enc(self.last_day),
            "arrays": {
                k: arr.tolist() if np.isfinite(arr).all() else [enc(float(v)) for v in arr]
                for k, arr in self._s.items()
            },
        }

    def select(self, indices: Any) -> RunningMetrics:
        """A new object holding only the strategies at ``indices`` (same calendar state)."""
        idx = np.asarray(indices, dtype=np.int64).reshape(-1)
        out = RunningMetrics(int(idx.size), self.periods_per_year, self.risk_free)
        out.dated, out.n_updates, out.last_day = self.dated, self.n_updates, self.last_day
        out._s = {k: v[idx].copy() for k, v in self._s.items()}
        return out

    @classmethod
    def concat(cls, parts: list[RunningMetrics]) -> RunningMetrics:
        """Join objects fed the same periods (same ``n_updates``, last date and settings) into
        one over all their strategies.

        Raises
        ------
        MetricsInputError
            When the parts were not fed the same periods or use other settings.
        """
        if not parts:
            raise MetricsInputError("RunningMetrics.concat needs at least one part.")
        first = parts[0]
        for p in parts[1:]:
            same_day = (np.isnan(p.last_day) and np.isnan(first.last_day)) or (
                p.last_day == first.last_day
            )
            if (
                p.n_updates != first.n_updates
                or not same_day
                or p.dated != first.dated
                or p.periods_per_year != first.periods_per_year
                or p.risk_free != first.risk_free
            ):
                raise MetricsInputError(
                    "RunningMetrics.concat: the parts were not fed the same periods."
                )
        out = cls(sum(p.n_strategies for p in parts), first.periods_per_year, first.risk_free)
        out.dated, out.n_updates, out.last_day = first.dated, first.n_updates, first.last_day
        out._s = {k: np.concatenate([p._s[k] for p in parts]) for k in _STATE_FIELDS}
        return out

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> RunningMetrics:
        """Rebuild a :class:`RunningMetrics` from :meth:`to_state` output.

        Raises
        ------
        MetricsInputError
            If the state is of an unknown version or lacks a field.
        """
        if state.get("version") != 1:
            raise MetricsInputError(
                f"unknown RunningMetrics state version {state.get('version')!r}; expected 1."
            )
        obj = cls(
            int(state["n_strategies"]), float(state["periods_per_year"]), float(state["risk_free"])
        )
        obj.dated = bool(state["dated"])
        obj.n_updates = int(state["n_updates"])
        obj.last_day = float(state["last_day"])
        arrays = state["arrays"]
        missing = [k for k in _STATE_FIELDS if k not in arrays]
        if missing:
            raise MetricsInputError(f"RunningMetrics state lacks field(s): {', '.join(missing)}.")
        for k in _STATE_FIELDS:
            values = np.array([float(v) for v in arrays[k]], dtype=np.float64)
            if values.shape != (obj.n_strategies,):
                raise MetricsInputError(f"RunningMetrics state field {k!r} has the wrong length.")
            obj._s[k] = values
        return obj
