"""Alert configuration: dataclasses with defaults, and validation of ``[alerts]``.

The ``[alerts]`` table of ``stratmon.toml`` (every key optional; defaults shown)::

    [alerts]
    log = "alerts.jsonl"
    for_evaluations = 2        # N: consecutive true evaluations before an alert fires
    clear_evaluations = 3      # M: consecutive false evaluations before it resolves
    repeat_every = 0           # re-notify an unacknowledged firing alert every D days (0: never)
    notify_deescalation = false  # also notify each step down of a firing alert's severity
    inhibit = ["performance", "milestone"]  # silenced while a data-quality alert fires
    # dashboard_url = "https://stratmon.example.com"   # linked from messages
    # secrets_file = "secrets.toml"   # name = "value" pairs for {secret:NAME}; not committed

    [alerts.underperformance]  # window return > 20 % below the backtest's expectation
    window = 30
    threshold = 0.20
    significance = 0.001       # AND significant (one-sided p < 0.001); 1 switches the test off
    [alerts.drawdown]          # current drawdown beyond 75 % of the backtest max drawdown
    fraction_of_backtest = 0.75
    significance = 0.001       # AND P(that deep | backtest bootstrap) < 0.001
    [alerts.win_rate]          # live win rate > 15 points below the backtest's
    points_below = 0.15
    min_trades = 10
    window_sessions = 30       # or window_trades = 30
    significance = 0.002       # AND binomial p < 0.002
    [alerts.relative_sharpe]   # Sharpe over the window below 0.7 x backtest
    window = 90
    factor = 0.7
    min_obs = 30
    significance = 0.002       # AND Mertens z-test p < 0.002 (relative_return: Welch t)
    [alerts.relative_return]   # CAGR over the window below 0.7 x backtest
    [alerts.max_drawdown_vs_backtest]
    factor = 1.5
    significance = 0.001
    [alerts.drawdown_tiers]    # one alert whose severity escalates
    tiers = { warning = 0.10, critical = 0.15, emergency = 0.20 }
    # recovery = 0.08          # stays firing until the drawdown is back above -8 %
    [alerts.statistical_drawdown]   # beyond the backtest-implied MaxDD-95 / MaxDD-99
    tier_95 = "warning"
    tier_99 = "critical"
    significance = 0.001
    [alerts.drawdown_duration]
    max_days = 90
    [alerts.volatility]        # annualised volatility above 1.3 x backtest
    window = 30
    factor = 1.3
    significance = 0.0002      # AND chi-square test of the variance p < 0.0002
    [alerts.value_at_risk]     # 1-day historical VaR-95 beyond -3 %
    window = 90
    limit = 0.03
    [alerts.concentration]     # one position above 20 % of NAV
    max_weight = 0.20
    [alerts.gross_exposure]
    max_leverage = 2.0
    [alerts.utilisation]       # margin used / NAV
    max_utilisation = 0.8
    [alerts.decay]             # the decay detector's alarm
    tier = "critical"
    [alerts.psr]               # PSR against the backtest Sharpe below 0.001
    threshold = 0.001
    [alerts.profitable]        # milestones: tier "info"
    [alerts.annual_return_target]
    target = 0.10
    [alerts.new_max_drawdown]
    min_depth = 0.05
    [alerts.stale_data]        # data quality; for = 1
    max_missing_sessions = 1
    [alerts.outlier]
    [alerts.nav_disconnect]
    [alerts.rejected_file]

    [alerts.channels.pager]    # apprise URLs; credentials only as {env:..} / {secret:..}
    url = "pagerduty://{secret:pd_integration}@{secret:pd_api_key}"
    [alerts.channels.email]
    url = "mailtos://{env:SMTP_USER}:{env:SMTP_PASSWORD}@smtp.example.com?to=desk@example.com"
    send_resolved = true
    retries = 2
    backoff_seconds = 1.0
    [alerts.channels.teams]
    url_env = "STRATMON_TEAMS_URL"  # the whole URL from the environment

    [[alerts.routes]]          # every matching route applies
    severities = ["emergency"]
    channels = ["pager", "email"]
    [[alerts.routes]]
    severities = ["warning"]
    channels = ["email"]
    mode = "digest"
    every = "daily"
    [[alerts.routes]]          # everything -> weekly summary
    channels = ["teams"]
    mode = "digest"
    every = "weekly"

    [alerts.pools.crypto.stale_data]           # per-pool override of a rule
    max_missing_sessions = 3
    [alerts.strategies.SPY_MOM.drawdown_tiers] # per-strategy override (wins over the pool's)
    tiers = { warning = 0.15, critical = 0.25 }

Every rule also takes ``enabled`` (bool), ``tier`` (``"info"``, ``"warning"``,
``"critical"``, ``"emergency"``: the alert identity's tier), ``for`` / ``for_evaluations``,
``clear_evaluations`` or ``keep_firing_for``, and ``recovery`` (a separate recovery threshold,
written like the rule's main parameter). Percentages are fractions. The rules that judge live
against the backtest also take ``significance``: the one-sided level of the test that must
reject "live is like the backtest" over the rule's window before the rule fires; the defaults
keep all of them together at or below one firing per strategy-year on strategies that behave
like their backtests (``benchmarks/alerts.py``, docs/alerts.md). Routes match on
``severities``, ``rules``, ``categories``, ``strategies`` and ``pools`` (empty: any).
"""

from __future__ import annotations

import math
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, ClassVar, Literal
from urllib.parse import parse_qsl, urlsplit

from stratmon.errors import ConfigError

Tier = Literal["info", "warning", "critical", "emergency"]
TIERS: tuple[str, ...] = typing.get_args(Tier)
TIER_RANK: dict[str, int] = {t: i for i, t in enumerate(TIERS)}


