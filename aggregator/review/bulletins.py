"""Bulletins: drafts the editors compose from approved items, then publish (frozen).

A draft covers a date window (a week commencing Monday by default, Europe/London; any range
allowed). It takes the approved items of that window: found in it, or dated in it (the
update date for a substantive update, else the published date). An item found in the window
but dated before it is a *late discovery* and is flagged. An item already sent in an earlier
published bulletin is never taken again; the composer lists those apart. Withdrawn items stay
out unless an editor kept them.

Publishing stores the rendered HTML and Markdown beside the item list, and from then on the
bulletin never changes: every edit of a published bulletin is refused. The exports read the
published bulletin from here (`bulletins`, `bulletin_items`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, delete, func, insert, or_, select, true, update

from aggregator.exports.bulletin import (
    SECTIONS,
    bulletin_summary,
    iter_email_html,
    iter_markdown,
    section_of,
)
from aggregator.review.queries import ITEMS, REVIEWS, RUNS, day_bounds, london_day
from aggregator.schema import Item
from aggregator.storage.db import write_transaction
from aggregator.storage.draft_summaries import DraftStore, StoredDraft
from aggregator.storage.models import BulletinItemRow, BulletinRow
from aggregator.storage.repository import Repository, StoredItem

BULLETINS = cast(Table, BulletinRow.__table__)
BULLETIN_ITEMS = cast(Table, BulletinItemRow.__table__)

SUMMARY_GUIDE = (250, 600)
"""The length guide for a bulletin summary, in characters: the example's run 250 to 600."""

DEFAULT_SECTIONS = [name for name, _ in SECTIONS]


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
        return london_day(self.window_start)

    @property
    def last_day(self) -> date:
        """The last London day of the window (inclusive)."""
        return london_day(self.window_end) - timedelta(days=1)

    @property
    def published(self) -> bool:
        return self.status == "published"


@dataclass(frozen=True)
class Entry:
    """An item in a bulletin, as the composer shows it."""

    stored: StoredItem
    section: str
    position: int
    summary_override: str | None
    late: bool
    draft: StoredDraft | None = None

    @property
    def item_id(self) -> int:
        return self.stored.id

    @property
    def edited_summary(self) -> str | None:
        """An editor's text: this bulletin's own, else the one saved on the item page."""
        return self.summary_override or self.stored.edited_summary

    @property
    def summary(self) -> str:
        """The editor's text, else the machine draft, else the publisher's description."""
        draft_text = self.draft.draft.text if self.draft is not None else None
        return bulletin_summary(self.edited_summary, draft_text, self.stored.item.summary)

    @property
    def summary_origin(self) -> str:
        """Where `summary` comes from: "editor", "draft" or "publisher" (the composer says
        so, since a draft is machine-written and needs checking)."""
        if self.edited_summary and self.edited_summary.strip():
            return "editor"
        if self.draft is not None and self.draft.draft.text.strip():
            return "draft"
        return "publisher"

    @property
    def display_item(self) -> Item:
        """The item as the bulletin shows it: the editor's title, and `summary`."""
        return dataclasses.replace(self.stored.item, title=self.stored.title, summary=self.summary)

    def urls(self) -> list[str]:
        item = self.stored.item
        return [item.url, *(a.url for a in item.attachments), *(link.url for link in item.links)]


def bulletin_date(item: Item) -> datetime | None:
    """The date a bulletin goes by: the update date for a substantive update, else the
    published date (as `exports.bulletin.date_line` shows it)."""
    return item.updated or item.published


def is_late(item: Item, window_start: datetime, window_end: datetime) -> bool:
    """Found in the window but published (or updated) before it."""
    when = bulletin_date(item)
    found = item.first_seen
    return (
        when is not None
        and when < window_start
        and found is not None
        and window_start <= found < window_end
    )


