"""Bulletins: the `bulletins` and `bulletin_items` tables the review app composes in.

A bulletin is a draft over a date window until it is published; from then on it never changes
(every write here refuses a published bulletin with `FrozenError`), and the exports read it
(`bulletin_info`, `bulletin_row`). What goes into a bulletin (the approved items of its
window, their sections, the rendered text) is the composer's (`aggregator.review.bulletins`):
this module stores what it decided.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, inspect, or_, select, true, update

from aggregator.normalise.dates import LONDON
from aggregator.storage.db import StoreBase, write_transaction
from aggregator.storage.tables import BULLETIN_ITEMS, BULLETINS, ITEMS, REVIEWS, RUNS


class FrozenError(ValueError):
    """A published bulletin cannot be changed."""


@dataclass(frozen=True)
class Bulletin:
    id: int
    title: str
    window_start: datetime
    window_end: datetime  # exclusive
    status: str
    created_by: str | None
    created_at: datetime
    published_at: datetime | None
    rendered_html: str | None
    rendered_markdown: str | None
    section_order: list[str]

    @property
    def first_day(self) -> date:
        """The first London day of the window."""
        return self.window_start.astimezone(LONDON).date()

    @property
    def last_day(self) -> date:
        """The last London day of the window (inclusive)."""
        return self.window_end.astimezone(LONDON).date() - timedelta(days=1)

    @property
    def published(self) -> bool:
        return self.status == "published"


@dataclass(frozen=True)
class BulletinItem:
    """An item's place in a bulletin: its section, its position there, and the summary this
    bulletin shows for it, if an editor wrote one."""

    item_id: int
    section: str
    position: int
    summary_override: str | None


Placement = Callable[[list[int]], list[tuple[int, str]]]
"""Given the ids of items new to a bulletin: (item id, section) for each, in the order they go
in (each goes after the items already in its section)."""


class BulletinStore(StoreBase):
    """The `bulletins` and `bulletin_items` tables."""

    # --- reading ----------------------------------------------------------------------------

    def get(self, bulletin_id: int) -> Bulletin | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(BULLETINS).where(BULLETINS.c.id == bulletin_id)).first()
        return None if row is None else _bulletin(row)

    def require(self, bulletin_id: int) -> Bulletin:
        found = self.get(bulletin_id)
        if found is None:
            raise KeyError(f"no bulletin {bulletin_id}")
        return found

    def require_draft(self, bulletin_id: int) -> Bulletin:
        """The bulletin, which must still be a draft (else `FrozenError`)."""
        bulletin = self.require(bulletin_id)
        if bulletin.published:
            raise FrozenError(f"bulletin {bulletin_id} is published and cannot change")
        return bulletin

    def all(self) -> list[Bulletin]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(BULLETINS).order_by(BULLETINS.c.window_start.desc(), BULLETINS.c.id.desc())
            ).all()
        return [_bulletin(row) for row in rows]

    def items(self, bulletin_id: int) -> list[BulletinItem]:
        """The bulletin's items, in no particular order."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(BULLETIN_ITEMS).where(BULLETIN_ITEMS.c.bulletin_id == bulletin_id)
            ).all()
        return [
            BulletinItem(row.item_id, row.section, row.position, row.summary_override)
            for row in rows
        ]

    def sent_elsewhere(self, item_ids: Sequence[int], bulletin_id: int | None) -> dict[int, int]:
        """Of these items, those already in a published bulletin (other than this one), with
        the earliest such bulletin's id."""
        if not item_ids:
            return {}
        stmt = (
            select(BULLETIN_ITEMS.c.item_id, func.min(BULLETINS.c.id))
            .join(BULLETINS, BULLETINS.c.id == BULLETIN_ITEMS.c.bulletin_id)
            .where(BULLETINS.c.status == "published", BULLETIN_ITEMS.c.item_id.in_(item_ids))
            .group_by(BULLETIN_ITEMS.c.item_id)
        )
        if bulletin_id is not None:
            stmt = stmt.where(BULLETINS.c.id != bulletin_id)
        with self.engine.connect() as conn:
            return {item_id: sent_in for item_id, sent_in in conn.execute(stmt)}

    def candidates(self, window_start: datetime, window_end: datetime) -> list[int]:
        """The approved items of a window (found in it, or dated in it), withdrawn ones left
        out unless an editor kept them; earlier bulletins are not considered here."""
        dated = func.coalesce(ITEMS.c.updated, ITEMS.c.published)
        stmt = (
            select(ITEMS.c.id)
            .join(REVIEWS, REVIEWS.c.item_id == ITEMS.c.id)
            .where(
                REVIEWS.c.status == "approved",
                or_(
                    and_(ITEMS.c.first_seen >= window_start, ITEMS.c.first_seen < window_end),
                    and_(dated >= window_start, dated < window_end),
                ),
                or_(ITEMS.c.withdrawn.is_(None), REVIEWS.c.include_withdrawn == true()),
            )
            .order_by(ITEMS.c.id)
        )
        with self.engine.connect() as conn:
            return list(conn.execute(stmt).scalars())

    def coverage(self, bulletin: Bulletin, sources: Sequence[str]) -> list[dict[str, Any]]:
        """Per source, its crawls in the window (from the crawl records)."""
        stmt = select(RUNS).where(
            RUNS.c.started_at >= bulletin.window_start, RUNS.c.started_at < bulletin.window_end
        )
        with self.engine.connect() as conn:
            runs = conn.execute(stmt.order_by(RUNS.c.started_at)).all()
        found: dict[str, dict[str, Any]] = {
            s: {"source": s, "runs": 0, "ok": 0, "failed": 0, "new": 0, "updated": 0,
                "errors": 0, "last": None, "last_status": None}
            for s in sources
        }  # fmt: skip
        for run in runs:
            entry = found.setdefault(
                run.source,
                {"source": run.source, "runs": 0, "ok": 0, "failed": 0, "new": 0, "updated": 0,
                 "errors": 0, "last": None, "last_status": None},
            )  # fmt: skip
            entry["runs"] += 1
            entry["ok"] += run.status in ("ok", "empty")
            entry["failed"] += run.status in ("failed", "partial")
            entry["new"] += run.items_new
            entry["updated"] += run.items_updated
            entry["errors"] += len(run.errors or [])
            entry["last"] = run.started_at
            entry["last_status"] = run.status
        return sorted(found.values(), key=lambda e: e["source"])

    # --- writing ----------------------------------------------------------------------------

    def create_draft(
        self,
        title: str,
        window_start: datetime,
        window_end: datetime,
        *,
        actor: str | None,
        at: datetime,
        section_order: Sequence[str],
    ) -> int:
        """A new, empty draft over [window_start, window_end); its id."""
        with write_transaction(self.engine) as conn:
            return int(
                conn.execute(
                    insert(BULLETINS)
                    .values(
                        title=title,
                        window_start=window_start,
                        window_end=window_end,
                        status="draft",
                        created_by=actor,
                        created_at=at,
                        section_order=list(section_order),
                    )
                    .returning(BULLETINS.c.id)
                ).scalar_one()
            )

    def sync_items(self, bulletin_id: int, wanted: set[int], place: Placement) -> tuple[int, int]:
        """Make the bulletin hold exactly the `wanted` items, in one transaction: items no
        longer wanted leave, items already in keep their place, and new ones go where `place`
        puts them. (added, removed)"""
        with write_transaction(self.engine) as conn:
            rows = conn.execute(
                select(BULLETIN_ITEMS).where(BULLETIN_ITEMS.c.bulletin_id == bulletin_id)
            ).all()
            have = {row.item_id for row in rows}
            gone = sorted(have - wanted)
            if gone:
                conn.execute(
                    delete(BULLETIN_ITEMS).where(
                        BULLETIN_ITEMS.c.bulletin_id == bulletin_id,
                        BULLETIN_ITEMS.c.item_id.in_(gone),
                    )
                )
            fresh = sorted(wanted - have)
            if fresh:
                last: dict[str, int] = {}
                for row in rows:
                    if row.item_id not in gone:
                        last[row.section] = max(last.get(row.section, -1), row.position)
                values = []
                for item_id, section in place(fresh):
                    last[section] = last.get(section, -1) + 1
                    values.append(
                        {
                            "bulletin_id": bulletin_id,
                            "item_id": item_id,
                            "section": section,
                            "position": last[section],
                            "summary_override": None,
                        }
                    )
                conn.execute(insert(BULLETIN_ITEMS), values)
        return len(fresh), len(gone)

    def set_title(self, bulletin_id: int, title: str) -> None:
        self.require_draft(bulletin_id)
        title = " ".join(title.split())
        if not title:
            raise ValueError("a bulletin needs a title")
        with write_transaction(self.engine) as conn:
            conn.execute(update(BULLETINS).where(BULLETINS.c.id == bulletin_id).values(title=title))

    def set_section_order(self, bulletin_id: int, order: Sequence[str]) -> None:
        """The order the bulletin's sections go in."""
        self.require_draft(bulletin_id)
        with write_transaction(self.engine) as conn:
            conn.execute(
                update(BULLETINS)
                .where(BULLETINS.c.id == bulletin_id)
                .values(section_order=list(order))
            )

    def move_item(self, bulletin_id: int, item_id: int, step: int) -> None:
        """Move an item up (-1) or down (+1) within its section."""
        self.require_draft(bulletin_id)
        with write_transaction(self.engine) as conn:
            row = _item_row(conn, bulletin_id, item_id)
            siblings = (
                conn.execute(
                    select(BULLETIN_ITEMS.c.item_id)
                    .where(
                        BULLETIN_ITEMS.c.bulletin_id == bulletin_id,
                        BULLETIN_ITEMS.c.section == row.section,
                    )
                    .order_by(BULLETIN_ITEMS.c.position, BULLETIN_ITEMS.c.item_id)
                )
                .scalars()
                .all()
            )
            order = list(siblings)
            index = order.index(item_id)
            target = index + step
            if 0 <= target < len(order):
                order[index], order[target] = order[target], order[index]
            _renumber(conn, bulletin_id, order)

    def set_section(self, bulletin_id: int, item_id: int, section: str) -> None:
        """Put an item at the end of another section (a new section name is allowed)."""
        bulletin = self.require_draft(bulletin_id)
        section = " ".join(section.split())
        if not section:
            raise ValueError("a section needs a name")
        with write_transaction(self.engine) as conn:
            _item_row(conn, bulletin_id, item_id)
            last = conn.execute(
                select(func.max(BULLETIN_ITEMS.c.position)).where(
                    BULLETIN_ITEMS.c.bulletin_id == bulletin_id,
                    BULLETIN_ITEMS.c.section == section,
                )
            ).scalar()
            conn.execute(
                update(BULLETIN_ITEMS)
                .where(
                    BULLETIN_ITEMS.c.bulletin_id == bulletin_id,
                    BULLETIN_ITEMS.c.item_id == item_id,
                )
                .values(section=section, position=(last if last is not None else -1) + 1)
            )
            if section not in bulletin.section_order:
                conn.execute(
                    update(BULLETINS)
                    .where(BULLETINS.c.id == bulletin_id)
                    .values(section_order=[*bulletin.section_order, section])
                )

    def set_summary(self, bulletin_id: int, item_id: int, summary: str) -> None:
        """The summary this bulletin shows for an item (empty: the editor's text on the item,
        else its draft, else the publisher's description)."""
        self.require_draft(bulletin_id)
        text = " ".join(summary.split()) or None
        with write_transaction(self.engine) as conn:
            _item_row(conn, bulletin_id, item_id)
            conn.execute(
                update(BULLETIN_ITEMS)
                .where(
                    BULLETIN_ITEMS.c.bulletin_id == bulletin_id,
                    BULLETIN_ITEMS.c.item_id == item_id,
                )
                .values(summary_override=text)
            )

    def remove_item(self, bulletin_id: int, item_id: int) -> None:
        """Leave an item out of this bulletin (a refresh takes it back while it is approved:
        reject or defer it to keep it out)."""
        self.require_draft(bulletin_id)
        with write_transaction(self.engine) as conn:
            _item_row(conn, bulletin_id, item_id)
            conn.execute(
                delete(BULLETIN_ITEMS).where(
                    BULLETIN_ITEMS.c.bulletin_id == bulletin_id,
                    BULLETIN_ITEMS.c.item_id == item_id,
                )
            )

    def store_published(
        self,
        bulletin_id: int,
        *,
        at: datetime,
        rendered_html: str,
        rendered_markdown: str,
        section_order: Sequence[str],
    ) -> Bulletin:
        """Freeze a draft with its rendered text, for good; `FrozenError` if it was published
        meanwhile. The published bulletin."""
        with write_transaction(self.engine) as conn:
            result = conn.execute(
                update(BULLETINS)
                .where(BULLETINS.c.id == bulletin_id, BULLETINS.c.status == "draft")
                .values(
                    status="published",
                    published_at=at,
                    rendered_html=rendered_html,
                    rendered_markdown=rendered_markdown,
                    section_order=list(section_order),
                )
            )
            if result.rowcount != 1:
                raise FrozenError(f"bulletin {bulletin_id} was published meanwhile")
        return self.require(bulletin_id)


