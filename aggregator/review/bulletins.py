"""Bulletins: drafts the editors compose from approved items, then publish (frozen).

A draft covers a date window (by default the week holding the newest approved items not yet
sent, Europe/London; any range allowed). It takes the approved items of that window: found in
it, or dated in it (the update date for a substantive update, else the published date). An
item found in the window but dated before it is a *late discovery* and is flagged.

An item already sent in a published bulletin is *left out*: out of the sections, the preview,
the rendering and the publish check alike (`entries` never returns it), and listed apart.

A cross-source cluster is one entry: the publisher of record's item, with the other
sightings as "Read the report via the NSPCC: <title>" lines (the wording per section, see
`VIA_DEFAULT`); an approved sighting never makes a second entry.

Each entry may carry the editor's extra links (label + http(s) URL) and leave out any of its
own links; each section may have an introduction; the bulletin an issue line under its title.

Publishing renders every export format once (`FORMATS`), stores them as a revision, and from
then on the bulletin never changes: every edit of a published bulletin is refused, and every
export of it is those bytes. A correction reopens it (`start_correction`) and publishing again
adds a revision with the editor's note. Before publishing, `checklist` lists what is still
open (unchecked machine drafts, sensitive flags, broken or unchecked links, late
discoveries); publishing with any open needs the editor's confirmation, stored with the
revision. The tables are `aggregator.storage.bulletins.BulletinStore`'s; this module decides
what goes in them, and the exports read the published bulletin from there.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from aggregator.exports.bulletin import (
    READ_LABELS,
    SECTIONS,
    EntryExtras,
    Layout,
    bulletin_summary,
    iter_markdown,
    iter_text,
    section_of,
    shown_summary,
)
from aggregator.exports.email_html import iter_email_html
from aggregator.exports.run import FORMATS, ExportOptions, chunks, selection_for
from aggregator.exports.syndication import FeedInfo
from aggregator.review.checklist import CheckPoint, OpenPointsError, open_points, revision_line
from aggregator.review.entry_links import (
    VIA_DEFAULT,
    check_extra_links,
    check_via_wording,
    via_publisher,
)
from aggregator.review.queries import day_bounds, london_day, week_commencing
from aggregator.schema import Item
from aggregator.storage.bulletins import (
    Bulletin,
    BulletinItem,
    BulletinRevision,
    BulletinStore,
    FrozenError,
)
from aggregator.storage.draft_summaries import DraftStore, StoredDraft
from aggregator.storage.exports import ExportSelection
from aggregator.storage.repository import Repository
from aggregator.storage.values import StoredItem

__all__ = [
    "DEFAULT_SECTIONS",
    "SUMMARY_GUIDE",
    "VIA_DEFAULT",
    "Bulletin",
    "BulletinComposer",
    "BulletinRevision",
    "CheckPoint",
    "Entry",
    "FrozenError",
    "OpenPointsError",
    "bulletin_date",
    "check_extra_links",
    "default_window",
    "html_document",
    "is_late",
    "revision_line",
    "via_publisher",
]

SUMMARY_GUIDE = (250, 600)
"""The length guide for a bulletin summary, in characters: the example's run 250 to 600."""

DEFAULT_SECTIONS = [name for name, _ in SECTIONS]


def default_window(newest: datetime | None, now: datetime) -> tuple[date, date]:
    """The window a new bulletin proposes: the week (Monday to Sunday, London) holding the
    newest approved items not yet sent (`BulletinStore.newest_unsent`), else this week."""
    when = now if newest is None else min(newest, now)
    monday = week_commencing(london_day(when))
    return monday, monday + timedelta(days=6)


@dataclass(frozen=True)
class ViaLine:
    """Another sighting of an entry's publication: its item, publisher, title and URL."""

    item_id: int
    publisher: str
    title: str
    url: str
    label: str


