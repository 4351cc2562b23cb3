"""Classifications beside items: document type, topics, nations, relevance and evidence.

Revision ID: 0002
Revises: 0001
Create Date: 2024-06-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "classifications",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("doc_type", sa.String(40), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("nations", sa.JSON(), nullable=False),
        sa.Column("relevance", sa.Float(), nullable=False),
        sa.Column("relevant", sa.Boolean(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("vocabulary_version", sa.String(64), nullable=False),
        sa.Column("classified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("type_hint", sa.Text(), nullable=True),
        sa.Column("nation_hints", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("item_id", name="pk_classifications"),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
            name="fk_classifications_item_id_items",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_classifications_relevant", "classifications", ["relevant"])


def downgrade() -> None:
    op.drop_index("ix_classifications_relevant", table_name="classifications")
    op.drop_table("classifications")
