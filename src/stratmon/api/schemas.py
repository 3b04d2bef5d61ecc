"""Pydantic models of the API's requests and responses (fractions everywhere)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, Field

from stratmon.domain.assessment import Action, Concern, Severity, Verdict

T = TypeVar("T")


def _utc(value: dt.datetime) -> dt.datetime:
    """The store keeps naive UTC; the API says so (RFC 3339 with an offset)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


UtcDateTime = Annotated[dt.datetime, AfterValidator(_utc)]


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items`` from ``offset``, at most ``limit``, of ``total``."""

    items: list[T]
    total: int
    limit: int
    offset: int


class HealthNow(BaseModel):
    """The headline of a strategy's newest stored assessment."""

    as_of: dt.date
    score: float | None = Field(None, description="Health score 0-100; null without data.")
    trend: str | None = None
    status: str | None = Field(
        None, description="Live vs backtest status that day (whole live period)."
    )
    verdict: Verdict | None = None
    action: Action | None = None


class AlertOut(BaseModel):
    id: int
    rule: str
    strategy_id: str
    tier: str
    severity: str
    state: str
    started_at: dt.date | None = None
    fired_at: dt.date | None = None
    resolved_at: dt.date | None = None
    last_value: float | None = None
    threshold: float | None = None
    message: str = ""
    acknowledged_at: UtcDateTime | None = None
    acknowledged_by: str | None = None


class ConcernAlertOut(BaseModel):
    """One alert per strategy and concern (the JSON of ``stratmon alerts list --json``)."""

    id: int
    strategy_id: str
    concern: str
    rules: list[str]
    severity: str
    state: str
    fired_at: dt.date | None = None
    resolved_at: dt.date | None = None
    message: str = ""
    triggered_by: list[dict[str, Any]] = []
    metrics: dict[str, dict[str, Any]] = {}
    recipients: list[dict[str, Any]] = []
    actions_taken: list[dict[str, Any]] = []


class StrategyOut(BaseModel):
    strategy_id: str
    name: str
    sector: str = ""
    asset_class: str = ""
    researcher: str = ""
    pool: str = ""
    allocated_capital: float | None = None
    allocation_date: dt.date | None = None
    periods_per_year: int = 252
    benchmark: str | None = None
    calendar: str = "XNYS"
    active: bool = True
    health: HealthNow | None = None
    firing_alerts: int = 0


class StrategyDetail(StrategyOut):
    alerts: list[AlertOut] = Field(
        default_factory=list, description="Pending and firing alerts of the strategy."
    )


class WindowMetrics(BaseModel):
    n_obs: int
    metrics: dict[str, Any]


class MetricTable(BaseModel):
    strategy_id: str
    as_of: dt.date
    windows: dict[str, WindowMetrics]


class ComparisonItem(BaseModel):
    metric: str
    live: float | None = None
    backtest: float | None = None
    deviation: float | None = None
    status: str
    higher_is_better: bool | None = None
    reason: str = ""


class ComparisonOut(BaseModel):
    strategy_id: str
    as_of: dt.date
    status: str = Field(description="The stored assessment's live vs backtest status.")
    status_window: str | None = Field(None, description="The window the status refers to.")
    backtest_version: int | None = None
    metrics: list[ComparisonItem]
    statistics: dict[str, Any] | None = None


class HealthPoint(BaseModel):
    """One day of the health history, from that day's stored assessment."""

    as_of: dt.date
    score: float | None = Field(None, description="Health score 0-100; null without data.")
    trend: str | None = None
    components: dict[str, float | None] = Field(
        default_factory=dict, description="Component name -> 0-100, or null for no data."
    )
    reasons: dict[str, str] = Field(
        default_factory=dict, description="Component name -> one sentence for people."
    )


class HealthHistory(Page[HealthPoint]):
    """One page of a strategy's health history (the common page envelope, plus its id)."""

    strategy_id: str


class HealthComponentOut(BaseModel):
    """One dimension of the health score and the test behind it."""

    name: str = Field(description="performance, drawdown, win_rate or trade_frequency.")
    value: float | None = Field(description="0-100; null when the dimension has no data.")
    p_value: float | None = Field(
        description="Tail probability of evidence at least this unfavourable if live "
        "behaves like the backtest; null without data."
    )
    test: str = Field(description="The test behind the value, in words.")
    reason: str
    weight: float = Field(description="The specification's weight (fraction).")


