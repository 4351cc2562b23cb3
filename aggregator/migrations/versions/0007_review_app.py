"""The review app: editors' accounts, bulletins and their items, and full-text search.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25

Full-text search over items(title, summary):
- SQLite: an FTS5 table `items_fts` with external content (`content='items'`), kept in step
  by three triggers on `items`. The update trigger fires only when the title or summary really
  changed, since every crawl sighting rewrites the row. A later migration that rebuilds
  `items` with `batch_alter_table` drops these triggers with the old table: it must create
  them again (`create_sqlite_fts(op)` here; tests/review checks an item is findable at head).
- PostgreSQL: a GIN index on `to_tsvector('english', title || ' ' || summary)`; queries must
  use that same expression (`aggregator/review/queries.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_FTS = (
    "CREATE VIRTUAL TABLE items_fts USING fts5(title, summary, content='items',"
    " content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER items_fts_ai AFTER INSERT ON items BEGIN"
    " INSERT INTO items_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary);"
    " END",
    "CREATE TRIGGER items_fts_ad AFTER DELETE ON items BEGIN"
    " INSERT INTO items_fts(items_fts, rowid, title, summary)"
    " VALUES ('delete', old.id, old.title, old.summary);"
    " END",
    "CREATE TRIGGER items_fts_au AFTER UPDATE OF title, summary ON items"
    " WHEN old.title IS NOT new.title OR old.summary IS NOT new.summary BEGIN"
    " INSERT INTO items_fts(items_fts, rowid, title, summary)"
    " VALUES ('delete', old.id, old.title, old.summary);"
    " INSERT INTO items_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary);"
    " END",
    "INSERT INTO items_fts(items_fts) VALUES ('rebuild')",
)
SQLITE_FTS_DROP = (
    "DROP TRIGGER IF EXISTS items_fts_au",
    "DROP TRIGGER IF EXISTS items_fts_ad",
    "DROP TRIGGER IF EXISTS items_fts_ai",
    "DROP TABLE IF EXISTS items_fts",
)
POSTGRES_FTS = (
    "CREATE INDEX ix_items_fts ON items USING gin (to_tsvector('english', title || ' ' || summary))"
)


def create_sqlite_fts(operations: Any) -> None:
    """(Re)create the SQLite FTS table and its triggers, and index every stored item."""
    for statement in SQLITE_FTS_DROP + SQLITE_FTS:
        operations.execute(statement)


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("last_seen_queue_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_table(
        "bulletins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("window_start", _utc(), nullable=False),
        sa.Column("window_end", _utc(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("published_at", _utc(), nullable=True),
        sa.Column("rendered_html", sa.Text(), nullable=True),
        sa.Column("rendered_markdown", sa.Text(), nullable=True),
        sa.Column("section_order", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_bulletins"),
    )
    op.create_index("ix_bulletins_status", "bulletins", ["status"])
    op.create_table(
        "bulletin_items",
        sa.Column("bulletin_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("section", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("summary_override", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("bulletin_id", "item_id", name="pk_bulletin_items"),
        sa.ForeignKeyConstraint(
            ["bulletin_id"],
            ["bulletins.id"],
            name="fk_bulletin_items_bulletin_id_bulletins",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name="fk_bulletin_items_item_id_items", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_bulletin_items_item_id", "bulletin_items", ["item_id"])
    requeued = "needs_review {} AND status IN ('approved', 'deferred')"
    for name, columns in (
        ("ix_reviews_requeued", ["needs_review", "status"]),
        ("ix_reviews_requeued_item_id", ["item_id"]),
    ):
        op.create_index(
            name,
            "reviews",
            columns,
            postgresql_where=sa.text(requeued.format("= true")),
            sqlite_where=sa.text(requeued.format("= 1")),
        )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        create_sqlite_fts(op)
    elif dialect == "postgresql":
        op.execute(POSTGRES_FTS)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_FTS_DROP:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_items_fts")
    op.drop_index("ix_reviews_requeued_item_id", table_name="reviews")
    op.drop_index("ix_reviews_requeued", table_name="reviews")
    op.drop_index("ix_bulletin_items_item_id", table_name="bulletin_items")
    op.drop_table("bulletin_items")
    op.drop_index("ix_bulletins_status", table_name="bulletins")
    op.drop_table("bulletins")
    op.drop_table("users")
