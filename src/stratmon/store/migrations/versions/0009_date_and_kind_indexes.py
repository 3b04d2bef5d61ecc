"""index daily records by date and ingested files by kind

Two reads of every daily run filtered on columns without an index, so they read whole tables
that grow every day: the newest record before a date for all strategies (a date range) and
the backtest stamp (files of kind ``backtest_returns``).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_daily_records_date", "daily_records", ["date"])
    op.create_index("ix_ingested_files_kind", "ingested_files", ["kind"])


def downgrade() -> None:
    op.drop_index("ix_ingested_files_kind", table_name="ingested_files")
    op.drop_index("ix_daily_records_date", table_name="daily_records")
