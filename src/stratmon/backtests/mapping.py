"""Map a run's metric names and values onto stratmon's expected metrics.

Rules, in order of precedence for each stratmon name: the user's ``map.<mlflow>=<stratmon>``
pairs, then an MLflow metric already named as stratmon names it (``sharpe_ratio``), then the
aliases of :data:`~stratmon.backtests.source.DEFAULT_METRIC_MAP` in their listed order.
MLflow names are matched case-insensitively. Metrics that map to nothing are not stored; they
are listed (``ignored``) so the user can add a ``map.`` pair.

Values: a NaN or infinite value is not stored (missing data is never filled) and is noted.
Losses are negative in stratmon (DESIGN.md): ``max_drawdown``, the value-at-risk family,
``worst_day``, ``worst_month``, ``current_drawdown``, ``avg_loss`` and ``largest_loss``
given as a positive number (the common "15 % drawdown" convention) are stored negated, with a
note. ``win_rate`` outside [0, 1] and a drawdown or value at risk beyond 100 % are errors
(probably percentages): give fractions. ``n_trials`` must be a whole number >= 1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from stratmon.backtests.source import DEFAULT_METRIC_MAP, KNOWN_METRICS, N_TRIALS_NAMES

#: stratmon metrics that are losses, hence negative (or zero).
NEGATIVE_METRICS: frozenset[str] = frozenset(
    {
        "max_drawdown",
        "current_drawdown",
        "value_at_risk_95",
        "value_at_risk_99",
        "conditional_value_at_risk_95",
        "conditional_value_at_risk_99",
        "value_at_risk_95_gaussian",
        "value_at_risk_95_cornish_fisher",
        "worst_day",
        "worst_month",
        "avg_loss",
        "largest_loss",
    }
)
#: Loss metrics that are fractions of capital, so cannot exceed 1 in magnitude.
_BOUNDED_LOSSES = frozenset(
    m for m in NEGATIVE_METRICS if "drawdown" in m or "value_at_risk" in m or "worst" in m
)


class MappingError(ValueError):
    """A value that cannot be a stratmon expectation; the message says which and why."""


@dataclass(frozen=True, slots=True)
class MappedMetrics:
    """Result of :func:`map_metrics`."""

    metrics: dict[str, float]
    n_trials: int | None
    ignored: tuple[str, ...]
    notes: tuple[str, ...]


def _candidates(user_map: Mapping[str, str]) -> dict[str, list[str]]:
    """stratmon name -> MLflow names (lower-case) to try, best first."""
    out: dict[str, list[str]] = {}
    for mlflow_name, target in user_map.items():
        out.setdefault(target, []).append(mlflow_name)
    for name in sorted(KNOWN_METRICS):
        out.setdefault(name, []).append(name)
    for alias, target in DEFAULT_METRIC_MAP.items():
        out.setdefault(target, []).append(alias)
    return out


def _n_trials(
    user_map: Mapping[str, str],
    params: Mapping[str, str],
    metrics: Mapping[str, float],
    tags: Mapping[str, str],
) -> tuple[int | None, str | None, str | None]:
    names = [k for k, v in user_map.items() if v == "n_trials"] or list(N_TRIALS_NAMES)
    for where, table in (("param", params), ("metric", metrics), ("tag", tags)):
        low = {k.lower(): v for k, v in table.items()}
        for name in names:
            if name in low:
                raw = low[name]
                try:
                    value = float(raw)
                except (TypeError, ValueError):
                    value = math.nan
                if not (math.isfinite(value) and value.is_integer() and value >= 1):
                    raise MappingError(
                        f"{where} {name}={raw!r}: n_trials must be a whole number >= 1 "
                        "(how many variants were tried)"
                    )
                return int(value), where, name
    return None, None, None


def map_metrics(
    metrics: Mapping[str, float],
    params: Mapping[str, str] | None = None,
    tags: Mapping[str, str] | None = None,
    user_map: Mapping[str, str] | None = None,
) -> MappedMetrics:
    """Turn a run's metrics (and params/tags, for ``n_trials``) into stratmon expectations.

    Parameters
    ----------
    metrics : mapping of str to float
        The run's metrics (latest value of each), names as logged.
    params, tags : mapping of str to str, optional
        The run's parameters and tags; ``n_trials`` is read from them (see the module doc).
    user_map : mapping of str to str, optional
        MLflow name (lower-case) -> stratmon name, overriding the defaults.

    Returns
    -------
    MappedMetrics
        ``metrics`` keyed by stratmon names (fractions, signs as DESIGN.md), ``n_trials``,
        the MLflow metric names ignored, and notes on sign flips and dropped values.

    Raises
    ------
    MappingError
        ``win_rate`` outside [0, 1], a drawdown/value-at-risk beyond 100 %, or a bad
        ``n_trials``.

    References
    ----------
    Sign and unit conventions: stratmon DESIGN.md ("Signs"); ``n_trials`` as in Bailey and
    López de Prado (2014), "The Deflated Sharpe Ratio".
    """
    umap = {k.lower(): v for k, v in (user_map or {}).items()}
    low: dict[str, tuple[str, float]] = {}
    for name, value in metrics.items():
        low.setdefault(name.lower(), (name, float(value)))
    used: set[str] = set()
    out: dict[str, float] = {}
    notes: list[str] = []
    for target, names in _candidates(umap).items():
        if target == "n_trials":
            used.update(n for n in names if n in low)
            continue
        present = [n for n in names if n in low]
        if not present:
            continue
        used.update(present)
        original, value = low[present[0]]
        for other in present[1:]:
            notes.append(f"{low[other][0]} ignored: {original} already gives {target}")
        if not math.isfinite(value):
            notes.append(f"{original} is {value} in the run; {target} not stored")
            continue
        if target in NEGATIVE_METRICS and value > 0:
            notes.append(f"{original}={value:g} given positive; stored as {target}={-value:g}")
            value = -value
        if target in _BOUNDED_LOSSES and value < -1:
            raise MappingError(
                f"metric {original}={value:g}: {target} is a fraction of capital and cannot "
                "be below -1 (-100 %); log fractions (0.15 for 15 %) or map another metric"
            )
        if target == "win_rate" and not 0.0 <= value <= 1.0:
            raise MappingError(
                f"metric {original}={value:g}: win_rate is a fraction in [0, 1] "
                "(0.55 for 55 %); log it as a fraction"
            )
        out[target] = value
    n_trials, where, n_name = _n_trials(umap, params or {}, metrics, tags or {})
    if n_name is not None:
        notes.append(f"n_trials={n_trials} from {where} {n_name}")
        if where == "metric":
            used.add(n_name)
    ignored = tuple(sorted(low[k][0] for k in low if k not in used))
    return MappedMetrics(out, n_trials, ignored, tuple(notes))
