"""Sequential detection of strategy decay: a CUSUM calibrated to a false-alarm rate.

``first_alarm(live_returns, backtest_returns, ...)`` for a whole history,
``DecayDetector`` for the daily job (same alarms, JSON-serialisable state), ``calibrate`` for
the threshold itself. The detector is the CUSUM of the GARCH(1,1)-t log-likelihood ratio of a
drop of the mean, fitted to the strategy's own backtest (:mod:`stratmon.decay.model`,
:mod:`stratmon.decay.scores`) and calibrated by stationary bootstrap of that backtest. See
:mod:`stratmon.decay.calibration` for the method and its sources.
"""

from stratmon.decay.calibration import (
    DEFAULT_CALIBRATION_PATHS,
    MIN_BACKTEST_PERIODS,
    DecayCalibration,
    calibrate,
    clear_calibration_cache,
)
from stratmon.decay.detector import STATE_VERSION, DecayDetector, first_alarm
from stratmon.decay.legacy import DecayCalibrationV1
from stratmon.decay.model import BacktestModel, fit_backtest_model
from stratmon.decay.scores import ewma_variance, student_t_llr

__all__ = [
    "DEFAULT_CALIBRATION_PATHS",
    "MIN_BACKTEST_PERIODS",
    "STATE_VERSION",
    "BacktestModel",
    "DecayCalibration",
    "DecayCalibrationV1",
    "DecayDetector",
    "calibrate",
    "clear_calibration_cache",
    "ewma_variance",
    "first_alarm",
    "fit_backtest_model",
    "student_t_llr",
]
