"""The decay alarm's life cycle: an alarm is an event, then the detector starts afresh.

The CUSUM of :class:`~stratmon.decay.detector.DecayDetector` is calibrated so that a strategy
that behaves like its backtest crosses the threshold once per ``false_alarm_days`` (1,260)
sessions *when the detector is restarted after each alarm* (Page 1954; the renewal CUSUM whose
false-alarm rate ``benchmarks/detection.py`` measures: 0.19-0.21 per strategy-year). Left
running after a crossing, the statistic of a small-shift detector lingers near its threshold
for months under the null: kept "alarmed until the statistic reverts to 0", a healthy
strategy was alarmed on 15-27 % of its days (``benchmarks/health.py``), which turned the
calibrated detector into a permanent accusation.

So:

* a crossing is an **alarm event** on that session; the detector restarts at once and keeps
  watching, and a decayed strategy raises the next alarm about one detection delay later;
* the alarm is **active** for ``hold_sessions`` sessions after each event (default 21, a
  month for a person to investigate), which bounds what a false alarm costs: 0.2 alarms a
  year x 21 sessions = 1.7 % of a healthy strategy's days;
* the history of alarm events is kept (``alarm_history``, live-return indices), so the verdict
  can tell a repeated alarm from a first one.

Under "live behaves like the backtest", the probability that an alarm is active on a given
session is ``1 - (1 - 1/false_alarm_days) ** hold_sessions`` (about 1.7 % at the defaults):
:func:`active_alarm_p_value` returns it as the p-value of the evidence "an alarm is active".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from stratmon.decay.detector import DecayDetector

HOLD_SESSIONS = 21


@dataclass(frozen=True, slots=True)
class AlarmStatus:
    """The alarm of one strategy after its latest live return.

    Attributes
    ----------
    active : bool
        An alarm event happened within the last ``hold_sessions`` sessions.
    last_index : int
        0-based live-return index of the newest alarm event; -1 when none.
    sessions_since : int or None
        Live returns after the newest alarm event (0 on its session); None when none.
    count : int
        Alarm events in the whole live record.
    """

    active: bool
    last_index: int
    sessions_since: int | None
    count: int


def feed(
    detector: DecayDetector,
    returns: npt.ArrayLike,
    start_index: int,
    alarm_history: list[int],
) -> None:
    """Feed one strategy's new live returns, restarting the detector at each alarm event.

    Parameters
    ----------
    detector : DecayDetector
        A one-strategy detector whose state is after ``start_index`` returns.
    returns : array_like, shape (K,)
        The next live returns, oldest first (NaN = missing, statistic unchanged).
    start_index : int
        0-based live-return index of ``returns[0]``.
    alarm_history : list of int
        Indices of earlier alarm events; new ones are appended in place.
    """
    r = np.asarray(returns, dtype=float)
    for k, x in enumerate(r):
        if detector.update(np.array([x]))[0]:
            alarm_history.append(start_index + k)
            detector.reset()


def alarm_status(
    alarm_history: Sequence[int], n_returns: int, hold_sessions: int = HOLD_SESSIONS
) -> AlarmStatus:
    """Whether an alarm is active after ``n_returns`` live returns (see the module docstring).

    Raises
    ------
    ValueError
        When ``hold_sessions < 1``.
    """
    if hold_sessions < 1:
        raise ValueError(f"hold_sessions must be >= 1, got {hold_sessions}")
    if not alarm_history:
        return AlarmStatus(False, -1, None, 0)
    last = int(alarm_history[-1])
    since = n_returns - 1 - last
    return AlarmStatus(0 <= since < hold_sessions, last, since, len(alarm_history))


def active_alarm_p_value(
    false_alarm_days: float = 1260.0, hold_sessions: int = HOLD_SESSIONS
) -> float:
    """Probability, under the null, that an alarm is active on a given session.

    ``1 - (1 - 1/false_alarm_days) ** hold_sessions``: the chance that one of the last
    ``hold_sessions`` sessions raised an alarm when alarms arrive at the calibrated rate.

    References
    ----------
    Page (1954), Continuous inspection schemes (the renewal CUSUM and its average run length).
    """
    return float(1.0 - (1.0 - 1.0 / false_alarm_days) ** hold_sessions)
