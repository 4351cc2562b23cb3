"""The export selection: what `aggregator export` and the feeds read, streamed from the database.

`ExportReader.iter_export` (a part of `Repository`) runs one statement over `items` and
`reviews` with a server-side cursor (`yield_per`), in item-id order (the primary key, so the
database streams it without sorting) or in bulletin order, and fetches each batch's aliases,
provenance and revision dates on the same connection. Memory stays that of one batch,
whatever the number of items.

Rules every export follows:
- the editor's title, summary and section win over the crawled ones;
- a withdrawn item is left out unless an editor kept it (`reviews.include_withdrawn`);
- the date shown for an item is the `updated` date of its last *substantive* version: a
  cosmetic revision (a "last updated" stamp bumped, see `aggregator.dedupe.changes`) does not
  move it.

Incremental delivery (`--consumer NAME`): the selection leaves out items already recorded in
`export_deliveries` for that consumer, and the caller records the ids it wrote only once the
output is complete, so a failed write sends them again and an item approved late is sent on
the next run. One export at a time per consumer: the export holds the consumer's lease
(`take_consumer_lease`) while it runs, and a second one stops with `ConsumerBusyError`; the
consumers, their deliveries and leases are `export_consumers`'.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Table,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.dialects import postgresql

from aggregator.schema import Item
from aggregator.storage.bulk import LOOKUP_CHUNK, chunks
from aggregator.storage.bulletins import bulletin_row
from aggregator.storage.db import StoreBase, aware_utc
from aggregator.storage.rows import children, item_from_columns
from aggregator.storage.tables import (
    BULLETIN_ITEMS,
    CLUSTER_MEMBERS,
    CLUSTERS,
    EXPORT_DELIVERIES,
    ITEMS,
    REVIEW_EVENTS,
    REVIEWS,
    REVISIONS,
)

ExportStatus = Literal["approved", "new", "all"]
ExportOrder = Literal["id", "recent", "bulletin"]
"""id: oldest item first (streams on the primary key); recent: last reviewed first (feeds);
bulletin: by section (`ExportSelection.sections`), newest first within a section."""

EXPORT_STATUSES: tuple[str, ...] = ("approved", "new", "all")


@dataclass(frozen=True)
class ExportSelection:
    """Which items an export takes.

    `since` keeps items first seen at or after it (as `aggregator items --since`); `consumer`
    leaves out what that consumer has already been sent; `item_ids` restricts to a bulletin's
    items; `limit` keeps the first N in `order`.
    """

    status: ExportStatus = "approved"
    source: str | None = None
    topic: str | None = None
    since: datetime | None = None
    consumer: str | None = None
    item_ids: Sequence[int] | None = None
    bulletin_id: int | None = None
    """A stored bulletin's items (`bulletins`, `bulletin_items`, made by the review app), in
    its own section order and positions, with its sections and summary overrides; this
    overrides `order`."""
    order: ExportOrder = "id"
    limit: int | None = None
    sections: Sequence[tuple[str, Collection[str]]] = ()
    """For `order="bulletin"`: (heading, document types) in section order. An editor's own
    section heading that is none of these comes first, alphabetically."""

    def __post_init__(self) -> None:
        if self.status not in EXPORT_STATUSES:
            raise ValueError(f"unknown status {self.status!r}: expected one of {EXPORT_STATUSES}")
        if self.since is not None and (self.since.tzinfo is None or self.since.utcoffset() is None):
            raise ValueError(f"since must be a timezone-aware datetime, got {self.since!r}")
        if self.order == "bulletin" and not self.sections:
            raise ValueError("bulletin order needs the bulletin's sections")


@dataclass(frozen=True)
class ViaSighting:
    """Another source's sighting of an exported item's publication (same cross-source
    cluster): shown as a "via" line under the entry, never as an entry of its own."""

    item_id: int
    publisher: str
    title: str
    url: str
    doc_type: str


@dataclass(frozen=True)
class ExportRow:
    """One exported item: the crawled item, the editor's state beside it, and its dates."""

    id: int
    item: Item
    status: str
    reviewed_at: datetime
    """When the review state last changed (approval, an edit): `reviews.updated_at`."""
    changed_at: datetime | None
    """When our copy last changed (the newest revision, substantive or cosmetic)."""
    shown_updated: datetime | None
    """The upstream `updated` date of the last substantive version (None if it had none)."""
    updated_at: datetime | None = None
    """When we last saw a substantive update of it (the newest "update" revision), if ever."""
    edited_at: datetime | None = None
    """When an editor last edited it (title, summary or section): a correction readers must
    see, so feeds' `updated` moves with it."""
    approved_at: datetime | None = None
    """When an editor last approved it (the newest "approve" in the audit record); None if
    it was never approved through the review record."""
    edited_title: str | None = None
    edited_summary: str | None = None
    section: str | None = None
    """The bulletin section heading: the editor's, else the document type's (bulletin order
    only; otherwise the editor's or None)."""
    include_withdrawn: bool = False
    via: tuple[ViaSighting, ...] = ()
    """The other sightings of its publication (its cross-source cluster's other members,
    rejected ones left out), publisher of record first."""
    folded_ids: tuple[int, ...] = ()
    """Other members of its cluster that the selection also took: they are this entry,
    not entries of their own (an export to a consumer records them as sent with it)."""

    @property
    def title(self) -> str:
        return self.edited_title or self.item.title

    @property
    def summary(self) -> str:
        return self.edited_summary or self.item.summary

    @property
    def modified(self) -> datetime:
        """The newest of the review change and the content change (feeds' Last-Modified)."""
        if self.changed_at is not None and self.changed_at > self.reviewed_at:
            return self.changed_at
        return self.reviewed_at

    @property
    def original_key(self) -> str:
        """The first key the item was stored under (kept as the alias "key:<old>" when the key
        changed): stable identities (Atom ids) are built from it."""
        for alias in self.item.aliases:
            if alias.startswith("key:"):
                return alias[len("key:") :]
        return self.item.key

    def display_item(self) -> Item:
        """The item as bulletins and feeds show it: the editor's title and summary, and the
        update date of its last substantive version."""
        return dataclasses.replace(
            self.item, title=self.title, summary=self.summary, updated=self.shown_updated
        )


