"""assessments: one judgement per strategy and evaluation date

The daily job now stores one typed assessment (verdict, action, evidence-based health and its
components, status per window, reasons, recommendation, changes since the previous session) that
every output renders. Earlier dates have no assessment; outputs show them as not assessed.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessments",
        sa.Column(
            "strategy_id",
            sa.String(length=64),
            sa.ForeignKey("strategies.strategy_id"),
            primary_key=True,
        ),
        sa.Column("as_of", sa.Date(), primary_key=True),
        sa.Column("evaluation_id", sa.Integer(), sa.ForeignKey("evaluations.id"), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("health", sa.Float(), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
    )
    op.create_index("ix_assessments_as_of", "assessments", ["as_of"])
    # the book-level "what changed today" lines of each evaluation (rejected files...)
    with op.batch_alter_table("evaluations") as batch:
        batch.add_column(sa.Column("changes", sa.JSON(), nullable=True))
    # an evidence-based score is undefined (not 50) when no component has data
    with op.batch_alter_table("health_scores") as batch:
        batch.alter_column("score", existing_type=sa.Float(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("health_scores") as batch:
        batch.alter_column("score", existing_type=sa.Float(), nullable=False)
    with op.batch_alter_table("evaluations") as batch:
        batch.drop_column("changes")
    op.drop_index("ix_assessments_as_of", table_name="assessments")
    op.drop_table("assessments")
