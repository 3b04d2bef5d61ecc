"""Sequential detection of a drop in a strategy's Sharpe ratio: batch and incremental forms.

:func:`first_alarm` runs the calibrated CUSUM of :mod:`stratmon.decay.calibration` over a
whole live history; :class:`DecayDetector` runs the same recursion one period at a time with a
JSON-serialisable state, for the daily job. Both give the same alarm index on the same data.

Method in one paragraph: Page's CUSUM of the log-likelihood ratio of "mean return = backtest
level" against "mean return = decayed level" in the model fitted to the strategy's own
backtest -- GARCH(1,1) volatility forecast, Student-t innovations, t maximum-likelihood mean
(:mod:`stratmon.decay.model`, :mod:`stratmon.decay.scores`) -- so each day counts with the
information it carries and no single fat-tailed day dominates; its threshold is set by a
stationary bootstrap of the strategy's own backtest so that a strategy that has not decayed
raises a false alarm on average once per ``false_alarm_days`` periods, including the error of
estimating the backtest's mean (:mod:`stratmon.decay.calibration`). Model assumption: the
expected return per period is constant while volatility varies (for a volatility-targeted
strategy both are constant). A missing live return (NaN) leaves the statistic and the
volatility forecast unchanged; the index still counts it.

State versions: 2 (this method). Version-1 states (EWMA-weighted Gaussian CUSUM, stored by
earlier releases) still load and keep running with their own recursion
(:mod:`stratmon.decay.legacy`); recalibrating from the backtest upgrades them.

References
----------
Page, E. S. (1954), "Continuous inspection schemes", Biometrika 41(1/2). Lorden, G. (1971),
Ann. Math. Statist. 42(6). Moustakides, G. V. (1986), Ann. Statist. 14(4). Basseville, M. and
Nikiforov, I. V. (1993), "Detection of Abrupt Changes: Theory and Application", ch. 2 and 5.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from stratmon.decay.calibration import (
    DEFAULT_CALIBRATION_PATHS,
    DecayCalibration,
    calibrate,
)
from stratmon.decay.legacy import DecayCalibrationV1, step_v1
from stratmon.decay.scores import student_t_llr

__all__ = ["DecayDetector", "first_alarm"]

STATE_VERSION = 2

AnyCalibration = DecayCalibration | DecayCalibrationV1


@dataclass(slots=True)
class _Arrays:
    mu0: npt.NDArray[np.float64]
    gap: npt.NDArray[np.float64]
    omega: npt.NDArray[np.float64]
    alpha: npt.NDArray[np.float64]
    beta: npt.NDArray[np.float64]
    nu: npt.NDArray[np.float64]
    floor: npt.NDArray[np.float64]
    h: npt.NDArray[np.float64]
    detectable: npt.NDArray[np.bool_]

    @classmethod
    def of(cls, cal: AnyCalibration) -> _Arrays:
        if isinstance(cal, DecayCalibrationV1):  # only ``detectable`` is read for these
            n = len(cal.threshold)
            z = np.zeros(n)
            return cls(z, z, z, z, z, z + 3.0, z, z, np.asarray(cal.detectable, bool))
        mu0 = np.asarray(cal.location, float)
        return cls(
            mu0,
            np.maximum(mu0 - np.asarray(cal.decayed_location, float), 0.0),
            np.asarray(cal.omega, float),
            np.asarray(cal.alpha, float),
            np.asarray(cal.beta, float),
            np.asarray(cal.nu, float),
            np.asarray(cal.floor_variance, float),
            np.asarray(cal.threshold, float),
            np.asarray(cal.detectable, bool),
        )


def _step(
    r: npt.NDArray[np.float64],
    stat: npt.NDArray[np.float64],
    var: npt.NDArray[np.float64],
    a: _Arrays,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """One period of the recursion for all strategies: new statistic, variance, crossed."""
    ok = ~np.isnan(r)
    e = np.where(ok, r, 0.0) - a.mu0
    vv = np.maximum(var, a.floor)
    inv_sd = 1.0 / np.sqrt(vv)
    llr = student_t_llr(e * inv_sd, a.gap * inv_sd, a.nu)
    new_stat = np.where(ok, np.maximum(stat + llr, 0.0), stat)
    new_var = np.where(ok, a.omega + a.alpha * e * e + a.beta * vv, var)
    crossed = ok & a.detectable & (new_stat > a.h)
    return new_stat, new_var, crossed


def first_alarm(
    live_returns: npt.ArrayLike,
    backtest_returns: npt.ArrayLike,
    *,
    false_alarm_days: int = 1260,
    decayed_sharpe: float = 0.0,
    periods_per_year: int = 252,
    n_paths: int = DEFAULT_CALIBRATION_PATHS,
    seed: int = 0,
) -> int | npt.NDArray[np.int64]:
    """Index of the first live period at which Sharpe-ratio decay is declared, or -1.

    Parameters
    ----------
    live_returns : ndarray, shape (T,) or (T, N)
        Live simple returns per period, oldest first. NaN = missing (statistic unchanged).
    backtest_returns : ndarray, shape (B,) or (B, N)
        The backtest's simple returns for the same strategies (at least 126 per strategy).
    false_alarm_days : int, default 1260
        In-control average run length: a strategy that has not decayed raises a false alarm on
        average once per this many periods (1260 = 5 years of trading days).
    decayed_sharpe : float, default 0
        Annualised Sharpe ratio whose onset the detector is tuned for (the post-change level).
    periods_per_year : int, default 252
        Periods per year of the returns.
    n_paths : int, default 500
        Bootstrap paths per strategy for the calibration.
    seed : int, default 0
        Seed of the calibration.

    Returns
    -------
    int or ndarray of int, shape (N,)
        0-based index into ``live_returns`` of the first alarm; -1 when none. An int for 1-D
        input. A strategy whose backtest Sharpe does not exceed ``decayed_sharpe`` never alarms.

    Raises
    ------
    InsufficientDataError
        A backtest column has fewer than 126 returns or zero volatility.
    ValueError
        Live and backtest have different numbers of strategies.

    References
    ----------
    Page (1954); Lorden (1971); Moustakides (1986); Basseville and Nikiforov (1993).
    """
    live = np.asarray(live_returns, dtype=float)
    bt = np.asarray(backtest_returns, dtype=float)
    one_d = live.ndim == 1
    live2 = live[:, None] if one_d else live
    bt2 = bt[:, None] if bt.ndim == 1 else bt
    if live2.shape[1] != bt2.shape[1]:
        raise ValueError(
            f"live_returns has {live2.shape[1]} strategies but backtest_returns has {bt2.shape[1]}"
        )
    cal = calibrate(
        bt2,
        false_alarm_days=false_alarm_days,
        decayed_sharpe=decayed_sharpe,
        periods_per_year=periods_per_year,
        n_paths=n_paths,
        seed=seed,
    )
    det = DecayDetector(cal)
    for t in range(live2.shape[0]):
        det.update(live2[t])
        if bool(np.all((det.alarm_index >= 0) | ~det.arrays.detectable)):
            break
    out = det.alarm_index.astype(np.int64)
    return int(out[0]) if one_d else out


class DecayDetector:
    """Incremental decay CUSUM with a JSON-serialisable state.

    Feed one row of live returns per period with :meth:`update`; it returns a boolean array
    of the strategies whose first alarm is raised in that period. ``alarm_index`` then holds
    the same value :func:`first_alarm` returns on the same history. After an alarm the
    statistic keeps running; :meth:`reset` restarts chosen strategies (e.g. once an alert is
    resolved), and their next alarm can then be raised again.

    Parameters
    ----------
    calibration : DecayCalibration or DecayCalibrationV1
        From :func:`stratmon.decay.calibrate` or :meth:`from_backtest` (a version-1
        calibration comes only from an old stored state).
    """

    def __init__(self, calibration: AnyCalibration) -> None:
        self.calibration = calibration
        self.arrays = _Arrays.of(calibration)
        n = len(calibration.threshold)
        self.statistic = np.zeros(n)
        self.variance = np.asarray(calibration.initial_variance, float).copy()
        self.alarm_index = np.full(n, -1, dtype=np.int64)
        self.periods = 0
        self._calibration_dict: dict[str, Any] | None = None  # the calibration never changes

    @classmethod
    def from_backtest(
        cls,
        backtest_returns: npt.ArrayLike,
        *,
        false_alarm_days: int = 1260,
        decayed_sharpe: float = 0.0,
        periods_per_year: int = 252,
        n_paths: int = DEFAULT_CALIBRATION_PATHS,
        seed: int = 0,
    ) -> DecayDetector:
        """Calibrate on a backtest (shape (B,) or (B, N)) and start a fresh detector.

        Same parameters as :func:`first_alarm`.
        """
        return cls(
            calibrate(
                backtest_returns,
                false_alarm_days=false_alarm_days,
                decayed_sharpe=decayed_sharpe,
                periods_per_year=periods_per_year,
                n_paths=n_paths,
                seed=seed,
            )
        )

    @property
    def n_strategies(self) -> int:
        """Number of strategies monitored."""
        return int(self.statistic.size)

    def update(self, returns_row: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        """Process one period of live returns.

        Parameters
        ----------
        returns_row : float or ndarray, shape (N,)
            This period's simple return per strategy; NaN = missing.

        Returns
        -------
        ndarray of bool, shape (N,)
            True for strategies whose first alarm (since start or last reset) is raised now.
        """
        x = np.atleast_1d(np.asarray(returns_row, dtype=float))
        if x.shape != (self.n_strategies,):
            raise ValueError(f"expected {self.n_strategies} returns, got shape {x.shape}")
        cal = self.calibration
        if isinstance(cal, DecayCalibrationV1):
            self.statistic, self.variance, crossed = step_v1(x, self.statistic, self.variance, cal)
        else:
            self.statistic, self.variance, crossed = _step(
                x, self.statistic, self.variance, self.arrays
            )
        new = crossed & (self.alarm_index < 0)
        self.alarm_index[new] = self.periods
        self.periods += 1
        return new

    def reset(self, strategies: npt.ArrayLike | None = None) -> None:
        """Restart the statistic (and clear the alarm) of some or all strategies.

        Parameters
        ----------
        strategies : array of int or bool mask, optional
            Which strategies; all when omitted. The volatility forecast is kept.
        """
        sel = np.arange(self.n_strategies) if strategies is None else np.asarray(strategies)
        self.statistic[sel] = 0.0
        self.alarm_index[sel] = -1

    def to_state(self) -> dict[str, Any]:
        """JSON-serialisable state (calibration included).

        A detector running a version-1 calibration is saved in the version-1 layout.
        """
        legacy = isinstance(self.calibration, DecayCalibrationV1)
        return {
            "version": 1 if legacy else STATE_VERSION,
            "calibration": self._calibration_state(),
            "statistic": [float(v) for v in self.statistic],
            "variance": [float(v) for v in self.variance],
            "alarm_index": [int(v) for v in self.alarm_index],
            "periods": int(self.periods),
        }

    def _calibration_state(self) -> dict[str, Any]:
        if self._calibration_dict is None:
            self._calibration_dict = self.calibration.to_dict()
        return self._calibration_dict

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> DecayDetector:
        """Rebuild a detector from :meth:`to_state` output (state version 1 or 2).

        Raises
        ------
        ValueError
            An unknown state version.
        """
        version = state.get("version")
        cal: AnyCalibration
        if version == STATE_VERSION:
            cal = DecayCalibration.from_dict(state["calibration"])
        elif version == 1:
            cal = DecayCalibrationV1.from_dict(state["calibration"])
        else:
            raise ValueError(f"unsupported DecayDetector state version {version!r}")
        det = cls(cal)
        det.statistic = np.asarray(state["statistic"], float)
        det.variance = np.asarray(state["variance"], float)
        det.alarm_index = np.asarray(state["alarm_index"], np.int64)
        det.periods = int(state["periods"])
        return det
