"""The review app's sessions live on the server; failed logins are counted and lockouts audited.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07

Three tables for issue #20:
- `review_sessions`: one row per logged-in session. The cookie holds a random token and the
  row's id is its SHA-256, so logout, a new password, a disabled account and expiry end a
  session on the server (a copied cookie stops working).
- `login_failures`: failed logins per account and per client address, which make the next
  attempt wait longer and longer (aggregator/storage/login_throttle.py).
- `login_lockouts`: the audit record of every lockout.

Sessions signed into cookies before this migration are not carried over: editors log in again.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "review_sessions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("last_seen_at", _utc(), nullable=False),
        sa.Column("expires_at", _utc(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_sessions"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_review_sessions_user_id_users", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_review_sessions_user_id", "review_sessions", ["user_id"])
    op.create_table(
        "login_failures",
        sa.Column("scope", sa.String(10), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "subject", name="pk_login_failures"),
    )
    op.create_table(
        "login_lockouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.Column("scope", sa.String(10), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_login_lockouts"),
    )
    op.create_index("ix_login_lockouts_at", "login_lockouts", ["at"])


def downgrade() -> None:
    op.drop_index("ix_login_lockouts_at", table_name="login_lockouts")
    op.drop_table("login_lockouts")
    op.drop_table("login_failures")
    op.drop_index("ix_review_sessions_user_id", table_name="review_sessions")
    op.drop_table("review_sessions")