class ExportReader(StoreBase):
    """Reading what an export selects."""

    def iter_export(self, selection: ExportSelection, batch: int = 500) -> Iterator[ExportRow]:
        """Stream the items an export selects, with the editor's edits beside each one.

        One statement with a server-side cursor (`yield_per`), in item-id order unless
        `selection.order` says otherwise; aliases, provenance and revision dates are read per
        batch, so memory stays that of one batch. Withdrawn items are left out unless an
        editor kept them; with `selection.consumer`, so is what that consumer already has.
        """
        with self.engine.connect() as conn:
            if selection.item_ids is not None and not selection.item_ids:
                return
            stmt = _select(conn, selection).execution_options(yield_per=batch)
            result = conn.execute(stmt)
            try:
                for rows in result.partitions():
                    yield from _rows(conn, [row._mapping for row in rows], selection)
            finally:
                result.close()

    def export_count(self, selection: ExportSelection) -> int:
        """How many items the selection takes (a cluster's members each count): the total a
        progress display counts up to."""
        with self.engine.connect() as conn:
            if selection.item_ids is not None and not selection.item_ids:
                return 0
            chosen = _select(conn, selection).subquery()
            return int(conn.execute(select(func.count()).select_from(chosen)).scalar() or 0)

    def export_newest_change(self, selection: ExportSelection) -> datetime | None:
        """The newest review or content change among the selected items (feeds' updated):
        the newest `ExportRow.modified`, None when nothing is selected."""
        with self.engine.connect() as conn:
            chosen = _select(conn, selection).subquery()
            reviewed = conn.execute(select(func.max(chosen.c.reviewed_at))).scalar()
            changed = conn.execute(
                select(func.max(REVISIONS.c.seen_at)).where(
                    REVISIONS.c.item_id.in_(select(chosen.c.id))
                )
            ).scalar()
        found = [value for value in (reviewed, changed) if value is not None]
        if not found:
            return None
        # func.max over a subquery loses the column's type on some backends: coerce to aware UTC.
        return max(aware_utc(value) for value in found)


