"""Day-by-day simulation of a demo strategy: fills, positions, cash, NAV, PnL.

Bookkeeping is exact, in integer cents: prices are quoted to the cent, quantities are whole
units, fill prices sit on the instrument's tick grid and commissions are rounded to the cent.
So ``nav_t = nav_{t-1} + daily_pnl_t + cash_flow_t`` holds to the cent, and
``nav_t = capital + realized_pnl_t + unrealized_pnl_t`` exactly.

Mechanics
---------
- The target weight of session t (see :mod:`stratmon.demo.strategies`) is decided at the
  close of t. When it differs from the target of t-1 (or, on the first simulated session,
  from flat), the instrument is traded at the close of t to
  ``quantity = trunc(target_weight * nav_before_trading / ((close + slippage) * (1 + c)))``
  whole units (``c`` the commission rate), so that a fully invested long-only fund does not
  overdraw its cash on the purchase. Between changes the
  quantity is left alone (no drift rebalancing). If the instrument has no print that session
  (WTI holidays), the trade waits for the next session with a print.
- A buy fills at ``close + k * tick``, a sell at ``close - k * tick`` (k whole ticks of
  slippage, see :mod:`stratmon.demo.costs`), and pays ``commission`` on its notional.
- ``realized_pnl`` is cumulative: closed quantities matched **FIFO** against open lots at fill
  prices (the same matching stratmon uses for round trips), minus all commissions paid.
  ``unrealized_pnl`` is the open lots' mark-to-market at the close minus their fill cost.
- ``daily_pnl`` is the change of NAV (mark-to-market, net of slippage and commissions); on the
  first simulated session it is measured from the starting capital. ``cash_flow`` is zero.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from stratmon.demo.costs import BACKTEST_COSTS, LIVE_COSTS, CostModel
from stratmon.demo.market import FloatArray, MarketData
from stratmon.demo.strategies import ALLOCATION_DATE, DemoStrategy
from stratmon.domain.records import DailyRecord, Execution, Position
from stratmon.metrics import returns_from_nav

BACKTEST_START = dt.date(1999, 1, 4)
BACKTEST_END = dt.date(2012, 12, 31)
LIVE_START = ALLOCATION_DATE
LIVE_END = dt.date(2018, 12, 31)
DEFAULT_CAPITAL = 10_000_000.0

IntArray = NDArray[np.int64]


@dataclass(eq=False)
class SimResult:
    """One strategy simulated over one period (T sessions, K instruments).

    Money is in USD (floats that are whole cents). ``quantity`` is signed (short < 0).

    Attributes
    ----------
    strategy : DemoStrategy
    live : bool
        True for the live replay (live costs, live execution ids).
    dates : tuple of datetime.date, length T
    symbols : tuple of str, length K
    capital : float
        Starting NAV before the first session.
    nav, daily_pnl, realized_pnl, unrealized_pnl, cash_flow, cash_balance : ndarray, shape (T,)
    gross_exposure, net_exposure, trade_volume, costs : ndarray, shape (T,)
        Sum of |market value|, sum of market value, traded notional at fill prices, and the
        day's trading costs (slippage vs the close + commission), all in USD.
    num_trades, num_positions : ndarray of int, shape (T,)
        Fills of the day; instruments with a non-zero quantity at the close.
    quantity : ndarray of int, shape (T, K)
    market_value, position_unrealized_pnl : ndarray, shape (T, K)
    executions : list of Execution
        Sorted by session; ``exec_day[j]`` is the session index of ``executions[j]``.
    """

    strategy: DemoStrategy
    live: bool
    dates: tuple[dt.date, ...]
    symbols: tuple[str, ...]
    capital: float
    nav: FloatArray
    daily_pnl: FloatArray
    realized_pnl: FloatArray
    unrealized_pnl: FloatArray
    cash_flow: FloatArray
    cash_balance: FloatArray
    gross_exposure: FloatArray
    net_exposure: FloatArray
    trade_volume: FloatArray
    costs: FloatArray
    num_trades: IntArray
    num_positions: IntArray
    quantity: IntArray
    market_value: FloatArray
    position_unrealized_pnl: FloatArray
    executions: list[Execution]
    exec_day: IntArray
    _day_index: dict[dt.date, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._day_index = {d: i for i, d in enumerate(self.dates)}

    @property
    def strategy_id(self) -> str:
        return self.strategy.strategy_id

    def index_of(self, day: dt.date) -> int | None:
        """Session index of ``day`` in this result, or None if it is not simulated."""
        return self._day_index.get(day)

    def returns(self) -> FloatArray:
        """Time-weighted daily returns, shape (T - 1,): ``(nav_t - nav_{t-1} - cf_t) / nav_{t-1}``.

        The first session has no return (DESIGN.md convention).
        """
        return returns_from_nav(self.nav, self.cash_flow)[1:]

    def daily_record(self, i: int) -> DailyRecord:
        """The end-of-day figures of session ``i`` as a :class:`DailyRecord`."""
        return DailyRecord(
            strategy_id=self.strategy_id,
            date=self.dates[i],
            nav=float(self.nav[i]),
            daily_pnl=float(self.daily_pnl[i]),
            realized_pnl=float(self.realized_pnl[i]),
            unrealized_pnl=float(self.unrealized_pnl[i]),
            cash_flow=float(self.cash_flow[i]),
            num_positions=int(self.num_positions[i]),
            gross_exposure_usd=float(self.gross_exposure[i]),
            net_exposure_usd=float(self.net_exposure[i]),
            num_trades=int(self.num_trades[i]),
            trade_volume_usd=float(self.trade_volume[i]),
            cash_balance=float(self.cash_balance[i]),
        )

    def positions(self, i: int) -> list[Position]:
        """Open positions at the close of session ``i`` (non-zero quantities only)."""
        spec = self.strategy.spec
        return [
            Position(
                date=self.dates[i],
                strategy_id=spec.strategy_id,
                symbol=sym,
                quantity=float(self.quantity[i, k]),
                market_value=float(self.market_value[i, k]),
                unrealized_pnl=float(self.position_unrealized_pnl[i, k]),
                sector=spec.sector,
                asset_class=spec.asset_class,
            )
            for k, sym in enumerate(self.symbols)
            if self.quantity[i, k] != 0
        ]

    def executions_on(self, i: int) -> list[Execution]:
        """Fills of session ``i``."""
        lo, hi = np.searchsorted(self.exec_day, [i, i + 1])
        return self.executions[int(lo) : int(hi)]


def _event_days(w: FloatArray, tradable: NDArray[np.bool_]) -> tuple[IntArray, NDArray[np.bool_]]:
    """Sessions on which some instrument must be traded, and which instruments (mask (E, K)).

    A change of target on a session without a print moves to the next session with one.
    """
    T, K = w.shape
    prev = np.vstack([np.zeros((1, K)), w[:-1]])
    change = w != prev
    due = np.zeros((T, K), dtype=bool)
    for k in range(K):
        ok = np.flatnonzero(tradable[:, k])
        pos = np.searchsorted(ok, np.flatnonzero(change[:, k]))
        due[ok[pos[pos < len(ok)]], k] = True
    days = np.flatnonzero(due.any(axis=1))
    return days.astype(np.int64), due[days]


def _half_up(x: float) -> int:
    return int(np.floor(x + 0.5))


def simulate(
    strategy: DemoStrategy,
    market: MarketData,
    start: dt.date,
    end: dt.date,
    capital: float,
    costs: Mapping[str, CostModel],
    live: bool,
) -> SimResult:
    """Simulate ``strategy`` on the XNYS sessions from ``start`` to ``end`` (inclusive).

    Signals use the whole price history up to each session (a warm-up before ``start`` is
    used when available); the portfolio starts flat with ``capital`` in cash.

    Parameters
    ----------
    strategy : DemoStrategy
    market : MarketData
    start, end : datetime.date
        First and last calendar day of the period.
    capital : float
        Starting NAV in USD.
    costs : mapping str -> CostModel
        Cost model per instrument.
    live : bool
        Marks the result and its execution ids (``L`` live, ``B`` backtest).

    Returns
    -------
    SimResult

    Raises
    ------
    ValueError
        If the period holds no session or ``capital`` is not positive.
    """
    if capital <= 0:
        raise ValueError(f"capital must be positive, got {capital}")
    i0, i1 = market.window(start, end)
    if i1 <= i0:
        raise ValueError(f"no XNYS session between {start} and {end}")
    syms = strategy.symbols
    K = len(syms)
    T = i1 - i0
    w = strategy.target_weights(market)[i0:i1]
    px = np.column_stack([np.round(market.close[s][i0:i1] * 100.0) for s in syms]).astype(np.int64)
    tradable = np.column_stack([market.tradable[s][i0:i1] for s in syms])
    cost_k = [costs[s] for s in syms]
    tick_k = [round(c.tick_size * 100) for c in cost_k]
    days, due = _event_days(w, tradable)

    E = len(days)
    ev_qty = np.zeros((E, K), dtype=np.int64)
    ev_basis = np.zeros((E, K), dtype=np.int64)
    ev_cash = np.zeros(E, dtype=np.int64)
    ev_realized = np.zeros(E, dtype=np.int64)
    cost_day = np.zeros(T, dtype=np.int64)
    volume_day = np.zeros(T, dtype=np.int64)
    trades_day = np.zeros(T, dtype=np.int64)

    qty = [0] * K
    lots: list[deque[list[int]]] = [deque() for _ in range(K)]  # [signed qty, price cents]
    cash = _half_up(capital * 100.0)
    capital_cents = cash
    realized = 0
    fills: list[tuple[int, int, int, int, int]] = []  # (t, k, delta, fill cents, commission)
    w_list = w.tolist()
    for e, t in enumerate(days.tolist()):
        p_t = px[t].tolist()
        nav_pre = cash + sum(q * p for q, p in zip(qty, p_t, strict=True))
        for k in np.flatnonzero(due[e]).tolist():
            slip = cost_k[k].slippage_ticks(p_t[k] / 100.0) * tick_k[k]
            unit_cost = (p_t[k] + slip) * (1.0 + cost_k[k].commission_bps / 1e4)
            target = int(w_list[t][k] * nav_pre / unit_cost)  # truncated toward zero
            delta = target - qty[k]
            if delta == 0:
                continue
            fill = p_t[k] + slip if delta > 0 else p_t[k] - slip
            notional = abs(delta) * fill
            commission = _half_up(
                notional * cost_k[k].commission_bps / 1e4
                + abs(delta) * cost_k[k].commission_per_unit * 100.0
            )
            cash -= delta * fill + commission
            realized += _match_fifo(lots[k], delta, fill) - commission
            qty[k] += delta
            fills.append((t, k, delta, fill, commission))
            cost_day[t] += abs(delta) * slip + commission
            volume_day[t] += notional
            trades_day[t] += 1
        ev_qty[e] = qty
        ev_basis[e] = [sum(q * p for q, p in lots[k]) for k in range(K)]
        ev_cash[e] = cash
        ev_realized[e] = realized

    # forward-fill the state after each event over the sessions that follow it
    last = np.searchsorted(days, np.arange(T), side="right") - 1
    before = last < 0
    li = np.maximum(last, 0)
    q_t = np.where(before[:, None], 0, ev_qty[li]) if E else np.zeros((T, K), np.int64)
    basis_t = np.where(before[:, None], 0, ev_basis[li]) if E else np.zeros((T, K), np.int64)
    cash_t = np.where(before, capital_cents, ev_cash[li]) if E else np.full(T, capital_cents)
    real_t = np.where(before, 0, ev_realized[li]) if E else np.zeros(T, np.int64)

    mv = q_t * px
    unreal_k = mv - basis_t
    nav_c = cash_t + mv.sum(axis=1)
    pnl_c = np.diff(nav_c, prepend=capital_cents)

    dates = market.sessions[i0:i1]
    times = market.close_times_utc[i0:i1]
    tag = "L" if live else "B"
    sid = strategy.strategy_id
    executions = [
        Execution(
            execution_id=f"{sid}-{tag}{dates[t]:%Y%m%d}-{syms[k]}",
            strategy_id=sid,
            timestamp=times[t],
            symbol=syms[k],
            side="BUY" if delta > 0 else "SELL",
            quantity=float(abs(delta)),
            price=fill / 100.0,
            commission=commission / 100.0,
            fees=0.0,
            currency="USD",
        )
        for t, k, delta, fill, commission in fills
    ]
    return SimResult(
        strategy=strategy,
        live=live,
        dates=dates,
        symbols=syms,
        capital=capital_cents / 100.0,
        nav=nav_c / 100.0,
        daily_pnl=pnl_c / 100.0,
        realized_pnl=real_t / 100.0,
        unrealized_pnl=unreal_k.sum(axis=1) / 100.0,
        cash_flow=np.zeros(T),
        cash_balance=cash_t / 100.0,
        gross_exposure=np.abs(mv).sum(axis=1) / 100.0,
        net_exposure=mv.sum(axis=1) / 100.0,
        trade_volume=volume_day / 100.0,
        costs=cost_day / 100.0,
        num_trades=trades_day,
        num_positions=(q_t != 0).sum(axis=1).astype(np.int64),
        quantity=q_t,
        market_value=mv / 100.0,
        position_unrealized_pnl=unreal_k / 100.0,
        executions=executions,
        exec_day=np.array([f[0] for f in fills], dtype=np.int64),
    )


def _match_fifo(lots: deque[list[int]], delta: int, fill: int) -> int:
    """Apply a fill of signed ``delta`` units at ``fill`` cents to FIFO ``lots``.

    Returns the realized PnL in cents of the quantity it closes (before commission).
    """
    realized = 0
    remaining = delta
    while remaining != 0 and lots and (lots[0][0] > 0) != (remaining > 0):
        lot = lots[0]
        closed = min(abs(remaining), abs(lot[0]))
        sign = 1 if lot[0] > 0 else -1  # +1 closing a long, -1 closing a short
        realized += sign * closed * (fill - lot[1])
        lot[0] -= sign * closed
        remaining += sign * closed
        if lot[0] == 0:
            lots.popleft()
    if remaining != 0:
        lots.append([remaining, fill])
    return realized


def backtest(strategy: DemoStrategy, market: MarketData, capital: float | None = None) -> SimResult:
    """In-sample backtest, 1999-01-04 .. 2012-12-31, with backtest costs.

    Starts flat with ``capital`` (default: the strategy's allocated capital).
    """
    cap = capital if capital is not None else strategy.spec.allocated_capital
    return simulate(
        strategy,
        market,
        BACKTEST_START,
        BACKTEST_END,
        cap if cap is not None else DEFAULT_CAPITAL,
        BACKTEST_COSTS,
        live=False,
    )


def live(strategy: DemoStrategy, market: MarketData) -> SimResult:
    """Live replay, 2013-01-02 .. 2018-12-31, with live costs.

    Starts flat with the allocated capital on the allocation date; signals use the price
    history before 2013 as warm-up.
    """
    cap = strategy.spec.allocated_capital
    return simulate(
        strategy,
        market,
        LIVE_START,
        LIVE_END,
        cap if cap is not None else DEFAULT_CAPITAL,
        LIVE_COSTS,
        live=True,
    )
