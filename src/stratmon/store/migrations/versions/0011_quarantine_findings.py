"""quarantine and the findings life cycle

A suspect day (a NAV that disagrees with its PnL and cash flows, or a move beyond k standard
deviations of the strategy's own history) is stored but held out of the statistics until it
is confirmed or replaced: ``daily_records.quarantine`` names the rule. Findings get a life
cycle: ``status`` (open | resolved), whether they quarantine their day, the first date a gap
covers, and when and by whom/what they were resolved.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("daily_records") as batch:
        batch.add_column(sa.Column("quarantine", sa.String(32), nullable=True))
    with op.batch_alter_table("findings") as batch:
        batch.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="open"))
        batch.add_column(
            sa.Column("quarantine", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("period_start", sa.Date(), nullable=True))
        batch.add_column(sa.Column("resolved_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("resolved_by", sa.Text(), nullable=True))
    op.create_index("ix_findings_status", "findings", ["status"])


def downgrade() -> None:
    op.drop_index("ix_findings_status", table_name="findings")
    with op.batch_alter_table("findings") as batch:
        for name in ("resolved_by", "resolved_at", "period_start", "quarantine", "status"):
            batch.drop_column(name)
    with op.batch_alter_table("daily_records") as batch:
        batch.drop_column("quarantine")