# --- the statement ---------------------------------------------------------------------------


def _select(conn: Connection, selection: ExportSelection) -> Select[Any]:
    status = func.coalesce(REVIEWS.c.status, "new")
    keep_withdrawn = func.coalesce(REVIEWS.c.include_withdrawn, false())
    reviewed_at = func.coalesce(REVIEWS.c.updated_at, ITEMS.c.first_seen)
    edited_summary: ColumnElement[Any] = REVIEWS.c.edited_summary
    heading: ColumnElement[Any] | None = None
    composed: Table | None = None
    section_order: list[str] = []
    if selection.bulletin_id is not None:
        section_order = [
            str(name) for name in bulletin_row(conn, selection.bulletin_id).section_order or []
        ]
        composed = BULLETIN_ITEMS
        heading = composed.c.section
        edited_summary = func.coalesce(composed.c.summary_override, REVIEWS.c.edited_summary)
    elif selection.order == "bulletin":
        heading = _section_heading(selection.sections)
    columns: list[Any] = [
        ITEMS,
        status.label("review_status"),
        REVIEWS.c.edited_title,
        edited_summary.label("edited_summary"),
        REVIEWS.c.section.label("editor_section"),
        keep_withdrawn.label("keep_withdrawn"),
        reviewed_at.label("reviewed_at"),
    ]
    if heading is not None:
        columns.append(heading.label("bulletin_section"))
    stmt = select(*columns).outerjoin(REVIEWS, REVIEWS.c.item_id == ITEMS.c.id)
    if composed is not None:
        stmt = stmt.join(
            composed,
            and_(
                composed.c.item_id == ITEMS.c.id,
                composed.c.bulletin_id == selection.bulletin_id,
            ),
        )

    if selection.status != "all":
        stmt = stmt.where(status == selection.status)
    stmt = stmt.where(or_(ITEMS.c.withdrawn.is_(None), keep_withdrawn == true()))
    if selection.source is not None:
        stmt = stmt.where(ITEMS.c.source == selection.source)
    if selection.since is not None:
        stmt = stmt.where(ITEMS.c.first_seen >= selection.since)
    if selection.topic is not None:
        stmt = stmt.where(_has_topic(conn, selection.topic))
    if selection.item_ids is not None:
        stmt = stmt.where(ITEMS.c.id.in_(list(selection.item_ids)))
    if selection.consumer is not None:
        stmt = stmt.where(
            ~exists().where(
                and_(
                    EXPORT_DELIVERIES.c.consumer == selection.consumer,
                    EXPORT_DELIVERIES.c.item_id == ITEMS.c.id,
                )
            )
        )

    if composed is not None:
        # the bulletin's own order: its sections in order (any not listed after them), then
        # each item's position in its section
        rank = case(
            {name: position for position, name in enumerate(section_order)},
            value=composed.c.section,
            else_=len(section_order),
        )
        stmt = stmt.order_by(rank, composed.c.section, composed.c.position, ITEMS.c.id)
    elif selection.order == "id":
        stmt = stmt.order_by(ITEMS.c.id)
    elif selection.order == "recent":
        stmt = stmt.order_by(reviewed_at.desc(), ITEMS.c.id.desc())
    else:
        assert heading is not None
        names = [name for name, _kinds in selection.sections]
        rank = case({name: position + 1 for position, name in enumerate(names)}, value=heading)
        sort_date = func.coalesce(
            ITEMS.c.event_start, ITEMS.c.updated, ITEMS.c.published, ITEMS.c.first_seen
        )
        stmt = stmt.order_by(func.coalesce(rank, 0), heading, sort_date.desc(), ITEMS.c.id.desc())
    if selection.limit is not None:
        stmt = stmt.limit(selection.limit)
    return stmt


def _section_heading(sections: Sequence[tuple[str, Collection[str]]]) -> ColumnElement[Any]:
    by_type = {str(kind): name for name, kinds in sections for kind in kinds}
    fallback = sections[-1][0]
    by_doc_type = case(by_type, value=ITEMS.c.doc_type, else_=fallback)
    return func.coalesce(func.nullif(func.trim(REVIEWS.c.section), ""), by_doc_type)


