"""Transaction costs of the demo's simulated fills.

Each instrument is traded "as if" through a liquid ETF/future on the index (one unit = one
index point x 1 USD, WTI in barrels). A fill at the close pays:

- **slippage**: the fill price is the close moved against the trade by ``slippage_bps`` of the
  close, rounded *up* to whole ticks (at least one tick): SPX/IXIC tick 0.25 point (as E-mini
  futures), WTI tick USD 0.01 (as NYMEX CL). Slippage therefore shows in the fill price.
- **commission**: ``commission_bps`` of the traded notional plus ``commission_per_unit`` per
  unit, rounded to the cent; it is the ``commission`` field of the execution (fees included).

Backtest: equities 1 bp commission + 2 bps slippage, WTI 1 bp + 2 bps (3 bps in all). Live
trading is a little worse than the backtest assumed: slippage x1.5 and commission x1.2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class CostModel:
    """Costs of one instrument.

    Attributes
    ----------
    commission_bps : float
        Commission in basis points of traded notional (1 bp = 0.0001).
    slippage_bps : float
        Adverse move of the fill price from the close, in basis points of the close.
    tick_size : float
        Price increment, in price units; slippage is rounded up to whole ticks.
    commission_per_unit : float
        Commission per unit (share/contract equivalent), in USD.
    """

    commission_bps: float
    slippage_bps: float
    tick_size: float
    commission_per_unit: float = 0.0

    def scaled(self, commission: float = 1.2, slippage: float = 1.5) -> CostModel:
        """Same model with commission and slippage multiplied by the given factors."""
        return replace(
            self,
            commission_bps=self.commission_bps * commission,
            commission_per_unit=self.commission_per_unit * commission,
            slippage_bps=self.slippage_bps * slippage,
        )

    def slippage_ticks(self, close: float) -> int:
        """Whole ticks of slippage at price ``close`` (at least one)."""
        raw = close * self.slippage_bps / 1e4 / self.tick_size
        return max(1, math.ceil(raw - 1e-9))


BACKTEST_COSTS: dict[str, CostModel] = {
    "SPX": CostModel(commission_bps=1.0, slippage_bps=2.0, tick_size=0.25),
    "IXIC": CostModel(commission_bps=1.0, slippage_bps=2.0, tick_size=0.25),
    "WTI": CostModel(commission_bps=1.0, slippage_bps=2.0, tick_size=0.01),
}
"""Costs the backtests assume."""

LIVE_COSTS: dict[str, CostModel] = {k: v.scaled(1.2, 1.5) for k, v in BACKTEST_COSTS.items()}
"""Costs of the live replay: slippage x1.5, commission x1.2."""
