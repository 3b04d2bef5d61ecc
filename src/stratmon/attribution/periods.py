"""Named attribution periods: month, quarter and year to date, since inception."""

from __future__ import annotations

import datetime as dt

from stratmon.errors import StratmonError

PERIODS = ("mtd", "qtd", "ytd", "itd")


def period_bounds(
    as_of: dt.date, period: str, inception: dt.date | None = None
) -> tuple[dt.date, dt.date]:
    """Inclusive date range of a named period ending on ``as_of``.

    Parameters
    ----------
    as_of : datetime.date
        Last day of the period.
    period : str
        ``mtd`` (month to date), ``qtd``, ``ytd`` or ``itd`` (since inception).
    inception : datetime.date, optional
        First day for ``itd`` (default ``date.min``).

    Returns
    -------
    (start, end) : tuple of datetime.date
        Returns on days ``start <= d <= end`` belong to the period.

    Raises
    ------
    StratmonError
        For an unknown period name.

    References
    ----------
    GIPS 2020 glossary (period-to-date returns).
    """
    p = period.lower()
    if p == "mtd":
        return as_of.replace(day=1), as_of
    if p == "qtd":
        month = 3 * ((as_of.month - 1) // 3) + 1
        return dt.date(as_of.year, month, 1), as_of
    if p == "ytd":
        return dt.date(as_of.year, 1, 1), as_of
    if p == "itd":
        return inception or dt.date.min, as_of
    raise StratmonError(f"Unknown period {period!r}; use one of {', '.join(PERIODS)}.")