class AlertConfigError(ConfigError):
    """The ``[alerts]`` table is invalid; ``problems`` lists each broken rule, one sentence each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        body = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"Invalid alert configuration in stratmon.toml:\n{body}\nFix the [alerts] table."
        )


def _in_unit(value: float) -> bool:
    return math.isfinite(value) and 0 < value < 1


def _positive(value: float) -> bool:
    return math.isfinite(value) and value > 0


@dataclass(frozen=True, kw_only=True)
class AlertRuleConfig:
    """Settings every alert rule has.

    Parameters
    ----------
    enabled : bool
        A disabled rule is not evaluated (no condition is produced).
    tier : {"info", "warning", "critical", "emergency"}
        Part of the alert's identity ``(rule, strategy_id, tier)``; a tiered rule's severity
        can rise above it (escalation) within the same alert.
    for_evaluations, clear_evaluations : int or None
        Per-rule override of the global hysteresis (N and M); ``None`` uses the global.
        ``for`` is accepted as an alias of ``for_evaluations`` in stratmon.toml.
    keep_firing_for : int or None
        K >= 0: keep firing through K clear evaluations (M = K + 1); excludes
        ``clear_evaluations``.
    recovery : float or None
        A separate recovery threshold in the rule's units: once firing, the alert counts as
        still active until the value is back beyond it (hysteresis on the value).
    """

    section: ClassVar[str] = "rule"

    enabled: bool = True
    tier: Tier = "warning"
    for_evaluations: int | None = None
    clear_evaluations: int | None = None
    keep_firing_for: int | None = None
    recovery: float | None = None

    def problems(self) -> list[str]:
        """Range problems, each a sentence naming ``alerts.<section>.<key>``."""
        out: list[str] = []
        if self.tier not in TIERS:
            out.append(self._say("tier", self.tier, f"must be one of {list(TIERS)}"))
        for key in ("for_evaluations", "clear_evaluations"):
            v = getattr(self, key)
            if v is not None and v < 1:
                out.append(self._say(key, v, "must be >= 1"))
        if self.keep_firing_for is not None:
            if self.keep_firing_for < 0:
                out.append(self._say("keep_firing_for", self.keep_firing_for, "must be >= 0"))
            if self.clear_evaluations is not None:
                out.append(
                    self._say("keep_firing_for", self.keep_firing_for, "excludes clear_evaluations")
                )
        if self.recovery is not None and not math.isfinite(self.recovery):
            out.append(self._say("recovery", self.recovery, "must be a finite number"))
        level = getattr(self, "significance", None)
        if level is not None and not (math.isfinite(level) and 0 < level <= 1):
            out.append(self._say("significance", level, "must be in (0, 1] (1 disables the test)"))
        return out

    def _say(self, key: str, value: object, rule: str) -> str:
        return f"alerts.{self.section}.{key} {rule}, got {value!r}"

    def __post_init__(self) -> None:
        probs = self.problems()
        if probs:
            raise AlertConfigError(probs)


@dataclass(frozen=True, kw_only=True)
class UnderperformanceRuleConfig(AlertRuleConfig):
    """Window return more than ``threshold`` (fraction of |expectation|) below the backtest's.

    ``window`` is in sessions (>= 1); ``threshold`` > 0 (0.20 = 20 %).
    """

    section: ClassVar[str] = "underperformance"

    window: int = 30
    threshold: float = 0.20
    significance: float = 0.001

    def problems(self) -> list[str]:
        out = AlertRuleConfig.problems(self)
        if self.window < 1:
            out.append(self._say("window", self.window, "must be >= 1 session"))
        if not _positive(self.threshold):
            out.append(self._say("threshold", self.threshold, "must be > 0 (0.2 means 20 %)"))
        return out


@dataclass(frozen=True, kw_only=True)
class DrawdownRuleConfig(AlertRuleConfig):
    """Current drawdown beyond ``fraction_of_backtest`` x the backtest's max drawdown (> 0)."""

    section: ClassVar[str] = "drawdown"

    fraction_of_backtest: float = 0.75
    significance: float = 0.001

    def problems(self) -> list[str]:
        out = AlertRuleConfig.problems(self)
        f = self.fraction_of_backtest
        if not _positive(f):
            out.append(self._say("fraction_of_backtest", f, "must be > 0 (0.75 means 75 %)"))
        return out


@dataclass(frozen=True, kw_only=True)
class WinRateRuleConfig(AlertRuleConfig):
    """Live win rate more than ``points_below`` (fraction, 0.15 = 15 points) below the backtest's.

    The live win rate is taken over the last ``window_trades`` closed trades when that is set,
    else over the trades closed in the last ``window_sessions`` sessions; it is judged only from
    ``min_trades`` closed trades on.
    """

    section: ClassVar[str] = "win_rate"

    points_below: float = 0.15
    window_sessions: int = 30
    window_trades: int | None = None
    min_trades: int = 10
    significance: float = 0.002

    def problems(self) -> list[str]:
        out = AlertRuleConfig.problems(self)
        p = self.points_below
        if not _in_unit(p):
            out.append(self._say("points_below", p, "must be in (0, 1) (0.15 = 15 points)"))
        if self.window_sessions < 1:
            out.append(self._say("window_sessions", self.window_sessions, "must be >= 1"))
        if self.min_trades < 1:
            out.append(self._say("min_trades", self.min_trades, "must be >= 1"))
        if self.window_trades is not None and self.window_trades < self.min_trades:
            out.append(
                self._say("window_trades", self.window_trades, f">= min_trades ({self.min_trades})")
            )
        return out


@dataclass(frozen=True, kw_only=True)
class _WindowedRuleConfig(AlertRuleConfig):
    """A rule judged on a trailing window of ``window`` sessions from ``min_obs`` returns on."""

    window: int = 90
    min_obs: int = 30

    def problems(self) -> list[str]:
        out = AlertRuleConfig.problems(self)
        if self.window < 1:
            out.append(self._say("window", self.window, "must be >= 1 session"))
        if self.min_obs < 1:
            out.append(self._say("min_obs", self.min_obs, "must be >= 1"))
        return out


