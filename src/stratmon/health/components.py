"""The four components of the health score, each mapped to 0-100.

Every mapping is a monotone, piecewise-linear function of one number, clipped at both ends
(``numpy.interp`` between the breakpoints listed below; outside them the end value holds).
A component that lacks the data to be judged returns ``None`` (the score module then gives it
the neutral value, see :mod:`stratmon.health.score`).

performance vs expectations
    Two sub-scores on a common z scale, averaged (either alone if the other is unavailable).
    Needs ``min_obs`` daily returns (DESIGN.md: 30 for Sharpe and annualised return).

    * Sharpe: ``z = (SR_live - SR_bt) / SE`` where ``SE = sqrt(ppy * (1 + SR_d**2 / 2) / n)``
      is the standard error of an annualised Sharpe ratio estimated from ``n`` iid daily
      returns (Lo 2002), evaluated at the backtest's per-period Sharpe ``SR_d = SR_bt /
      sqrt(ppy)``, i.e. under the hypothesis that the backtest still holds.
    * Return: ``z = (R_live - E) / (sigma_d * sqrt(n))`` where ``E = (1 + mu_d)**n - 1`` is the
      backtest's expected compounded return over the same ``n`` days and ``sigma_d`` its daily
      volatility.

    ``z -> score``: ``z <= -2 -> 0``, ``-1 -> 40``, ``0 -> 80``, ``z >= +1 -> 100``. Matching
    the backtest scores 80; two standard errors short scores 0. A z scale, not a ratio, because
    a 30-day Sharpe ratio has a standard error near 2.9: a ratio rule would swing 0 <-> 100 on
    noise.

drawdown control
    ``u = |drawdown| / |backtest max drawdown|`` for the current drawdown and for the maximum
    drawdown within the window; the component is the mean of the two mapped values.
    ``u = 0 -> 100``, ``0.5 -> 80``, ``0.75 -> 50`` (the drawdown alert level), ``1.0 -> 25``,
    ``u >= 1.5 -> 0`` (the comparison ``alert`` level). Needs one daily return and a backtest
    max drawdown < 0 (a backtest that never lost gives no scale).

win-rate consistency
    ``d = live win rate - backtest win rate`` in points (fractions). ``d <= -0.30 -> 0``,
    ``-0.15 -> 40`` (the win-rate alert level), ``-0.05 -> 80``, ``d >= 0 -> 100``.
    Needs ``min_trades`` closed trades in the window (DESIGN.md: 10).

trade frequency
    ``a = |log2(live trades per day / backtest trades per day)|``: trading twice as often or
    half as often are equally suspicious. ``a = 0 -> 100``, ``1 -> 50``, ``a >= 2 -> 0``
    (4x or a quarter); no trade at all when some were expected gives ``a = inf -> 0``. Needs
    at least ``min_expected_trades`` (5) trades expected over the window, ``backtest trades
    per day x n``: below that a count of zero is too likely by chance (Poisson, P(0) = e^-5
    at 5 expected) to mean anything.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np

PERFORMANCE_Z = ((-2.0, -1.0, 0.0, 1.0), (0.0, 40.0, 80.0, 100.0))
DRAWDOWN_U = ((0.0, 0.5, 0.75, 1.0, 1.5), (100.0, 80.0, 50.0, 25.0, 0.0))
WIN_RATE_D = ((-0.30, -0.15, -0.05, 0.0), (0.0, 40.0, 80.0, 100.0))
TRADE_FREQUENCY_A = ((0.0, 1.0, 2.0), (100.0, 50.0, 0.0))


def piecewise_linear(x: float, xs: Sequence[float], ys: Sequence[float]) -> float:
    """Linear interpolation between breakpoints, clipped to the end values.

    Parameters
    ----------
    x : float
        Point to map; ``+-inf`` map to the end values.
    xs : sequence of float
        Strictly increasing breakpoints.
    ys : sequence of float
        Values at the breakpoints.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        When ``x`` is NaN or ``xs`` is not strictly increasing.

    References
    ----------
    ``numpy.interp`` (the same clipping at the ends).
    """
    if math.isnan(x):
        raise ValueError("piecewise_linear: x is NaN")
    if any(b <= a for a, b in itertools.pairwise(xs)):
        raise ValueError("piecewise_linear: breakpoints must be strictly increasing")
    if x <= xs[0]:
        return float(ys[0])
    if x >= xs[-1]:
        return float(ys[-1])
    return float(np.interp(x, xs, ys))


def _finite(*values: float) -> bool:
    return all(math.isfinite(v) for v in values)


def sharpe_standard_error(sharpe_ratio: float, n_obs: int, periods_per_year: int) -> float:
    """Standard error of an annualised Sharpe ratio estimated from ``n_obs`` iid returns.

    Parameters
    ----------
    sharpe_ratio : float
        Annualised Sharpe ratio at which the error is evaluated.
    n_obs : int
        Number of per-period returns (> 0).
    periods_per_year : int

    Returns
    -------
    float
        ``sqrt(ppy * (1 + SR_d**2 / 2) / n_obs)`` with ``SR_d = sharpe_ratio / sqrt(ppy)``.

    References
    ----------
    Lo, A. W. (2002). The Statistics of Sharpe Ratios. Financial Analysts Journal 58(4), eq. 9.
    """
    sr_d = sharpe_ratio / math.sqrt(periods_per_year)
    return math.sqrt(periods_per_year * (1.0 + 0.5 * sr_d * sr_d) / n_obs)


def performance_component(
    *,
    live_sharpe_ratio: float,
    live_total_return: float,
    backtest_sharpe_ratio: float,
    backtest_mean_daily_return: float,
    backtest_daily_volatility: float,
    n_obs: int,
    periods_per_year: int,
    min_obs: int,
    live_psr_vs_backtest: float = math.nan,
) -> tuple[float | None, str]:
    """Performance vs expectations, 0-100 (module docstring). ``None`` when not judgeable.

    The Sharpe part is statistical evidence, not a ratio: when the Probabilistic Sharpe Ratio
    of the window against the backtest Sharpe is given (``live_psr_vs_backtest``, with the
    window's skew and kurtosis, Bailey & Lopez de Prado 2012), ``z = Phi^-1(PSR)``; otherwise
    ``z`` is the difference of Sharpe ratios over Lo's (2002) standard error under normality.
    Both are the same z-score of "live Sharpe vs backtest Sharpe"; the PSR form accounts for
    fat tails and skew. ``z`` then maps to 0-100 through ``PERFORMANCE_Z``.

    Parameters
    ----------
    live_sharpe_ratio : float
        Annualised Sharpe ratio of the window's daily returns.
    live_total_return : float
        Compounded return over the window, fraction.
    backtest_sharpe_ratio : float
        Annualised.
    backtest_mean_daily_return, backtest_daily_volatility : float
        Per period, fractions.
    n_obs : int
        Daily returns in the window.
    periods_per_year : int
    min_obs : int

    Returns
    -------
    (score or None, reason)

    References
    ----------
    Lo (2002) for the Sharpe ratio standard error.
    """
    if n_obs < min_obs:
        return None, f"insufficient data: {n_obs} daily returns < {min_obs}"
    parts: list[float] = []
    notes: list[str] = []
    if _finite(live_psr_vs_backtest):
        p = min(max(live_psr_vs_backtest, 1e-9), 1.0 - 1e-9)
        z = NormalDist().inv_cdf(p)
        parts.append(piecewise_linear(z, *PERFORMANCE_Z))
        notes.append(
            f"Sharpe {live_sharpe_ratio:.2f} vs {backtest_sharpe_ratio:.2f} "
            f"(PSR vs backtest {live_psr_vs_backtest:.2f}, z {z:+.2f})"
        )
    elif _finite(live_sharpe_ratio, backtest_sharpe_ratio):
        se = sharpe_standard_error(backtest_sharpe_ratio, n_obs, periods_per_year)
        z = (live_sharpe_ratio - backtest_sharpe_ratio) / se
        if not math.isnan(z):
            parts.append(piecewise_linear(z, *PERFORMANCE_Z))
            notes.append(
                f"Sharpe {live_sharpe_ratio:.2f} vs {backtest_sharpe_ratio:.2f} (z {z:+.2f})"
            )
    if (
        _finite(live_total_return, backtest_mean_daily_return, backtest_daily_volatility)
        and backtest_daily_volatility > 0.0
        and backtest_mean_daily_return > -1.0
    ):
        # log domain: no OverflowError for an absurd mean; inf compares as a number
        log_growth = n_obs * math.log1p(backtest_mean_daily_return)
        expected = math.expm1(log_growth) if log_growth < 700.0 else math.inf
        z = (live_total_return - expected) / (backtest_daily_volatility * math.sqrt(n_obs))
        if not math.isnan(z):
            parts.append(piecewise_linear(z, *PERFORMANCE_Z))
            notes.append(f"return {live_total_return:.1%} vs {expected:.1%} expected (z {z:+.2f})")
    if not parts:
        return None, "insufficient data: no live/backtest Sharpe or return to compare"
    return sum(parts) / len(parts), "; ".join(notes)


def drawdown_component(
    *,
    current_drawdown: float,
    live_max_drawdown: float,
    backtest_max_drawdown: float,
    n_obs: int,
) -> tuple[float | None, str]:
    """Drawdown control, 0-100 (module docstring). ``None`` when not judgeable.

    Parameters
    ----------
    current_drawdown : float
        Fraction, <= 0.
    live_max_drawdown : float
        Deepest drawdown within the window, fraction, <= 0.
    backtest_max_drawdown : float
        Fraction, < 0.
    n_obs : int
        Daily returns in the window.

    Returns
    -------
    (score or None, reason)
    """
    if n_obs < 1:
        return None, "insufficient data: no daily return"
    if not (math.isfinite(backtest_max_drawdown) and backtest_max_drawdown < 0.0):
        return None, "insufficient data: no backtest max drawdown < 0 to scale by"
    scale = abs(backtest_max_drawdown)
    parts: list[float] = []
    notes: list[str] = []
    for label, dd in (("current", current_drawdown), ("window max", live_max_drawdown)):
        if math.isnan(dd):
            continue
        u = abs(dd) / scale
        parts.append(piecewise_linear(u, *DRAWDOWN_U))
        notes.append(f"{label} drawdown {dd:.1%} = {u:.2f} x backtest max")
    if not parts:
        return None, "insufficient data: no live drawdown"
    return sum(parts) / len(parts), "; ".join(notes)


def win_rate_component(
    *,
    live_win_rate: float,
    live_n_trades: int,
    backtest_win_rate: float,
    min_trades: int,
) -> tuple[float | None, str]:
    """Win-rate consistency, 0-100 (module docstring). ``None`` when not judgeable.

    Parameters
    ----------
    live_win_rate : float
        Fraction of closed round trips in the window with pnl > 0.
    live_n_trades : int
        Closed round trips in the window.
    backtest_win_rate : float
        Fraction.
    min_trades : int

    Returns
    -------
    (score or None, reason)
    """
    if live_n_trades < min_trades:
        return None, f"insufficient data: {live_n_trades} closed trades < {min_trades}"
    if not _finite(live_win_rate, backtest_win_rate):
        return None, "insufficient data: live or backtest win rate missing"
    d = live_win_rate - backtest_win_rate
    return piecewise_linear(d, *WIN_RATE_D), (
        f"win rate {live_win_rate:.1%} vs {backtest_win_rate:.1%} ({100 * d:+.1f} points)"
    )


def trade_frequency_component(
    *,
    live_trades_per_day: float,
    backtest_trades_per_day: float,
    n_obs: int,
    min_expected_trades: float,
) -> tuple[float | None, str]:
    """Trade frequency, 0-100 (module docstring). ``None`` when not judgeable.

    Parameters
    ----------
    live_trades_per_day, backtest_trades_per_day : float
        Closed round trips per trading day, >= 0.
    n_obs : int
        Trading days in the window.
    min_expected_trades : float

    Returns
    -------
    (score or None, reason)
    """
    if not _finite(live_trades_per_day, backtest_trades_per_day) or backtest_trades_per_day <= 0:
        return None, "insufficient data: live or backtest trade frequency missing"
    expected = backtest_trades_per_day * n_obs
    if expected < min_expected_trades:
        return None, (
            f"insufficient data: {expected:.1f} trades expected in the window "
            f"< {min_expected_trades:g}"
        )
    if live_trades_per_day <= 0.0:
        return 0.0, f"no trade in the window, {expected:.1f} expected"
    ratio = live_trades_per_day / backtest_trades_per_day
    # difference of logs: no under/overflow of the ratio for extreme inputs
    a = abs(math.log2(live_trades_per_day) - math.log2(backtest_trades_per_day))
    return piecewise_linear(a, *TRADE_FREQUENCY_A), (
        f"{live_trades_per_day:.2f} trades/day vs {backtest_trades_per_day:.2f} ({ratio:.2f} x)"
    )
