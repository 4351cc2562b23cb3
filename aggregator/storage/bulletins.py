"""Bulletins: the `bulletins`, `bulletin_items` and `bulletin_revisions` tables the review app
composes in.

A bulletin is a draft over a date window until it is published; from then on it never changes
(every write here refuses a published bulletin with `FrozenError`). Each publication is a
revision (`bulletin_revisions`) holding every export format exactly as rendered then, so an
export of it is the same bytes whatever crawls or edits come later (`frozen_rendering`). A
correction reopens the bulletin (`start_correction`: `correcting`, while its status stays
"published" and its last revision stays what is public) and publishing it
again adds revision N+1 with the editor's note; earlier revisions stay readable. What goes
into a bulletin (the approved items of its window, their sections, the rendered text) is the
composer's (`aggregator.review.bulletins`): this module stores what it decided.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    delete,
    false,
    func,
    insert,
    or_,
    select,
    true,
    update,
)

from aggregator.normalise.dates import LONDON
from aggregator.storage.bulletin_context import BulletinContext, ClusterPeers
from aggregator.storage.bulletin_revisions import (
    BULLETIN_REVISIONS,
    BulletinInfo,
    BulletinRevision,
    RevisionReader,
    bulletin_info,
    bulletin_row,
    frozen_rendering,
)
from aggregator.storage.db import write_transaction
from aggregator.storage.tables import (
    BULLETIN_ITEMS,
    BULLETINS,
    ITEMS,
    REVIEWS,
)

UNCHECKED_DRAFTS = ("label", "publisher")
"""How a bulletin shows machine drafts nobody checked (`Bulletin.unchecked_drafts`)."""


class SummaryConflict(Exception):
    """Another editor saved this entry's summary since the form was shown."""

    def __init__(self, stored: str | None) -> None:
        super().__init__("another editor changed this summary since you opened the bulletin")
        self.stored = stored


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
    issue_line: str | None = None
    section_intros: dict[str, str] = field(default_factory=dict)
    section_via: dict[str, str] = field(default_factory=dict)
    revision: int = 0
    """The latest published revision (0: never published)."""
    correcting: bool = False
    """Published, and reopened for a correction (the last revision is what is out)."""
    unchecked_drafts: str = "label"
    """How an entry whose summary is a machine draft nobody checked is shown: "label" (with
    a visible label) or "publisher" (the publisher's description instead)."""

    @property
    def status_label(self) -> str:
        """What the composer calls its state: draft, published, or correcting."""
        return "correcting" if self.correcting else self.status

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
        return self.status == "published" and not self.correcting


@dataclass(frozen=True)
class BulletinItem:
    """An item's place in a bulletin: its section, its position there, and the summary this
    bulletin shows for it, if an editor wrote one."""

    item_id: int
    section: str
    position: int
    summary_override: str | None
    extra_links: tuple[tuple[str, str], ...] = ()
    """The editor's own (label, url) links for this entry."""
    hidden_urls: frozenset[str] = frozenset()
    """The item's links, attachments and via lines left out of this entry."""


__all__ = [
    "Bulletin",
    "BulletinInfo",
    "BulletinItem",
    "BulletinRevision",
    "BulletinStore",
    "ClusterPeers",
    "FrozenError",
    "bulletin_info",
    "bulletin_row",
    "frozen_rendering",
]

Placement = Callable[[list[int]], list[tuple[int, str]]]
"""Given the ids of items new to a bulletin: (item id, section) for each, in the order they go
in (each goes after the items already in its section)."""