@dataclass(frozen=True, kw_only=True)
class RelativeSharpeRuleConfig(_WindowedRuleConfig):
    """Live Sharpe over ``window`` below ``factor`` x the backtest Sharpe (backtest > 0)."""

    section: ClassVar[str] = "relative_sharpe"
    factor: float = 0.7
    significance: float = 0.002

    def problems(self) -> list[str]:
        out = _WindowedRuleConfig.problems(self)
        if not _positive(self.factor):
            out.append(self._say("factor", self.factor, "must be > 0 (0.7 means 70 %)"))
        return out


@dataclass(frozen=True, kw_only=True)
class RelativeReturnRuleConfig(RelativeSharpeRuleConfig):
    """Live annualised return (CAGR) over ``window`` below ``factor`` x the backtest's."""

    section: ClassVar[str] = "relative_return"


@dataclass(frozen=True, kw_only=True)
class MaxDrawdownRuleConfig(AlertRuleConfig):
    """Live max drawdown worse than ``factor`` x the backtest's max drawdown."""

    section: ClassVar[str] = "max_drawdown_vs_backtest"
    factor: float = 1.5
    significance: float = 0.001

    def problems(self) -> list[str]:
        out = AlertRuleConfig.problems(self)
        if not _positive(self.factor):
            out.append(self._say("factor", self.factor, "must be > 0 (1.5 means 150 %)"))
        return out


def _default_dd_tiers() -> dict[str, float]:
    return {"warning": 0.10, "critical": 0.15, "emergency": 0.20}


@dataclass(frozen=True, kw_only=True)
class DrawdownTiersRuleConfig(AlertRuleConfig):
    """Current drawdown beyond absolute depths, one per severity (``tiers``: tier -> depth).

    One alert per strategy: a deeper tier escalates it (notified again). ``recovery`` (a depth,
    fraction) keeps a firing alert active until the drawdown is back above it.
    """

    section: ClassVar[str] = "drawdown_tiers"
    tiers: dict[str, float] = field(default_factory=_default_dd_tiers)

    def problems(self) -> list[str]:
        out = AlertRuleConfig.problems(self)
        if not self.tiers:
            out.append(self._say("tiers", self.tiers, "must name at least one tier"))
        for name, depth in self.tiers.items():
            if name not in TIERS:
                out.append(self._say("tiers", name, f"keys must be among {list(TIERS)}"))
            elif not _in_unit(depth):
                out.append(self._say(f"tiers.{name}", depth, "must be in (0, 1) (0.1 = 10 %)"))
        if self.recovery is not None and not _in_unit(self.recovery):
            out.append(self._say("recovery", self.recovery, "must be in (0, 1) (a depth)"))
        return out


@dataclass(frozen=True, kw_only=True)
class StatisticalDrawdownRuleConfig(AlertRuleConfig):
    """Current drawdown beyond the backtest-implied MaxDD-95 (``tier_95``) / 99 (``tier_99``)."""

    section: ClassVar[str] = "statistical_drawdown"
    tier_95: Tier = "warning"
    tier_99: Tier = "critical"
    significance: float = 0.001

    def problems(self) -> list[str]:
        out = AlertRuleConfig.problems(self)
        for key in ("tier_95", "tier_99"):
            if getattr(self, key) not in TIERS:
                out.append(self._say(key, getattr(self, key), f"must be one of {list(TIERS)}"))
        return out


@dataclass(frozen=True, kw_only=True)
class DrawdownDurationRuleConfig(AlertRuleConfig):
    """The current drawdown has lasted more than ``max_days`` calendar days."""

    section: ClassVar[str] = "drawdown_duration"
    max_days: int = 90

    def problems(self) -> list[str]:
        out = AlertRuleConfig.problems(self)
        if self.max_days < 1:
            out.append(self._say("max_days", self.max_days, "must be >= 1 day"))
        return out


@dataclass(frozen=True, kw_only=True)
class VolatilityRuleConfig(_WindowedRuleConfig):
    """Annualised volatility over ``window`` above ``factor`` x the backtest's."""

    section: ClassVar[str] = "volatility"
    window: int = 30
    min_obs: int = 20
    factor: float = 1.3
    significance: float = 0.0002

    def problems(self) -> list[str]:
        out = _WindowedRuleConfig.problems(self)
        if not _positive(self.factor):
            out.append(self._say("factor", self.factor, "must be > 0 (1.3 means 130 %)"))
        return out


@dataclass(frozen=True, kw_only=True)
class ValueAtRiskRuleConfig(_WindowedRuleConfig):
    """Historical 1-day VaR-95 over ``window`` beyond ``-limit`` (``limit`` a fraction > 0)."""

    section: ClassVar[str] = "value_at_risk"
    limit: float = 0.03

    def problems(self) -> list[str]:
        out = _WindowedRuleConfig.problems(self)
        if not _in_unit(self.limit):
            out.append(self._say("limit", self.limit, "must be in (0, 1) (0.03 = 3 %)"))
        return out


@dataclass(frozen=True, kw_only=True)
class ConcentrationRuleConfig(AlertRuleConfig):
    """A single position's |market value| above ``max_weight`` x NAV."""

    section: ClassVar[str] = "concentration"
    max_weight: float = 0.20

    def problems(self) -> list[str]:
        out = AlertRuleConfig.problems(self)
        if not _positive(self.max_weight):
            out.append(self._say("max_weight", self.max_weight, "must be > 0 (0.2 = 20 %)"))
        return out


@dataclass(frozen=True, kw_only=True)
class GrossExposureRuleConfig(AlertRuleConfig):
    """Gross exposure above ``max_leverage`` x NAV (needs ``gross_exposure_usd``)."""

    section: ClassVar[str] = "gross_exposure"
    max_leverage: float = 2.0

    def problems(self) -> list[str]:
        out = AlertRuleConfig.problems(self)
        if not _positive(self.max_leverage):
            out.append(self._say("max_leverage", self.max_leverage, "must be > 0"))
        return out


