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


def test_single_instrument_strategies_skip_the_concentration_limit(
    tmp_path: Path, strategies: list[DemoStrategy]
) -> None:
    ws = write_mandate_overrides(create_workspace(tmp_path / "ws"), strategies)
    single = [s.strategy_id for s in strategies if len(s.symbols) == 1]
    multi = [s.strategy_id for s in strategies if len(s.symbols) > 1]
    assert single and multi  # the demo has both kinds
    all_in = [{"symbol": "SPX", "market_value": 1e6}]  # 100 % of NAV in one position
    for sid in single:
        assert _concentration(ws.config["alerts"], sid, all_in) == []
    for sid in multi:
        (cond,) = _concentration(ws.config["alerts"], sid, all_in)
        assert cond.active is True
        assert cond.value == 1.0
    # The file the user reads says why, and reloading it gives the same config.
    text = (ws.root / "stratmon.toml").read_text(encoding="utf-8")
    assert "Single-instrument mandates" in text
    assert all(f"[alerts.strategies.{sid}.concentration]" in text for sid in single)
