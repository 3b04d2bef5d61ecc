"""Real market data for the demo, aligned on NYSE (XNYS) sessions 1999-01-04 .. 2018-12-31.

Sources (all shipped inside the ``arch`` package, no network):

- ``arch.data.sp500``: S&P 500 index, column ``Adj Close`` (symbol ``SPX``).
- ``arch.data.nasdaq``: NASDAQ Composite index, column ``Adj Close`` (symbol ``IXIC``).
- ``arch.data.wti``: WTI crude oil spot, column ``DCOILWTICO`` (symbol ``WTI``), USD per barrel.
- ``arch.data.frenchdata``: monthly Fama-French factors; ``RF`` is the one-month T-bill return
  in percent per month. Its index is a ``DatetimeIndex`` whose integer value (nanoseconds) is
  really the ``YYYYMM`` month code (192607 .. 201811), so it is decoded from ``asi8``.

Prices are rounded to the cent (the arch files store float32 artefacts such as 1228.099976).

**WTI on NYSE sessions (a choice of the demo simulation, not of stratmon's pipeline).** The WTI
spot series has its own holidays: on 19 NYSE sessions between 1999 and 2018 there is no WTI
print. On such a session the demo marks WTI positions to the last available WTI print (an
"as of" lookup that may use a print made on a day NYSE was closed) and does not trade WTI that
day (``tradable`` is False); a pending WTI trade is executed on the next session with a print.
stratmon itself never fills missing data: this only decides what the simulated fund reports.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import importlib.util
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

FIRST_SESSION = dt.date(1999, 1, 4)
LAST_SESSION = dt.date(2018, 12, 31)
SYMBOLS: tuple[str, ...] = ("SPX", "IXIC", "WTI")

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class MarketData:
    """Daily closes of the demo instruments on XNYS sessions.

    Attributes
    ----------
    sessions : tuple of datetime.date, length T
        XNYS sessions 1999-01-04 .. 2018-12-31 (T = 5,031).
    close : dict str -> ndarray, shape (T,)
        Close (adjusted close for the indices), in index points / USD per barrel, rounded to
        the cent. ``WTI`` is marked to the last available print on sessions without one.
    tradable : dict str -> ndarray of bool, shape (T,)
        True where the instrument printed a price on that session.
    close_times_utc : tuple of datetime.datetime, length T
        The XNYS close of each session as naive UTC (16:00 New York, 13:00 on half days).
    risk_free_monthly : dict (year, month) -> float
        One-month T-bill return per month as a fraction (Fama-French ``RF`` / 100).
    """

    sessions: tuple[dt.date, ...]
    close: dict[str, FloatArray]
    tradable: dict[str, BoolArray]
    close_times_utc: tuple[dt.datetime, ...]
    risk_free_monthly: dict[tuple[int, int], float]

    def __post_init__(self) -> None:
        ords = np.fromiter(
            (d.toordinal() for d in self.sessions), dtype=np.int64, count=len(self.sessions)
        )
        object.__setattr__(self, "_ords", ords)

    def __len__(self) -> int:
        return len(self.sessions)

    def index_of(self, day: dt.date) -> int:
        """Position of ``day`` in ``sessions``.

        Raises
        ------
        KeyError
            If ``day`` is not an XNYS session of the demo range.
        """
        i = int(np.searchsorted(self._ordinals, day.toordinal()))
        if i >= len(self.sessions) or self.sessions[i] != day:
            raise KeyError(
                f"{day} is not an XNYS session between {FIRST_SESSION} and {LAST_SESSION}"
            )
        return i

    def window(self, start: dt.date, end: dt.date) -> tuple[int, int]:
        """Half-open index range ``[i0, i1)`` of the sessions with ``start <= day <= end``."""
        i0 = int(np.searchsorted(self._ordinals, start.toordinal(), side="left"))
        i1 = int(np.searchsorted(self._ordinals, end.toordinal(), side="right"))
        return i0, i1

    @property
    def _ordinals(self) -> NDArray[np.int64]:
        ords: NDArray[np.int64] = self.__dict__["_ords"]
        return ords

    def benchmark_returns(self, symbol: str) -> FloatArray:
        """Simple close-to-close returns of ``symbol``, shape (T,); the first entry is NaN.

        Parameters
        ----------
        symbol : str
            One of ``SPX``, ``IXIC``, ``WTI``.

        Returns
        -------
        ndarray, shape (T,)
            ``close[t] / close[t-1] - 1`` as a fraction per session.
        """
        p = self.close[symbol]
        out = np.full(p.shape, np.nan)
        out[1:] = p[1:] / p[:-1] - 1.0
        return out

    def risk_free_rate(self, start: dt.date, end: dt.date) -> float:
        """Annual risk-free rate (fraction) averaged over the months from ``start`` to ``end``.

        Compounds the monthly T-bill returns of the months available in that span
        (``(prod(1 + rf_m)) ** (12 / n) - 1``); the French data end in November 2018.

        Raises
        ------
        ValueError
            If no month of the span has a risk-free figure.

        References
        ----------
        Kenneth R. French data library, "Fama/French 3 Factors" (RF column).
        """
        vals = [
            v
            for (y, m), v in self.risk_free_monthly.items()
            if (start.year, start.month) <= (y, m) <= (end.year, end.month)
        ]
        if not vals:
            raise ValueError(f"no risk-free data between {start} and {end}")
        return float(np.prod(1.0 + np.asarray(vals)) ** (12.0 / len(vals)) - 1.0)


def _xnys_sessions() -> tuple[pd.DatetimeIndex, pd.Series]:
    import exchange_calendars as xcals

    with warnings.catch_warnings():
        # exchange_calendars 4.13 trips a pandas 3.1 deprecation inside get_calendar
        warnings.filterwarnings("ignore", message="Series.values returning an ndarray")
        cal = xcals.get_calendar("XNYS", start="1999-01-01", end="2019-12-31")
    sessions = cal.sessions_in_range(pd.Timestamp(FIRST_SESSION), pd.Timestamp(LAST_SESSION))
    closes = cal.closes.loc[sessions]
    return sessions, closes


def _arch_data_dir() -> Path:
    """Folder of the CSV files shipped in ``arch.data`` (found without importing ``arch``,
    whose import pulls in its whole modelling stack and costs about a second)."""
    spec = importlib.util.find_spec("arch")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "the 'arch' package (which ships the demo's market data) is not installed"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _read_csv_gz(path: Path) -> tuple[list[str], list[list[str]]]:
    with gzip.open(path, mode="rt", encoding="utf-8", newline="") as fh:
        rows = [[c.strip() for c in r] for r in csv.reader(fh) if r]
    return rows[0], rows[1:]


def _parse_mdy(text: str) -> dt.date:
    m, d, y = text.split("/")
    return dt.date(int(y), int(m), int(d))


def _read_daily(name: str, column: str) -> dict[dt.date, float]:
    """Read one ``arch.data`` daily file; missing values (``.``) are left out."""
    header, rows = _read_csv_gz(_arch_data_dir() / name / f"{name}.csv.gz")
    j = header.index(column)
    out: dict[dt.date, float] = {}
    for r in rows:
        try:
            out[_parse_mdy(r[0])] = float(r[j])
        except ValueError:
            continue
    return out


def _read_french_rf() -> dict[tuple[int, int], float]:
    """Monthly ``RF`` of the Fama-French file; the ``Date`` column is an integer ``YYYYMM``.

    (``arch.data.frenchdata.load()`` turns that integer into nanoseconds after 1970-01-01,
    hence the odd-looking index; read raw, it is a plain month code.)
    """
    header, rows = _read_csv_gz(_arch_data_dir() / "frenchdata" / "frenchdata.csv.gz")
    j = header.index("RF")
    out: dict[tuple[int, int], float] = {}
    for r in rows:
        code = int(r[0])
        out[(code // 100, code % 100)] = float(r[j]) / 100.0
    return out


@lru_cache(maxsize=1)
def load_market() -> MarketData:
    """Load and align the demo's real market data (cached; about 0.2 s the first time).

    Returns
    -------
    MarketData
        SPX, IXIC and WTI closes on the 5,031 XNYS sessions 1999-01-04 .. 2018-12-31.

    Raises
    ------
    RuntimeError
        If the shipped data do not cover the XNYS sessions as expected (a changed ``arch``).

    References
    ----------
    ``arch`` package datasets (K. Sheppard); exchange_calendars ``XNYS``.
    """
    sessions, closes_utc = _xnys_sessions()
    days = tuple(ts.date() for ts in sessions)
    close: dict[str, FloatArray] = {}
    tradable: dict[str, BoolArray] = {}
    for sym, name in (("SPX", "sp500"), ("IXIC", "nasdaq")):
        series = _read_daily(name, "Adj Close")
        missing = [d for d in days if d not in series]
        if missing:
            raise RuntimeError(f"{sym}: no close on XNYS sessions {missing[:5]}")
        close[sym] = np.round(np.array([series[d] for d in days]), 2)
        tradable[sym] = np.ones(len(days), dtype=bool)

    wti = _read_daily("wti", "DCOILWTICO")
    print_days = sorted(wti)
    print_ords = np.array([d.toordinal() for d in print_days])
    print_vals = np.array([wti[d] for d in print_days])
    sess_ords = np.array([d.toordinal() for d in days])
    last = np.searchsorted(print_ords, sess_ords, side="right") - 1
    if (last < 0).any():
        raise RuntimeError("WTI: no print before the first XNYS session")
    close["WTI"] = np.round(print_vals[last], 2)
    tradable["WTI"] = print_ords[last] == sess_ords
    rf = _read_french_rf()

    times = tuple(ts.tz_convert("UTC").tz_localize(None).to_pydatetime() for ts in closes_utc)
    for arr in (*close.values(), *tradable.values()):
        arr.setflags(write=False)
    return MarketData(
        sessions=days,
        close=close,
        tradable=tradable,
        close_times_utc=times,
        risk_free_monthly=rf,
    )
