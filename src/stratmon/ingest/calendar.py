"""Trading sessions of an exchange calendar, loaded once per calendar and cached.

A calendar is an exchange-calendars code (``"XNYS"``, ``"XLON"``...) or ``"24/7"`` (crypto),
for which every calendar day is a session. Exchange calendars are loaded from
:data:`CALENDAR_START` (exchange-calendars' own default covers only +/- 20 years), or from the
calendar's earliest supported day if later, to the library's default end (about one year after
today); a date outside that range is never a session.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import warnings
from dataclasses import dataclass

from stratmon.errors import StratmonError

#: First day loaded for exchange calendars (or the calendar's own earliest day, if later);
#: earlier dates are never sessions. 1970 covers long backtests (e.g. WTI from 1986).
CALENDAR_START = dt.date(1970, 1, 1)
#: The calendar code for markets that trade every day.
ALWAYS_OPEN = "24/7"


class UnknownCalendarError(StratmonError, ValueError):
    """A calendar code that is neither ``"24/7"`` nor an exchange-calendars code."""


@dataclass(frozen=True, slots=True)
class _Sessions:
    ordered: tuple[dt.date, ...]
    members: frozenset[dt.date]


@functools.cache
def _sessions(calendar: str) -> _Sessions:
    import exchange_calendars as xcals  # slow import (~0.6 s): only when a calendar is needed

    try:
        with warnings.catch_warnings():  # pandas deprecation noise from inside the library
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", FutureWarning)
            try:
                cal = xcals.get_calendar(calendar, start=CALENDAR_START.isoformat())
            except ValueError:  # the calendar cannot go back that far (XTKS: 1997)
                earliest = xcals.get_calendar(calendar).bound_min()
                cal = xcals.get_calendar(calendar, start=earliest)
    except xcals.errors.InvalidCalendarName as exc:
        raise UnknownCalendarError(
            f"unknown calendar {calendar!r}: use an exchange-calendars code such as 'XNYS', "
            f"'XLON', 'XTKS', or '{ALWAYS_OPEN}' for markets open every day"
        ) from exc
    ordered = tuple(ts.date() for ts in cal.sessions)
    return _Sessions(ordered, frozenset(ordered))


def validate_calendar(calendar: str) -> None:
    """Check that a calendar code is known (and load it into the cache).

    Parameters
    ----------
    calendar : str
        Exchange-calendars code or ``"24/7"``.

    Raises
    ------
    UnknownCalendarError
        If the code is not known.

    References
    ----------
    exchange-calendars ``get_calendar``.
    """
    if calendar != ALWAYS_OPEN:
        _sessions(calendar)


def calendar_bounds(calendar: str) -> tuple[dt.date, dt.date] | None:
    """First and last session the cached calendar covers (``None`` for ``"24/7"``).

    Parameters
    ----------
    calendar : str
        Exchange-calendars code or ``"24/7"``.

    Raises
    ------
    UnknownCalendarError
        If the code is not known.
    """
    if calendar == ALWAYS_OPEN:
        return None
    ordered = _sessions(calendar).ordered
    return ordered[0], ordered[-1]


def is_session(calendar: str, date: dt.date) -> bool:
    """Whether ``date`` is a trading session of ``calendar``.

    Parameters
    ----------
    calendar : str
        Exchange-calendars code (``"XNYS"``) or ``"24/7"`` (every day is a session).
    date : datetime.date
        The day to test.

    Returns
    -------
    bool
        ``False`` for holidays, weekends (on exchange calendars) and days outside the loaded
        range (see :func:`calendar_bounds`).

    Raises
    ------
    UnknownCalendarError
        If the code is not known.

    References
    ----------
    exchange-calendars ``ExchangeCalendar.is_session``.
    """
    if calendar == ALWAYS_OPEN:
        return True
    return date in _sessions(calendar).members


def sessions_between(calendar: str, start: dt.date, end: dt.date) -> list[dt.date]:
    """Sessions of ``calendar`` from ``start`` to ``end``, both included, in order.

    Parameters
    ----------
    calendar : str
        Exchange-calendars code or ``"24/7"``.
    start, end : datetime.date
        Inclusive bounds; an empty list if ``start > end``. Parts outside the loaded range of
        an exchange calendar contribute no sessions.

    Returns
    -------
    list of datetime.date

    Raises
    ------
    UnknownCalendarError
        If the code is not known.

    References
    ----------
    exchange-calendars ``ExchangeCalendar.sessions_in_range``.
    """
    if start > end:
        return []
    if calendar == ALWAYS_OPEN:
        return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    ordered = _sessions(calendar).ordered
    lo = bisect.bisect_left(ordered, start)
    hi = bisect.bisect_right(ordered, end)
    return list(ordered[lo:hi])
