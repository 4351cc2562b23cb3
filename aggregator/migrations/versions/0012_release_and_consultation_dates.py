"""Items keep a statistics release's precision and state, and consultation dates.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

Four crawl-written columns of `items` for issue #17 (`docs/schema.md`): `event_precision`
(how much of `event_start` is known: a release announced for "June 2024" is month precision),
`release_state` (provisional, confirmed or cancelled), `opens` and `closes` (a consultation's
or call for evidence's dates). Rows stored before this read `event_precision` "none" and
nulls, which is what an item without these fields holds, so their content hashes stay valid
(`aggregator/storage/hashing.py` leaves unset fields out of the hash).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(
            sa.Column("event_precision", sa.String(10), nullable=False, server_default="none")
        )
        batch.add_column(sa.Column("release_state", sa.String(20), nullable=True))
        batch.add_column(sa.Column("opens", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("closes", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Native DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch rebuild of `items` on SQLite would
    # cascade-delete every revision (foreign keys are on) and drop the search-index triggers.
    for column in ("closes", "opens", "release_state", "event_precision"):
        op.execute(f"ALTER TABLE items DROP COLUMN {column}")
