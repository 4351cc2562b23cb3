"""Export consumers get a lease, so two exports to one consumer never run at once.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25

`aggregator export --consumer NAME` sends what the consumer has not been sent yet and records
it once the output is complete. Two such exports running together (a cron job started again
before the last one ended) would both select the same items and both send them. The export
now takes the consumer's lease first (one atomic UPDATE, as `source_state` does for crawls),
renews it while it streams and clears it at the end; a second export finds it held and stops
with nothing sent. A lease left by a killed export simply expires.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("export_consumers") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(200), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("export_consumers") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")