@dataclass(frozen=True, kw_only=True)
class UtilisationRuleConfig(AlertRuleConfig):
    """Margin used above ``max_utilisation`` x NAV (needs ``margin_used``)."""

    section: ClassVar[str] = "utilisation"
    max_utilisation: float = 0.8

    def problems(self) -> list[str]:
        out = AlertRuleConfig.problems(self)
        if not _positive(self.max_utilisation):
            out.append(self._say("max_utilisation", self.max_utilisation, "must be > 0"))
        return out


@dataclass(frozen=True, kw_only=True)
class DecayRuleConfig(AlertRuleConfig):
    """The decay detector's alarm (the CUSUM crossed its calibrated threshold)."""

    section: ClassVar[str] = "decay"
    tier: Tier = "critical"


@dataclass(frozen=True, kw_only=True)
class PsrRuleConfig(AlertRuleConfig):
    """PSR of the live record against the backtest Sharpe below ``threshold``."""

    section: ClassVar[str] = "psr"
    threshold: float = 0.001
    min_obs: int = 30

    def problems(self) -> list[str]:
        out = AlertRuleConfig.problems(self)
        if not _in_unit(self.threshold):
            out.append(self._say("threshold", self.threshold, "must be in (0, 1)"))
        if self.min_obs < 2:
            out.append(self._say("min_obs", self.min_obs, "must be >= 2"))
        return out


@dataclass(frozen=True, kw_only=True)
class ProfitableRuleConfig(AlertRuleConfig):
    """Milestone: the live record's total return is above zero."""

    section: ClassVar[str] = "profitable"
    tier: Tier = "info"


@dataclass(frozen=True, kw_only=True)
class AnnualReturnTargetRuleConfig(AlertRuleConfig):
    """Milestone: the calendar year-to-date return reached ``target``."""

    section: ClassVar[str] = "annual_return_target"
    tier: Tier = "info"
    target: float = 0.10

    def problems(self) -> list[str]:
        out = AlertRuleConfig.problems(self)
        if not _positive(self.target):
            out.append(self._say("target", self.target, "must be > 0 (0.1 = 10 %)"))
        return out


@dataclass(frozen=True, kw_only=True)
class NewMaxDrawdownRuleConfig(AlertRuleConfig):
    """Milestone: a new live max drawdown deeper than ``min_depth`` was set today."""

    section: ClassVar[str] = "new_max_drawdown"
    tier: Tier = "info"
    min_depth: float = 0.05

    def problems(self) -> list[str]:
        out = AlertRuleConfig.problems(self)
        if not (math.isfinite(self.min_depth) and 0 <= self.min_depth < 1):
            out.append(self._say("min_depth", self.min_depth, "must be in [0, 1)"))
        return out


@dataclass(frozen=True, kw_only=True)
class StaleDataRuleConfig(AlertRuleConfig):
    """No data for more than ``max_missing_sessions`` sessions of the strategy's calendar."""

    section: ClassVar[str] = "stale_data"
    for_evaluations: int | None = 1
    max_missing_sessions: int = 1

    def problems(self) -> list[str]:
        out = AlertRuleConfig.problems(self)
        if self.max_missing_sessions < 0:
            out.append(self._say("max_missing_sessions", self.max_missing_sessions, ">= 0"))
        return out


@dataclass(frozen=True, kw_only=True)
class OutlierRuleConfig(AlertRuleConfig):
    """An ``outlier`` finding (|PnL| above the ingest limit x NAV) on the latest data day."""

    section: ClassVar[str] = "outlier"
    for_evaluations: int | None = 1


@dataclass(frozen=True, kw_only=True)
class NavDisconnectRuleConfig(AlertRuleConfig):
    """A ``nav_disconnect`` finding (NAV change not explained by PnL) on the latest data day."""

    section: ClassVar[str] = "nav_disconnect"
    for_evaluations: int | None = 1


@dataclass(frozen=True, kw_only=True)
class RejectedFileRuleConfig(AlertRuleConfig):
    """A file of the inbox was rejected: a one-shot notification (no state machine)."""

    section: ClassVar[str] = "rejected_file"


# ---------------------------------------------------------------------------------------------
# Delivery: channels and routes
# ---------------------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{(env|secret):([A-Za-z_][A-Za-z0-9_.-]*)\}")
_SECRET_QUERY_KEYS = ("pass", "password", "token", "apikey", "key", "secret", "integrationkey")


def url_credential_problem(url: str) -> str | None:
    """``None`` when a committed channel URL carries no literal credential, else why it does.

    A credential must come from ``{env:NAME}`` or ``{secret:NAME}``: a literal password in the
    user-info part (``scheme://user:pass@host``) or a literal value of a secret-like query key
    (``?token=...``, ``?apikey=...``) is refused. Path tokens (Slack/Teams webhook ids) are
    refused too when the URL scheme is one whose path is the credential.
    """
    bare = _PLACEHOLDER.sub("X", url)
    parts = urlsplit(bare)
    if "@" in parts.netloc:
        userinfo = parts.netloc.rsplit("@", 1)[0]
        if ":" in userinfo and not _PLACEHOLDER.search(url.split("@", 1)[0].split("//", 1)[-1]):
            return "embeds a password: use {env:NAME} or {secret:NAME} for it"
    for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if key.lower() in _SECRET_QUERY_KEYS and value and not _PLACEHOLDER.fullmatch(value):
            return f"has a literal {key}=...: use {{env:NAME}} or {{secret:NAME}} for it"
    scheme = parts.scheme.lower()
    if scheme in _TOKEN_IN_PATH_SCHEMES and not _PLACEHOLDER.search(url):
        return f"{scheme}:// URLs carry their token in the URL: put it in {{env:NAME}}"
    return None


_TOKEN_IN_PATH_SCHEMES = ("slack", "msteams", "pagerduty", "discord", "tgram", "twilio")


