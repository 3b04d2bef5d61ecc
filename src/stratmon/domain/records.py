"""Domain records. Plain frozen dataclasses: no I/O, no SQL.

Units: money in the strategy's currency (USD by default); returns and percentages are
fractions (0.05 means 5 %); dates are ``datetime.date``; timestamps are timezone-naive UTC
``datetime.datetime``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

Side = Literal["BUY", "SELL"]
TradeDirection = Literal["LONG", "SHORT"]
FindingKind = Literal["outlier", "nav_disconnect", "missing_data", "unknown_column", "replaced_row"]


@dataclass(frozen=True, slots=True)
class Strategy:
    """A registered strategy.

    ``calendar`` is an exchange-calendars code (``"XNYS"``) or ``"24/7"`` (crypto).
    ``backtest_source`` says where expectations come from: ``"file"``, ``"mlflow:<run-id>"``...
    """

    strategy_id: str
    name: str
    sector: str = ""
    asset_class: str = ""
    researcher: str = ""
    pool: str = ""
    allocated_capital: float | None = None
    allocation_date: dt.date | None = None
    periods_per_year: int = 252
    benchmark: str | None = None
    backtest_source: str | None = None
    calendar: str = "XNYS"
    active: bool = True


@dataclass(frozen=True, slots=True)
class DailyRecord:
    """One strategy's end-of-day figures. ``cash_flow`` is capital added (+) or withdrawn (-)."""

    strategy_id: str
    date: dt.date
    nav: float
    daily_pnl: float | None = None
    realized_pnl: float | None = None
    unrealized_pnl: float | None = None
    cash_flow: float = 0.0
    num_positions: int | None = None
    gross_exposure_usd: float | None = None
    net_exposure_usd: float | None = None
    num_trades: int | None = None
    trade_volume_usd: float | None = None
    cash_balance: float | None = None
    margin_used: float | None = None
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Execution:
    """A broker fill. ``quantity`` > 0; the direction is in ``side``."""

    execution_id: str
    strategy_id: str
    timestamp: dt.datetime
    symbol: str
    side: Side
    quantity: float
    price: float
    commission: float = 0.0
    fees: float = 0.0
    currency: str = "USD"


@dataclass(frozen=True, slots=True)
class RoundTrip:
    """A closed round-trip trade. ``pnl`` is net of ``commission`` (which includes fees).

    ``direction`` is LONG (bought first) or SHORT (sold first); ``quantity`` > 0.
    """

    trade_id: str
    strategy_id: str
    symbol: str
    direction: TradeDirection
    entry_time: dt.datetime
    exit_time: dt.datetime
    entry_price: float
    exit_price: float
    quantity: float
    pnl: float
    commission: float = 0.0

    @property
    def duration_hours(self) -> float:
        return (self.exit_time - self.entry_time).total_seconds() / 3600.0

    @property
    def notional(self) -> float:
        return abs(self.entry_price * self.quantity)


@dataclass(frozen=True, slots=True)
class Position:
    """An end-of-day position snapshot. ``quantity`` is signed (short < 0)."""

    date: dt.date
    strategy_id: str
    symbol: str
    quantity: float
    market_value: float
    unrealized_pnl: float | None = None
    sector: str | None = None
    asset_class: str | None = None


@dataclass(frozen=True, slots=True)
class BacktestReturn:
    strategy_id: str
    date: dt.date
    ret: float


@dataclass(frozen=True, slots=True)
class BacktestExpectation:
    """Expected metrics of a backtest (names as in ``stratmon.metrics``), fractions/annualised."""

    strategy_id: str
    metrics: dict[str, float]
    n_trials: int | None = None
    source: str = "file"


@dataclass(frozen=True, slots=True)
class Finding:
    """A data-quality finding: the data was loaded, but something about it is suspicious."""

    kind: FindingKind
    strategy_id: str | None
    date: dt.date | None
    file: str
    row: int | None
    column: str | None
    value: object
    message: str
