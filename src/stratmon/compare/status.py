"""Live vs backtest, metric by metric: live value, backtest value, deviation and a status.

Statuses
--------
``on_track``, ``underperforming``, ``outperforming``, ``alert``, ``insufficient_data``.

Rules (thresholds from :class:`ComparisonThresholds`; defaults in brackets)
-------------------------------------------------------------------------
Let ``b`` be the backtest value and ``L`` the live value.

* **Band rule** (every metric except ``max_drawdown``). The band half-width is
  ``w = (1 - underperform_ratio) * |b|`` below and ``(outperform_ratio - 1) * |b|`` above
  [0.3 * |b| both]. For a higher-is-better metric ``L < b - 0.3|b|`` is ``underperforming`` and
  ``L > b + 0.3|b|`` is ``outperforming``; for a lower-is-better metric (``annual_volatility``)
  the two are mirrored. When ``b > 0`` this is exactly the issue's "below 0.7 x backtest"
  (and "above 1.3 x backtest"). It stays meaningful when ``b < 0``: "0.7 x a negative Sharpe"
  would be a *higher* number, so a strategy doing slightly worse than a losing backtest would be
  called on track only by a sign accident; the sign-aware band calls a backtest Sharpe of -0.5
  and a live Sharpe of -0.7 underperforming (``-0.7 < -0.5 - 0.15``). When ``b == 0`` the band
  is empty: any strictly lower live value is underperforming, any higher one outperforming.
  Boundaries are inclusive of ``on_track`` (exactly ``0.7 b`` is on track).
* **Drawdown rule** (``max_drawdown``, negative numbers). ``L < drawdown_alert_ratio * b``
  [1.5], i.e. a live drawdown deeper than 1.5 x the backtest's maximum, is ``alert``. Deeper
  than the band (``L < b - 0.3|b|``, i.e. deeper than 1.3 x) is ``underperforming``. A
  *shallower* live drawdown is never ``outperforming``: the maximum drawdown grows with the
  length of the window, so a short live record is expected to show a shallower one; that is
  not evidence of doing better. A backtest max drawdown of 0 makes any live loss an alert.
* **Minimum data** (DESIGN.md). ``cagr`` (the annualised return; ``total_return`` of a live
  period and of a backtest span different horizons and are not compared), ``sharpe_ratio``,
  ``sortino_ratio`` and ``annual_volatility`` need ``min_obs`` daily returns [30].
  ``win_rate`` and ``profit_factor`` need ``min_trades`` closed round trips [10].
  ``max_drawdown`` needs one return only: a drawdown already realised is a fact, not an
  estimate, and a crash in week one must be able to raise ``alert``.
* A live or backtest value that is missing/NaN gives ``insufficient_data`` with a reason.
  ``profit_factor`` may be ``inf`` (no losing trade): an infinite live value compares as a
  number (``outperforming``), an infinite backtest value gives ``insufficient_data`` (no
  band can be built around it).

Overall status (:func:`overall_status`)
---------------------------------------
Worst wins: any ``alert`` -> ``alert``; else any ``underperforming`` -> ``underperforming``;
else, if every *key* metric (``sharpe_ratio`` and ``cagr``, the two the issue names) that was
compared is ``insufficient_data`` -> ``insufficient_data``; else, if every judged key metric
is ``outperforming`` -> ``outperforming``; else ``on_track``. So an early drawdown alert is
never hidden behind ``insufficient_data``, and one lucky secondary metric does not make a
strategy "outperforming".

``deviation`` is ``(L - b) / |b|`` as a fraction; NaN when ``b`` is 0 or NaN or ``L`` is NaN,
and NaN when the baseline is near zero on the scale of the comparison (``|L - b| > 10 |b|``,
a deviation beyond +-1,000 %): such a percentage says nothing true, the absolute difference
``L - b`` is the figure to show (DESIGN.md, "numbers that cannot be true").

Bands are not evidence
----------------------
:func:`overall_status` is the band-only status (no test, no memory). The status people read
comes from :func:`stratmon.compare.status_judgement.judge_status`, which keeps these bands but
calls a key metric under- or outperforming only when the like-for-like test is significant,
gates the drawdown alert on its bootstrap probability, and adds hysteresis. With evidence at
p = 0 in the band's direction the two agree (tested).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from stratmon.errors import ConfigError

Status = Literal["on_track", "underperforming", "outperforming", "alert", "insufficient_data"]
DataKind = Literal["obs", "trades", "any"]

STATUSES: tuple[Status, ...] = (
    "on_track",
    "underperforming",
    "outperforming",
    "alert",
    "insufficient_data",
)

KEY_METRICS: tuple[str, ...] = ("sharpe_ratio", "cagr")


@dataclass(frozen=True, slots=True)
class MetricSpec:
    """How one metric is judged: direction, which minimum data rule, which rule."""

    higher_is_better: bool
    data: DataKind
    drawdown_rule: bool = False


METRIC_SPECS: dict[str, MetricSpec] = {
    "cagr": MetricSpec(higher_is_better=True, data="obs"),
    "sharpe_ratio": MetricSpec(higher_is_better=True, data="obs"),
    "sortino_ratio": MetricSpec(higher_is_better=True, data="obs"),
    "annual_volatility": MetricSpec(higher_is_better=False, data="obs"),
    "max_drawdown": MetricSpec(higher_is_better=True, data="any", drawdown_rule=True),
    "win_rate": MetricSpec(higher_is_better=True, data="trades"),
    "profit_factor": MetricSpec(higher_is_better=True, data="trades"),
}

DEFAULT_METRICS: tuple[str, ...] = tuple(METRIC_SPECS)


@dataclass(frozen=True, slots=True)
class ComparisonThresholds:
    """Thresholds of the live-vs-backtest status rules (see the module docstring).

    Parameters
    ----------
    underperform_ratio : float
        In (0, 1]. 0.7 means "below 0.7 x backtest" (sign-aware band, see module docstring).
    outperform_ratio : float
        >= 1. 1.3 means "above 1.3 x backtest".
    drawdown_alert_ratio : float
        >= 1. Live max drawdown deeper than this multiple of the backtest's is ``alert``.
    min_obs : int
        Daily returns needed before return/risk ratios are judged (>= 1).
    min_trades : int
        Closed round trips needed before trade statistics are judged (>= 1).

    Raises
    ------
    ConfigError
        When a value is out of range.
    """

    underperform_ratio: float = 0.7
    outperform_ratio: float = 1.3
    drawdown_alert_ratio: float = 1.5
    min_obs: int = 30
    min_trades: int = 10

    def __post_init__(self) -> None:
        if not 0.0 < self.underperform_ratio <= 1.0:
            raise ConfigError(
                f"underperform_ratio must be in (0, 1], got {self.underperform_ratio!r}."
            )
        if not self.outperform_ratio >= 1.0:
            raise ConfigError(f"outperform_ratio must be >= 1, got {self.outperform_ratio!r}.")
        if not self.drawdown_alert_ratio >= 1.0:
            raise ConfigError(
                f"drawdown_alert_ratio must be >= 1, got {self.drawdown_alert_ratio!r}."
            )
        if self.min_obs < 1 or self.min_trades < 1:
            raise ConfigError(
                f"min_obs and min_trades must be >= 1, got {self.min_obs!r}, {self.min_trades!r}."
            )


@dataclass(frozen=True, slots=True)
class MetricComparison:
    """One metric, live vs backtest.

    ``deviation`` is a fraction ``(live - backtest) / |backtest|`` (NaN when undefined);
    ``reason`` is a short human sentence explaining ``status``.
    """

    metric: str
    live: float
    backtest: float
    deviation: float
    status: Status
    higher_is_better: bool
    reason: str = ""


def _as_float(value: object) -> float:
    if value is None:
        return math.nan
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def deviation(live: float, backtest: float, *, max_ratio: float = 10.0) -> float:
    """Relative deviation of a live value from its backtest value.

    Parameters
    ----------
    live, backtest : float
        The two values of one metric, same units.

    max_ratio : float
        Largest ``|live - backtest| / |backtest|`` reported (default 10, i.e. +-1,000 %).

    Returns
    -------
    float
        ``(live - backtest) / |backtest|`` as a fraction. Undefined (NaN) when ``backtest`` is
        0, NaN or infinite, when ``live`` is NaN or infinite, and when the baseline is near
        zero: ``|live - backtest| > max_ratio * |backtest|``. A backtest Sharpe of 0.01
        against a live 1.0 would read "+9,900 %", a number that cannot be true of anything;
        the absolute difference ``live - backtest`` is what to show instead.

    References
    ----------
    DESIGN.md, "Numbers that cannot be true are never shown".
    """
    if not (math.isfinite(live) and math.isfinite(backtest)) or backtest == 0.0:
        return math.nan
    diff = live - backtest
    if abs(diff) > max_ratio * abs(backtest):
        return math.nan
    return diff / abs(backtest)


def _band_status(
    live: float, backtest: float, spec: MetricSpec, th: ComparisonThresholds
) -> tuple[Status, str]:
    lower = backtest - (1.0 - th.underperform_ratio) * abs(backtest)
    upper = backtest + (th.outperform_ratio - 1.0) * abs(backtest)
    if spec.higher_is_better:
        if live < lower:
            return "underperforming", f"live {live:.4g} below {lower:.4g}"
        if live > upper:
            return "outperforming", f"live {live:.4g} above {upper:.4g}"
    else:
        # Mirrored band: a higher value is worse.
        worse = backtest + (1.0 - th.underperform_ratio) * abs(backtest)
        better = backtest - (th.outperform_ratio - 1.0) * abs(backtest)
        if live > worse:
            return "underperforming", f"live {live:.4g} above {worse:.4g} (lower is better)"
        if live < better:
            return "outperforming", f"live {live:.4g} below {better:.4g} (lower is better)"
    return "on_track", "within the band around the backtest value"


def _drawdown_status(live: float, backtest: float, th: ComparisonThresholds) -> tuple[Status, str]:
    alert_level = th.drawdown_alert_ratio * backtest
    under_level = backtest - (1.0 - th.underperform_ratio) * abs(backtest)
    if live < alert_level:
        return "alert", (
            f"drawdown {live:.1%} deeper than {th.drawdown_alert_ratio:g} x backtest max "
            f"{backtest:.1%}"
        )
    if live < under_level:
        return "underperforming", f"drawdown {live:.1%} deeper than {under_level:.1%}"
    return "on_track", f"drawdown {live:.1%} within {under_level:.1%}"


def compare_metric(
    metric: str,
    live: float,
    backtest: float,
    *,
    n_obs: int,
    n_trades: int,
    thresholds: ComparisonThresholds | None = None,
) -> MetricComparison:
    """Compare one metric (see the module docstring for the rules).

    Parameters
    ----------
    metric : str
        A key of :data:`METRIC_SPECS`.
    live, backtest : float
        Live and backtest values in the metric's units (fractions, annualised ratios).
    n_obs : int
        Number of live daily returns behind ``live``.
    n_trades : int
        Number of live closed round trips behind ``live``.
    thresholds : ComparisonThresholds, optional

    Returns
    -------
    MetricComparison

    Raises
    ------
    KeyError
        When ``metric`` has no rule in :data:`METRIC_SPECS`.
    """
    th = thresholds if thresholds is not None else ComparisonThresholds()
    spec = METRIC_SPECS[metric]
    dev = deviation(live, backtest)

    def result(status: Status, reason: str) -> MetricComparison:
        return MetricComparison(metric, live, backtest, dev, status, spec.higher_is_better, reason)

    if spec.data == "obs" and n_obs < th.min_obs:
        return result("insufficient_data", f"{n_obs} daily returns < {th.min_obs} required")
    if spec.data == "trades" and n_trades < th.min_trades:
        return result("insufficient_data", f"{n_trades} closed trades < {th.min_trades} required")
    if spec.data == "any" and n_obs < 1:
        return result("insufficient_data", "no daily return yet")
    if math.isnan(live):
        return result("insufficient_data", "live value cannot be computed")
    if math.isnan(backtest):
        return result("insufficient_data", "no backtest value to compare with")
    if math.isinf(backtest):
        return result("insufficient_data", "backtest value is infinite: no band to compare with")
    if spec.drawdown_rule:
        return result(*_drawdown_status(live, backtest, th))
    return result(*_band_status(live, backtest, spec, th))


def compare_metrics(
    live: Mapping[str, float],
    backtest: Mapping[str, float],
    *,
    n_obs: int,
    n_trades: int,
    thresholds: ComparisonThresholds | None = None,
    metrics: Iterable[str] = DEFAULT_METRICS,
) -> list[MetricComparison]:
    """Compare live metrics with backtest metrics, one :class:`MetricComparison` per metric.

    Parameters
    ----------
    live, backtest : Mapping[str, float]
        Metric name -> value, names as in ``stratmon.metrics`` (``sharpe_ratio``, ``cagr``,
        ``max_drawdown``...). A missing name counts as NaN (``insufficient_data``).
    n_obs : int
        Number of live daily returns (trading days) behind ``live``.
    n_trades : int
        Number of live closed round-trip trades behind ``live``.
    thresholds : ComparisonThresholds, optional
        Defaults to ``ComparisonThresholds()`` (0.7 / 1.3 / 1.5, 30 days, 10 trades).
    metrics : iterable of str
        Which metrics to compare, in output order; defaults to :data:`DEFAULT_METRICS`.

    Returns
    -------
    list of MetricComparison

    Raises
    ------
    KeyError
        When a requested metric has no rule in :data:`METRIC_SPECS`.

    References
    ----------
    Minimum-data rules and the 0.7 / 1.5 multiples: stratmon DESIGN.md and the comparison issue.
    """
    return [
        compare_metric(
            name,
            _as_float(live.get(name)),
            _as_float(backtest.get(name)),
            n_obs=n_obs,
            n_trades=n_trades,
            thresholds=thresholds,
        )
        for name in metrics
    ]


def overall_status(
    comparisons: Iterable[MetricComparison], *, key_metrics: Iterable[str] = KEY_METRICS
) -> Status:
    """Collapse per-metric statuses into one (worst wins; see the module docstring).

    Parameters
    ----------
    comparisons : iterable of MetricComparison
    key_metrics : iterable of str
        Metrics whose data sufficiency decides ``insufficient_data`` and whose unanimous
        outperformance decides ``outperforming``. Default ``("sharpe_ratio", "cagr")``.

    Returns
    -------
    str
        One of :data:`STATUSES`. An empty input gives ``insufficient_data``.
    """
    comps = list(comparisons)
    statuses = [c.status for c in comps]
    if "alert" in statuses:
        return "alert"
    if "underperforming" in statuses:
        return "underperforming"
    keys = set(key_metrics)
    key_comps = [c for c in comps if c.metric in keys]
    if not key_comps:
        key_comps = comps
    judged = [c for c in key_comps if c.status != "insufficient_data"]
    if not judged:
        return "insufficient_data"
    if all(c.status == "outperforming" for c in judged):
        return "outperforming"
    return "on_track"