@dataclass(frozen=True, kw_only=True)
class ChannelConfig:
    """One delivery channel: an apprise URL with its credentials kept out of the config.

    Parameters
    ----------
    url : str
        An apprise URL (``mailto://``, ``slack://``, ``msteams://``, ``pagerduty://``,
        ``json://``...) in which credentials are written ``{env:NAME}`` (environment variable)
        or ``{secret:NAME}`` (a key of the secrets file). Either ``url`` or ``url_env``.
    url_env : str
        Name of an environment variable that holds the whole URL.
    send_resolved : bool
        Also send "resolved" messages (firing ones always go).
    retries : int
        Extra attempts within one dispatch run (>= 0); a send still failing stays in the
        outbox and is retried on the next run.
    backoff_seconds : float
        Wait before the first retry, doubled on each further one (>= 0).
    """

    name: str = ""
    url: str | None = None
    url_env: str | None = None
    send_resolved: bool = True
    retries: int = 2
    backoff_seconds: float = 1.0

    def problems(self) -> list[str]:
        where = f"alerts.channels.{self.name}"
        out: list[str] = []
        if (self.url is None) == (self.url_env is None):
            out.append(f"{where} needs exactly one of url or url_env")
        if self.url is not None:
            why = url_credential_problem(self.url)
            if why:
                out.append(f"{where}.url {why} (never commit credentials)")
        if self.retries < 0:
            out.append(f"{where}.retries must be >= 0, got {self.retries!r}")
        if not (math.isfinite(self.backoff_seconds) and self.backoff_seconds >= 0):
            out.append(f"{where}.backoff_seconds must be >= 0, got {self.backoff_seconds!r}")
        return out


Mode = Literal["immediate", "digest"]
Every = Literal["daily", "weekly"]


@dataclass(frozen=True, kw_only=True)
class RouteConfig:
    """Which alerts go to which channels, and how.

    An alert matches a route when its severity, rule, category, strategy and pool are each in
    the route's lists (an empty list matches everything). Every matching route applies; a
    channel gets one message per transition and mode. ``mode = "digest"`` collects the
    messages into one per channel and period (``every``: ``"daily"`` or ``"weekly"``),
    grouped by strategy.
    """

    channels: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    strategies: tuple[str, ...] = ()
    pools: tuple[str, ...] = ()
    mode: Mode = "immediate"
    every: Every = "daily"

    def matches(
        self, *, severity: str, rule: str, category: str, strategy_id: str, pool: str
    ) -> bool:
        """Whether an alert with these attributes is routed here."""
        pairs = (
            (self.severities, severity),
            (self.rules, rule),
            (self.categories, category),
            (self.strategies, strategy_id),
            (self.pools, pool),
        )
        return all(not allowed or value in allowed for allowed, value in pairs)


@dataclass(frozen=True, slots=True)
class RoleConfig:
    """One recipient role (``[alerts.roles.NAME]``): the channels that reach it and how often.

    ``frequency`` empty means by severity (critical and emergency at once, warnings in the
    daily digest, info in the weekly one: :func:`stratmon.alerts.roles.frequency_for`);
    ``"immediate"``, ``"daily"`` or ``"weekly"`` fixes it. ``weekly_summary`` also queues
    every message for the role's weekly summary.
    """

    channels: tuple[str, ...] = ()
    frequency: str = ""
    weekly_summary: bool = True


CATEGORIES: dict[str, str] = {
    "underperformance": "performance",
    "relative_sharpe": "performance",
    "relative_return": "performance",
    "max_drawdown_vs_backtest": "performance",
    "drawdown": "performance",
    "drawdown_tiers": "performance",
    "statistical_drawdown": "performance",
    "drawdown_duration": "performance",
    "win_rate": "performance",
    "decay": "performance",
    "psr": "performance",
    "volatility": "risk",
    "value_at_risk": "risk",
    "concentration": "risk",
    "gross_exposure": "risk",
    "utilisation": "risk",
    "profitable": "milestone",
    "annual_return_target": "milestone",
    "new_max_drawdown": "milestone",
    "stale_data": "data_quality",
    "outlier": "data_quality",
    "nav_disconnect": "data_quality",
    "rejected_file": "data_quality",
}
"""Rule name -> category (``performance``, ``risk``, ``milestone``, ``data_quality``)."""

_RULE_CLASSES: dict[str, type[AlertRuleConfig]] = {
    "underperformance": UnderperformanceRuleConfig,
    "drawdown": DrawdownRuleConfig,
    "win_rate": WinRateRuleConfig,
    "relative_sharpe": RelativeSharpeRuleConfig,
    "relative_return": RelativeReturnRuleConfig,
    "max_drawdown_vs_backtest": MaxDrawdownRuleConfig,
    "drawdown_tiers": DrawdownTiersRuleConfig,
    "statistical_drawdown": StatisticalDrawdownRuleConfig,
    "drawdown_duration": DrawdownDurationRuleConfig,
    "volatility": VolatilityRuleConfig,
    "value_at_risk": ValueAtRiskRuleConfig,
    "concentration": ConcentrationRuleConfig,
    "gross_exposure": GrossExposureRuleConfig,
    "utilisation": UtilisationRuleConfig,
    "decay": DecayRuleConfig,
    "psr": PsrRuleConfig,
    "profitable": ProfitableRuleConfig,
    "annual_return_target": AnnualReturnTargetRuleConfig,
    "new_max_drawdown": NewMaxDrawdownRuleConfig,
    "stale_data": StaleDataRuleConfig,
    "outlier": OutlierRuleConfig,
    "nav_disconnect": NavDisconnectRuleConfig,
    "rejected_file": RejectedFileRuleConfig,
}
RULE_CLASSES: dict[str, type[AlertRuleConfig]] = _RULE_CLASSES
"""Rule name -> its configuration class (read by :mod:`stratmon.alerts.registry`)."""
RULE_NAMES: tuple[str, ...] = tuple(_RULE_CLASSES)
CATEGORY_NAMES: tuple[str, ...] = ("performance", "risk", "milestone", "data_quality")