def _has_topic(conn: Connection, topic: str) -> ColumnElement[bool]:
    if conn.dialect.name == "postgresql":
        return func.cast(ITEMS.c.topics, postgresql.JSONB).contains([topic])
    return text(
        "EXISTS (SELECT 1 FROM json_each(items.topics) AS t WHERE t.value = :export_topic)"
    ).bindparams(bindparam("export_topic", topic))  # type: ignore[return-value]


# --- rows -------------------------------------------------------------------------------------


def _rows(conn: Connection, rows: list[Any], selection: ExportSelection) -> Iterator[ExportRow]:
    folding = _fold_clusters(conn, [row["id"] for row in rows], selection)
    rows = [row for row in rows if row["id"] not in folding.skipped]
    ids = [row["id"] for row in rows]
    aliases, provenance = children(conn, ids)
    changed_at, updated_at, shown = _revision_dates(conn, ids)
    edited_at = _event_dates(conn, ids, "edit")
    approved_at = _event_dates(conn, ids, "approve")
    for row in rows:
        item = item_from_columns(row, aliases.get(row["id"], []), provenance.get(row["id"], []))
        item_id = row["id"]
        section = row.get("bulletin_section") or row["editor_section"]
        yield ExportRow(
            id=item_id,
            item=item,
            status=row["review_status"],
            reviewed_at=aware_utc(row["reviewed_at"]),
            changed_at=changed_at.get(item_id),
            updated_at=updated_at.get(item_id),
            edited_at=edited_at.get(item_id),
            approved_at=approved_at.get(item_id),
            shown_updated=shown.get(item_id, item.updated),
            edited_title=row["edited_title"],
            edited_summary=row["edited_summary"],
            section=section,
            include_withdrawn=bool(row["keep_withdrawn"]),
            via=folding.via.get(item_id, ()),
            folded_ids=folding.folded.get(item_id, ()),
        )


@dataclass
class _Folding:
    """How a batch's cross-source clusters become single entries."""

    skipped: set[int] = dataclasses.field(default_factory=set)
    via: dict[int, tuple[ViaSighting, ...]] = dataclasses.field(default_factory=dict)
    folded: dict[int, tuple[int, ...]] = dataclasses.field(default_factory=dict)


def _fold_clusters(conn: Connection, ids: Sequence[int], selection: ExportSelection) -> _Folding:
    """One entry per cross-source cluster: the publisher of record's item when the selection
    takes it, else the selected member with the lowest id; the other members become its via
    sightings, and selected ones are skipped wherever they come in the stream (the choice
    depends only on the cluster and the selection, so every batch makes the same one)."""
    folding = _Folding()
    held = conn.execute(
        select(CLUSTER_MEMBERS.c.cluster_id, CLUSTERS.c.publisher_item_id)
        .join(CLUSTERS, CLUSTERS.c.id == CLUSTER_MEMBERS.c.cluster_id)
        .where(CLUSTER_MEMBERS.c.item_id.in_(list(ids)))
    ).all()
    if not held:
        return folding
    publisher_of = {cluster_id: publisher for cluster_id, publisher in held}
    members: dict[int, list[int]] = {}
    for cluster_id, member in conn.execute(
        select(CLUSTER_MEMBERS.c.cluster_id, CLUSTER_MEMBERS.c.item_id)
        .where(CLUSTER_MEMBERS.c.cluster_id.in_(sorted(publisher_of)))
        .order_by(CLUSTER_MEMBERS.c.added_at, CLUSTER_MEMBERS.c.item_id)
    ):
        members.setdefault(cluster_id, []).append(member)
    everyone = sorted({member for found in members.values() for member in found})
    # which members this same selection takes (ignoring its limit)
    chosen = _select(conn, dataclasses.replace(selection, item_ids=everyone, limit=None))
    taken = set(conn.execute(select(chosen.subquery().c.id)).scalars())
    shown = {
        row.id: row
        for row in conn.execute(
            select(
                ITEMS.c.id,
                ITEMS.c.publisher,
                func.coalesce(REVIEWS.c.edited_title, ITEMS.c.title).label("title"),
                ITEMS.c.url,
                ITEMS.c.doc_type,
            )
            .outerjoin(REVIEWS, REVIEWS.c.item_id == ITEMS.c.id)
            .where(
                ITEMS.c.id.in_(everyone),
                func.coalesce(REVIEWS.c.status, "new") != "rejected",
                or_(ITEMS.c.withdrawn.is_(None), REVIEWS.c.include_withdrawn == true()),
            )
        )
    }
    for cluster_id, found in members.items():
        selected = [member for member in found if member in taken]
        if not selected:
            continue
        lead = publisher_of[cluster_id]
        if lead not in taken:
            lead = min(selected)
        folding.skipped.update(member for member in selected if member != lead)
        folding.folded[lead] = tuple(member for member in selected if member != lead)
        others = sorted(
            (member for member in found if member != lead and member in shown),
            key=lambda member: (member != publisher_of[cluster_id], found.index(member)),
        )
        folding.via[lead] = tuple(
            ViaSighting(
                member,
                shown[member].publisher,
                shown[member].title,
                shown[member].url,
                str(shown[member].doc_type),
            )
            for member in others
        )
    return folding


