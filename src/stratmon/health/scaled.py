"""The health score's readings of the backtest at the live volatility.

Under volatility clustering a live period sits in a volatility regime the backtest's
resampling never reproduces (:func:`stratmon.health.components.volatility_ratio`), so the cone
percentile, the drawdown probability and the PSR that the health score reads are computed
against the backtest with its noise rescaled to the live volatility and its drift kept (a decay
is a change of drift). The status, the alerts and the reports keep the unscaled figures: they
state what the backtest promised; the health score asks whether the evidence is still
consistent with it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from stratmon.compare.cone import cone_percentile
from stratmon.compare.drawdown_probability import drawdown_probability
from stratmon.compare.evidence import BacktestEvidence
from stratmon.compare.significance import probabilistic_sharpe_ratio
from stratmon.domain.numbers import as_float as _f
from stratmon.health.components import volatility_ratio, volatility_scaled_sharpe


@dataclass(frozen=True)
class ScaledReadings:
    """Health inputs read at the live volatility; NaN where unknown.

    ``psr_vs_backtest`` is the PSR against the volatility-scaled backtest Sharpe; pass
    ``volatility_ratio`` with it to the health score (it deflates the PSR for the backtest's
    estimation error with the backtest counted as ``B k^2`` returns)."""

    volatility_ratio: float = 1.0
    psr_vs_backtest: float = math.nan
    cone_percentile: float = math.nan
    drawdown_probability: float = math.nan


def scaled_readings(
    metrics: Mapping[str, object],
    evidence: BacktestEvidence,
    *,
    current_drawdown: float,
    cone: bool = True,
) -> ScaledReadings:
    """Cone percentile, drawdown probability and PSR of one live record at its volatility.

    Parameters
    ----------
    metrics : mapping
        The live record's metrics (:mod:`stratmon.metrics`): ``n_obs``, ``sharpe_ratio``
        (annualised), ``annual_volatility``, ``skew``, ``kurtosis`` (excess),
        ``total_return``.
    evidence : BacktestEvidence
        The backtest's evidence (its cone, drawdown grid, per-period mean, variance, Sharpe).
    current_drawdown : float
        Drawdown whose probability is read (fraction, <= 0) within ``n_obs`` sessions.
    cone : bool, default True
        Read the cone at live day ``n_obs`` with ``total_return``: only for the whole live
        record (a window's return is not a cumulative return from the first live day).

    Returns
    -------
    ScaledReadings
        ``volatility_ratio`` is 1 with fewer than 30 live returns (DESIGN.md minimum).

    References
    ----------
    Hull and White (1998), volatility-updated historical simulation; Bailey and Lopez de Prado
    (2012), the PSR.
    """
    ppy = evidence.periods_per_year
    raw_n = _f(metrics.get("n_obs"))
    n = int(raw_n) if math.isfinite(raw_n) else 0
    live_sd = _f(metrics.get("annual_volatility")) / math.sqrt(ppy)
    bt_sd = math.sqrt(evidence.variance) if evidence.variance > 0 else math.nan
    k = float(volatility_ratio(live_sd, bt_sd, n)[0])
    percentile = math.nan
    cum = _f(metrics.get("total_return"))
    c = evidence.cone
    readable = c is not None and c.cumulative is not None and 1 <= n <= c.horizon
    if cone and c is not None and readable and math.isfinite(cum):
        percentile = float(cone_percentile(c, cum, n, volatility_ratio=k))
    dd = math.nan
    if evidence.drawdown_table is not None and n >= 1 and math.isfinite(current_drawdown):
        dd = float(
            drawdown_probability(
                evidence.drawdown_table, min(current_drawdown, 0.0), n, volatility_ratio=k
            )
        )
    psr = math.nan
    sr = _f(metrics.get("sharpe_ratio")) / math.sqrt(ppy)
    skew, kurt = _f(metrics.get("skew")), _f(metrics.get("kurtosis")) + 3.0
    if n >= 3 and all(math.isfinite(x) for x in (sr, skew, kurt, evidence.sharpe)):
        bench = float(volatility_scaled_sharpe(evidence.sharpe, k)[0])
        psr = float(probabilistic_sharpe_ratio(sr, n, skew, kurt, bench))
    return ScaledReadings(k, psr, percentile, dd)