@dataclass(frozen=True, kw_only=True)
class AlertConfig:
    """Every alert rule, the global hysteresis, delivery (channels, routes) and overrides.

    Parameters
    ----------
    underperformance, drawdown, win_rate, relative_sharpe, ... : rule configs
        One per name of :data:`RULE_NAMES` (see each class for its keys).
    for_evaluations : int
        N >= 1: an alert fires after its condition held on N consecutive evaluations.
    clear_evaluations : int
        M >= 1: a firing alert resolves after its condition was clear on M consecutive ones.
    log : str
        Path of the JSON-lines alert log, relative to the workspace.
    channels : mapping name -> ChannelConfig
    routes : tuple of RouteConfig
    strategies, pools : mapping name -> {rule: {key: value}}
        Per-strategy and per-pool rule overrides (a strategy's override wins over its pool's).
    secrets_file : str or None
        TOML file of ``name = "value"`` secrets for ``{secret:NAME}`` (relative to the
        workspace; keep it out of version control).
    dashboard_url : str or None
        Base URL linked from messages (``{dashboard_url}/alerts/{id}``).
    repeat_every : int
        Re-notify a firing, unacknowledged alert every N evaluations (0: never).
    notify_deescalation : bool
        Notify each step down of a firing alert's severity (emergency -> critical ...); by
        default a step down is recorded in the alert's history and shown, not sent.
    inhibit : tuple of str
        Categories whose notifications a firing data-quality alert of the same strategy
        suppresses.
    """

    underperformance: UnderperformanceRuleConfig = field(default_factory=UnderperformanceRuleConfig)
    drawdown: DrawdownRuleConfig = field(default_factory=DrawdownRuleConfig)
    win_rate: WinRateRuleConfig = field(default_factory=WinRateRuleConfig)
    relative_sharpe: RelativeSharpeRuleConfig = field(default_factory=RelativeSharpeRuleConfig)
    relative_return: RelativeReturnRuleConfig = field(default_factory=RelativeReturnRuleConfig)
    max_drawdown_vs_backtest: MaxDrawdownRuleConfig = field(default_factory=MaxDrawdownRuleConfig)
    drawdown_tiers: DrawdownTiersRuleConfig = field(default_factory=DrawdownTiersRuleConfig)
    statistical_drawdown: StatisticalDrawdownRuleConfig = field(
        default_factory=StatisticalDrawdownRuleConfig
    )
    drawdown_duration: DrawdownDurationRuleConfig = field(
        default_factory=DrawdownDurationRuleConfig
    )
    volatility: VolatilityRuleConfig = field(default_factory=VolatilityRuleConfig)
    value_at_risk: ValueAtRiskRuleConfig = field(default_factory=ValueAtRiskRuleConfig)
    concentration: ConcentrationRuleConfig = field(default_factory=ConcentrationRuleConfig)
    gross_exposure: GrossExposureRuleConfig = field(default_factory=GrossExposureRuleConfig)
    utilisation: UtilisationRuleConfig = field(default_factory=UtilisationRuleConfig)
    decay: DecayRuleConfig = field(default_factory=DecayRuleConfig)
    psr: PsrRuleConfig = field(default_factory=PsrRuleConfig)
    profitable: ProfitableRuleConfig = field(default_factory=ProfitableRuleConfig)
    annual_return_target: AnnualReturnTargetRuleConfig = field(
        default_factory=AnnualReturnTargetRuleConfig
    )
    new_max_drawdown: NewMaxDrawdownRuleConfig = field(default_factory=NewMaxDrawdownRuleConfig)
    stale_data: StaleDataRuleConfig = field(default_factory=StaleDataRuleConfig)
    outlier: OutlierRuleConfig = field(default_factory=OutlierRuleConfig)
    nav_disconnect: NavDisconnectRuleConfig = field(default_factory=NavDisconnectRuleConfig)
    rejected_file: RejectedFileRuleConfig = field(default_factory=RejectedFileRuleConfig)
    for_evaluations: int = 2
    clear_evaluations: int = 3
    log: str = "alerts.jsonl"
    channels: dict[str, ChannelConfig] = field(default_factory=dict)
    routes: tuple[RouteConfig, ...] = ()
    roles: dict[str, RoleConfig] = field(default_factory=dict)
    strategies: dict[str, dict[str, Any]] = field(default_factory=dict)
    pools: dict[str, dict[str, Any]] = field(default_factory=dict)
    secrets_file: str | None = None
    dashboard_url: str | None = None
    repeat_every: int = 0
    notify_deescalation: bool = False
    inhibit: tuple[str, ...] = ("performance", "milestone")
    _cache: dict[tuple[str, str], AlertConfig] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        probs = [
            f"alerts.{key} must be >= 1, got {getattr(self, key)!r}"
            for key in ("for_evaluations", "clear_evaluations")
            if getattr(self, key) < 1
        ]
        if self.repeat_every < 0:
            probs.append(f"alerts.repeat_every must be >= 0, got {self.repeat_every!r}")
        probs.extend(
            f"alerts.inhibit: unknown category {c!r}; known: {list(CATEGORY_NAMES)}"
            for c in self.inhibit
            if c not in CATEGORY_NAMES
        )
        for route_no, route in enumerate(self.routes):
            probs.extend(
                f"alerts.routes[{route_no}] names channel {c!r}, which alerts.channels lacks"
                for c in route.channels
                if c not in self.channels
            )
        for role, rc in self.roles.items():
            probs.extend(
                f"alerts.roles.{role} names channel {c!r}, which alerts.channels lacks"
                for c in rc.channels
                if c not in self.channels
            )
        if probs:
            raise AlertConfigError(probs)

    def rule(self, name: str) -> AlertRuleConfig | None:
        """The config of rule ``name``, or ``None`` for a rule this config does not know."""
        value = getattr(self, name, None) if name in RULE_NAMES else None
        return value if isinstance(value, AlertRuleConfig) else None

    def hysteresis(self, rule: str) -> tuple[int, int]:
        """``(N, M)`` for ``rule``: the per-rule override, else the global values.

        ``keep_firing_for = K`` on a rule means M = K + 1 (the alert keeps firing through K
        clear evaluations and resolves on the next one).
        """
        cfg = self.rule(rule)
        n = cfg.for_evaluations if cfg is not None else None
        m = cfg.clear_evaluations if cfg is not None else None
        if cfg is not None and cfg.keep_firing_for is not None:
            m = cfg.keep_firing_for + 1
        return (
            n if n is not None else self.for_evaluations,
            m if m is not None else self.clear_evaluations,
        )

    def category(self, rule: str) -> str:
        """The rule's category (``performance`` for a rule this config does not know)."""
        return CATEGORIES.get(rule, "performance")

    def metric_windows(self) -> list[int]:
        """Trailing windows (sessions) the enabled rules read metrics over."""
        out = {self.underperformance.window}
        for cfg in (self.relative_sharpe, self.relative_return, self.volatility):
            out.add(cfg.window)
        out.add(self.value_at_risk.window)
        for over in (*self.strategies.values(), *self.pools.values()):
            for rule_table in over.values():
                if isinstance(rule_table, Mapping) and isinstance(rule_table.get("window"), int):
                    out.add(int(rule_table["window"]))
        return sorted(out)

    def for_strategy(self, strategy_id: str, pool: str = "") -> AlertConfig:
        """This config with the pool's, then the strategy's rule overrides applied.

        Raises
        ------
        AlertConfigError
            When an override makes a rule invalid (also checked when the config is loaded).
        """
        key = (strategy_id, pool)
        if key in self._cache:
            return self._cache[key]
        layers = [self.pools.get(pool, {}) if pool else {}, self.strategies.get(strategy_id, {})]
        if not any(layers):
            self._cache[key] = self
            return self
        rules: dict[str, Any] = {}
        for layer in layers:
            for name, table in layer.items():
                base = rules.get(name) or self.rule(name)
                assert base is not None
                rules[name] = replace(base, **dict(table))
        out = replace(self, **rules, _cache={})
        self._cache[key] = out
        return out


