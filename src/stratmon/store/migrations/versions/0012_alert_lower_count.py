"""severity steps down with hysteresis: alerts.lower_count

A firing alert's severity steps down only after its condition reached a lower tier on M
consecutive evaluations; ``lower_count`` carries that count from one day to the next.

``alert_status.metrics``/``metrics_window``: the live and backtest figures that fired an alert.

Milestones (profitable, annual_return_target, new_max_drawdown) are events, never firing: a
milestone alert that a store left in ``firing``/``pending`` moves to ``reached``.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

MILESTONES = "('profitable', 'annual_return_target', 'new_max_drawdown')"


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("lower_count", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("alert_status") as batch:
        batch.add_column(sa.Column("metrics", sa.Text(), nullable=True))
        batch.add_column(sa.Column("metrics_window", sa.String(64), nullable=True))
    op.execute(
        "UPDATE alerts SET state = 'reached' WHERE state IN ('firing', 'pending') AND rule IN "
        + MILESTONES
    )


def downgrade() -> None:
    op.execute("UPDATE alerts SET state = 'firing' WHERE state = 'reached'")
    with op.batch_alter_table("alert_status") as batch:
        batch.drop_column("metrics_window")
        batch.drop_column("metrics")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("lower_count")
