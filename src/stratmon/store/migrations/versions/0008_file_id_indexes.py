"""index file_id of daily records and round trips

The daily job reads only rows stored from files newer than its cache's watermark
(``file_id > N``); without an index that was a scan of the whole table every day.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_daily_records_file_id", "daily_records", ["file_id"])
    op.create_index("ix_round_trips_file_id", "round_trips", ["file_id"])


def downgrade() -> None:
    op.drop_index("ix_round_trips_file_id", table_name="round_trips")
    op.drop_index("ix_daily_records_file_id", table_name="daily_records")
