"""benchmarks: imported benchmark series and composite definitions

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-23 01:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "benchmarks",
        sa.Column("benchmark_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("components", sa.JSON(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("benchmark_id"),
    )
    op.create_table(
        "benchmark_returns",
        sa.Column("benchmark_id", sa.String(length=64), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("ret", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["benchmark_id"], ["benchmarks.benchmark_id"]),
        sa.PrimaryKeyConstraint("benchmark_id", "date"),
    )


def downgrade() -> None:
    op.drop_table("benchmark_returns")
    op.drop_table("benchmarks")
