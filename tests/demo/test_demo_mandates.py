"""The demo's per-strategy alert overrides: no concentration alert for single-instrument
mandates, the global limit for the others."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from stratmon.alerts.conditions import AlertInputs, build_conditions
from stratmon.alerts.config import alert_config_from_dict
from stratmon.config import create_workspace
from stratmon.demo.run import write_mandate_overrides
from stratmon.demo.strategies import DemoStrategy


def _concentration(config_alerts: dict, sid: str, positions: list[dict]) -> list:
    cfg = alert_config_from_dict(config_alerts).for_strategy(sid)
    inp = AlertInputs(
        strategy_id=sid,
        as_of=dt.date(2018, 12, 31),
        nav_dates=[dt.date(2018, 12, 28), dt.date(2018, 12, 31)],
        nav=np.array([1e6, 1e6]),
        cash_flow=np.zeros(2),
        positions=positions,
    )
    return [c for c in build_conditions(inp, cfg) if c.rule == "concentration"]


def test_concentration_limits_follow_the_mandates(
    tmp_path: Path, strategies: list[DemoStrategy]
) -> None:
    ws = write_mandate_overrides(create_workspace(tmp_path / "ws"), strategies)
    single = [s.strategy_id for s in strategies if len(s.symbols) == 1]
    multi = [s.strategy_id for s in strategies if len(s.symbols) > 1]
    assert single and multi  # the demo has both kinds
    all_in = [{"symbol": "SPX", "market_value": 1e6}]  # 100 % of NAV in one position
    for sid in single:
        assert _concentration(ws.config["alerts"], sid, all_in) == []
    # two-instrument books: 80 % in one leg is their mandate (inverse volatility SPX/WTI),
    # a leg levered to 120 % of NAV is beyond it
    for sid in multi:
        (cond,) = _concentration(ws.config["alerts"], sid, [{"symbol": "SPX", "market_value": 8e5}])
        assert cond.active is False and cond.value == 0.8
        (cond,) = _concentration(
            ws.config["alerts"], sid, [{"symbol": "SPX", "market_value": 1.2e6}]
        )
        assert cond.active is True and cond.value == 1.2 and cond.threshold == 1.0
    # The file the user reads says why, and reloading it gives the same config.
    text = (ws.root / "stratmon.toml").read_text(encoding="utf-8")
    assert "Single-instrument mandates" in text and "Books of a few instruments" in text
    assert all(f"[alerts.strategies.{sid}.concentration]" in text for sid in single)