class StatusViewOut(BaseModel):
    """The live vs backtest status over one named window."""

    window: str = Field(description="'live to date', '90 sessions' or '30 sessions'.")
    status: str = Field(
        description="on_track, underperforming, outperforming, alert or insufficient_data."
    )
    reason: str = ""


class RecommendationOut(BaseModel):
    """A rotation recommendation with a size (strategy currency)."""

    action: Action
    current_capital: float | None = None
    suggested_capital: float | None = None
    change: float | None = Field(None, description="suggested_capital - current_capital.")
    rule: str = Field("", description="The sizing rule, in words.")


class FiringAlertOut(BaseModel):
    rule: str
    severity: Severity = Field(description="The alert's current severity.")
    concern: Concern


class AssessmentOut(BaseModel):
    """One strategy's judgement on one evaluation date: exactly the object of
    ``stratmon status --json`` (``Assessment.to_dict()``). Fractions, ISO dates, null where
    undefined."""

    strategy_id: str
    as_of: dt.date
    verdict: Verdict
    action: Action = Field(description="Equal to recommendation.action.")
    health: float | None = Field(description="Health score 0-100; null without data.")
    health_trend: str = Field(description="improving, stable or declining.")
    health_components: dict[str, float | None] = Field(
        description="Component name -> 0-100, or null for no data."
    )
    health_details: list[HealthComponentOut]
    recent_health: float | None = Field(
        description="The score over the recent window only (shown beside, never decides)."
    )
    status: str = Field(description="Live vs backtest status over status_window.")
    status_window: str
    status_reason: str
    status_recent: StatusViewOut
    reasons: list[str] = Field(description="The evidence that decided the verdict.")
    recommendation: RecommendationOut
    decay_alarm: bool
    decay_alarm_date: dt.date | None
    firing_alerts: list[FiringAlertOut]
    changes: list[str] = Field(description="What changed since the previous session.")
    n_obs: int = Field(description="Live daily returns behind the assessment.")
    verdict_since: dt.date | None
    pending: str | None = Field(description="A milder verdict waiting out its hysteresis.")
    pending_sessions: int
    evidence: dict[str, Any] = Field(description="The figures the verdict read (fractions).")


class AssessmentHistory(Page[AssessmentOut]):
    """One page of a strategy's assessments, oldest first (the common page envelope, plus
    its id)."""

    strategy_id: str


class ConePoint(BaseModel):
    as_of: dt.date
    day: int | None = None
    cumulative_return: float | None = None
    bands: dict[str, float | None] = Field(default_factory=dict)
    breaches: list[dict[str, Any]] = Field(default_factory=list)


class EquityOut(BaseModel):
    strategy_id: str
    dates: list[dt.date]
    nav: list[float | None]
    returns: list[float | None] = Field(
        description="Time-weighted daily simple returns; the first day has none (null)."
    )
    cumulative_return: list[float | None]
    cone: list[ConePoint]


class AlertActionIn(BaseModel):
    note: str = Field("", max_length=2000)


class IngestOut(BaseModel):
    kind: str
    outcome: Literal["accepted", "duplicate"]
    n_rows: int = 0
    n_new: int = 0
    n_identical: int = 0
    n_replaced: int = 0
    n_round_trips: int = 0
    findings: list[str] = Field(default_factory=list)


class RunIn(BaseModel):
    as_of: dt.date | None = Field(None, description="Evaluation date; default the last data.")
    ingest: bool = Field(True, description="Ingest the inbox first.")


class RunOut(BaseModel):
    id: int
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    trigger: str
    requested_by: str
    requested_as_of: dt.date | None = None
    as_of: dt.date | None = None
    created_at: UtcDateTime
    started_at: UtcDateTime | None = None
    finished_at: UtcDateTime | None = None
    n_strategies: int = 0
    n_events: int = 0
    n_files: int = 0
    seconds: float | None = None
    error: str | None = None


class KeyIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$")
    role: Literal["viewer", "operator", "admin"]


class KeyOut(BaseModel):
    key_id: str
    name: str
    role: str
    created_at: UtcDateTime
    revoked_at: UtcDateTime | None = None


class KeyCreated(KeyOut):
    key: str = Field(description="The key itself. Shown once; only its hash is stored.")


class Ready(BaseModel):
    status: Literal["ok"]
    database: str
    migrations: str
