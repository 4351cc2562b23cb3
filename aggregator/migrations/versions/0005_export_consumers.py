"""Export consumers and what each has been sent (incremental delivery, `export --consumer`).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "export_consumers",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_export_consumers"),
    )
    op.create_table(
        "export_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consumer", sa.String(200), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_export_deliveries"),
        sa.UniqueConstraint("consumer", "item_id", name="uq_export_deliveries_consumer_item_id"),
        sa.ForeignKeyConstraint(
            ["consumer"],
            ["export_consumers.name"],
            name="fk_export_deliveries_consumer_export_consumers",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
            name="fk_export_deliveries_item_id_items",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("export_deliveries")
    op.drop_table("export_consumers")
