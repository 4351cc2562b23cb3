"""Crawl runs count which extraction layer gave each field of the pages they read.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

One column of `crawl_runs` for issue #18: `field_layers`, {field: {layer: pages}} (site
rules, structured data, visible labels, the URL, the generic extractor: spiders/layers.py).
Health compares a source's latest run with its earlier ones, so a site whose own rules stop
working while the fallback layers still fill the fields is reported as probably changed.
Runs recorded before this read null: no counts, and health draws no conclusion from them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.add_column(sa.Column("field_layers", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE crawl_runs DROP COLUMN field_layers")
