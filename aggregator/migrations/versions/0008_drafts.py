"""Draft summaries: items' main text, their drafts and sensitivity flags, and app settings.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

`item_texts` is filled from what earlier crawls kept: the body text each classification was
made from (`classifications.text`). That text was flattened to one line, so drafts of those
items lose paragraph breaks until their page is fetched again; without it they would have no
main text at all, since an unchanged page is not fetched again.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "item_texts",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("main_text", sa.Text(), nullable=False),
        sa.Column("extracted_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("item_id", name="pk_item_texts"),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name="fk_item_texts_item_id_items", ondelete="CASCADE"
        ),
    )
    op.create_table(
        "drafts",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("word_limit", sa.Integer(), nullable=False),
        sa.Column("words", sa.Integer(), nullable=False),
        sa.Column("hit_limit", sa.Boolean(), nullable=False),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
        sa.Column("sensitivity", sa.JSON(), nullable=False),
        sa.Column("drafted_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("item_id", name="pk_drafts"),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name="fk_drafts_item_id_items", ondelete="CASCADE"
        ),
    )
    op.create_table(
        "app_settings",
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("key", name="pk_app_settings"),
    )
    op.execute(
        "INSERT INTO item_texts (item_id, main_text, extracted_at)"
        " SELECT item_id, text, classified_at FROM classifications WHERE text <> ''"
    )


def downgrade() -> None:
    op.drop_table("app_settings")
    op.drop_table("drafts")
    op.drop_table("item_texts")
