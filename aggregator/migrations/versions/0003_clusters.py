"""Cross-source clusters: members with the reason they were merged, and editors' splits.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _item_fk(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["items.id"], name=f"fk_{table}_{column}_items", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "clusters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publisher_item_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_clusters"),
        _item_fk("publisher_item_id", "clusters"),
    )
    op.create_table(
        "cluster_members",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("matched_item_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("item_id", name="pk_cluster_members"),
        _item_fk("item_id", "cluster_members"),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["clusters.id"],
            name="fk_cluster_members_cluster_id_clusters",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_cluster_members_cluster_id", "cluster_members", ["cluster_id"])
    op.create_table(
        "cluster_splits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_a", sa.Integer(), nullable=False),
        sa.Column("item_b", sa.Integer(), nullable=False),
        sa.Column("split_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_cluster_splits"),
        sa.UniqueConstraint("item_a", "item_b", name="uq_cluster_splits_pair"),
        _item_fk("item_a", "cluster_splits"),
        _item_fk("item_b", "cluster_splits"),
    )


def downgrade() -> None:
    op.drop_table("cluster_splits")
    op.drop_index("ix_cluster_members_cluster_id", table_name="cluster_members")
    op.drop_table("cluster_members")
    op.drop_table("clusters")