def _type_problem(where: str, value: object, hint: object) -> str | None:
    """``None`` when ``value`` fits the type ``hint``, else a sentence saying why not."""
    args = typing.get_args(hint)
    origin = typing.get_origin(hint)
    if origin is Literal:
        return None if value in args else f"{where} must be one of {list(args)}, got {value!r}"
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if value is None:
            return None
        return _type_problem(where, value, inner[0])
    if origin is dict:
        if not isinstance(value, Mapping):
            return f"{where} must be a table, got {value!r} ({type(value).__name__})"
        for k, v in value.items():
            prob = _type_problem(f"{where}.{k}", v, args[1])
            if prob:
                return prob
        return None
    if origin is tuple:
        if not isinstance(value, list | tuple):
            return f"{where} must be a list, got {value!r} ({type(value).__name__})"
        for i, v in enumerate(value):
            prob = _type_problem(f"{where}[{i}]", v, args[0])
            if prob:
                return prob
        return None
    if hint is bool:
        ok = isinstance(value, bool)
        expected = "true or false"
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        expected = "an integer"
    elif hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        expected = "a number"
    elif hint is str:
        ok = isinstance(value, str)
        expected = "a string"
    else:  # pragma: no cover - only the types above are used in these dataclasses
        return None
    if ok:
        return None
    return f"{where} must be {expected}, got {value!r} ({type(value).__name__})"


