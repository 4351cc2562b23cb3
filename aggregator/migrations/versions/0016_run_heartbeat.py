"""Crawl runs beat a heartbeat; a run whose process died is marked interrupted.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07

For issue #20 ("interrupted work is visible"): `crawl_runs.heartbeat_at`, the last time the
crawl's process said it was alive (aggregator.fetch.crawl_record beats every few seconds), and
a `status` column wide enough for the new status "interrupted" (11 characters; it was
VARCHAR(10), which PostgreSQL enforces). Runs recorded before read a null heartbeat: their
start time stands in for it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
        batch.alter_column(
            "status", existing_type=sa.String(10), type_=sa.String(16), existing_nullable=False
        )


def downgrade() -> None:
    # An interrupted run no longer fits the old column: it reads as a failed one.
    op.execute("UPDATE crawl_runs SET status = 'failed' WHERE status = 'interrupted'")
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_column("heartbeat_at")
        batch.alter_column(
            "status", existing_type=sa.String(16), type_=sa.String(10), existing_nullable=False
        )
