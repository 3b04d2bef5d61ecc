"""The pure decide(): new state, severity change, notifications and why one is held back."""

from __future__ import annotations

import datetime as dt

from stratmon.alerts.config import alert_config_from_dict
from stratmon.alerts.decide import decide
from stratmon.alerts.rules import Condition

D = dt.date(2024, 1, 1)
CFG = alert_config_from_dict({"for_evaluations": 1, "clear_evaluations": 2})


def dd(active: bool | None, sev: str = "warning") -> Condition:
    return Condition("drawdown_tiers", "MOM", "warning", active, -0.2, -0.1, "m", severity=sev)


def test_fires_and_announces_then_escalates() -> None:
    d0 = decide(None, dd(True), [], CFG, at=D)
    assert (d0.state.state, d0.fired, d0.notifications) == ("firing", True, (("firing", None),))
    d1 = decide(
        d0.state,
        dd(True, "emergency"),
        [],
        CFG,
        at=D + dt.timedelta(1),
        notified_severity="warning",
    )
    assert d1.change is not None and d1.change.kind == "escalated"
    assert d1.notifications == (("escalated", None),) and d1.state.severity == "emergency"
    # an escalation of an alert never announced (it was silenced) is announced as firing
    d2 = decide(d0.state, dd(True, "emergency"), [], CFG, at=D + dt.timedelta(1))
    assert d2.notifications == (("firing", None),)


def test_silence_and_inhibition_hold_back_with_the_reason() -> None:
    silence = {
        "id": 7,
        "created_by": "bob",
        "ends_at": dt.datetime(2024, 1, 3, 18, 0),
        "strategy_id": "MOM",
        "rule": None,
        "pool": None,
    }
    d = decide(None, dd(True), [silence], CFG, at=D)
    assert d.notifications == (
        ("firing", "silenced by silence #7 (bob) until 2024-01-03 18:00 UTC"),
    )
    psr = Condition("psr", "MOM", "warning", True, 0.9, 0.95, "m")
    d = decide(None, psr, [], CFG, at=D, data_quality_firing=True)
    assert d.notifications == (
        ("firing", "inhibited: a data-quality alert is firing on this strategy"),
    )
    # a risk alert is not inhibited by stale data
    conc = Condition("concentration", "MOM", "warning", True, 0.3, 0.2, "m")
    assert decide(None, conc, [], CFG, at=D, data_quality_firing=True).notifications == (
        ("firing", None),
    )


def test_no_data_and_return_are_not_news() -> None:
    d0 = decide(None, dd(True), [], CFG, at=D)
    d1 = decide(d0.state, dd(None), [], CFG, at=D + dt.timedelta(1), notified_severity="warning")
    assert (d1.state.state, d1.notifications, d1.quiet) == ("no_data", (), False)
    d2 = decide(d1.state, dd(True), [], CFG, at=D + dt.timedelta(2), notified_severity="warning")
    assert (d2.state.state, d2.fired, d2.notifications) == ("firing", False, ())
