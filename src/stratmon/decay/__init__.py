"""Sequential detection of strategy decay: a CUSUM calibrated to a false-alarm rate.

``first_alarm(live_returns, backtest_returns, ...)`` for a whole history,
``DecayDetector`` for the daily job (same alarms, JSON-serialisable state), ``calibrate`` for
the threshold itself. See :mod:`stratmon.decay.calibration` for the method and its sources.
"""

from stratmon.decay.calibration import (
    DEFAULT_CALIBRATION_PATHS,
    MIN_BACKTEST_PERIODS,
    DecayCalibration,
    calibrate,
    clear_calibration_cache,
)
from stratmon.decay.detector import DecayDetector, first_alarm
from stratmon.decay.scores import ewma_variance

__all__ = [
    "DEFAULT_CALIBRATION_PATHS",
    "MIN_BACKTEST_PERIODS",
    "DecayCalibration",
    "DecayDetector",
    "calibrate",
    "clear_calibration_cache",
    "ewma_variance",
    "first_alarm",
]
