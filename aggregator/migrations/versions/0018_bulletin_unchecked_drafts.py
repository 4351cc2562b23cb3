"""A bulletin says how it shows machine drafts nobody has checked.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06

For issue #22 ("drafts never go out unmarked"): `bulletins.unchecked_drafts`, "label" (the
default: an unchecked draft is shown with a visible "draft, not checked" label) or
"publisher" (the publisher's own description is shown instead). Either way a draft the
sensitivity check flagged never goes out unreviewed (`aggregator.exports.bulletin`).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("bulletins") as batch:
        batch.add_column(
            sa.Column("unchecked_drafts", sa.String(16), nullable=False, server_default="label")
        )


def downgrade() -> None:
    with op.batch_alter_table("bulletins") as batch:
        batch.drop_column("unchecked_drafts")
