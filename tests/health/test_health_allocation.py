"""Allocation: hand-computed books, water-filling, errors, and conservation properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stratmon.domain.assessment import ACTIONS
from stratmon.errors import ConfigError, StratmonError
from stratmon.health.allocation import (
    AllocationConfig,
    AllocationInput,
    BookProposal,
    propose_allocation,
)


def suggested(book: BookProposal) -> dict[str, float | None]:
    return {k: r.suggested_capital for k, r in book.recommendations.items()}


def test_mixed_book_by_hand() -> None:
    items = [
        AllocationInput("s", "suspend", 100.0, p_intact=0.9),
        AllocationInput("r", "reduce", 200.0, p_intact=0.6),
        AllocationInput("q", "retire_review", 100.0),
        AllocationInput("i", "increase", 400.0, p_intact=0.9),
        AllocationInput("m", "maintain", 300.0),
        AllocationInput("x", "maintain", None),
    ]
    book = propose_allocation(items, unallocated=50.0)
    # freed: 100 + (200 - 120) + (100 - 25) = 255; the increase takes its cap 25 % x 400 = 100
    assert suggested(book) == pytest.approx(
        {"s": 0.0, "r": 120.0, "q": 25.0, "i": 500.0, "m": 300.0, "x": None}
    )
    assert book.total_capital == pytest.approx(1150.0)
    assert book.unallocated_before == 50.0
    assert book.unallocated_after == pytest.approx(50.0 + 255.0 - 100.0)
    assert book.recommendations["i"].change == pytest.approx(100.0)
    assert book.recommendations["x"].change is None
    assert book.reallocated == pytest.approx(100.0)
    assert book.recommendations["r"].rule == (
        "reduce: 60 % of current kept (p_intact 0.60 clipped to 25 %-75 %)"
    )


def test_pool_shared_pro_rata_to_capital_times_p_intact() -> None:
    items = [
        AllocationInput("cut", "reduce", 100.0, p_intact=0.5),  # frees 50
        AllocationInput("a", "increase", 100.0, p_intact=0.8),  # weight 80, cap 25
        AllocationInput("b", "increase", 300.0, p_intact=0.4),  # weight 120, cap 75
    ]
    book = propose_allocation(items)
    assert suggested(book) == pytest.approx({"cut": 50.0, "a": 120.0, "b": 330.0})
    assert book.unallocated_after == pytest.approx(0.0, abs=1e-9)


def test_water_filling_passes_a_capped_share_on() -> None:
    items = [
        AllocationInput("cut", "suspend", 100.0),  # frees 100
        AllocationInput("a", "increase", 100.0, p_intact=1.0),  # weight 100, cap 25
        AllocationInput("b", "increase", 1000.0, p_intact=0.01),  # weight 10, cap 250
    ]
    # pro rata a would get 90.9 > 25: capped; the remaining 75 go to b
    assert suggested(propose_allocation(items)) == pytest.approx(
        {"cut": 0.0, "a": 125.0, "b": 1075.0}
    )


def test_inverse_volatility_weighting() -> None:
    items = [
        AllocationInput("cut", "reduce", 120.0, p_intact=0.75),  # frees 30
        AllocationInput("calm", "increase", 1000.0, daily_volatility=0.01),
        AllocationInput("wild", "increase", 1000.0, daily_volatility=0.02),
    ]
    book = propose_allocation(items, AllocationConfig(weighting="inverse_volatility"))
    assert suggested(book) == pytest.approx({"cut": 90.0, "calm": 1020.0, "wild": 1010.0})


def test_unknown_weights_fall_back_to_capital_and_cash_funds_only_when_asked() -> None:
    items = [
        AllocationInput("cut", "suspend", 40.0),
        AllocationInput("a", "increase", 100.0),
        AllocationInput("b", "increase", 300.0),
    ]
    assert suggested(propose_allocation(items)) == pytest.approx(
        {"cut": 0.0, "a": 110.0, "b": 330.0}
    )
    only_up = [AllocationInput("a", "increase", 100.0, p_intact=0.9)]
    book = propose_allocation(only_up, unallocated=1000.0)
    assert suggested(book) == {"a": 100.0}  # nothing freed: unchanged, cash stays cash
    assert book.recommendations["a"].rule.endswith("nothing freed to fund it: unchanged")
    book = propose_allocation(
        only_up, AllocationConfig(fund_from_unallocated=True), unallocated=1000.0
    )
    assert suggested(book) == pytest.approx({"a": 125.0})
    assert book.unallocated_after == pytest.approx(975.0)


def test_reduce_clipping_and_default() -> None:
    items = [
        AllocationInput("lo", "reduce", 100.0, p_intact=0.1),
        AllocationInput("hi", "reduce", 100.0, p_intact=0.9),
        AllocationInput("nan", "reduce", 100.0),
    ]
    assert suggested(propose_allocation(items)) == pytest.approx(
        {"lo": 25.0, "hi": 75.0, "nan": 50.0}
    )


def test_errors() -> None:
    with pytest.raises(StratmonError, match="duplicate"):
        propose_allocation([AllocationInput("a", "maintain", 1.0)] * 2)
    with pytest.raises(StratmonError, match="current_capital"):
        propose_allocation([AllocationInput("a", "maintain", -1.0)])
    with pytest.raises(StratmonError, match="unknown action"):
        propose_allocation([AllocationInput("a", "hold", 1.0)])  # type: ignore[arg-type]
    with pytest.raises(StratmonError, match="unallocated"):
        propose_allocation([], unallocated=-5.0)
    with pytest.raises(ConfigError, match="reduce_min_fraction"):
        AllocationConfig(reduce_min_fraction=0.8)
    with pytest.raises(ConfigError, match="fractions"):
        AllocationConfig(retire_fraction=1.5)


# --------------------------------------------------------------------------- properties

capital = st.one_of(
    st.none(), st.floats(0.0, 1e9, allow_nan=False), st.sampled_from([0.0, 1.0, 1e6])
)
prob = st.one_of(st.just(math.nan), st.floats(0.0, 1.0))
vol = st.one_of(st.just(math.nan), st.just(0.0), st.floats(1e-4, 0.1))
item = st.builds(
    AllocationInput,
    strategy_id=st.just(""),
    action=st.sampled_from(ACTIONS),
    current_capital=capital,
    daily_volatility=vol,
    p_intact=prob,
)
config = st.builds(
    AllocationConfig,
    weighting=st.sampled_from(["p_intact", "inverse_volatility"]),
    fund_from_unallocated=st.booleans(),
    increase_max_fraction=st.floats(0.0, 2.0),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(item, max_size=12),
    config,
    st.floats(0.0, 1e9, allow_nan=False),
)
def test_book_is_conserved_and_signs_agree(
    raw: list[AllocationInput], cfg: AllocationConfig, cash: float
) -> None:
    items = [
        AllocationInput(f"s{i}", it.action, it.current_capital, it.daily_volatility, it.p_intact)
        for i, it in enumerate(raw)
    ]
    book = propose_allocation(items, cfg, unallocated=cash)
    current = math.fsum(it.current_capital or 0.0 for it in items)
    total = current + cash
    after = math.fsum(r.suggested_capital or 0.0 for r in book.recommendations.values())
    tol = 1e-9 * max(total, 1.0)
    assert book.total_capital == pytest.approx(total, abs=tol)
    assert after + book.unallocated_after == pytest.approx(total, abs=tol)
    assert book.unallocated_after >= -tol
    freed = 0.0
    for it in items:
        r = book.recommendations[it.strategy_id]
        assert r.action == it.action
        if it.current_capital is None:
            assert r.suggested_capital is None
            continue
        s, c = r.suggested_capital, it.current_capital
        assert s is not None and s >= 0.0
        if it.action in ("reduce", "retire_review", "suspend"):
            assert s <= c
            freed += c - s
        elif it.action == "maintain":
            assert s == c
        else:
            assert c <= s <= c * (1.0 + cfg.increase_max_fraction) + tol
    # increases are funded only by freed capital (and cash when allowed)
    pool = freed + (cash if cfg.fund_from_unallocated else 0.0)
    assert book.reallocated <= pool + tol