@dataclass(frozen=True)
class Entry:
    """An item in a bulletin, as the composer shows it."""

    stored: StoredItem
    section: str
    position: int
    summary_override: str | None
    late: bool
    draft: StoredDraft | None = None
    via: tuple[ViaLine, ...] = ()
    via_wording: str = VIA_DEFAULT
    extra_links: tuple[tuple[str, str], ...] = ()
    hidden_urls: frozenset[str] = frozenset()
    unchecked: str = "label"
    """The bulletin's choice for unchecked machine drafts (`Bulletin.unchecked_drafts`)."""

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
    def draft_goes_out(self) -> bool:
        """The unchecked draft goes out (labelled as one): not when the bulletin chose the
        publisher's description instead, nor ever for a draft flagged sensitive."""
        return self.summary_origin == "draft" and self.unchecked == "label" and not self.sensitive

    @property
    def sensitive(self) -> bool:
        """The draft's sensitivity check flagged the item (child deaths, explicit abuse…)."""
        return self.draft is not None and self.draft.sensitivity.flagged

    @property
    def display_item(self) -> Item:
        """The item as the bulletin shows it: the editor's title, and the summary as it goes
        out (`shown_summary`: an unchecked draft labelled or replaced, never a sensitive one)."""
        draft_text = self.draft.draft.text if self.draft is not None else None
        summary = shown_summary(
            self.edited_summary,
            draft_text,
            self.stored.item.summary,
            sensitive=self.sensitive,
            unchecked=self.unchecked,
        )
        return dataclasses.replace(self.stored.item, title=self.stored.title, summary=summary)

    def via_lines(self) -> tuple[tuple[str, str, str], ...]:
        """The via lines as the writers take them: (label, sighting's title, url)."""
        return tuple(
            (
                self.via_wording.replace("{publisher}", via_publisher(line.publisher)).replace(
                    "{label}", line.label
                ),
                line.title,
                line.url,
            )
            for line in self.via
        )

    @property
    def extras(self) -> EntryExtras:
        return EntryExtras(
            via=self.via_lines(), links=self.extra_links, hidden=frozenset(self.hidden_urls)
        )

    def link_choices(self) -> list[tuple[str, str, str, bool]]:
        """Every link the entry could show, for the editor to tick: (kind, label, url,
        shown). Kinds: page, via, attachment, link, extra."""
        item = self.stored.item
        found: list[tuple[str, str, str]] = [
            ("page", READ_LABELS.get(item.doc_type, "Read more"), item.url),
            *(("via", f"{label}: {title}", url) for label, title, url in self.via_lines()),
            *(("attachment", a.title or "Attachment", a.url) for a in item.attachments[:2]),
            *(("link", link.label, link.url) for link in item.links),
            *(("extra", label, url) for label, url in self.extra_links),
        ]
        return [(kind, label, url, url not in self.hidden_urls) for kind, label, url in found]

    def urls(self) -> list[str]:
        """The URLs the entry shows (what the link check follows)."""
        return [url for _kind, _label, url, shown in self.link_choices() if shown]


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


