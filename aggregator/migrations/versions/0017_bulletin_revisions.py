"""Bulletins frozen in every format, corrected by revisions; section introductions and links.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06

For issue #21:
- `bulletin_revisions`: one row per publication of a bulletin (1 the first, each correction
  one more), holding every export format as rendered then (`renderings`, format → text), the
  items it carried, who published it, a correction's note and the open checklist points
  the editor confirmed. Exports of a published bulletin are read from here, never re-rendered.
- `bulletins.revision` (the latest published revision, 0 for a draft), `correcting` (a
  published bulletin reopened for a correction: its status stays "published", so its last
  revision stays what is public until the correction is published), `issue_line` (the
  date line under the title), `section_intros` and `section_via` (per section: an
  introduction, and the wording of "Read the report via the NSPCC" lines).
- `bulletin_items.extra_links` ([{label, url}]) and `hidden_urls` (the item's own links the
  editor left out of the entry).

A bulletin published before this migration becomes revision 1 with the HTML and Markdown it
stored then (the only formats it froze); its other formats cannot be exported as published.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("bulletins") as batch:
        batch.add_column(sa.Column("issue_line", sa.Text(), nullable=True))
        batch.add_column(sa.Column("section_intros", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("section_via", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(
            sa.Column("correcting", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("bulletin_items") as batch:
        batch.add_column(sa.Column("extra_links", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("hidden_urls", sa.JSON(), nullable=True))
    op.create_table(
        "bulletin_revisions",
        sa.Column("bulletin_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("confirmed", sa.JSON(), nullable=False),
        sa.Column("item_ids", sa.JSON(), nullable=False),
        sa.Column("renderings", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("bulletin_id", "revision", name="pk_bulletin_revisions"),
        sa.ForeignKeyConstraint(
            ["bulletin_id"],
            ["bulletins.id"],
            name="fk_bulletin_revisions_bulletin_id_bulletins",
            ondelete="CASCADE",
        ),
    )
    _freeze_earlier_publications()


def _freeze_earlier_publications() -> None:
    """Bulletins published before: revision 1, with the two formats they stored."""
    bind = op.get_bind()
    bulletins = sa.table(
        "bulletins",
        sa.column("id", sa.Integer()),
        sa.column("status", sa.String()),
        sa.column("published_at", sa.DateTime(timezone=True)),
        sa.column("created_by", sa.String()),
        sa.column("rendered_html", sa.Text()),
        sa.column("rendered_markdown", sa.Text()),
        sa.column("revision", sa.Integer()),
    )
    members = sa.table(
        "bulletin_items", sa.column("bulletin_id", sa.Integer()), sa.column("item_id", sa.Integer())
    )
    revisions = sa.table(
        "bulletin_revisions",
        sa.column("bulletin_id", sa.Integer()),
        sa.column("revision", sa.Integer()),
        sa.column("published_at", sa.DateTime(timezone=True)),
        sa.column("published_by", sa.String()),
        sa.column("note", sa.Text()),
        sa.column("confirmed", sa.JSON()),
        sa.column("item_ids", sa.JSON()),
        sa.column("renderings", sa.JSON()),
    )
    published = bind.execute(sa.select(bulletins).where(bulletins.c.status == "published")).all()
    for row in published:
        item_ids = sorted(
            bind.execute(
                sa.select(members.c.item_id).where(members.c.bulletin_id == row.id)
            ).scalars()
        )
        renderings = {
            name: text
            for name, text in (("html", row.rendered_html), ("markdown", row.rendered_markdown))
            if text is not None
        }
        bind.execute(
            sa.insert(revisions).values(
                bulletin_id=row.id,
                revision=1,
                published_at=row.published_at,
                published_by=row.created_by,
                note=None,
                confirmed=[],
                item_ids=item_ids,
                renderings=renderings,
            )
        )
        bind.execute(sa.update(bulletins).where(bulletins.c.id == row.id).values(revision=1))


def downgrade() -> None:
    # A bulletin under correction stays published (its last revision is what went out).
    op.drop_table("bulletin_revisions")
    with op.batch_alter_table("bulletin_items") as batch:
        batch.drop_column("hidden_urls")
        batch.drop_column("extra_links")
    with op.batch_alter_table("bulletins") as batch:
        batch.drop_column("correcting")
        batch.drop_column("revision")
        batch.drop_column("section_via")
        batch.drop_column("section_intros")
        batch.drop_column("issue_line")
