"""Live vs backtest evidence for one evaluation, from figures the engine already has.

:func:`backtest_evidence` summarises a backtest once per version (moments, the bootstrap cone,
drawdown expectations, the deflated Sharpe ratio when ``n_trials`` is known, the distribution
of its rolling-window statistics, the decay detector's calibration). :func:`live_evidence`
then judges one evaluation day cheaply from the live moments that ``summarize`` produced:

- ``psr_vs_zero``, ``psr_vs_backtest``: Probabilistic Sharpe Ratio of the live record against
  SR* = 0 and against the backtest Sharpe (Bailey & Lopez de Prado 2012), with the live
  sample's skew and (non-excess) kurtosis.
- ``min_trl_vs_backtest``: periods of live data needed before "live Sharpe differs from the
  backtest's" can be called at 95 % (same paper); NaN when the live Sharpe equals it.
- ``sharpe_test``: two-sample z-test of live vs backtest Sharpe on non-overlapping periods,
  each variance from Mertens (2002); ``welch``: Welch's t-test of mean daily returns.
- ``cone``: today's live cumulative return against the backtest cone's bands and which bands
  it breaches (each breach is stored as an event by the pipeline).
- ``drawdown``: MaxDD at 95 / 99 % and the time under water implied by the backtest's mean and
  volatility (Bailey & Lopez de Prado, "Drawdown-based stop-outs and the triple penance
  rule"): the statistical drawdown tiers.
- ``rolling``: for each window, the live value of Sharpe, return, volatility and max drawdown
  against the 5/50/95th percentiles of the same statistic over all windows of the backtest.
- ``dsr``: Deflated Sharpe Ratio of the backtest (Bailey & Lopez de Prado 2014). The variance
  of the trials' Sharpe ratios comes from the expectations (``trials_sharpe_variance``); when
  only ``n_trials`` is known it defaults to the variance of the Sharpe estimator under the
  null of no skill, ``1 / (T - 1)`` per period, i.e. trials as independent draws of a
  zero-Sharpe strategy (stated in the output as ``sharpe_variance_source``).

Skew and kurtosis are the biased sample moments, as in the papers. Everything is per period
unless a name says ``annual``; probabilities and returns are fractions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import special, stats

from stratmon.compare.cone import BacktestCone, backtest_cone, cone_percentile, day_breaches
from stratmon.compare.drawdown_expectations import expected_drawdown_from_returns
from stratmon.compare.drawdown_probability import HorizonQuantiles
from stratmon.compare.significance import (
    deflated_sharpe_ratio,
    minimum_track_record_length,
    probabilistic_sharpe_ratio,
    sharpe_ratio_variance,
)
from stratmon.domain.numbers import as_float as _f
from stratmon.metrics import rolling_metrics

ROLLING_WINDOWS = (30, 60, 90)
ROLLING_METRICS = ("sharpe_ratio", "return", "annual_volatility", "max_drawdown")
CONE_HORIZON = 2520  # ten years of live sessions; recomputed longer if a record outgrows it
CONE_PATHS = 1000


def stable_seed(text: str) -> int:
    """A stable seed from a strategy id, so a cone is reproducible across processes."""
    return int.from_bytes(text.encode()[:8].ljust(8, b"\0"), "little") % (2**32)


@dataclass(frozen=True)
class BacktestEvidence:
    """What the backtest implies, computed once per backtest version (per period)."""

    n_obs: int
    mean: float
    variance: float
    sharpe: float
    skew: float
    kurtosis: float
    periods_per_year: int
    drawdown: dict[str, float] = field(default_factory=dict)
    dsr: dict[str, Any] = field(default_factory=dict)
    rolling: dict[str, dict[str, tuple[float, float, float]]] = field(default_factory=dict)
    rolling_values: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    cone: BacktestCone | None = None
    # health-score inputs (issue 13): the bootstrap's running-max-drawdown grid (also on the
    # cone) and the share of backtest sessions with a return > 0
    drawdown_table: HorizonQuantiles | None = None
    winning_day_rate: float = math.nan


def backtest_evidence(
    returns: np.ndarray,
    *,
    periods_per_year: int = 252,
    n_trials: int | None = None,
    trials_sharpe_variance: float | None = None,
    cone_horizon: int = CONE_HORIZON,
    seed_key: str = "",
) -> BacktestEvidence | None:
    """Summarise backtest returns (shape (B,), NaN dropped). ``None`` under 30 returns."""
    x = np.asarray(returns, dtype=float)
    x = x[np.isfinite(x)]
    if x.size < 30:
        return None
    mean, sd = float(x.mean()), float(x.std(ddof=1))
    if sd == 0:
        return None
    dd = expected_drawdown_from_returns(x)
    drawdown = {
        "max_drawdown_95": _f(dd.max_drawdown_95),
        "max_drawdown_99": _f(dd.max_drawdown_99),
        "time_under_water_95": _f(dd.time_under_water_95),
        "time_under_water_99": _f(dd.time_under_water_99),
    }
    sr = mean / sd
    skew = float(stats.skew(x, bias=True))
    kurt = float(stats.kurtosis(x, fisher=False, bias=True))
    dsr: dict[str, Any] = {}
    if n_trials is not None and n_trials >= 1:
        source = "expectations"
        var = trials_sharpe_variance
        if var is None or not math.isfinite(var) or var <= 0:
            var, source = 1.0 / (x.size - 1), "null of no skill: 1/(T-1)"
        dsr = {
            "value": _f(deflated_sharpe_ratio(sr, x.size, n_trials, var, skew, kurt)),
            "n_trials": int(n_trials),
            "sharpe_variance": float(var),
            "sharpe_variance_source": source,
        }
    rolling: dict[str, dict[str, tuple[float, float, float]]] = {}
    rolling_values: dict[str, dict[str, np.ndarray]] = {}
    for w in ROLLING_WINDOWS:
        if x.size < 2 * w:
            continue
        roll = rolling_metrics(x, w, periods_per_year=periods_per_year)
        rolling[str(w)] = {}
        rolling_values[str(w)] = {}
        for name in ROLLING_METRICS:
            vals = np.asarray(roll[name], dtype=float).ravel()
            vals = np.sort(vals[np.isfinite(vals)])
            if vals.size:
                p5, p50, p95 = np.percentile(vals, [5, 50, 95])
                rolling[str(w)][name] = (float(p5), float(p50), float(p95))
                rolling_values[str(w)][name] = vals
    cone = backtest_cone(
        x, cone_horizon, n_paths=CONE_PATHS, seed=stable_seed(seed_key) if seed_key else 0
    )
    return BacktestEvidence(
        n_obs=int(x.size),
        mean=mean,
        variance=sd * sd,
        sharpe=sr,
        skew=skew,
        kurtosis=kurt,
        periods_per_year=periods_per_year,
        drawdown=drawdown,
        dsr=dsr,
        rolling=rolling,
        rolling_values=rolling_values,
        cone=cone,
        drawdown_table=cone.max_drawdown,
        winning_day_rate=float(np.mean(x > 0)),
    )


def _cone_today(cone: BacktestCone, day: int, cumulative: float) -> dict[str, Any]:
    """Bands at live day ``day`` (1-based) and the outermost ones breached on each side."""
    i = day - 1
    bands = {f"p{p:g}": float(cone.bands[k, i]) for k, p in enumerate(cone.percentiles)}
    for k, s in enumerate(cone.sigma_levels):
        bands[f"sigma_{s:g}_lower"] = float(cone.sigma_lower[k, i])
        bands[f"sigma_{s:g}_upper"] = float(cone.sigma_upper[k, i])
    breaches = [
        {"band": e.band, "side": e.side, "bound": float(e.bound)}
        for e in day_breaches(cone, day, cumulative)
    ]
    percentile = (
        float(cone_percentile(cone, cumulative, day)) if cone.cumulative is not None else math.nan
    )
    return {
        "day": day,
        "cumulative_return": cumulative,
        "percentile": percentile,
        "bands": bands,
        "breaches": breaches,
    }


def significance_batch(
    live: list[Mapping[str, float]], bts: list[BacktestEvidence]
) -> list[dict[str, Any]]:
    """PSR, MinTRL, Sharpe z-test and Welch test for many strategies at once (vectorised:
    one call per statistic, so the daily job's cost does not grow with scalar overheads).

    ``live[i]`` holds the whole-live-period ``summarize`` row of strategy i (``sharpe_ratio``
    annualised, ``skew``, ``kurtosis`` excess, ``mean_daily_return``, ``annual_volatility``,
    ``n_obs``); ``bts[i]`` its backtest evidence.
    """
    if not live:
        return []
    ppy = np.array([b.periods_per_year for b in bts], dtype=float)
    n = np.array([_f(m.get("n_obs")) for m in live])
    sr = np.array([_f(m.get("sharpe_ratio")) for m in live]) / np.sqrt(ppy)
    skew = np.array([_f(m.get("skew")) for m in live])
    kurt = np.array([_f(m.get("kurtosis")) for m in live]) + 3.0
    mean_l = np.array([_f(m.get("mean_daily_return")) for m in live])
    var_l = np.array([_f(m.get("annual_volatility")) for m in live]) ** 2 / ppy
    bt_sr = np.array([b.sharpe for b in bts])
    bt_n = np.array([b.n_obs for b in bts], dtype=float)
    bt_skew = np.array([b.skew for b in bts])
    bt_kurt = np.array([b.kurtosis for b in bts])
    bt_mean = np.array([b.mean for b in bts])
    bt_var = np.array([b.variance for b in bts])
    ok = (n >= 3) & np.isfinite(sr) & np.isfinite(skew) & np.isfinite(kurt)
    n_safe = np.where(ok, n, 3.0)
    with np.errstate(all="ignore"):
        psr0 = np.asarray(probabilistic_sharpe_ratio(sr, n_safe, skew, kurt, 0.0), dtype=float)
        psr_bt = np.asarray(probabilistic_sharpe_ratio(sr, n_safe, skew, kurt, bt_sr), dtype=float)
        trl = np.asarray(minimum_track_record_length(sr, skew, kurt, bt_sr), dtype=float)
        trl[sr == bt_sr] = np.nan
        var_sr_l = np.asarray(sharpe_ratio_variance(sr, n_safe, skew, kurt), dtype=float)
        var_sr_b = np.asarray(sharpe_ratio_variance(bt_sr, bt_n, bt_skew, bt_kurt), dtype=float)
        z = (sr - bt_sr) / np.sqrt(var_sr_l + var_sr_b)
        p_z = special.erfc(np.abs(z) / math.sqrt(2.0))
        se2_l, se2_b = var_l / n_safe, bt_var / bt_n
        t = (mean_l - bt_mean) / np.sqrt(se2_l + se2_b)
        df = (se2_l + se2_b) ** 2 / (se2_l**2 / (n_safe - 1) + se2_b**2 / (bt_n - 1))
        p_t = 2.0 * special.stdtr(df, -np.abs(t))
    out = []
    for i in range(len(live)):
        if not ok[i]:
            nan = math.nan
            out.append(
                {
                    "n_obs": int(n[i]) if math.isfinite(n[i]) else 0,
                    "psr_vs_zero": nan,
                    "psr_vs_backtest": nan,
                    "min_trl_vs_backtest": nan,
                    "sharpe_test": {"z": nan, "p_value": nan},
                    "welch": {"t": nan, "df": nan, "p_value": nan},
                }
            )
            continue
        out.append(
            {
                "n_obs": int(n[i]),
                "live_sharpe_per_period": float(sr[i]),
                "psr_vs_zero": float(psr0[i]),
                "psr_vs_backtest": float(psr_bt[i]),
                "min_trl_vs_backtest": float(trl[i]),
                "sharpe_test": {"z": float(z[i]), "p_value": float(p_z[i])},
                "welch": {"t": float(t[i]), "df": float(df[i]), "p_value": float(p_t[i])},
            }
        )
    return out


def live_evidence(
    significance: Mapping[str, Any],
    windows: Mapping[str, Mapping[str, float]],
    bt: BacktestEvidence,
    *,
    cumulative_return: float,
    live_day: int,
) -> dict[str, Any]:
    """The day's evidence for one strategy (see the module docstring), JSON-ready.

    Parameters
    ----------
    significance : Mapping
        This strategy's entry of :func:`significance_batch`.
    windows : Mapping[str, Mapping[str, float]]
        ``summarize`` rows of the trailing windows, keyed '30', '60', '90'...
    bt : BacktestEvidence
    cumulative_return : float
        Live compounded return so far (fraction).
    live_day : int
        Number of live returns so far (the day of the cone).
    """
    ppy = bt.periods_per_year
    out: dict[str, Any] = dict(significance)
    out["backtest_sharpe_per_period"] = bt.sharpe
    out["backtest_sharpe_annual"] = bt.sharpe * math.sqrt(ppy)
    out["drawdown"] = bt.drawdown
    out["dsr"] = bt.dsr
    if (
        bt.cone is not None
        and 1 <= live_day <= bt.cone.horizon
        and math.isfinite(cumulative_return)
    ):
        out["cone"] = _cone_today(bt.cone, live_day, cumulative_return)
    rolling: dict[str, Any] = {}
    names = {"return": "total_return"}
    for w, per_metric in bt.rolling.items():
        wm = windows.get(w)
        if wm is None or int(_f(wm.get("n_obs")) or 0) < int(w):
            continue
        rolling[w] = {}
        for name, (p5, p50, p95) in per_metric.items():
            value = _f(wm.get(names.get(name, name)))
            dist = bt.rolling_values[w][name]
            rank = (
                float(np.searchsorted(dist, value) / dist.size)
                if math.isfinite(value)
                else math.nan
            )
            rolling[w][name] = {
                "live": value,
                "backtest_p5": p5,
                "backtest_p50": p50,
                "backtest_p95": p95,
                "backtest_rank": rank,
            }
    out["rolling"] = rolling
    return out
