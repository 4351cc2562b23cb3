"""Editor audit records, and items flagged withdrawn or gone upstream.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("withdrawn", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("withdrawn_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(
            sa.Column("include_withdrawn", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "review_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_events"),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name="fk_review_events_item_id_items", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_review_events_item_id", "review_events", ["item_id"])


def downgrade() -> None:
    op.drop_index("ix_review_events_item_id", table_name="review_events")
    op.drop_table("review_events")
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("include_withdrawn")
    with op.batch_alter_table("items") as batch:
        batch.drop_column("withdrawn_reason")
        batch.drop_column("withdrawn")