def issue_line_for(first_day: date, last_day: date) -> str:
    """The date line a new bulletin starts with: "Week commencing 3 June 2024" for a
    Monday-to-Sunday week, else "3 June 2024 to 30 June 2024"."""
    if first_day.weekday() == 0 and last_day - first_day == timedelta(days=6):
        return f"Week commencing {first_day.day} {first_day:%B %Y}"
    return f"{first_day.day} {first_day:%B %Y} to {last_day.day} {last_day:%B %Y}"


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
        """The bulletin's entries in bulletin order: sections in the editor's order, then by
        position within a section. Items sent in another published bulletin are left out,
        and a second member of a cluster already in the bulletin is a via line, not an entry
        (a draft composed before the cluster formed)."""
        rows = self.items(bulletin.id)
        item_ids = [row.item_id for row in rows]
        sent = self.sent_elsewhere(item_ids, bulletin.id)
        peers = self.cluster_peers(item_ids)
        # one cluster, one entry: the publisher of record's row if present, else the first
        by_cluster: dict[int, BulletinItem] = {}
        for row in sorted(rows, key=lambda r: (r.section, r.position, r.item_id)):
            cluster = peers.get(row.item_id)
            if cluster is None:
                continue
            held = by_cluster.get(cluster.cluster_id)
            if held is None or row.item_id == cluster.publisher_item_id:
                by_cluster[cluster.cluster_id] = row
        kept = [
            row
            for row in rows
            if row.item_id not in sent
            and (
                row.item_id not in peers
                or by_cluster[peers[row.item_id].cluster_id].item_id == row.item_id
            )
        ]
        members = {m for row in kept if row.item_id in peers for m in peers[row.item_id].member_ids}
        stored = self.repo.stored_items(sorted({row.item_id for row in kept} | members))
        drafts = self.drafts.many([row.item_id for row in kept])  # one batched read
        order = {name: n for n, name in enumerate(self.section_order(bulletin, kept))}
        found: list[Entry] = []
        for row in kept:
            if row.item_id not in stored:
                continue
            via: list[ViaLine] = []
            cluster = peers.get(row.item_id)
            for member in cluster.member_ids if cluster else ():
                other = stored.get(member)
                if member == row.item_id or other is None or other.status == "rejected":
                    continue
                via.append(
                    ViaLine(
                        member,
                        other.item.publisher,
                        other.title,
                        other.item.url,
                        READ_LABELS.get(other.item.doc_type, "Read more"),
                    )
                )
            item = stored[row.item_id].item
            found.append(
                Entry(
                    stored=stored[row.item_id],
                    section=row.section,
                    position=row.position,
                    summary_override=row.summary_override,
                    late=is_late(item, bulletin.window_start, bulletin.window_end),
                    draft=drafts.get(row.item_id),
                    via=tuple(via),
                    via_wording=bulletin.section_via.get(row.section, VIA_DEFAULT),
                    extra_links=row.extra_links,
                    hidden_urls=row.hidden_urls,
                    unchecked=bulletin.unchecked_drafts,
                )
            )
        found.sort(key=lambda e: (order.get(e.section, len(order)), e.position, e.item_id))
        return found

    def left_out(self, bulletin: Bulletin) -> list[tuple[StoredItem, int]]:
        """The window's approved items (and the bulletin's own rows) already sent in another
        published bulletin, with that bulletin's id: none of them is in `entries`."""
        candidates = set(self.candidates(bulletin.window_start, bulletin.window_end))
        candidates |= {row.item_id for row in self.items(bulletin.id)}
        sent = self.sent_elsewhere(sorted(candidates), bulletin.id)
        stored = self.repo.stored_items(sorted(sent))
        return [(stored[i], sent[i]) for i in sorted(stored)]

    @staticmethod
    def section_order(bulletin: Bulletin, rows: Sequence[Any] | None = None) -> list[str]:
        """The editor's order, then any other section in use, in the default order."""
        order = list(bulletin.section_order)
        used = {row.section for row in rows or []}
        extra = [name for name in DEFAULT_SECTIONS if name in used and name not in order]
        extra += sorted(used - set(order) - set(DEFAULT_SECTIONS))
        return order + extra

    @staticmethod
    def layout(bulletin: Bulletin) -> Layout:
        return Layout(issue_line=bulletin.issue_line, intros=dict(bulletin.section_intros))

    def render(self, bulletin: Bulletin, entries: Sequence[Entry]) -> tuple[str, str]:
        """The bulletin as (HTML email fragment, Markdown): what the preview shows."""
        placed = _placed(entries)
        layout = self.layout(bulletin)
        return (
            "".join(iter_email_html(placed, bulletin.title, layout)),
            "".join(iter_markdown(placed, bulletin.title, layout)),
        )

    def renderings(
        self, bulletin: Bulletin, entries: Sequence[Entry], base_url: str = ""
    ) -> dict[str, str]:
        """Every export format of the bulletin as it stands: the bulletin formats from the
        composer's entries (via lines, extra links, introductions), the feeds and files from
        the export writers over the bulletin's items. Publishing stores these."""
        placed = _placed(entries)
        layout = self.layout(bulletin)
        found = {
            "html": "".join(iter_email_html(placed, bulletin.title, layout)),
            "markdown": "".join(iter_markdown(placed, bulletin.title, layout)),
            "text": "".join(iter_text(placed, bulletin.title, layout)),
        }
        for fmt in FORMATS:
            if fmt in found:
                continue
            selection = selection_for(self.repo, ExportSelection(), fmt, bulletin.id)
            options = ExportOptions(
                format=fmt,
                title=bulletin.title,
                feed=FeedInfo(title=bulletin.title, base_url=base_url),
            )
            writer = chunks(self.repo, selection, options)
            found[fmt] = "".join(writer(self.repo.iter_export(selection)))
        return found

    @staticmethod
    def checklist(
        entries: Sequence[Entry], links: dict[str, tuple[bool, bool, str]] | None
    ) -> list[CheckPoint]:
        """The publish checklist of these entries (`aggregator.review.checklist`)."""
        return open_points(entries, links)

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
        self.set_issue_line(bulletin_id, issue_line_for(first_day, last_day))
        self.refresh(bulletin_id)
        return bulletin_id

    def wanted(self, bulletin: Bulletin) -> set[int]:
        """The items a draft should hold: its window's approved items not sent elsewhere,
        each cluster once, by its publisher of record (unless that item was rejected)."""
        found = set(self.candidates(bulletin.window_start, bulletin.window_end))
        peers = self.cluster_peers(sorted(found))
        statuses = self.review_statuses(
            sorted({c.publisher_item_id for c in peers.values()} | found)
        )
        chosen: set[int] = set()
        for item_id in sorted(found):
            cluster = peers.get(item_id)
            if cluster is None:
                chosen.add(item_id)
                continue
            record = cluster.publisher_item_id
            if statuses.get(record) == "rejected":
                record = min(m for m in cluster.member_ids if m in found)
            chosen.add(record)
        # a cluster any member of which went out already went out
        sent_ids = set(self.sent_elsewhere(sorted(chosen | found), bulletin.id))
        all_peers = self.cluster_peers(sorted(chosen))
        return {
            item_id
            for item_id in chosen
            if item_id not in sent_ids
            and not (item_id in all_peers and sent_ids & set(all_peers[item_id].member_ids))
        }

    def refresh(self, bulletin_id: int) -> tuple[int, int]:
        """Take in newly approved items of the window and drop those no longer approved (or
        sent meanwhile in another bulletin); the rest keep their place. (added, removed)"""
        bulletin = self.require_draft(bulletin_id)
        wanted = self.wanted(bulletin)

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

    def set_section_wording(self, bulletin_id: int, section: str, intro: str, via: str) -> None:
        """A section's introduction and via wording, the wording checked first."""
        self.set_section_text(bulletin_id, section, intro=intro, via=check_via_wording(via))

    def set_links(
        self, bulletin_id: int, item_id: int, shown: Iterable[str], extra_text: str
    ) -> None:
        """An entry's links: `shown` the URLs ticked (the rest of its own are left out), and
        the extra links from the editor's "Label | URL" lines (checked first)."""
        bulletin = self.require_draft(bulletin_id)
        extra = check_extra_links(extra_text)
        entry = next((e for e in self.entries(bulletin) if e.item_id == item_id), None)
        if entry is None:
            raise KeyError(f"item {item_id} is not in bulletin {bulletin_id}")
        ticked = set(shown)
        own = [url for kind, _l, url, _s in entry.link_choices() if kind != "extra"]
        hidden = [url for url in own if url not in ticked]
        self.set_entry_links(bulletin_id, item_id, extra, hidden)

    def publish(
        self,
        bulletin_id: int,
        *,
        at: datetime,
        actor: str | None = None,
        links: dict[str, tuple[bool, bool, str]] | None = None,
        confirm_open: bool = False,
        note: str | None = None,
        base_url: str = "",
    ) -> Bulletin:
        """Freeze a draft (or a correction) as a new revision: every format rendered and
        stored with the item list, for good. Open checklist points refuse it
        (`OpenPointsError`) unless `confirm_open`, and are then stored as confirmed. A
        correction needs a `note` saying what changed. `base_url` is the public address the
        feed formats link to ($AGGREGATOR_PUBLIC_URL, else the request's own)."""
        bulletin = self.require_draft(bulletin_id)
        entries = self.entries(bulletin)
        if not entries:
            raise ValueError("nothing to publish: the bulletin has no items")
        note = " ".join((note or "").split()) or None
        if bulletin.revision > 0 and note is None:
            raise ValueError("a correction needs a note saying what was corrected")
        points = self.checklist(entries, links)
        if points and not confirm_open:
            raise OpenPointsError(points)
        # left-out items and second cluster members leave the stored item list too, so the
        # exports' feeds and files carry exactly the entries
        self.sync_items(bulletin_id, {e.item_id for e in entries}, lambda fresh: [])
        return self.store_published(
            bulletin_id,
            at=at,
            actor=actor,
            renderings=self.renderings(bulletin, entries, base_url),
            item_ids=[e.item_id for e in entries],
            section_order=self.section_order(bulletin, entries),
            note=note,
            confirmed=[point.message for point in points],
        )


def _placed(entries: Sequence[Entry]) -> list[tuple[str, Item, EntryExtras]]:
    return [(entry.section, entry.display_item, entry.extras) for entry in entries]


def html_document(title: str, fragment: str) -> str:
    """A whole page around a rendered fragment (for the .html download)."""
    return (
        '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body>\n{fragment}</body></html>\n"
    )