def _convert(value: Any, hint: object) -> Any:
    """TOML value -> the dataclass field's type (int -> float, list -> tuple, dict copied)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _convert(value, inner[0])
    if hint is float:
        return float(value)
    if origin is tuple:
        return tuple(value)
    if origin is dict:
        inner = typing.get_args(hint)[1]
        return {str(k): _convert(v, inner) for k, v in value.items()}
    return value


def _check_table(
    where: str, table: object, cls: type, skip: frozenset[str] = frozenset()
) -> tuple[dict[str, Any], list[str]]:
    if not isinstance(table, Mapping):
        return {}, [f"{where} must be a table, got {table!r} ({type(table).__name__})"]
    hints = typing.get_type_hints(cls)
    known = {f.name for f in fields(cls) if not f.name.startswith("_")} - skip
    problems: list[str] = []
    kwargs: dict[str, Any] = {}
    table = dict(table)
    if "for" in table and "for_evaluations" in known:
        if "for_evaluations" in table:
            problems.append(f"{where}: give either for or for_evaluations, not both")
        table["for_evaluations"] = table.pop("for")
    for key, value in table.items():
        if key not in known:
            problems.append(f"{where}: unknown key {key!r}; known keys: {sorted(known)}")
            continue
        prob = _type_problem(f"{where}.{key}", value, hints[key])
        if prob:
            problems.append(prob)
        else:
            kwargs[key] = _convert(value, hints[key])
    return kwargs, problems


def _build(cls: type, kwargs: dict[str, Any], problems: list[str]) -> Any:
    try:
        return cls(**kwargs)
    except AlertConfigError as exc:
        problems.extend(exc.problems)
        return None


def _rule_tables(
    where: str, d: Mapping[str, Any], problems: list[str], *, only_given: bool
) -> dict[str, dict[str, Any]]:
    """Check every rule table of ``d``; returns rule -> converted kwargs."""
    out: dict[str, dict[str, Any]] = {}
    for name, cls in _RULE_CLASSES.items():
        if only_given and name not in d:
            continue
        kwargs, probs = _check_table(f"{where}.{name}", d.get(name, {}), cls)
        problems.extend(probs)
        if not probs:
            out[name] = kwargs
    return out


def _overrides(
    kind: str, table: object, base: dict[str, dict[str, Any]], problems: list[str]
) -> dict[str, dict[str, Any]]:
    """Check ``alerts.strategies`` / ``alerts.pools``: name -> {rule: {key: value}}."""
    if not isinstance(table, Mapping):
        problems.append(f"alerts.{kind} must be a table, got {table!r}")
        return {}
    out: dict[str, dict[str, Any]] = {}
    for name, rules in table.items():
        where = f"alerts.{kind}.{name}"
        if not isinstance(rules, Mapping):
            problems.append(f"{where} must be a table of rule tables, got {rules!r}")
            continue
        problems.extend(
            f"{where}: unknown rule {r!r}; known rules: {list(RULE_NAMES)}"
            for r in rules
            if r not in _RULE_CLASSES
        )
        checked = _rule_tables(where, rules, problems, only_given=True)
        for rule, kwargs in checked.items():
            merged = {**base.get(rule, {}), **kwargs}
            n_before = len(problems)
            built = _build(_RULE_CLASSES[rule], merged, problems)
            for i in range(n_before, len(problems)):
                problems[i] = f"{where}: {problems[i]}"
            if built is not None:
                out.setdefault(str(name), {})[rule] = kwargs
    return out


def _channels(table: object, problems: list[str]) -> dict[str, ChannelConfig]:
    if not isinstance(table, Mapping):
        problems.append(f"alerts.channels must be a table, got {table!r}")
        return {}
    out: dict[str, ChannelConfig] = {}
    for name, spec in table.items():
        kwargs, probs = _check_table(
            f"alerts.channels.{name}", spec, ChannelConfig, skip=frozenset({"name"})
        )
        problems.extend(probs)
        if not probs:
            channel = ChannelConfig(name=str(name), **kwargs)
            chan_probs = channel.problems()
            problems.extend(chan_probs)
            if not chan_probs:
                out[str(name)] = channel
    return out


def _routes(table: object, problems: list[str]) -> tuple[RouteConfig, ...]:
    if not isinstance(table, list | tuple):
        problems.append(
            f"alerts.routes must be an array of tables ([[alerts.routes]]), got {table!r}"
        )
        return ()
    out = []
    for i, spec in enumerate(table):
        where = f"alerts.routes[{i}]"
        kwargs, probs = _check_table(where, spec, RouteConfig)
        for key, allowed in (
            ("severities", TIERS),
            ("rules", RULE_NAMES),
            ("categories", CATEGORY_NAMES),
        ):
            probs.extend(
                f"{where}.{key}: unknown {v!r}; known: {list(allowed)}"
                for v in kwargs.get(key, ())
                if v not in allowed
            )
        if not probs and not kwargs.get("channels"):
            probs.append(f"{where}.channels must name at least one channel")
        problems.extend(probs)
        if not probs:
            out.append(RouteConfig(**kwargs))
    return tuple(out)


def _roles(table: object, problems: list[str]) -> dict[str, RoleConfig]:
    from stratmon.alerts.roles import FREQUENCIES, ROLES

    if not isinstance(table, Mapping):
        problems.append(f"alerts.roles must be a table of roles, got {table!r}")
        return {}
    out: dict[str, RoleConfig] = {}
    for name, spec in table.items():
        where = f"alerts.roles.{name}"
        if name not in ROLES:
            problems.append(f"{where}: unknown role; known: {list(ROLES)}")
            continue
        kwargs, probs = _check_table(where, spec, RoleConfig)
        freq = kwargs.get("frequency", "")
        if freq and freq not in FREQUENCIES:
            probs.append(f"{where}.frequency: unknown {freq!r}; known: {list(FREQUENCIES)}")
        problems.extend(probs)
        if not probs:
            out[str(name)] = RoleConfig(**kwargs)
    return out


_TOP_SPECIAL = frozenset({"channels", "routes", "roles", "strategies", "pools"})


def alert_config_from_dict(d: Mapping[str, Any] | None) -> AlertConfig:
    """Build and validate an :class:`AlertConfig` from the ``[alerts]`` table.

    Parameters
    ----------
    d : mapping or None
        The ``[alerts]`` table as parsed from TOML; missing keys take the defaults.

    Returns
    -------
    AlertConfig

    Raises
    ------
    AlertConfigError
        (a ``ConfigError``) listing every unknown key, wrong type (e.g. ``window = "30"``,
        ``enabled = 1``), out-of-range value (``threshold = -0.1``), channel URL with a
        literal credential and route naming an unknown channel, each named
        ``alerts.<rule>.<key>`` (``alerts.strategies.<id>.<rule>.<key>`` for overrides).
    """
    if d is None:
        return AlertConfig()
    if not isinstance(d, Mapping):
        raise AlertConfigError([f"alerts must be a table, got {d!r} ({type(d).__name__})"])
    top_table = {k: v for k, v in d.items() if k not in RULE_NAMES and k not in _TOP_SPECIAL}
    top, problems = _check_table(
        "alerts", top_table, AlertConfig, skip=frozenset(RULE_NAMES) | _TOP_SPECIAL
    )
    tables = _rule_tables("alerts", d, problems, only_given=False)
    rules: dict[str, Any] = {}
    for name, kwargs in tables.items():
        built = _build(_RULE_CLASSES[name], kwargs, problems)
        if built is not None:
            rules[name] = built
    special: dict[str, Any] = {}
    if "channels" in d:
        special["channels"] = _channels(d["channels"], problems)
    if "routes" in d:
        special["routes"] = _routes(d["routes"], problems)
    if "roles" in d:
        special["roles"] = _roles(d["roles"], problems)
    for kind in ("strategies", "pools"):
        if kind in d:
            special[kind] = _overrides(kind, d[kind], tables, problems)
    problems.extend(
        f"alerts.{key} must be >= 1, got {top[key]!r}"
        for key in ("for_evaluations", "clear_evaluations")
        if key in top and top[key] < 1
    )
    if problems:
        raise AlertConfigError(problems)
    return AlertConfig(**top, **rules, **special)