def _event_dates(conn: Connection, ids: Sequence[int], action: str) -> dict[int, datetime]:
    """Per item: when an editor last took `action` on it (the newest such event in the audit
    record): "edit" for corrections, "approve" for approvals."""
    found: dict[int, datetime] = {}
    for chunk in chunks(list(ids), LOOKUP_CHUNK):
        query = (
            select(REVIEW_EVENTS.c.item_id, func.max(REVIEW_EVENTS.c.at))
            .where(REVIEW_EVENTS.c.item_id.in_(chunk), REVIEW_EVENTS.c.action == action)
            .group_by(REVIEW_EVENTS.c.item_id)
        )
        for item_id, at in conn.execute(query):
            found[item_id] = aware_utc(at)
    return found


def _revision_dates(
    conn: Connection, ids: Sequence[int]
) -> tuple[dict[int, datetime], dict[int, datetime], dict[int, datetime | None]]:
    """Per item: when its newest revision was seen, when its newest substantive update was
    seen, and, for items whose newest revisions are cosmetic, the `updated` date of their last
    substantive version."""
    changed_at: dict[int, datetime] = {}
    updated_at: dict[int, datetime] = {}
    restore: dict[int, int] = {}  # item id -> id of its last substantive revision
    is_cosmetic = REVISIONS.c.kind == "cosmetic"
    for chunk in chunks(list(ids), LOOKUP_CHUNK):
        query = (
            select(
                REVISIONS.c.item_id,
                func.max(REVISIONS.c.seen_at),
                func.max(case((REVISIONS.c.kind == "update", REVISIONS.c.seen_at))),
                func.max(case((is_cosmetic, REVISIONS.c.id))),
                func.max(case((~is_cosmetic, REVISIONS.c.id))),
            )
            .where(REVISIONS.c.item_id.in_(chunk))
            .group_by(REVISIONS.c.item_id)
        )
        for item_id, seen_at, update_seen_at, last_cosmetic, last_substantive in conn.execute(
            query
        ):
            if seen_at is not None:
                changed_at[item_id] = aware_utc(seen_at)
            if update_seen_at is not None:
                updated_at[item_id] = aware_utc(update_seen_at)
            if last_cosmetic is not None and last_cosmetic > (last_substantive or 0):
                restore[item_id] = last_substantive
    shown: dict[int, datetime | None] = {}
    if restore:
        by_revision = {revision: item for item, revision in restore.items()}
        query = select(REVISIONS.c.id, REVISIONS.c.snapshot).where(
            REVISIONS.c.id.in_(list(by_revision))
        )
        for row in conn.execute(query):
            revision_id: int = row[0]
            stored: dict[str, Any] = dict(row[1] or {})
            value: str | None = stored.get("updated")
            shown[by_revision[revision_id]] = _parse_iso(value) if value else None
    return changed_at, updated_at, shown


def _parse_iso(value: str) -> datetime:
    return aware_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
