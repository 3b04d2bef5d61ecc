"""Stored assessments: one :class:`~stratmon.domain.assessment.Assessment` per strategy and
evaluation date. The one read path every output uses for a judgement (status, verdict, health,
recommendation, reasons, changes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Connection, bindparam, func, insert, select, update

from stratmon.domain.assessment import Assessment
from stratmon.store.models import AssessmentRow, EvaluationRow

_INSERT = insert(AssessmentRow)

_LATEST_DATE = select(func.max(AssessmentRow.as_of))
_LATEST_DATE_UNTIL = select(func.max(AssessmentRow.as_of)).where(
    AssessmentRow.as_of <= bindparam("until")
)
_ON = select(AssessmentRow.document).where(AssessmentRow.as_of == bindparam("as_of"))
_ONE = select(AssessmentRow.document).where(
    AssessmentRow.strategy_id == bindparam("sid"), AssessmentRow.as_of == bindparam("as_of")
)
_HISTORY = (
    select(AssessmentRow.document)
    .where(
        AssessmentRow.strategy_id == bindparam("sid"),
        AssessmentRow.as_of >= bindparam("since"),
        AssessmentRow.as_of <= bindparam("until"),
    )
    .order_by(AssessmentRow.as_of)
)
# the newest assessment before a date per strategy (the previous session's judgement)
_PREV_DATES = (
    select(AssessmentRow.strategy_id, func.max(AssessmentRow.as_of).label("as_of"))
    .where(
        AssessmentRow.as_of < bindparam("before"),
        AssessmentRow.as_of >= bindparam("since"),
        AssessmentRow.strategy_id.in_(bindparam("ids", expanding=True)),
    )
    .group_by(AssessmentRow.strategy_id)
    .subquery()
)
_PREVIOUS = select(AssessmentRow.document).join(
    _PREV_DATES,
    (AssessmentRow.strategy_id == _PREV_DATES.c.strategy_id)
    & (AssessmentRow.as_of == _PREV_DATES.c.as_of),
)


def save_assessments(
    conn: Connection, assessments: Sequence[Assessment], evaluation_id: int
) -> None:
    """Insert one row per assessment (the caller clears a re-run date first)."""
    if assessments:
        conn.execute(
            _INSERT,
            [
                {
                    "strategy_id": a.strategy_id,
                    "as_of": a.as_of,
                    "evaluation_id": evaluation_id,
                    "verdict": a.verdict,
                    "action": a.action,
                    "health": a.health,
                    "document": a.to_dict(),
                }
                for a in assessments
            ],
        )


def latest_assessment_date(conn: Connection, until: dt.date | None = None) -> dt.date | None:
    """The newest date with stored assessments (on or before ``until``)."""
    if until is None:
        return conn.execute(_LATEST_DATE).scalar()
    return conn.execute(_LATEST_DATE_UNTIL, {"until": until}).scalar()


def assessments_on(conn: Connection, as_of: dt.date) -> list[Assessment]:
    """Every strategy's assessment of one date, ordered by strategy id."""
    docs = conn.execute(_ON, {"as_of": as_of}).scalars()
    return sorted((Assessment.from_dict(d) for d in docs), key=lambda a: a.strategy_id)


def latest_assessments(conn: Connection, until: dt.date | None = None) -> list[Assessment]:
    """The assessments of the newest assessed date (on or before ``until``); empty if none."""
    day = latest_assessment_date(conn, until)
    return [] if day is None else assessments_on(conn, day)


def assessment(
    conn: Connection, strategy_id: str, as_of: dt.date | None = None
) -> Assessment | None:
    """One strategy's assessment on ``as_of`` (default: the newest assessed date)."""
    day = as_of or latest_assessment_date(conn)
    if day is None:
        return None
    doc = conn.execute(_ONE, {"sid": strategy_id, "as_of": day}).scalar()
    return None if doc is None else Assessment.from_dict(doc)


def assessment_history(
    conn: Connection,
    strategy_id: str,
    since: dt.date = dt.date.min,
    until: dt.date = dt.date.max,
) -> list[Assessment]:
    """One strategy's assessments between two dates (inclusive), oldest first."""
    docs = conn.execute(_HISTORY, {"sid": strategy_id, "since": since, "until": until})
    return [Assessment.from_dict(d) for d in docs.scalars()]


def previous_assessments(
    conn: Connection, strategy_ids: Sequence[str], before: dt.date, lookback_days: int = 400
) -> dict[str, Assessment]:
    """Each strategy's newest assessment strictly before ``before`` (within ``lookback_days``
    calendar days, so the read stays bounded as history grows)."""
    if not strategy_ids:
        return {}
    docs = conn.execute(
        _PREVIOUS,
        {
            "before": before,
            "since": before - dt.timedelta(days=lookback_days),
            "ids": list(strategy_ids),
        },
    ).scalars()
    out = {}
    for d in docs:
        a = Assessment.from_dict(d)
        out[a.strategy_id] = a
    return out


_SET_BOOK_CHANGES = (
    update(EvaluationRow)
    .where(EvaluationRow.id == bindparam("_id"))
    .values(changes=bindparam("changes"))
)
_BOOK_CHANGES = (
    select(EvaluationRow.changes)
    .where(EvaluationRow.as_of == bindparam("as_of"), EvaluationRow.status == "ok")
    .order_by(EvaluationRow.id.desc())
    .limit(1)
)


def save_book_changes(conn: Connection, evaluation_id: int, changes: Sequence[str]) -> None:
    """The book-level "what changed today" lines of one evaluation (files rejected...)."""
    conn.execute(_SET_BOOK_CHANGES, {"_id": evaluation_id, "changes": list(changes)})


def book_changes(conn: Connection, as_of: dt.date) -> list[str]:
    """The book-level change lines of the newest finished evaluation of ``as_of``."""
    value = conn.execute(_BOOK_CHANGES, {"as_of": as_of}).scalar()
    return [str(x) for x in value or ()]
