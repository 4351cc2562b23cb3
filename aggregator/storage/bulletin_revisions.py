"""Bulletin revisions: every publication of a bulletin with each export format as rendered
then (`bulletin_revisions`, migration 0017), and what the exports read of a stored bulletin.

`aggregator export --bulletin ID` of a published bulletin writes `frozen_rendering`'s text,
never a new rendering, so it is the same bytes whatever was crawled or edited since. The
rows are written by `aggregator.storage.bulletins.BulletinStore.store_published`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, and_, func, inspect, select

from aggregator.storage.db import StoreBase, aware_utc
from aggregator.storage.models import BulletinRevisionRow
from aggregator.storage.tables import BULLETINS

BULLETIN_REVISIONS = cast(Table, BulletinRevisionRow.__table__)


@dataclass(frozen=True)
class BulletinRevision:
    """One publication of a bulletin, as it went out."""

    bulletin_id: int
    revision: int
    published_at: datetime
    published_by: str | None
    note: str | None
    """Why a correction was published (None for the first publication)."""
    confirmed: list[str]
    """The open checklist points the editor confirmed publishing with."""
    item_ids: list[int]
    renderings: dict[str, str]
    """Every export format as rendered at publication: format name → text."""


class RevisionReader(StoreBase):
    """Reading a bulletin's revisions."""

    def revisions(self, bulletin_id: int) -> list[BulletinRevision]:
        """The bulletin's publications, first to last (renderings included)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(BULLETIN_REVISIONS)
                .where(BULLETIN_REVISIONS.c.bulletin_id == bulletin_id)
                .order_by(BULLETIN_REVISIONS.c.revision)
            ).all()
        return [_revision(row) for row in rows]


def _revision(row: Any) -> BulletinRevision:
    return BulletinRevision(
        bulletin_id=row.bulletin_id,
        revision=row.revision,
        published_at=aware_utc(row.published_at),
        published_by=row.published_by,
        note=row.note,
        confirmed=[str(point) for point in row.confirmed or []],
        item_ids=[int(item_id) for item_id in row.item_ids or []],
        renderings={str(name): str(text) for name, text in (row.renderings or {}).items()},
    )


# --- what the exports read ------------------------------------------------------------------


@dataclass(frozen=True)
class BulletinInfo:
    """A stored bulletin, as an export needs it."""

    id: int
    title: str
    status: str  # "draft" or "published" (also while a correction is open)
    section_order: list[str]
    revision: int = 0
    """The latest published revision (0: never published: the export renders it live)."""
    unchecked_drafts: str = "label"
    """How it shows unchecked machine drafts ("label" or "publisher")."""


def bulletin_info(repository: StoreBase, bulletin_id: int) -> BulletinInfo:
    """The bulletin the review app stored under this id; KeyError("no bulletin N") if none
    (also on a database whose schema has no bulletins yet)."""
    with repository.engine.connect() as conn:
        found = bulletin_row(conn, bulletin_id)
    return BulletinInfo(
        id=found.id,
        title=found.title,
        status=found.status,
        section_order=[str(name) for name in found.section_order or []],
        revision=int(getattr(found, "revision", 0) or 0),
        unchecked_drafts=str(getattr(found, "unchecked_drafts", None) or "label"),
    )


def frozen_rendering(
    repository: StoreBase, bulletin_id: int, fmt: str, revision: int | None = None
) -> str:
    """A published bulletin's text in one format exactly as it was published (its latest
    revision, or `revision`). KeyError with a one-line reason when there is none: no such
    bulletin or revision, or a format not stored (a bulletin published before migration
    0017 kept only html and markdown)."""
    info = bulletin_info(repository, bulletin_id)
    wanted = info.revision if revision is None else revision
    if info.revision == 0:
        raise KeyError(f"bulletin {bulletin_id} is a draft: nothing published yet")
    with repository.engine.connect() as conn:
        row = conn.execute(
            select(BULLETIN_REVISIONS.c.renderings).where(
                BULLETIN_REVISIONS.c.bulletin_id == bulletin_id,
                BULLETIN_REVISIONS.c.revision == wanted,
            )
        ).first()
    if row is None:
        raise KeyError(f"bulletin {bulletin_id} has no revision {wanted} (latest: {info.revision})")
    renderings = row.renderings or {}
    if fmt not in renderings:
        kept = ", ".join(sorted(renderings)) or "none"
        raise KeyError(
            f"bulletin {bulletin_id} revision {wanted} was not published as {fmt} (kept: {kept})"
        )
    return str(renderings[fmt])


def bulletin_row(conn: Connection, bulletin_id: int) -> Any:
    """The `bulletins` row with this id; KeyError("no bulletin N") if none (also on a
    database whose schema has no bulletins yet)."""
    if "bulletins" not in inspect(conn).get_table_names():
        raise KeyError(f"no bulletin {bulletin_id}")
    found = conn.execute(select(BULLETINS).where(BULLETINS.c.id == bulletin_id)).first()
    if found is None:
        raise KeyError(f"no bulletin {bulletin_id}")
    return found


@dataclass(frozen=True)
class PublishedBulletin:
    """A published bulletin as the bulletins feed shows it: its latest revision's HTML."""

    id: int
    title: str
    first_published_at: datetime
    """When it first went out (a correction does not move it)."""
    published_at: datetime
    """When its latest revision was published (a correction moves it)."""
    revision: int
    html: str
    """The email HTML of its latest revision, as frozen then."""


def published_bulletins(repository: StoreBase, limit: int) -> list[PublishedBulletin]:
    """The `limit` most recently first-published bulletins, newest first, each with its
    latest revision's frozen HTML (none on a database without bulletins yet)."""
    with repository.engine.connect() as conn:
        if "bulletin_revisions" not in inspect(conn).get_table_names():
            return []
        revisions = BULLETIN_REVISIONS
        first = (
            select(
                revisions.c.bulletin_id,
                func.min(revisions.c.published_at).label("first_at"),
                func.max(revisions.c.revision).label("latest"),
            )
            .group_by(revisions.c.bulletin_id)
            .subquery()
        )
        rows = conn.execute(
            select(
                BULLETINS.c.id,
                BULLETINS.c.title,
                first.c.first_at,
                revisions.c.published_at,
                revisions.c.revision,
                revisions.c.renderings,
            )
            .join(first, first.c.bulletin_id == BULLETINS.c.id)
            .join(
                revisions,
                and_(
                    revisions.c.bulletin_id == BULLETINS.c.id,
                    revisions.c.revision == first.c.latest,
                ),
            )
            .where(BULLETINS.c.status == "published")
            .order_by(first.c.first_at.desc(), BULLETINS.c.id.desc())
            .limit(limit)
        ).all()
    return [
        PublishedBulletin(
            id=row.id,
            title=row.title,
            first_published_at=aware_utc(row.first_at),
            published_at=aware_utc(row.published_at),
            revision=row.revision,
            html=str((row.renderings or {}).get("html", "")),
        )
        for row in rows
    ]
