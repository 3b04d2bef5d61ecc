"""The full [alerts] table: new rules, `for` / keep_firing_for, overrides, channels, routes."""

from __future__ import annotations

import tomllib

import pytest

from stratmon.alerts.config import (
    RULE_NAMES,
    AlertConfig,
    AlertConfigError,
    alert_config_from_dict,
    url_credential_problem,
)

EXAMPLE = """
for_evaluations = 2
clear_evaluations = 3
repeat_every = 1
dashboard_url = "https://stratmon.example.com"
secrets_file = "secrets.toml"

[drawdown_tiers]
tiers = { warning = 0.10, critical = 0.15, emergency = 0.20 }
recovery = 0.08
for = 1
keep_firing_for = 2

[volatility]
factor = 1.5
window = 60

[channels.pager]
url = "pagerduty://{secret:pd_integration}@{secret:pd_api_key}"
send_resolved = true

[channels.email]
url = "mailtos://{env:SMTP_USER}:{env:SMTP_PASSWORD}@smtp.example.com?to=desk@example.com"
retries = 3
backoff_seconds = 2.0

[channels.teams]
url_env = "STRATMON_TEAMS_URL"

[[routes]]
severities = ["emergency"]
channels = ["pager", "email"]

[[routes]]
severities = ["warning"]
channels = ["email"]
mode = "digest"
every = "daily"

[[routes]]
channels = ["teams"]
mode = "digest"
every = "weekly"

[pools.crypto.stale_data]
max_missing_sessions = 3

[strategies.SPY_MOM.drawdown_tiers]
tiers = { warning = 0.15, critical = 0.25 }
"""


def test_full_example_parses() -> None:
    c = alert_config_from_dict(tomllib.loads(EXAMPLE))
    assert c.drawdown_tiers.recovery == 0.08
    assert c.hysteresis("drawdown_tiers") == (1, 3)  # for = 1, keep_firing_for = 2 -> M = 3
    assert c.hysteresis("drawdown") == (2, 3)
    assert c.volatility.factor == 1.5 and 60 in c.metric_windows()
    assert set(c.channels) == {"pager", "email", "teams"}
    assert c.channels["email"].retries == 3
    assert [r.mode for r in c.routes] == ["immediate", "digest", "digest"]
    assert c.routes[0].matches(
        severity="emergency", rule="drawdown", category="performance", strategy_id="x", pool=""
    )
    assert not c.routes[0].matches(
        severity="critical", rule="drawdown", category="performance", strategy_id="x", pool=""
    )
    assert c.for_strategy("BTC", "crypto").stale_data.max_missing_sessions == 3
    assert c.for_strategy("SPY_MOM", "crypto").drawdown_tiers.tiers == {
        "warning": 0.15,
        "critical": 0.25,
    }
    assert c.for_strategy("SPY_MOM").drawdown_tiers.recovery == 0.08  # the rest is inherited
    assert c.for_strategy("OTHER", "equities") is c


def test_defaults_enable_every_rule_with_the_issue_thresholds() -> None:
    c = AlertConfig()
    assert all(c.rule(name) is not None and c.rule(name).enabled for name in RULE_NAMES)  # type: ignore[union-attr]
    assert c.drawdown_tiers.tiers == {"warning": 0.10, "critical": 0.15, "emergency": 0.20}
    assert (c.relative_sharpe.factor, c.max_drawdown_vs_backtest.factor) == (0.7, 1.5)
    assert (c.volatility.factor, c.concentration.max_weight, c.drawdown_duration.max_days) == (
        1.3,
        0.20,
        90,
    )
    assert c.decay.tier == "critical" and c.profitable.tier == "info"
    assert c.channels == {} and c.routes == ()


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ({"drawdown_tiers": {"tiers": {"urgent": 0.1}}}, "keys must be among"),
        ({"drawdown_tiers": {"tiers": {"warning": 10}}}, "tiers.warning must be in (0, 1)"),
        ({"drawdown": {"for": 2, "for_evaluations": 2}}, "either for or for_evaluations"),
        (
            {"drawdown": {"keep_firing_for": 1, "clear_evaluations": 2}},
            "excludes clear_evaluations",
        ),
        ({"channels": {"x": {"url": "json://u:hunter2@host/p"}}}, "embeds a password"),
        ({"channels": {"x": {"url": "json://h/p?token=abc"}}}, "literal token"),
        ({"channels": {"x": {"url": "slack://T1/B2/C3"}}}, "carry their token"),
        ({"channels": {"x": {}}}, "exactly one of url or url_env"),
        ({"routes": [{"channels": ["nope"]}]}, "names channel 'nope'"),
        ({"routes": [{"channels": []}]}, "at least one channel"),
        (
            {"channels": {"x": {"url_env": "U"}}, "routes": [{"channels": ["x"], "mode": "x"}]},
            "mode must be one of",
        ),
        ({"strategies": {"S": {"nonsense": {}}}}, "alerts.strategies.S: unknown rule"),
        (
            {"pools": {"p": {"volatility": {"factor": -1}}}},
            "alerts.pools.p: alerts.volatility.factor must be > 0",
        ),
        ({"inhibit": ["sharpe"]}, "unknown category 'sharpe'"),
    ],
)
def test_validation(table: dict[str, object], fragment: str) -> None:
    with pytest.raises(AlertConfigError) as info:
        alert_config_from_dict(table)
    assert fragment in str(info.value)


def test_password_never_echoed_in_errors() -> None:
    with pytest.raises(AlertConfigError) as info:
        alert_config_from_dict({"channels": {"x": {"url": "json://u:hunter2@host/p"}}})
    assert "hunter2" not in str(info.value)
    assert url_credential_problem("json://{env:U}:{env:P}@host/p") is None
    assert url_credential_problem("mailto://host?to=a@b.c&from=x@y.z") is None


def test_the_documented_example_is_valid() -> None:
    from stratmon.alerts import config as module

    doc = module.__doc__ or ""
    block = doc[doc.index("    [alerts]") : doc.index("Every rule also")]
    table = tomllib.loads("\n".join(line[4:] for line in block.splitlines()))["alerts"]
    c = alert_config_from_dict(table)
    assert len(c.routes) == 3 and c.strategies["SPY_MOM"]["drawdown_tiers"]["tiers"] == {
        "warning": 0.15,
        "critical": 0.25,
    }
