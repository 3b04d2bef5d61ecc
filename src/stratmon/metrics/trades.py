"""Trade statistics from closed round-trip trades (never from daily returns).

A trade with ``pnl > 0`` is a win, ``pnl < 0`` a loss. A zero-pnl trade (a scratch) is neither:
it counts in ``total_trades`` and in ``expectancy``, not in ``win_rate``'s numerator, and it
*breaks* both winning and losing streaks. Trades are ordered by ``exit_time`` (then
``trade_id``) for the streaks.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from stratmon.domain.records import RoundTrip

TRADE_METRICS: tuple[str, ...] = (
    "total_trades",
    "profitable_trades",
    "losing_trades",
    "win_rate",
    "profit_factor",
    "avg_win",
    "avg_loss",
    "win_loss_ratio",
    "payoff_ratio",
    "largest_win",
    "largest_loss",
    "expectancy",
    "avg_trade_duration_hours",
    "longest_winning_streak",
    "longest_losing_streak",
    "avg_position_size_pct",
)
"""Keys of :func:`trade_statistics`' result, in order."""


def _longest_run(flags: np.ndarray) -> float:
    """Length of the longest run of True in a 1-D bool array."""
    if flags.size == 0 or not flags.any():
        return 0.0
    padded = np.concatenate(([False], flags, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return float((edges[1::2] - edges[0::2]).max())


def trade_statistics(
    round_trips: Sequence[RoundTrip], capital: float | None = None
) -> dict[str, float]:
    """Statistics of closed round-trip trades.

    Parameters
    ----------
    round_trips : sequence of RoundTrip
        Closed trades; ``pnl`` is net of commission, in currency.
    capital : float, optional
        Capital the strategy trades with (currency), for ``avg_position_size_pct``.

    Returns
    -------
    dict[str, float]
        Keys :data:`TRADE_METRICS`:

        - ``total_trades``, ``profitable_trades`` (pnl > 0), ``losing_trades`` (pnl < 0);
        - ``win_rate`` = profitable / total;
        - ``profit_factor`` = gross profit / |gross loss| (NaN without a loss);
        - ``avg_win`` (mean pnl of wins), ``avg_loss`` (mean pnl of losses, negative);
        - ``win_loss_ratio`` = profitable_trades / losing_trades (count ratio);
        - ``payoff_ratio`` = avg_win / |avg_loss|;
        - ``largest_win`` (max pnl, NaN without a win), ``largest_loss`` (min pnl, negative,
          NaN without a loss);
        - ``expectancy`` = mean pnl per trade (currency);
        - ``avg_trade_duration_hours`` = mean exit - entry time;
        - ``longest_winning_streak`` / ``longest_losing_streak`` in trades, by exit time;
        - ``avg_position_size_pct`` = mean entry notional / capital (NaN without capital).

        NaN where undefined (no trades, no wins, no losses); never inf.

    References
    ----------
    Tharp (2007), "Trade Your Way to Financial Freedom" (expectancy); Pardo (2008), "The
    Evaluation and Optimization of Trading Strategies" (profit factor, payoff ratio).
    """
    nan = float("nan")
    trades = sorted(round_trips, key=lambda t: (t.exit_time, t.trade_id))
    total = len(trades)
    pnl = np.array([t.pnl for t in trades], dtype=np.float64)
    wins = pnl[pnl > 0]
    losses = pnl[pnl < 0]
    n_win = float(wins.size)
    n_loss = float(losses.size)
    gross_profit = float(wins.sum())
    gross_loss = float(-losses.sum())
    avg_win = float(wins.mean()) if wins.size else nan
    avg_loss = float(losses.mean()) if losses.size else nan
    durations = np.array([t.duration_hours for t in trades], dtype=np.float64)
    notionals = np.array([t.notional for t in trades], dtype=np.float64)
    if capital is not None and capital > 0 and total:
        size_pct = float(notionals.mean() / capital)
    else:
        size_pct = nan
    return {
        "total_trades": float(total),
        "profitable_trades": n_win,
        "losing_trades": n_loss,
        "win_rate": n_win / total if total else nan,
        "profit_factor": gross_profit / gross_loss if gross_loss > 0 else nan,
        "avg_win": avg_win,
        "avg_loss": avg_loss,
        "win_loss_ratio": n_win / n_loss if n_loss > 0 else nan,
        "payoff_ratio": avg_win / abs(avg_loss) if wins.size and losses.size else nan,
        "largest_win": float(wins.max()) if wins.size else nan,
        "largest_loss": float(losses.min()) if losses.size else nan,
        "expectancy": float(pnl.mean()) if total else nan,
        "avg_trade_duration_hours": float(durations.mean()) if total else nan,
        "longest_winning_streak": _longest_run(pnl > 0),
        "longest_losing_streak": _longest_run(pnl < 0),
        "avg_position_size_pct": size_pct,
    }
