"""The demo's rule-based strategies: classic, simple, documented.

Every rule maps the close history to a **target weight** per instrument (signed fraction of
NAV) decided at the close of session t, using closes up to and including t only. The
simulation (:mod:`stratmon.demo.simulate`) trades a market-on-close order at that same close
when the target changes; the slippage charge stands in for the fact that a real MOC order is
sent minutes before the close on a near-final price. The position is then held over
(t, t+1], so the return of day t+1 is earned on a decision made with data up to t.

Before a rule has enough history (200 sessions for a 200-day average, 252 for 12-month
momentum) its target is 0 (flat, in cash). Cash earns nothing in the simulation.

Instruments: ``SPX`` (S&P 500), ``IXIC`` (NASDAQ Composite), ``WTI`` (crude oil spot).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from stratmon.demo.market import FloatArray, MarketData
from stratmon.domain.records import Strategy

ALLOCATION_DATE = dt.date(2013, 1, 2)

WeightRule = Callable[[MarketData], FloatArray]


@dataclass(frozen=True, eq=False)
class DemoStrategy:
    """A demo strategy: its registry record, its instruments and its trading rule.

    Attributes
    ----------
    spec : Strategy
        The record registered in stratmon.
    symbols : tuple of str, length K
        Instruments traded, columns of ``target_weights``.
    rule : str
        The trading rule in one paragraph (shown in the demo).
    reference : str
        Where the rule comes from.
    weight_rule : callable
        ``MarketData -> ndarray, shape (T, K)``: target weight per session decided at close t.
    """

    spec: Strategy
    symbols: tuple[str, ...]
    rule: str
    reference: str
    weight_rule: WeightRule

    @property
    def strategy_id(self) -> str:
        return self.spec.strategy_id

    def target_weights(self, market: MarketData) -> FloatArray:
        """Target weights, shape (T, K), as signed fractions of NAV (cached per market)."""
        cached: tuple[MarketData, FloatArray] | None = self.__dict__.get("_cache")
        if cached is not None and cached[0] is market:
            return cached[1]
        w = np.asarray(self.weight_rule(market), dtype=float)
        if w.shape != (len(market), len(self.symbols)):
            raise ValueError(f"{self.strategy_id}: weights of shape {w.shape}")
        w.setflags(write=False)
        self.__dict__["_cache"] = (market, w)
        return w


# --- indicators (element t uses x[: t + 1] only) --------------------------------------------


def sma(x: FloatArray, n: int) -> FloatArray:
    """Simple moving average over the last ``n`` values, NaN for the first ``n - 1``.

    Parameters
    ----------
    x : ndarray, shape (T,)
    n : int
        Window length in sessions.
    """
    out = np.full(x.shape, np.nan)
    if len(x) >= n:
        out[n - 1 :] = sliding_window_view(x, n).mean(axis=1)
    return out


def rolling_std(x: FloatArray, n: int) -> FloatArray:
    """Sample standard deviation (ddof=1) over the last ``n`` values, NaN before."""
    out = np.full(x.shape, np.nan)
    if len(x) >= n:
        out[n - 1 :] = sliding_window_view(x, n).std(axis=1, ddof=1)
    return out


def rsi_wilder(x: FloatArray, n: int) -> FloatArray:
    """Relative Strength Index with Wilder's smoothing, NaN for the first ``n`` values.

    References
    ----------
    J. Welles Wilder, *New Concepts in Technical Trading Systems* (1978).
    """
    out = np.full(x.shape, np.nan)
    d = np.diff(x)
    if len(d) < n:
        return out
    gain = np.clip(d, 0.0, None)
    loss = np.clip(-d, 0.0, None)
    ag = float(gain[:n].mean())
    al = float(loss[:n].mean())
    vals = np.empty(len(d) - n + 1)
    vals[0] = 100.0 if al == 0 else 100.0 - 100.0 / (1.0 + ag / al)
    for i in range(n, len(d)):
        ag = (ag * (n - 1) + gain[i]) / n
        al = (al * (n - 1) + loss[i]) / n
        vals[i - n + 1] = 100.0 if al == 0 else 100.0 - 100.0 / (1.0 + ag / al)
    out[n:] = vals
    return out


def month_end_mask(sessions: tuple[dt.date, ...]) -> np.ndarray:
    """True on the last session of each calendar month (the final session counts as one)."""
    months = np.array([d.year * 12 + d.month for d in sessions])
    mask = np.ones(len(sessions), dtype=bool)
    mask[:-1] = months[1:] != months[:-1]
    return mask


def _hold_between(values: FloatArray, decide: np.ndarray) -> FloatArray:
    """Keep ``values`` decided on ``decide`` days until the next decision; 0 before the first.

    ``values`` may have shape (T,) or (T, K); ``decide`` has shape (T,).
    """
    idx = np.where(decide, np.arange(len(decide)), -1)
    idx = np.maximum.accumulate(idx)
    held = values[np.maximum(idx, 0)]
    held[idx < 0] = 0.0
    return np.nan_to_num(held, nan=0.0)


def _returns(p: FloatArray) -> FloatArray:
    r = np.full(p.shape, np.nan)
    r[1:] = p[1:] / p[:-1] - 1.0
    return r


# --- rules -----------------------------------------------------------------------------------


def buy_hold_weights(market: MarketData) -> FloatArray:
    """Always fully invested in SPX (bought once, never rebalanced)."""
    return np.ones((len(market), 1))


def trend_200d_weights(market: MarketData) -> FloatArray:
    """SPX long (weight 1) when the close is above its 200-session average, else flat."""
    p = market.close["SPX"]
    with np.errstate(invalid="ignore"):
        w = (p > sma(p, 200)).astype(float)
    return w[:, None]


def tsmom_weights(market: MarketData, symbol: str = "IXIC") -> FloatArray:
    """At each month end: long if the 12-1 month return is positive, else flat; held a month.

    12-1 return = close 21 sessions ago / close 252 sessions ago - 1 (skips the last month).
    """
    p = market.close[symbol]
    mom = np.full(p.shape, np.nan)
    mom[252:] = p[231:-21] / p[:-252] - 1.0
    with np.errstate(invalid="ignore"):
        sig = np.where(np.isnan(mom), np.nan, (mom > 0).astype(float))
    decide = month_end_mask(market.sessions) & ~np.isnan(sig)
    return _hold_between(sig, decide)[:, None]


def rsi2_meanrev_weights(market: MarketData) -> FloatArray:
    """Connors RSI(2) pull-back: buy SPX when RSI(2) < 10 and close > 200-day average;
    sell when the close rises above its 5-day average."""
    p = market.close["SPX"]
    rsi = rsi_wilder(p, 2)
    long_term = sma(p, 200)
    short_term = sma(p, 5)
    w = np.zeros(len(p))
    pos = 0.0
    for t in range(len(p)):
        if pos == 0.0:
            if rsi[t] < 10.0 and p[t] > long_term[t]:
                pos = 1.0
        elif p[t] > short_term[t]:
            pos = 0.0
        w[t] = pos
    return w[:, None]


def ma_crossover_weights(market: MarketData) -> FloatArray:
    """WTI long 0.5 x NAV when the 50-day average is above the 200-day, short 0.5 x NAV when
    below (flat until 200 sessions of history)."""
    p = market.close["WTI"]
    fast, slow = sma(p, 50), sma(p, 200)
    w = np.zeros(len(p))
    ok = ~np.isnan(slow)
    w[ok] = np.where(fast[ok] > slow[ok], 0.5, -0.5)
    return w[:, None]


def pair_ratio_trend_weights(market: MarketData) -> FloatArray:
    """SPX/IXIC relative strength, dollar neutral, 0.5 x NAV per leg.

    x = log(SPX) - log(IXIC). Long SPX / short IXIC while x is above its 120-session average
    (the S&P is outperforming), short SPX / long IXIC while below; flat during the warm-up.
    """
    x = np.log(market.close["SPX"]) - np.log(market.close["IXIC"])
    mean = sma(x, 120)
    state = np.zeros(len(x))
    ok = ~np.isnan(mean)
    state[ok] = np.where(x[ok] > mean[ok], 0.5, -0.5)
    return np.column_stack([state, -state])


def invvol_trend_weights(market: MarketData) -> FloatArray:
    """SPX + WTI, monthly: weights proportional to 1 / 60-day volatility (summing to 1), each
    kept only while that asset closes above its 200-day average (else that sleeve is cash)."""
    cols = []
    inv = []
    for sym in ("SPX", "WTI"):
        p = market.close[sym]
        vol = rolling_std(_returns(p), 60)
        inv.append(1.0 / vol)
        with np.errstate(invalid="ignore"):
            cols.append(np.where(np.isnan(sma(p, 200)), np.nan, (p > sma(p, 200)).astype(float)))
    inv_arr = np.column_stack(inv)
    base = inv_arr / inv_arr.sum(axis=1, keepdims=True)
    filt = np.column_stack(cols)
    raw = np.round(base * filt, 4)
    ready = ~np.isnan(raw).any(axis=1)
    decide = month_end_mask(market.sessions) & ready
    return _hold_between(raw, decide)


# --- the catalogue ---------------------------------------------------------------------------


def _spec(
    strategy_id: str,
    name: str,
    sector: str,
    asset_class: str,
    researcher: str,
    pool: str,
    capital: float,
    benchmark: str,
) -> Strategy:
    return Strategy(
        strategy_id=strategy_id,
        name=name,
        sector=sector,
        asset_class=asset_class,
        researcher=researcher,
        pool=pool,
        allocated_capital=capital,
        allocation_date=ALLOCATION_DATE,
        periods_per_year=252,
        benchmark=benchmark,
        backtest_source="file",
        calendar="XNYS",
    )


def demo_strategies() -> list[DemoStrategy]:
    """The seven demo strategies (equity, commodity, equity relative value, multi-asset).

    Returns
    -------
    list of DemoStrategy
        New objects on every call (each caches its own target weights).
    """
    return [
        DemoStrategy(
            spec=_spec(
                "spx_buy_hold",
                "S&P 500 buy and hold",
                "US equity index",
                "equity",
                "M. Okafor",
                "core",
                20_000_000.0,
                "SPX",
            ),
            symbols=("SPX",),
            rule="Buy the S&P 500 with the whole NAV on the first session and hold it.",
            reference="Passive benchmark.",
            weight_rule=buy_hold_weights,
        ),
        DemoStrategy(
            spec=_spec(
                "spx_trend",
                "S&P 500 200-day trend filter",
                "US equity index",
                "equity",
                "L. Marchetti",
                "core",
                15_000_000.0,
                "SPX",
            ),
            symbols=("SPX",),
            rule=(
                "Long the S&P 500 with the whole NAV while its close is above its 200-session "
                "simple moving average, otherwise in cash; decided and traded at the close."
            ),
            reference="Faber, 'A Quantitative Approach to Tactical Asset Allocation' (2007).",
            weight_rule=trend_200d_weights,
        ),
        DemoStrategy(
            spec=_spec(
                "nasdaq_momentum",
                "NASDAQ 12-1 time-series momentum",
                "US equity index",
                "equity",
                "L. Marchetti",
                "satellite",
                10_000_000.0,
                "SPX",
            ),
            symbols=("IXIC",),
            rule=(
                "On the last session of each month, long the NASDAQ Composite with the whole "
                "NAV if its return from 252 to 21 sessions ago is positive, otherwise cash; "
                "held until the next month end."
            ),
            reference="Moskowitz, Ooi & Pedersen, 'Time Series Momentum', JFE (2012).",
            weight_rule=tsmom_weights,
        ),
        DemoStrategy(
            spec=_spec(
                "spx_meanrev",
                "S&P 500 RSI(2) pull-back",
                "US equity index",
                "equity",
                "S. Novak",
                "satellite",
                5_000_000.0,
                "SPX",
            ),
            symbols=("SPX",),
            rule=(
                "Buy the S&P 500 with the whole NAV when the 2-period Wilder RSI closes below "
                "10 while the close is above its 200-session average; sell when the close "
                "rises above its 5-session average."
            ),
            reference="Connors & Alvarez, 'Short Term Trading Strategies That Work' (2008).",
            weight_rule=rsi2_meanrev_weights,
        ),
        DemoStrategy(
            spec=_spec(
                "wti_trend",
                "WTI 50/200-day crossover",
                "Energy",
                "commodity",
                "R. Haddad",
                "satellite",
                8_000_000.0,
                "WTI",
            ),
            symbols=("WTI",),
            rule=(
                "Long WTI crude for 0.5 x NAV while its 50-session average is above its "
                "200-session average, short 0.5 x NAV while below. WTI positions are marked to "
                "the last WTI print on NYSE sessions without one, and trade on the next print."
            ),
            reference="Hurst, Ooi & Pedersen, 'A Century of Evidence on Trend-Following' (2017).",
            weight_rule=ma_crossover_weights,
        ),
        DemoStrategy(
            spec=_spec(
                "spx_nasdaq_relative",
                "S&P 500 / NASDAQ relative strength",
                "US equity index",
                "equity_relative_value",
                "S. Novak",
                "research",
                6_000_000.0,
                "SPX",
            ),
            symbols=("SPX", "IXIC"),
            rule=(
                "x = log(S&P 500) - log(NASDAQ). Long S&P / short NASDAQ (0.5 x NAV per leg, "
                "dollar neutral at entry) while x is above its 120-session average, the reverse "
                "while below. (A 60-session z-score mean-reversion pair was tried first: it "
                "lost 79 % peak-to-trough in 1999-2000, the ratio trends.)"
            ),
            reference="Relative-strength rotation; Asness, Moskowitz & Pedersen (2013).",
            weight_rule=pair_ratio_trend_weights,
        ),
        DemoStrategy(
            spec=_spec(
                "multi_asset_invvol",
                "SPX + WTI inverse-volatility with trend filter",
                "Multi-asset",
                "multi_asset",
                "M. Okafor",
                "core",
                12_000_000.0,
                "SPX",
            ),
            symbols=("SPX", "WTI"),
            rule=(
                "At each month end, weights proportional to 1 / 60-session volatility of daily "
                "returns, summing to 1; a sleeve is held only while that asset closes above its "
                "200-session average (else that part is in cash). Rebalanced monthly."
            ),
            reference="Maillard, Roncalli & Teiletche, risk parity (2010); Faber (2007).",
            weight_rule=invvol_trend_weights,
        ),
    ]
