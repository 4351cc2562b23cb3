"""Initial schema: items, aliases, sightings, revisions, reviews, crawl runs.

Revision ID: 0001
Revises:
Create Date: 2024-05-20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _item_id_column() -> sa.Column[int]:
    return sa.Column("item_id", sa.Integer(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("publisher", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("doc_type", sa.String(40), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("nations", sa.JSON(), nullable=False),
        sa.Column("published", _utc(), nullable=True),
        sa.Column("published_precision", sa.String(10), nullable=False),
        sa.Column("updated", _utc(), nullable=True),
        sa.Column("change_note", sa.Text(), nullable=True),
        sa.Column("first_seen", _utc(), nullable=False),
        sa.Column("last_seen", _utc(), nullable=False),
        sa.Column("event_start", _utc(), nullable=True),
        sa.Column("event_end", _utc(), nullable=True),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_items"),
        sa.UniqueConstraint("source", "key", name="uq_items_source_key"),
    )
    op.create_index("ix_items_first_seen", "items", ["first_seen"])
    op.create_index("ix_items_source_first_seen", "items", ["source", "first_seen"])

    op.create_table(
        "item_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        _item_id_column(),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("alias", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_item_aliases"),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name="fk_item_aliases_item_id_items", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("source", "alias", name="uq_item_aliases_source_alias"),
    )
    op.create_index("ix_item_aliases_item_id", "item_aliases", ["item_id"])

    op.create_table(
        "sightings",
        sa.Column("id", sa.Integer(), nullable=False),
        _item_id_column(),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("first_fetched_at", _utc(), nullable=False),
        sa.Column("last_fetched_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sightings"),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name="fk_sightings_item_id_items", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("item_id", "source", "url", name="uq_sightings_item_id_source_url"),
    )

    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        _item_id_column(),
        sa.Column("seen_at", _utc(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("change_note", sa.Text(), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("changed_fields", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_revisions"),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name="fk_revisions_item_id_items", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_revisions_item_id", "revisions", ["item_id"])

    op.create_table(
        "reviews",
        _item_id_column(),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("edited_title", sa.Text(), nullable=True),
        sa.Column("edited_summary", sa.Text(), nullable=True),
        sa.Column("section", sa.Text(), nullable=True),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("item_id", name="pk_reviews"),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name="fk_reviews_item_id_items", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_reviews_status", "reviews", ["status"])

    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("started_at", _utc(), nullable=False),
        sa.Column("finished_at", _utc(), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("responses_by_status", sa.JSON(), nullable=False),
        sa.Column("items_new", sa.Integer(), nullable=False),
        sa.Column("items_updated", sa.Integer(), nullable=False),
        sa.Column("items_unchanged", sa.Integer(), nullable=False),
        sa.Column("items_dropped", sa.Integer(), nullable=False),
        sa.Column("dropped_reasons", sa.JSON(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_crawl_runs"),
    )
    op.create_index("ix_crawl_runs_source_started_at", "crawl_runs", ["source", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_crawl_runs_source_started_at", table_name="crawl_runs")
    op.drop_table("crawl_runs")
    op.drop_index("ix_reviews_status", table_name="reviews")
    op.drop_table("reviews")
    op.drop_index("ix_revisions_item_id", table_name="revisions")
    op.drop_table("revisions")
    op.drop_table("sightings")
    op.drop_index("ix_item_aliases_item_id", table_name="item_aliases")
    op.drop_table("item_aliases")
    op.drop_index("ix_items_source_first_seen", table_name="items")
    op.drop_index("ix_items_first_seen", table_name="items")
    op.drop_table("items")