class BulletinStore:
    """The `bulletins` and `bulletin_items` tables; items are read through the repository."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.engine = repo.engine
        self.drafts = DraftStore(repo.engine)

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

    def all(self) -> list[Bulletin]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(BULLETINS).order_by(BULLETINS.c.window_start.desc(), BULLETINS.c.id.desc())
            ).all()
        return [_bulletin(row) for row in rows]

    def entries(self, bulletin: Bulletin) -> list[Entry]:
        """The bulletin's items in bulletin order: sections in the editor's order, then by
        position within a section."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(BULLETIN_ITEMS).where(BULLETIN_ITEMS.c.bulletin_id == bulletin.id)
            ).all()
        item_ids = [row.item_id for row in rows]
        stored = self.repo.stored_items(item_ids)
        drafts = self.drafts.many(item_ids)  # one batched read, never one per entry
        order = {name: n for n, name in enumerate(self.section_order(bulletin, rows))}
        found = [
            Entry(
                stored=stored[row.item_id],
                section=row.section,
                position=row.position,
                summary_override=row.summary_override,
                late=is_late(stored[row.item_id].item, bulletin.window_start, bulletin.window_end),
                draft=drafts.get(row.item_id),
            )
            for row in rows
            if row.item_id in stored
        ]
        found.sort(key=lambda e: (order.get(e.section, len(order)), e.position, e.item_id))
        return found

    @staticmethod
    def section_order(bulletin: Bulletin, rows: Sequence[Any] | None = None) -> list[str]:
        """The editor's order, then any other section in use, in the default order."""
        order = list(bulletin.section_order)
        used = {row.section for row in rows or []}
        extra = [name for name in DEFAULT_SECTIONS if name in used and name not in order]
        extra += sorted(used - set(order) - set(DEFAULT_SECTIONS))
        return order + extra

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

    def create(
        self, title: str, first_day: date, last_day: date, *, actor: str | None, at: datetime
    ) -> int:
        """A new draft for the London days first_day..last_day, filled with its items."""
        if last_day < first_day:
            raise ValueError("the window ends before it starts")
        title = " ".join(title.split()) or "Safeguarding update"
        start, end = day_bounds(first_day)[0], day_bounds(last_day)[1]
        with write_transaction(self.engine) as conn:
            bulletin_id = int(
                conn.execute(
                    insert(BULLETINS)
                    .values(
                        title=title,
                        window_start=start,
                        window_end=end,
                        status="draft",
                        created_by=actor,
                        created_at=at,
                        section_order=list(DEFAULT_SECTIONS),
                    )
                    .returning(BULLETINS.c.id)
                ).scalar_one()
            )
        self.refresh(bulletin_id)
        return bulletin_id

    def refresh(self, bulletin_id: int) -> tuple[int, int]:
        """Take in newly approved items of the window and drop those no longer approved (or
        sent meanwhile in another bulletin); the rest keep their place. (added, removed)"""
        bulletin = self._draft(bulletin_id)
        wanted = set(self.candidates(bulletin.window_start, bulletin.window_end))
        wanted -= set(self.sent_elsewhere(sorted(wanted), bulletin_id))
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
                stored = self.repo.stored_items(fresh)
                last: dict[str, int] = {}
                for row in rows:
                    if row.item_id not in gone:
                        last[row.section] = max(last.get(row.section, -1), row.position)
                newest_first = sorted(
                    stored.values(),
                    key=lambda s: bulletin_date(s.item) or s.item.first_seen or bulletin.created_at,
                    reverse=True,
                )
                values = []
                for entry in newest_first:
                    section = section_of(entry.item, entry.section)
                    last[section] = last.get(section, -1) + 1
                    values.append(
                        {
                            "bulletin_id": bulletin_id,
                            "item_id": entry.id,
                            "section": section,
                            "position": last[section],
                            "summary_override": None,
                        }
                    )
                conn.execute(insert(BULLETIN_ITEMS), values)
        return len(fresh), len(gone)

    def set_title(self, bulletin_id: int, title: str) -> None:
        self._draft(bulletin_id)
        title = " ".join(title.split())
        if not title:
            raise ValueError("a bulletin needs a title")
        with write_transaction(self.engine) as conn:
            conn.execute(update(BULLETINS).where(BULLETINS.c.id == bulletin_id).values(title=title))

    def move_section(self, bulletin_id: int, section: str, step: int) -> None:
        """Move a section up (step -1) or down (+1) in the bulletin."""
        bulletin = self._draft(bulletin_id)
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(BULLETIN_ITEMS.c.section).where(BULLETIN_ITEMS.c.bulletin_id == bulletin_id)
            ).all()
        order = self.section_order(bulletin, rows)
        used = [name for name in order if name in {row.section for row in rows}]
        if section not in used:
            raise KeyError(f"no section {section!r} in bulletin {bulletin_id}")
        index = used.index(section)
        target = index + step
        if 0 <= target < len(used):
            used[index], used[target] = used[target], used[index]
        rest = [name for name in order if name not in used]
        with write_transaction(self.engine) as conn:
            conn.execute(
                update(BULLETINS)
                .where(BULLETINS.c.id == bulletin_id)
                .values(section_order=used + rest)
            )

    def move_item(self, bulletin_id: int, item_id: int, step: int) -> None:
        """Move an item up (-1) or down (+1) within its section."""
        self._draft(bulletin_id)
        with write_transaction(self.engine) as conn:
            row = self._row(conn, bulletin_id, item_id)
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
            self._renumber(conn, bulletin_id, order)

    def set_section(self, bulletin_id: int, item_id: int, section: str) -> None:
        """Put an item at the end of another section (a new section name is allowed)."""
        bulletin = self._draft(bulletin_id)
        section = " ".join(section.split())
        if not section:
            raise ValueError("a section needs a name")
        with write_transaction(self.engine) as conn:
            self._row(conn, bulletin_id, item_id)
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
        self._draft(bulletin_id)
        text = " ".join(summary.split()) or None
        with write_transaction(self.engine) as conn:
            self._row(conn, bulletin_id, item_id)
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
        self._draft(bulletin_id)
        with write_transaction(self.engine) as conn:
            self._row(conn, bulletin_id, item_id)
            conn.execute(
                delete(BULLETIN_ITEMS).where(
                    BULLETIN_ITEMS.c.bulletin_id == bulletin_id,
                    BULLETIN_ITEMS.c.item_id == item_id,
                )
            )

    def publish(self, bulletin_id: int, *, at: datetime) -> Bulletin:
        """Freeze a draft: render it, store the HTML, Markdown and item list, for good."""
        bulletin = self._draft(bulletin_id)
        entries = self.entries(bulletin)
        if not entries:
            raise ValueError("nothing to publish: the bulletin has no items")
        again = self.sent_elsewhere([e.item_id for e in entries], bulletin_id)
        if again:
            shown = ", ".join(f"item {i} (bulletin {b})" for i, b in sorted(again.items()))
            raise ValueError(f"already sent in an earlier bulletin: {shown}")
        html_text, markdown = render(bulletin.title, entries)
        with write_transaction(self.engine) as conn:
            result = conn.execute(
                update(BULLETINS)
                .where(BULLETINS.c.id == bulletin_id, BULLETINS.c.status == "draft")
                .values(
                    status="published",
                    published_at=at,
                    rendered_html=html_text,
                    rendered_markdown=markdown,
                    section_order=self.section_order(bulletin, entries),
                )
            )
            if result.rowcount != 1:
                raise FrozenError(f"bulletin {bulletin_id} was published meanwhile")
        return self.require(bulletin_id)

    # --- helpers ----------------------------------------------------------------------------

    def _draft(self, bulletin_id: int) -> Bulletin:
        bulletin = self.require(bulletin_id)
        if bulletin.published:
            raise FrozenError(f"bulletin {bulletin_id} is published and cannot change")
        return bulletin

    @staticmethod
    def _row(conn: Any, bulletin_id: int, item_id: int) -> Any:
        row = conn.execute(
            select(BULLETIN_ITEMS).where(
                BULLETIN_ITEMS.c.bulletin_id == bulletin_id, BULLETIN_ITEMS.c.item_id == item_id
            )
        ).first()
        if row is None:
            raise KeyError(f"item {item_id} is not in bulletin {bulletin_id}")
        return row

    @staticmethod
    def _renumber(conn: Any, bulletin_id: int, order: Sequence[int]) -> None:
        for position, item_id in enumerate(order):
            conn.execute(
                update(BULLETIN_ITEMS)
                .where(
                    BULLETIN_ITEMS.c.bulletin_id == bulletin_id,
                    BULLETIN_ITEMS.c.item_id == item_id,
                )
                .values(position=position)
            )


def render(title: str, entries: Sequence[Entry]) -> tuple[str, str]:
    """The bulletin as (HTML, Markdown), in the layout of the example bulletin (the exports'
    renderer: section headings, then per item its heading, `Source:`, `Date:`, the summary
    and typed links)."""
    pairs = [(entry.section, entry.display_item) for entry in entries]
    return "".join(iter_email_html(pairs, title)), "".join(iter_markdown(pairs, title))


def html_document(title: str, fragment: str) -> str:
    """A whole page around a rendered fragment (for the .html download)."""
    import html

    return (
        '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body>\n{fragment}</body></html>\n"
    )


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
