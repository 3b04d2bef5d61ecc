"""Pure helpers of the dashboard pages: the book's reallocation summed from the stored
recommendations, the verdict-change rows of a history, the status column labels and the
literal markdown of change lines. Hand-computed cases."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from dashboard_assessments import make_assessment

from stratmon.dashboard.data import (
    book_view,
    history_frame,
    portfolio_columns,
    status_columns,
    verdict_changes,
)
from stratmon.dashboard.formatting import md_escape, md_list
from stratmon.domain.assessment import Assessment, Recommendation, StatusView

DAY = dt.date(2024, 3, 28)


def _a(i: int, sid: str, capital: float, day: dt.date = DAY, *, last: bool = True) -> Assessment:
    return make_assessment(
        i, sid, day, capital, last=last, health_offset=0.0, alarm_date=dt.date(2024, 3, 25)
    )


def test_book_view_sums_the_recommendations_within_the_total() -> None:
    # template 0 maintains, 1 halves, 2 adds a sixth
    items = [_a(0, "a", 1_000_000.0), _a(1, "b", 2_000_000.0), _a(2, "c", 3_000_000.0)]
    no_capital = replace(
        _a(0, "d", 0.0), recommendation=Recommendation("maintain", None, None, "no capital")
    )
    book = book_view([*items, no_capital])
    assert book.current_total == 6_000_000.0
    assert book.suggested_total == pytest.approx(1_000_000.0 + 1_000_000.0 + 3_500_000.0)
    assert book.removed == pytest.approx(-1_000_000.0)
    assert book.added == pytest.approx(500_000.0)
    assert book.to_unallocated == pytest.approx(500_000.0)
    # conservation: what strategies lose = what others gain + what goes to cash
    assert -book.removed == pytest.approx(book.added + book.to_unallocated)
    assert book.without_capital == ("d",)
    assert list(book.table["strategy_id"]) == ["b", "a", "c"]  # biggest cut first
    assert list(book.table["action"]) == ["reduce", "maintain", "increase"]


def test_book_view_of_nothing_is_zero_not_an_error() -> None:
    book = book_view([])
    assert (book.current_total, book.suggested_total, book.to_unallocated) == (0.0, 0.0, 0.0)
    assert book.table.empty and book.without_capital == ()


def test_verdict_changes_keeps_the_first_row_and_each_change() -> None:
    days = [DAY - dt.timedelta(days=k) for k in (4, 3, 2, 1, 0)]
    history = [
        _a(0, "a", 1.0, days[0], last=False),  # watch / maintain
        _a(0, "a", 1.0, days[1], last=False),
        _a(0, "a", 1.0, days[2], last=True),  # investigate / maintain
        _a(1, "a", 1.0, days[3]),  # act / reduce
        _a(1, "a", 1.0, days[4]),
    ]
    rows = verdict_changes(history_frame(history))
    assert list(rows["as_of"]) == [days[0], days[2], days[3]]
    assert list(rows["verdict"]) == ["watch", "investigate", "act"]
    assert list(rows["action"]) == ["maintain", "maintain", "reduce"]
    assert verdict_changes(history_frame([])).empty


def test_status_columns_are_labelled_by_the_records_windows() -> None:
    a = _a(0, "a", 1.0)
    assert status_columns([a]) == ("status (live to date)", "status (30 sessions)")
    b = replace(a, status_recent=StatusView("60 sessions", "on_track"))
    live, recent = status_columns([b])
    assert recent == "status (60 sessions)"
    assert portfolio_columns(live, recent)[6:8] == [live, recent]
    assert status_columns([]) == ("status (live to date)", "status (30 sessions)")


def test_change_lines_are_shown_literally() -> None:
    assert md_escape("strat_001: drawdown -15 % < -10 % *limit* $5") == (
        "strat\\_001: drawdown -15 % \\< -10 % \\*limit\\* \\$5"
    )
    assert md_list(["a", "b_c"]) == "- a\n- b\\_c"
