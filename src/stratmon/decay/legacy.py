"""Version-1 decay detectors (EWMA-weighted Gaussian CUSUM), kept so stored states still run.

Detectors saved by stratmon before state version 2 carry a calibration of this form: Page's
CUSUM of the Gaussian log-likelihood ratio of a drop in the mean, each day weighted by its
RiskMetrics EWMA variance forecast and Huber-clipped. New detectors use the GARCH(1,1)-t
likelihood ratio of :mod:`stratmon.decay.calibration`; a version-1 state loaded by
:meth:`stratmon.decay.DecayDetector.from_state` keeps running with the recursion it was
calibrated for (its threshold is only valid for it), so its alarms are unchanged. Recalibrating
from the backtest (``DecayDetector.from_backtest``) upgrades it.

In units of the backtest volatility ``sd``: ``x_t = r_t / sd``, ``w_t = sd^2 / v_t``,

    u_t = sqrt(w_t) * clip(sqrt(w_t) * (x_t - k), -c, c),   S_t = max(0, S_{t-1} - u_t),
    v_{t+1} = lam * max(v_t, floor) + (1 - lam) * r_t^2.

References
----------
Page (1954); J.P. Morgan/Reuters (1996), RiskMetrics Technical Document; Huber (1964).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["DecayCalibrationV1", "increments", "step_v1"]

Array = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class DecayCalibrationV1:
    """A version-1 calibration, as stored (see the module notes for the recursion)."""

    reference: list[float]
    threshold: list[float]
    initial_variance: list[float]
    floor_variance: list[float]
    detectable: list[bool]
    backtest_sharpe: list[float]
    block_length: list[float]
    clip: float
    lam: float
    false_alarm_days: int
    decayed_sharpe: float
    periods_per_year: int
    n_paths: int

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (the stored version-1 layout)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DecayCalibrationV1:
        """Inverse of :meth:`to_dict`."""
        return cls(**data)


def increments(x: Array, w: Array, reference: Array, clip: float) -> Array:
    """Version-1 CUSUM increments ``u = sqrt(w) * clip(sqrt(w) * (x - k), -c, c)``.

    ``x`` is the return over the backtest volatility, ``w`` the EWMA precision weight and
    ``k`` the reference value per period in units of the backtest volatility.
    """
    sw = np.sqrt(w)
    out: Array = sw * np.clip(sw * (x - reference), -clip, clip)
    return out


def step_v1(
    r: Array, stat: Array, var: Array, cal: DecayCalibrationV1
) -> tuple[Array, Array, npt.NDArray[np.bool_]]:
    """One period of the version-1 recursion: new statistic, variance, threshold crossed."""
    var0 = np.asarray(cal.initial_variance, float)
    floor = np.asarray(cal.floor_variance, float)
    ok = ~np.isnan(r)
    r0 = np.where(ok, r, 0.0)
    vv = np.maximum(var, floor)
    u = increments(r0 * (1.0 / np.sqrt(var0)), var0 / vv, np.asarray(cal.reference), cal.clip)
    new_stat = np.where(ok, np.maximum(stat - u, 0.0), stat)
    new_var = np.where(ok, cal.lam * vv + (1.0 - cal.lam) * r0 * r0, var)
    crossed = ok & np.asarray(cal.detectable, bool) & (new_stat > np.asarray(cal.threshold))
    return new_stat, new_var, crossed
