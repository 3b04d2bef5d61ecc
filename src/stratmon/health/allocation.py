"""Rotation recommendations with a size, and the book view (pure, no I/O).

:func:`propose_allocation` turns each strategy's action (from
:func:`stratmon.health.verdict.decide_verdict`) into a suggested capital. The suggested
changes are a reallocation within the book: nothing is created, what is not reallocated stays
unallocated (cash).

Rule (thresholds are the fields of :class:`AllocationConfig`, defaults in brackets)
-----------------------------------------------------------------------------------
``c`` is the strategy's current capital, ``p`` its ``p_intact`` (a probability-like 0-1 that
the strategy is still the one that was backtested; the engine passes health / 100).

* ``suspend``: 0.
* ``retire_review``: ``c x retire_fraction`` [0.25], kept running small pending the review.
* ``reduce``: ``c x clip(p, reduce_min_fraction, reduce_max_fraction)`` [0.25, 0.75]; with
  ``p`` unknown, ``c x reduce_default_fraction`` [0.5].
* ``maintain``: ``c``.
* ``increase``: ``c + a``, where the add-on ``a`` is at most ``increase_max_fraction x c``
  [0.25] and is funded **only** by the capital freed by the suspend / retire_review / reduce
  recommendations of the same proposal (and by ``unallocated`` cash only when
  ``fund_from_unallocated`` [False]). The funding pool is shared by water-filling: pro rata to
  the weights ``c x p`` (``weighting = "p_intact"``) or ``1 / daily_volatility``
  (``"inverse_volatility"``: equal risk per add-on), each capped at its maximum add-on,
  the excess of a capped strategy going to the others. A candidate with an unknown weight
  (NaN ``p`` or volatility) gets none; when no candidate has a known weight the pool goes pro
  rata to ``c``. The freed capital that is not reallocated stays unallocated.

A strategy without capital (``current_capital is None``) gets ``suggested_capital = None`` and
takes no part in the book. The book total is conserved: ``sum(suggested) + unallocated_after
== sum(current) + unallocated_before`` (to the last unit of rounding: ``unallocated_after`` is
computed as the remainder). Signs agree with the action: reduce, retire_review and suspend
never suggest more than current, increase never less, maintain exactly current.

Why this rule: the issue asks for a reallocation within the total, scaled by the probability
that a strategy is intact. Volatility targeting of the whole book (every strategy resized to a
risk budget) was rejected as the default: it would move healthy ``maintain`` strategies every
day with their volatility, i.e. recommend trades that no verdict asked for.

References
----------
Inverse-volatility ("naive risk parity") weights: Maillard, Roncalli and Teiletche (2010),
"The properties of equally weighted risk contribution portfolios", Journal of Portfolio
Management 36(4).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from stratmon.domain.assessment import ACTIONS, Action, Recommendation
from stratmon.errors import ConfigError, StratmonError

__all__ = ["AllocationConfig", "AllocationInput", "BookProposal", "propose_allocation"]

_NAN = math.nan


@dataclass(frozen=True)
class AllocationInput:
    """One strategy's action and sizing inputs.

    Attributes
    ----------
    strategy_id : str
    action : Action
    current_capital : float or None
        Allocated capital (strategy currency; one currency per book), >= 0; ``None`` = none.
    daily_volatility : float
        Live volatility per period (fraction); used by ``weighting="inverse_volatility"``.
    p_intact : float
        0-1, probability-like that the strategy is intact (NaN = unknown).
    """

    strategy_id: str
    action: Action
    current_capital: float | None
    daily_volatility: float = _NAN
    p_intact: float = _NAN


@dataclass(frozen=True)
class AllocationConfig:
    """The sizing rule's parameters (module docstring).

    Raises
    ------
    ConfigError
        When a fraction is outside [0, 1] (``increase_max_fraction`` >= 0),
        ``reduce_min_fraction > reduce_max_fraction``, or ``weighting`` is unknown.
    """

    retire_fraction: float = 0.25
    reduce_min_fraction: float = 0.25
    reduce_max_fraction: float = 0.75
    reduce_default_fraction: float = 0.5
    increase_max_fraction: float = 0.25
    weighting: Literal["p_intact", "inverse_volatility"] = "p_intact"
    fund_from_unallocated: bool = False

    def __post_init__(self) -> None:
        fractions = {
            "retire_fraction": self.retire_fraction,
            "reduce_min_fraction": self.reduce_min_fraction,
            "reduce_max_fraction": self.reduce_max_fraction,
            "reduce_default_fraction": self.reduce_default_fraction,
        }
        bad = {k: v for k, v in fractions.items() if not 0.0 <= v <= 1.0}
        if bad:
            raise ConfigError(f"allocation config: fractions must lie in [0, 1], got {bad}.")
        if self.reduce_min_fraction > self.reduce_max_fraction:
            raise ConfigError(
                f"allocation config: reduce_min_fraction ({self.reduce_min_fraction}) must be "
                f"<= reduce_max_fraction ({self.reduce_max_fraction})."
            )
        if not (math.isfinite(self.increase_max_fraction) and self.increase_max_fraction >= 0):
            raise ConfigError(
                "allocation config: increase_max_fraction must be finite and >= 0, got "
                f"{self.increase_max_fraction!r}."
            )
        if self.weighting not in ("p_intact", "inverse_volatility"):
            raise ConfigError(
                f"allocation config: weighting must be 'p_intact' or 'inverse_volatility', "
                f"got {self.weighting!r}."
            )


@dataclass(frozen=True)
class BookProposal:
    """The book-level view: the total, cash before and after, one recommendation each.

    ``total_capital = sum(current) + unallocated_before = sum(suggested) +
    unallocated_after`` (strategies without capital excluded).
    """

    total_capital: float
    unallocated_before: float
    unallocated_after: float
    recommendations: dict[str, Recommendation]

    @property
    def reallocated(self) -> float:
        """Capital moved into ``increase`` strategies (>= 0)."""
        return math.fsum(max(r.change or 0.0, 0.0) for r in self.recommendations.values())


def _pct(x: float) -> str:
    return f"{x * 100:.0f} %"


def _money(x: float) -> str:
    return f"{x:,.0f}"


def _water_fill(pool: float, caps: list[float], weights: list[float]) -> list[float]:
    """Split ``pool`` pro rata to ``weights``, each share capped at ``caps`` (excess
    redistributed); returns the shares (their sum is min(pool, sum(caps)))."""
    n = len(caps)
    shares = [0.0] * n
    open_ = [i for i in range(n) if caps[i] > 0.0 and weights[i] > 0.0]
    remaining = pool
    while open_ and remaining > 0.0:
        total_w = math.fsum(weights[i] for i in open_)
        capped = [i for i in open_ if remaining * weights[i] / total_w >= caps[i] - shares[i]]
        if not capped:
            for i in open_:
                shares[i] += remaining * weights[i] / total_w
            remaining = 0.0
            break
        for i in capped:
            remaining -= caps[i] - shares[i]
            shares[i] = caps[i]
        open_ = [i for i in open_ if i not in capped]
    return [min(s, c) for s, c in zip(shares, caps, strict=True)]


def propose_allocation(
    items: Sequence[AllocationInput],
    config: AllocationConfig | None = None,
    *,
    unallocated: float = 0.0,
) -> BookProposal:
    """Suggested capital per strategy and the book view (rule: module docstring).

    Parameters
    ----------
    items : sequence of AllocationInput
        One per strategy (unique ``strategy_id``).
    config : AllocationConfig, optional
    unallocated : float, keyword-only
        Cash the book holds before the proposal (>= 0, strategy currency).

    Returns
    -------
    BookProposal
        ``recommendations[strategy_id]``: ``Recommendation(action, current_capital,
        suggested_capital, rule)``, the rule in words with the figures.

    Raises
    ------
    StratmonError
        A duplicate ``strategy_id``, an unknown action, or a negative / non-finite capital or
        ``unallocated``.

    References
    ----------
    Maillard, Roncalli and Teiletche (2010) for the inverse-volatility weights.
    """
    cfg = config or AllocationConfig()
    seen: set[str] = set()
    for it in items:
        if it.strategy_id in seen:
            raise StratmonError(f"propose_allocation: duplicate strategy_id {it.strategy_id!r}.")
        seen.add(it.strategy_id)
        if it.action not in ACTIONS:
            raise StratmonError(
                f"propose_allocation: unknown action {it.action!r} for {it.strategy_id!r}; "
                f"expected one of {ACTIONS}."
            )
        c = it.current_capital
        if c is not None and not (math.isfinite(c) and c >= 0.0):
            raise StratmonError(
                f"propose_allocation: current_capital of {it.strategy_id!r} must be finite and "
                f">= 0, got {c!r}."
            )
    if not (math.isfinite(unallocated) and unallocated >= 0.0):
        raise StratmonError(f"propose_allocation: unallocated must be >= 0, got {unallocated!r}.")

    suggested: dict[str, float | None] = {}
    rules: dict[str, str] = {}
    for it in items:
        c = it.current_capital
        if c is None:
            suggested[it.strategy_id] = None
            rules[it.strategy_id] = "no allocated capital: nothing to size"
            continue
        s, rule = _size(it, c, cfg)
        suggested[it.strategy_id] = s
        rules[it.strategy_id] = rule

    freed = math.fsum(
        it.current_capital - (suggested[it.strategy_id] or 0.0)
        for it in items
        if it.current_capital is not None and it.action in ("reduce", "retire_review", "suspend")
    )
    pool = freed + (unallocated if cfg.fund_from_unallocated else 0.0)
    candidates = [it for it in items if it.action == "increase" and it.current_capital]
    if candidates:
        caps = [cfg.increase_max_fraction * (it.current_capital or 0.0) for it in candidates]
        weights = [_weight(it, cfg) for it in candidates]
        if not any(w > 0.0 for w in weights):
            weights = [it.current_capital or 0.0 for it in candidates]
        shares = _water_fill(pool, caps, weights)
        for it, cap, add in zip(candidates, caps, shares, strict=True):
            c = it.current_capital or 0.0
            suggested[it.strategy_id] = c + add
            rules[it.strategy_id] = (
                f"increase: +{_money(add)} of a possible +{_money(cap)} "
                f"({_pct(cfg.increase_max_fraction)} of current), funded by capital freed "
                f"elsewhere ({_money(pool)} available, weighted by "
                f"{'capital x p_intact' if cfg.weighting == 'p_intact' else '1 / volatility'})"
            )
            if add == 0.0:
                rules[it.strategy_id] += "; nothing freed to fund it: unchanged"

    current_total = math.fsum(it.current_capital or 0.0 for it in items)
    total = current_total + unallocated
    unallocated_after = total - math.fsum(s or 0.0 for s in suggested.values())
    recs = {
        it.strategy_id: Recommendation(
            action=it.action,
            current_capital=it.current_capital,
            suggested_capital=suggested[it.strategy_id],
            rule=rules[it.strategy_id],
        )
        for it in items
    }
    return BookProposal(
        total_capital=total,
        unallocated_before=float(unallocated),
        unallocated_after=unallocated_after,
        recommendations=recs,
    )


def _size(it: AllocationInput, c: float, cfg: AllocationConfig) -> tuple[float, str]:
    """Suggested capital before the increase step, and the rule in words."""
    a = it.action
    if a == "suspend":
        return 0.0, "suspend: capital withdrawn to 0"
    if a == "retire_review":
        return c * cfg.retire_fraction, (
            f"retire review: {_pct(cfg.retire_fraction)} of current kept pending the review"
        )
    if a == "reduce":
        p = it.p_intact
        if math.isfinite(p):
            k = min(max(p, cfg.reduce_min_fraction), cfg.reduce_max_fraction)
            why = (
                f"p_intact {p:.2f} clipped to {_pct(cfg.reduce_min_fraction)}-"
                f"{_pct(cfg.reduce_max_fraction)}"
            )
        else:
            k = cfg.reduce_default_fraction
            why = "p_intact unknown: default"
        return c * k, f"reduce: {_pct(k)} of current kept ({why})"
    if a == "maintain":
        return c, "maintain: unchanged"
    return c, "increase: no current capital to scale, unchanged"


def _weight(it: AllocationInput, cfg: AllocationConfig) -> float:
    c = it.current_capital or 0.0
    if cfg.weighting == "p_intact":
        p = it.p_intact
        return c * min(max(p, 0.0), 1.0) if math.isfinite(p) else 0.0
    v = it.daily_volatility
    return 1.0 / v if math.isfinite(v) and v > 0.0 else 0.0
