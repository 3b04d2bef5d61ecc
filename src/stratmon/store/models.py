"""SQLAlchemy 2.x schema. Fractions are stored as fractions, money in the strategy currency.

Metric snapshots, comparisons and health components are stored as JSON objects (one row per
strategy, evaluation date and window) so that new metrics need no migration; NaN is stored as
JSON ``null``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class StrategyRow(Base):
    __tablename__ = "strategies"
    strategy_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(100), default="")
    asset_class: Mapped[str] = mapped_column(String(100), default="")
    researcher: Mapped[str] = mapped_column(String(100), default="")
    pool: Mapped[str] = mapped_column(String(100), default="")
    allocated_capital: Mapped[float | None] = mapped_column(Float)
    allocation_date: Mapped[dt.date | None] = mapped_column(Date)
    periods_per_year: Mapped[int] = mapped_column(Integer, default=252)
    benchmark: Mapped[str | None] = mapped_column(String(64))
    backtest_source: Mapped[str | None] = mapped_column(String(400))
    calendar: Mapped[str] = mapped_column(String(16), default="XNYS")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class IngestedFileRow(Base):
    __tablename__ = "ingested_files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(400))
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str | None] = mapped_column(String(32), index=True)
    outcome: Mapped[str] = mapped_column(String(16))  # accepted | rejected | duplicate
    n_rows: Mapped[int] = mapped_column(Integer, default=0)
    n_new: Mapped[int] = mapped_column(Integer, default=0)
    n_identical: Mapped[int] = mapped_column(Integer, default=0)
    n_replaced: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    ingested_at: Mapped[dt.datetime] = mapped_column(DateTime)


class DailyRecordRow(Base):
    __tablename__ = "daily_records"
    strategy_id: Mapped[str] = mapped_column(ForeignKey("strategies.strategy_id"), primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True, index=True)
    nav: Mapped[float] = mapped_column(Float)
    daily_pnl: Mapped[float | None] = mapped_column(Float)
    realized_pnl: Mapped[float | None] = mapped_column(Float)
    unrealized_pnl: Mapped[float | None] = mapped_column(Float)
    cash_flow: Mapped[float] = mapped_column(Float, default=0.0)
    num_positions: Mapped[int | None] = mapped_column(Integer)
    gross_exposure_usd: Mapped[float | None] = mapped_column(Float)
    net_exposure_usd: Mapped[float | None] = mapped_column(Float)
    num_trades: Mapped[int | None] = mapped_column(Integer)
    trade_volume_usd: Mapped[float | None] = mapped_column(Float)
    cash_balance: Mapped[float | None] = mapped_column(Float)
    margin_used: Mapped[float | None] = mapped_column(Float)
    extras: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("ingested_files.id"), index=True)
    #: The quarantine rule holding this day out of every statistic (None: accepted). Cleared
    #: by ``stratmon ingest --confirm FILE`` or by a corrected file replacing the row.
    quarantine: Mapped[str | None] = mapped_column(String(32), nullable=True, default=None)


class ExecutionRow(Base):
    __tablename__ = "executions"
    execution_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    strategy_id: Mapped[str] = mapped_column(ForeignKey("strategies.strategy_id"), index=True)
    timestamp: Mapped[dt.datetime] = mapped_column(DateTime)
    symbol: Mapped[str] = mapped_column(String(64))
    side: Mapped[str] = mapped_column(String(4))
    quantity: Mapped[float] = mapped_column(Float)
    price: Mapped[float] = mapped_column(Float)
    commission: Mapped[float] = mapped_column(Float, default=0.0)
    fees: Mapped[float] = mapped_column(Float, default=0.0)
    currency: Mapped[str] = mapped_column(String(8), default="USD")
    file_id: Mapped[int | None] = mapped_column(ForeignKey("ingested_files.id"))


class RoundTripRow(Base):
    __tablename__ = "round_trips"
    strategy_id: Mapped[str] = mapped_column(ForeignKey("strategies.strategy_id"), primary_key=True)
    trade_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    symbol: Mapped[str] = mapped_column(String(64))
    direction: Mapped[str] = mapped_column(String(5))
    entry_time: Mapped[dt.datetime] = mapped_column(DateTime)
    exit_time: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    entry_price: Mapped[float] = mapped_column(Float)
    exit_price: Mapped[float] = mapped_column(Float)
    quantity: Mapped[float] = mapped_column(Float)
    pnl: Mapped[float] = mapped_column(Float)
    commission: Mapped[float] = mapped_column(Float, default=0.0)
    source: Mapped[str] = mapped_column(String(16))  # executions | file
    file_id: Mapped[int | None] = mapped_column(ForeignKey("ingested_files.id"), index=True)


class MatcherStateRow(Base):
    """FIFO open lots per strategy, so matching continues across days without re-reading."""

    __tablename__ = "matcher_state"
    strategy_id: Mapped[str] = mapped_column(ForeignKey("strategies.strategy_id"), primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)


class PositionRow(Base):
    __tablename__ = "positions"
    strategy_id: Mapped[str] = mapped_column(ForeignKey("strategies.strategy_id"), primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    symbol: Mapped[str] = mapped_column(String(64), primary_key=True)
    quantity: Mapped[float] = mapped_column(Float)
    market_value: Mapped[float] = mapped_column(Float)
    unrealized_pnl: Mapped[float | None] = mapped_column(Float)
    sector: Mapped[str | None] = mapped_column(String(100))
    asset_class: Mapped[str | None] = mapped_column(String(100))
    file_id: Mapped[int | None] = mapped_column(ForeignKey("ingested_files.id"))


class BacktestReturnRow(Base):
    __tablename__ = "backtest_returns"
    strategy_id: Mapped[str] = mapped_column(ForeignKey("strategies.strategy_id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    ret: Mapped[float] = mapped_column(Float)  # simple return, fraction
    file_id: Mapped[int | None] = mapped_column(ForeignKey("ingested_files.id"))


class BacktestExpectationRow(Base):
    __tablename__ = "backtest_expectations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    strategy_id: Mapped[str] = mapped_column(ForeignKey("strategies.strategy_id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    n_trials: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(400), default="file")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class FindingRow(Base):
    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("ingested_files.id"))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    strategy_id: Mapped[str | None] = mapped_column(String(64), index=True)
    date: Mapped[dt.date | None] = mapped_column(Date)
    row: Mapped[int | None] = mapped_column(Integer)
    column: Mapped[str | None] = mapped_column(String(100))
    value: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    #: Life cycle: ``open`` until the row that caused it is replaced or confirmed, or the
    #: missing file arrives; then ``resolved`` with when and who/what resolved it.
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    #: True when the finding holds its strategy's day out of the statistics (quarantine).
    quarantine: Mapped[bool] = mapped_column(Boolean, default=False)
    #: First date a gap finding covers (``missing_data``): a late file inside resolves it.
    period_start: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(Text, nullable=True)


class EvaluationRow(Base):
    __tablename__ = "evaluations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    as_of: Mapped[dt.date] = mapped_column(Date, index=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    n_strategies: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16))
    changes: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)


class MetricSnapshotRow(Base):
    __tablename__ = "metric_snapshots"
    strategy_id: Mapped[str] = mapped_column(ForeignKey("strategies.strategy_id"), primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    window: Mapped[str] = mapped_column(String(16), primary_key=True)  # all | 30 | 90 ...
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"))
    n_obs: Mapped[int] = mapped_column(Integer)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)


class ComparisonRow(Base):
    __tablename__ = "comparisons"
    strategy_id: Mapped[str] = mapped_column(ForeignKey("strategies.strategy_id"), primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"))
    status: Mapped[str] = mapped_column(String(32))
    backtest_version: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class HealthScoreRow(Base):
    __tablename__ = "health_scores"
    strategy_id: Mapped[str] = mapped_column(ForeignKey("strategies.strategy_id"), primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"))
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    trend: Mapped[str] = mapped_column(String(16))
    components: Mapped[dict[str, Any]] = mapped_column(JSON)
    reasons: Mapped[dict[str, Any]] = mapped_column(JSON)


class AssessmentRow(Base):
    """One strategy's judgement on one evaluation date (:class:`stratmon.domain.assessment
    .Assessment`): the few columns outputs filter and sort on, and the whole record as JSON."""

    __tablename__ = "assessments"
    strategy_id: Mapped[str] = mapped_column(ForeignKey("strategies.strategy_id"), primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date, primary_key=True, index=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"))
    verdict: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16))
    health: Mapped[float | None] = mapped_column(Float, nullable=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)


class AlertRow(Base):
    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule: Mapped[str] = mapped_column(String(64))
    strategy_id: Mapped[str] = mapped_column(ForeignKey("strategies.strategy_id"), index=True)
    tier: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), index=True)
    consecutive_true: Mapped[int] = mapped_column(Integer, default=0)
    consecutive_false: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[dt.date | None] = mapped_column(Date)
    fired_at: Mapped[dt.date | None] = mapped_column(Date)
    resolved_at: Mapped[dt.date | None] = mapped_column(Date)
    last_value: Mapped[float | None] = mapped_column(Float)
    threshold: Mapped[float | None] = mapped_column(Float)
    message: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.date | None] = mapped_column(Date)
    #: Consecutive evaluations at a lower tier than the current severity (steps it down
    #: after M of them: alerts.state).
    lower_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    __table_args__ = (Index("ix_alerts_identity", "rule", "strategy_id", "tier"),)


class AlertEventRow(Base):
    __tablename__ = "alert_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    at: Mapped[dt.date] = mapped_column(Date)
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    value: Mapped[float | None] = mapped_column(Float)
    threshold: Mapped[float | None] = mapped_column(Float)
    message: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (UniqueConstraint("alert_id", "at", "to_state", name="uq_alert_event"),)


class StatisticsRow(Base):
    """Live-vs-backtest statistics of one evaluation (PSR, MinTRL, DSR, tests, bootstrap
    intervals, today's cone bands, drawdown expectations, decay state), as JSON."""

    __tablename__ = "evaluation_statistics"
    strategy_id: Mapped[str] = mapped_column(ForeignKey("strategies.strategy_id"), primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"))
    backtest_version: Mapped[int | None] = mapped_column(Integer)
    statistics: Mapped[dict[str, Any]] = mapped_column(JSON)


class ConeBreachRow(Base):
    """A live cumulative return outside a band of the backtest cone on one day."""

    __tablename__ = "cone_breaches"
    strategy_id: Mapped[str] = mapped_column(ForeignKey("strategies.strategy_id"), primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    band: Mapped[str] = mapped_column(String(32), primary_key=True)
    live_day: Mapped[int] = mapped_column(Integer)
    cumulative_return: Mapped[float] = mapped_column(Float)
    bound: Mapped[float] = mapped_column(Float)
    side: Mapped[str] = mapped_column(String(8))  # below | above


class DetectorStateRow(Base):
    """The incremental decay detector's state per strategy and backtest version."""

    __tablename__ = "detector_states"
    strategy_id: Mapped[str] = mapped_column(ForeignKey("strategies.strategy_id"), primary_key=True)
    backtest_version: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_date: Mapped[dt.date | None] = mapped_column(Date)
    n_updates: Mapped[int] = mapped_column(Integer, default=0)
    alarm_date: Mapped[dt.date | None] = mapped_column(Date)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)


class RunningStateRow(Base):
    """Incremental state kept per strategy between daily jobs (e.g. ``RunningMetrics``), so a
    daily job never recomputes years of history for the running statistics."""

    __tablename__ = "running_states"
    strategy_id: Mapped[str] = mapped_column(ForeignKey("strategies.strategy_id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_date: Mapped[dt.date | None] = mapped_column(Date)
    n_updates: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)


class AlertStatusRow(Base):
    """What an alert row needs beyond its state machine: current severity, category and pool,
    acknowledgement, manual resolution, and what was last notified."""

    __tablename__ = "alert_status"
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), primary_key=True)
    severity: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32), default="performance")
    pool: Mapped[str] = mapped_column(String(100), default="")
    fired_recorded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    ack_note: Mapped[str | None] = mapped_column(Text)
    resolved_recorded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolve_note: Mapped[str | None] = mapped_column(Text)
    notified_severity: Mapped[str | None] = mapped_column(String(16))
    notified_on: Mapped[dt.date | None] = mapped_column(Date)
    #: JSON object of the live/backtest figures that fired the alert (``Condition.metrics``)
    #: and the window they were measured over.
    metrics: Mapped[str | None] = mapped_column(Text)
    metrics_window: Mapped[str | None] = mapped_column(String(64))


class AlertActionRow(Base):
    """A history entry that is not a state transition (escalation, acknowledgement, manual
    resolution's author, a notification suppressed by a silence or an inhibition)."""

    __tablename__ = "alert_actions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    eval_date: Mapped[dt.date | None] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(100))
    severity: Mapped[str | None] = mapped_column(String(16))
    value: Mapped[float | None] = mapped_column(Float)
    threshold: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")


class AlertSilenceRow(Base):
    """A time-bounded silence: alerts matching every given matcher are not notified."""

    __tablename__ = "alert_silences"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    strategy_id: Mapped[str | None] = mapped_column(String(64))
    rule: Mapped[str | None] = mapped_column(String(64))
    pool: Mapped[str | None] = mapped_column(String(100))
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class AlertOutboxRow(Base):
    """One notification to one channel, written in the transaction of the alert transition
    that caused it; the dispatcher sends it and records the outcome. ``dedup_key`` makes a
    re-run unable to queue it twice."""

    __tablename__ = "alert_outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedup_key: Mapped[str] = mapped_column(String(300), unique=True)
    channel: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # firing | resolved | escalated | digest ...
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending | sent | digest ...
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"), index=True)
    strategy_id: Mapped[str | None] = mapped_column(String(64))
    rule: Mapped[str | None] = mapped_column(String(64))
    severity: Mapped[str | None] = mapped_column(String(16))
    eval_date: Mapped[dt.date | None] = mapped_column(Date)
    period: Mapped[str | None] = mapped_column(String(32))
    digest_id: Mapped[int | None] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class AlertDeliveryRow(Base):
    """One delivery attempt of an outbox message and its outcome."""

    __tablename__ = "alert_deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("alert_outbox.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)
