"""Bulletins: drafts the editors compose from approved items, then publish (frozen).

A draft covers a date window (a week commencing Monday by default, Europe/London; any range
allowed). It takes the approved items of that window: found in it, or dated in it (the
update date for a substantive update, else the published date). An item found in the window
but dated before it is a *late discovery* and is flagged. An item already sent in an earlier
published bulletin is never taken again; the composer lists those apart. Withdrawn items stay
out unless an editor kept them.

Publishing stores the rendered HTML and Markdown beside the item list, and from then on the
bulletin never changes: every edit of a published bulletin is refused. The tables are
`aggregator.storage.bulletins.BulletinStore`'s; this module decides what goes in them, and the
exports read the published bulletin from there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from aggregator.exports.bulletin import (
    SECTIONS,
    bulletin_summary,
    iter_email_html,
    iter_markdown,
    section_of,
)
from aggregator.review.queries import day_bounds
from aggregator.schema import Item
from aggregator.storage.bulletins import Bulletin, BulletinStore, FrozenError
from aggregator.storage.draft_summaries import DraftStore, StoredDraft
from aggregator.storage.repository import Repository
from aggregator.storage.values import StoredItem

__all__ = [
    "DEFAULT_SECTIONS",
    "SUMMARY_GUIDE",
    "Bulletin",
    "BulletinComposer",
    "Entry",
    "FrozenError",
    "bulletin_date",
    "html_document",
    "is_late",
    "render",
]

SUMMARY_GUIDE = (250, 600)
"""The length guide for a bulletin summary, in characters: the example's run 250 to 600."""

DEFAULT_SECTIONS = [name for name, _ in SECTIONS]


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


class BulletinComposer(BulletinStore):
    """Composing bulletins: which items a draft takes, in which sections and order, and
    publishing it rendered. The tables are written through `BulletinStore`; items are read
    through the repository."""

    def __init__(self, repo: Repository) -> None:
        super().__init__(repo.engine)
        self.repo = repo
        self.drafts = DraftStore(repo.engine)

    # --- reading ----------------------------------------------------------------------------

    def entries(self, bulletin: Bulletin) -> list[Entry]:
        """The bulletin's items in bulletin order: sections in the editor's order, then by
        position within a section."""
        rows = self.items(bulletin.id)
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

    # --- writing ----------------------------------------------------------------------------

    def create(
        self, title: str, first_day: date, last_day: date, *, actor: str | None, at: datetime
    ) -> int:
        """A new draft for the London days first_day..last_day, filled with its items."""
        if last_day < first_day:
            raise ValueError("the window ends before it starts")
        title = " ".join(title.split()) or "Safeguarding update"
        start, end = day_bounds(first_day)[0], day_bounds(last_day)[1]
        bulletin_id = self.create_draft(
            title, start, end, actor=actor, at=at, section_order=DEFAULT_SECTIONS
        )
        self.refresh(bulletin_id)
        return bulletin_id

    def refresh(self, bulletin_id: int) -> tuple[int, int]:
        """Take in newly approved items of the window and drop those no longer approved (or
        sent meanwhile in another bulletin); the rest keep their place. (added, removed)"""
        bulletin = self.require_draft(bulletin_id)
        wanted = set(self.candidates(bulletin.window_start, bulletin.window_end))
        wanted -= set(self.sent_elsewhere(sorted(wanted), bulletin_id))

        def place(fresh: list[int]) -> list[tuple[int, str]]:
            """New items newest first, each in its editor's section, else its type's."""
            stored = self.repo.stored_items(fresh)
            newest_first = sorted(
                stored.values(),
                key=lambda s: bulletin_date(s.item) or s.item.first_seen or bulletin.created_at,
                reverse=True,
            )
            return [(entry.id, section_of(entry.item, entry.section)) for entry in newest_first]

        return self.sync_items(bulletin_id, wanted, place)

    def move_section(self, bulletin_id: int, section: str, step: int) -> None:
        """Move a section up (step -1) or down (+1) in the bulletin."""
        bulletin = self.require_draft(bulletin_id)
        rows = self.items(bulletin_id)
        order = self.section_order(bulletin, rows)
        used = [name for name in order if name in {row.section for row in rows}]
        if section not in used:
            raise KeyError(f"no section {section!r} in bulletin {bulletin_id}")
        index = used.index(section)
        target = index + step
        if 0 <= target < len(used):
            used[index], used[target] = used[target], used[index]
        rest = [name for name in order if name not in used]
        self.set_section_order(bulletin_id, used + rest)

    def publish(self, bulletin_id: int, *, at: datetime) -> Bulletin:
        """Freeze a draft: render it, store the HTML, Markdown and item list, for good."""
        bulletin = self.require_draft(bulletin_id)
        entries = self.entries(bulletin)
        if not entries:
            raise ValueError("nothing to publish: the bulletin has no items")
        again = self.sent_elsewhere([e.item_id for e in entries], bulletin_id)
        if again:
            shown = ", ".join(f"item {i} (bulletin {b})" for i, b in sorted(again.items()))
            raise ValueError(f"already sent in an earlier bulletin: {shown}")
        html_text, markdown = render(bulletin.title, entries)
        return self.store_published(
            bulletin_id,
            at=at,
            rendered_html=html_text,
            rendered_markdown=markdown,
            section_order=self.section_order(bulletin, entries),
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
