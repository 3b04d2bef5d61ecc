"""Calendar sessions and cell converters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from stratmon.ingest import is_session, sessions_between
from stratmon.ingest import values as v
from stratmon.ingest.calendar import UnknownCalendarError, calendar_bounds


def test_nyse_sessions_1999_2018_match_published_count() -> None:
    # ECOSYSTEM.md: NYSE 1999-2018 has 5,031 sessions
    assert len(sessions_between("XNYS", dt.date(1999, 1, 1), dt.date(2018, 12, 31))) == 5031


def test_nyse_special_closures() -> None:
    for day in [
        dt.date(2001, 9, 11),
        dt.date(2004, 6, 11),
        dt.date(2012, 10, 29),
        dt.date(2018, 12, 5),
    ]:
        assert not is_session("XNYS", day)
    assert is_session("XNYS", dt.date(2024, 1, 2))
    assert not is_session("XNYS", dt.date(2024, 1, 6))


def test_24_7_and_bounds() -> None:
    assert is_session("24/7", dt.date(2024, 1, 6))
    assert sessions_between("24/7", dt.date(2024, 2, 28), dt.date(2024, 3, 1)) == [
        dt.date(2024, 2, 28),
        dt.date(2024, 2, 29),
        dt.date(2024, 3, 1),
    ]
    assert sessions_between("XNYS", dt.date(2024, 1, 5), dt.date(2024, 1, 4)) == []
    bounds = calendar_bounds("XNYS")
    assert bounds is not None and bounds[0] == dt.date(1970, 1, 2)
    assert calendar_bounds("24/7") is None
    with pytest.raises(UnknownCalendarError, match="XNYS"):
        is_session("NOPE", dt.date(2024, 1, 2))


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("1.5", 1.5),
        (" -2 ", -2.0),
        (3, 3.0),
        (Decimal("0.1"), 0.1),
        ("", None),
        (None, None),
        ("nan", None),
        (float("nan"), None),
    ],
)
def test_to_float(raw: object, want: float | None) -> None:
    assert v.to_float(raw) == want


@pytest.mark.parametrize("raw", ["1e", "1,5", True, [1], "inf", float("-inf")])
def test_to_float_rejects(raw: object) -> None:
    with pytest.raises(v.BadValueError):
        v.to_float(raw)


def test_dates_and_timestamps() -> None:
    assert v.to_date("2024-01-02") == dt.date(2024, 1, 2)
    assert v.to_date("2024-01-02T00:00:00.000Z") == dt.date(2024, 1, 2)
    assert v.to_date(dt.datetime(2024, 1, 2)) == dt.date(2024, 1, 2)
    for bad in ["2024-01-02T10:00", "2/1/2024", 1704153600000, dt.datetime(2024, 1, 2, 9)]:
        with pytest.raises(v.BadValueError):
            v.to_date(bad)
    ny = dt.timezone(dt.timedelta(hours=-5))
    assert v.to_datetime(dt.datetime(2024, 1, 2, 9, 30, tzinfo=ny)) == dt.datetime(
        2024, 1, 2, 14, 30
    )
    assert v.to_datetime("2024-01-02") == dt.datetime(2024, 1, 2)
    assert v.to_int("12") == 12 and v.to_int(12.0) == 12


def test_sides_and_bools() -> None:
    assert v.to_side(" buy ") == "BUY"
    assert [v.to_direction(s) for s in ["long", "SELL", "Buy", "short"]] == [
        "LONG",
        "SHORT",
        "LONG",
        "SHORT",
    ]
    with pytest.raises(v.BadValueError) as info:
        v.to_side("B")
    assert info.value.rule == "side"
    assert [v.to_bool(x) for x in ["Yes", "0", True, 1, ""]] == [True, False, True, True, None]


def test_calendar_that_starts_later_than_1970() -> None:
    # exchange-calendars evaluates XTKS only from 1997; bounds follow the calendar
    bounds = calendar_bounds("XTKS")
    assert bounds is not None and bounds[0].year == 1997
    assert is_session("XTKS", dt.date(2024, 1, 4)) and not is_session("XTKS", dt.date(2024, 1, 1))