class BulletinStore(BulletinContext, RevisionReader):
    """The `bulletins` and `bulletin_items` tables (revisions, and what the composer reads
    from other tables, through the two bases)."""

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
            BulletinItem(
                row.item_id,
                row.section,
                row.position,
                row.summary_override,
                tuple((str(link["label"]), str(link["url"])) for link in row.extra_links or []),
                frozenset(str(url) for url in row.hidden_urls or []),
            )
            for row in rows
        ]

    def sent_elsewhere(self, item_ids: Sequence[int], bulletin_id: int | None) -> dict[int, int]:
        """Of these items, those already in a published bulletin (other than this one; one
        reopened for a correction still counts: it went out), with the earliest such
        bulletin's id."""
        if not item_ids:
            return {}
        stmt = (
            select(BULLETIN_ITEMS.c.item_id, func.min(BULLETINS.c.id))
            .join(BULLETINS, BULLETINS.c.id == BULLETIN_ITEMS.c.bulletin_id)
            .where(BULLETINS.c.revision > 0, BULLETIN_ITEMS.c.item_id.in_(item_ids))
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

    def _update_entry(self, bulletin_id: int, item_id: int, **values: Any) -> None:
        """Set columns of one entry of a draft bulletin (KeyError if it holds no such item)."""
        with write_transaction(self.engine) as conn:
            _item_row(conn, bulletin_id, item_id)
            conn.execute(
                update(BULLETIN_ITEMS)
                .where(
                    BULLETIN_ITEMS.c.bulletin_id == bulletin_id,
                    BULLETIN_ITEMS.c.item_id == item_id,
                )
                .values(**values)
            )

    def set_summary(
        self, bulletin_id: int, item_id: int, summary: str, original: str | None = None
    ) -> str | None:
        """The summary this bulletin shows for an item (empty: the editor's text on the item,
        else its draft, else the publisher's description); returns what was stored.

        `original` is the bulletin's own summary as the editor's form showed it ("" for none):
        when another editor saved a different one since, nothing is written and
        `SummaryConflict` says what is stored now. Without it (a script), the save is
        unconditional."""
        self.require_draft(bulletin_id)
        text = " ".join(summary.split()) or None
        with write_transaction(self.engine) as conn:
            row = _item_row(conn, bulletin_id, item_id)
            stored = row.summary_override
            changed_meanwhile = original is not None and (stored or "") != " ".join(
                original.split()
            )
            if changed_meanwhile and (stored or "") != (text or ""):
                raise SummaryConflict(stored)
            conn.execute(
                update(BULLETIN_ITEMS)
                .where(
                    BULLETIN_ITEMS.c.bulletin_id == bulletin_id,
                    BULLETIN_ITEMS.c.item_id == item_id,
                )
                .values(summary_override=text)
            )
        return text

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

    def set_issue_line(self, bulletin_id: int, line: str) -> None:
        """The line under the title ("Issue 12 · May 2024"); empty for none."""
        self.require_draft(bulletin_id)
        with write_transaction(self.engine) as conn:
            conn.execute(
                update(BULLETINS)
                .where(BULLETINS.c.id == bulletin_id)
                .values(issue_line=" ".join(line.split()) or None)
            )

    def set_unchecked_drafts(self, bulletin_id: int, choice: str) -> None:
        """How the bulletin shows unchecked machine drafts: "label" or "publisher"."""
        if choice not in UNCHECKED_DRAFTS:
            raise ValueError(f"unknown choice {choice!r} for unchecked drafts: {UNCHECKED_DRAFTS}")
        self.require_draft(bulletin_id)
        with write_transaction(self.engine) as conn:
            conn.execute(
                update(BULLETINS)
                .where(BULLETINS.c.id == bulletin_id)
                .values(unchecked_drafts=choice)
            )

    def set_section_text(self, bulletin_id: int, section: str, *, intro: str, via: str) -> None:
        """A section's introduction and the wording of its "via" lines (empty: none, and the
        default wording)."""
        bulletin = self.require_draft(bulletin_id)
        intros = dict(bulletin.section_intros)
        vias = dict(bulletin.section_via)
        for values, text in ((intros, intro), (vias, via)):
            text = " ".join(text.split())
            if text:
                values[section] = text
            else:
                values.pop(section, None)
        with write_transaction(self.engine) as conn:
            conn.execute(
                update(BULLETINS)
                .where(BULLETINS.c.id == bulletin_id)
                .values(section_intros=intros, section_via=vias)
            )

    def set_entry_links(
        self,
        bulletin_id: int,
        item_id: int,
        extra_links: Sequence[tuple[str, str]],
        hidden_urls: Sequence[str],
    ) -> None:
        """An entry's own extra links (label, url), and which of its links are left out.
        The caller validates the links (`aggregator.review.bulletins.check_extra_link`)."""
        self.require_draft(bulletin_id)
        self._update_entry(
            bulletin_id,
            item_id,
            extra_links=[{"label": label, "url": url} for label, url in extra_links],
            hidden_urls=sorted(set(hidden_urls)),
        )

    def start_correction(self, bulletin_id: int) -> Bulletin:
        """Reopen a published bulletin for a correction: it can change again, while its last
        revision stays what the exports give until the correction is published."""
        with write_transaction(self.engine) as conn:
            result = conn.execute(
                update(BULLETINS)
                .where(
                    BULLETINS.c.id == bulletin_id,
                    BULLETINS.c.status == "published",
                    BULLETINS.c.correcting == false(),
                )
                .values(correcting=True)
            )
            if result.rowcount != 1:
                raise ValueError(f"bulletin {bulletin_id} is not published: nothing to correct")
        return self.require(bulletin_id)

    def store_published(
        self,
        bulletin_id: int,
        *,
        at: datetime,
        actor: str | None,
        renderings: dict[str, str],
        item_ids: Sequence[int],
        section_order: Sequence[str],
        note: str | None = None,
        confirmed: Sequence[str] = (),
    ) -> Bulletin:
        """Freeze a draft (or a correction) as its next revision, with every format as
        rendered, the items it carries, who published it, the correction's note and the open
        checklist points they confirmed; `FrozenError` if it was published meanwhile. The
        published bulletin."""
        with write_transaction(self.engine) as conn:
            row = conn.execute(select(BULLETINS).where(BULLETINS.c.id == bulletin_id)).first()
            if row is None:
                raise KeyError(f"no bulletin {bulletin_id}")
            revision = int(row.revision or 0) + 1
            result = conn.execute(
                update(BULLETINS)
                .where(
                    BULLETINS.c.id == bulletin_id,
                    or_(BULLETINS.c.status == "draft", BULLETINS.c.correcting == true()),
                    BULLETINS.c.revision == row.revision,
                )
                .values(
                    status="published",
                    correcting=False,
                    published_at=at,
                    rendered_html=renderings.get("html"),
                    rendered_markdown=renderings.get("markdown"),
                    section_order=list(section_order),
                    revision=revision,
                )
            )
            if result.rowcount != 1:
                raise FrozenError(f"bulletin {bulletin_id} was published meanwhile")
            conn.execute(
                insert(BULLETIN_REVISIONS).values(
                    bulletin_id=bulletin_id,
                    revision=revision,
                    published_at=at,
                    published_by=actor,
                    note=note,
                    confirmed=list(confirmed),
                    item_ids=list(item_ids),
                    renderings=dict(renderings),
                )
            )
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
        issue_line=row.issue_line,
        section_intros=dict(row.section_intros or {}),
        section_via=dict(row.section_via or {}),
        revision=int(row.revision or 0),
        correcting=bool(row.correcting),
        unchecked_drafts=str(getattr(row, "unchecked_drafts", None) or "label"),
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
