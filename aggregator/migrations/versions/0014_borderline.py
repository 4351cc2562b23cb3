"""Classifications say whether an item is borderline.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06

One column of `classifications` for issue #19: `borderline`, true when an item scores under
the vocabulary's threshold but in its borderline band. The queue shows borderline items,
marked, and never hides them. Rows classified before read false until `aggregator classify
--all` (which never touches editors' decisions) classifies them again.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("classifications") as batch:
        batch.add_column(
            sa.Column("borderline", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    op.execute("ALTER TABLE classifications DROP COLUMN borderline")