def _bulletin(row: Any) -> Bulletin:
    return Bulletin(
        id=row.id,
        title=row.title,
        window_start=row.window_start,
        window_end=row.window_end,
        status=row.status,
        created_by=row.created_by,
        created_at=row.created_at,
        published_at=row.published_at,
        rendered_html=row.rendered_html,
        rendered_markdown=row.rendered_markdown,
        section_order=list(row.section_order or []),
    )


def _item_row(conn: Connection, bulletin_id: int, item_id: int) -> Any:
    row = conn.execute(
        select(BULLETIN_ITEMS).where(
            BULLETIN_ITEMS.c.bulletin_id == bulletin_id, BULLETIN_ITEMS.c.item_id == item_id
        )
    ).first()
    if row is None:
        raise KeyError(f"item {item_id} is not in bulletin {bulletin_id}")
    return row


def _renumber(conn: Connection, bulletin_id: int, order: Sequence[int]) -> None:
    for position, item_id in enumerate(order):
        conn.execute(
            update(BULLETIN_ITEMS)
            .where(
                BULLETIN_ITEMS.c.bulletin_id == bulletin_id,
                BULLETIN_ITEMS.c.item_id == item_id,
            )
            .values(position=position)
        )


# --- what the exports read ------------------------------------------------------------------


@dataclass(frozen=True)
class BulletinInfo:
    """A stored bulletin, as an export needs it."""

    id: int
    title: str
    status: str  # "draft" or "published"
    section_order: list[str]


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
    )


def bulletin_row(conn: Connection, bulletin_id: int) -> Any:
    """The `bulletins` row with this id; KeyError("no bulletin N") if none (also on a
    database whose schema has no bulletins yet)."""
    if "bulletins" not in inspect(conn).get_table_names():
        raise KeyError(f"no bulletin {bulletin_id}")
    found = conn.execute(select(BULLETINS).where(BULLETINS.c.id == bulletin_id)).first()
    if found is None:
        raise KeyError(f"no bulletin {bulletin_id}")
    return found
