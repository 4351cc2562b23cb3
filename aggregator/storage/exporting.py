"""The export selection: what `aggregator export` and the feeds read, streamed from the database.

`Repository.iter_export` runs one statement over `items` and `reviews` with a server-side
cursor (`yield_per`), in item-id order (the primary key, so the database streams it without
sorting) or in bulletin order, and fetches each batch's aliases, provenance and revision dates
on the same connection. Memory stays that of one batch, whatever the number of items.

Rules every export follows:
- the editor's title, summary and section win over the crawled ones;
- a withdrawn item is left out unless an editor kept it (`reviews.include_withdrawn`);
- the date shown for an item is the `updated` date of its last *substantive* version: a
  cosmetic revision (a "last updated" stamp bumped, see `aggregator.dedupe.changes`) does not move it.

Incremental delivery (`--consumer NAME`): the selection leaves out items already recorded in
`export_deliveries` for that consumer, and the caller records the ids it wrote only once the
output is complete, so a failed write sends them again and an item approved late is sent on
the next run. One export at a time per consumer: the export holds the consumer's lease
(`take_consumer_lease`) while it runs, and a second one stops with `ConsumerBusyError`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, cast

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
    inspect,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.dialects import postgresql

from aggregator.schema import Item
from aggregator.storage.models import ExportConsumerRow, ExportDeliveryRow

if TYPE_CHECKING:
    from aggregator.storage.repository import Repository

ExportStatus = Literal["approved", "new", "all"]
ExportOrder = Literal["id", "recent", "bulletin"]
"""id: oldest item first (streams on the primary key); recent: last reviewed first (feeds);
bulletin: by section (`ExportSelection.sections`), newest first within a section."""

EXPORT_STATUSES: tuple[str, ...] = ("approved", "new", "all")

_CONSUMERS = cast(Table, ExportConsumerRow.__table__)
_DELIVERIES = cast(Table, ExportDeliveryRow.__table__)


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
    edited_title: str | None = None
    edited_summary: str | None = None
    section: str | None = None
    """The bulletin section heading: the editor's, else the document type's (bulletin order
    only; otherwise the editor's or None)."""
    include_withdrawn: bool = False

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


def iter_export(
    repository: Repository, selection: ExportSelection, batch: int = 500
) -> Iterator[ExportRow]:
    """Stream the selected items (see `Repository.iter_export`)."""
    with repository.engine.connect() as conn:
        if selection.item_ids is not None and not selection.item_ids:
            return
        stmt = _select(conn, selection).execution_options(yield_per=batch)
        result = conn.execute(stmt)
        try:
            for rows in result.partitions():
                yield from _rows(repository, conn, [row._mapping for row in rows])
        finally:
            result.close()


def newest_change(repository: Repository, selection: ExportSelection) -> datetime | None:
    """The newest `ExportRow.modified` among the selected items (None when there are none)."""
    from aggregator.storage.repository import _REVISIONS

    with repository.engine.connect() as conn:
        chosen = _select(conn, selection).subquery()
        reviewed = conn.execute(select(func.max(chosen.c.reviewed_at))).scalar()
        changed = conn.execute(
            select(func.max(_REVISIONS.c.seen_at)).where(
                _REVISIONS.c.item_id.in_(select(chosen.c.id))
            )
        ).scalar()
    found = [value for value in (reviewed, changed) if value is not None]
    if not found:
        return None
    # func.max over a subquery loses the column's type on some backends: coerce to aware UTC.
    return max(_aware(value) for value in found)


def record_deliveries(
    repository: Repository, consumer: str, item_ids: Iterable[int], at: datetime
) -> int:
    """Record that `consumer` was sent these items (creating the consumer); how many were new."""
    from aggregator.storage.db import chunks, dialect_insert, write_transaction

    ids = sorted(set(item_ids))
    added = 0
    with write_transaction(repository.engine) as conn:
        _ensure_consumer(conn, consumer, at)
        for chunk in chunks(ids, 1000):
            result = conn.execute(
                dialect_insert(conn, _DELIVERIES).on_conflict_do_nothing(
                    index_elements=["consumer", "item_id"]
                ),
                [{"consumer": consumer, "item_id": i, "delivered_at": at} for i in chunk],
            )
            added += max(result.rowcount, 0)
    return added


CONSUMER_LEASE = timedelta(minutes=10)
"""How long an export holds its consumer without renewing: the longest a killed export keeps
the next one waiting. A running export renews it every `CONSUMER_LEASE_RENEWAL`."""
CONSUMER_LEASE_RENEWAL = timedelta(minutes=1)


class ConsumerBusyError(RuntimeError):
    """Another export to the same consumer is running (it holds the consumer's lease)."""


def take_consumer_lease(
    repository: Repository,
    consumer: str,
    owner: str,
    now: datetime,
    lease: timedelta = CONSUMER_LEASE,
) -> None:
    """Make `owner` the one export to `consumer` until `now + lease` (creating the consumer),
    in one atomic UPDATE; raises `ConsumerBusyError` if another export holds it."""
    from aggregator.storage.db import write_transaction

    with write_transaction(repository.engine) as conn:
        _ensure_consumer(conn, consumer, now)
        taken = conn.execute(
            _CONSUMERS.update()
            .where(
                _CONSUMERS.c.name == consumer,
                or_(_CONSUMERS.c.lease_until.is_(None), _CONSUMERS.c.lease_until <= now),
            )
            .values(lease_owner=owner, lease_until=now + lease)
        )
        if taken.rowcount == 1:
            return
        held_until = conn.execute(
            select(_CONSUMERS.c.lease_until).where(_CONSUMERS.c.name == consumer)
        ).scalar_one()
    raise ConsumerBusyError(
        f"another export to consumer {consumer!r} is running; try again after it ends "
        f"(its lease runs to {_aware(held_until):%Y-%m-%d %H:%M:%S} UTC if it stopped)"
    )


def renew_consumer_lease(
    repository: Repository, consumer: str, owner: str, until: datetime
) -> bool:
    """Move the end of `owner`'s lease on `consumer` to `until`; False if it lost the lease."""
    from aggregator.storage.db import write_transaction

    with write_transaction(repository.engine) as conn:
        renewed = conn.execute(
            _CONSUMERS.update()
            .where(_CONSUMERS.c.name == consumer, _CONSUMERS.c.lease_owner == owner)
            .values(lease_until=until)
        )
    return renewed.rowcount == 1


def release_consumer_lease(repository: Repository, consumer: str, owner: str) -> None:
    """End `owner`'s lease on `consumer` (nothing, if it no longer holds it)."""
    from aggregator.storage.db import write_transaction

    with write_transaction(repository.engine) as conn:
        conn.execute(
            _CONSUMERS.update()
            .where(_CONSUMERS.c.name == consumer, _CONSUMERS.c.lease_owner == owner)
            .values(lease_owner=None, lease_until=None)
        )


def delivered_ids(repository: Repository, consumer: str) -> set[int]:
    """The ids of every item `consumer` has been sent (tests and diagnostics)."""
    with repository.engine.connect() as conn:
        return set(
            conn.execute(
                select(_DELIVERIES.c.item_id).where(_DELIVERIES.c.consumer == consumer)
            ).scalars()
        )


@dataclass(frozen=True)
class BulletinInfo:
    """A stored bulletin, as an export needs it."""

    id: int
    title: str
    status: str  # "draft" or "published"
    section_order: list[str]


def bulletin_info(repository: Repository, bulletin_id: int) -> BulletinInfo:
    """The bulletin the review app stored under this id; KeyError("no bulletin N") if none
    (also on a database whose schema has no bulletins yet)."""
    with repository.engine.connect() as conn:
        found = _bulletin_row(conn, bulletin_id)
    return BulletinInfo(
        id=found.id,
        title=found.title,
        status=found.status,
        section_order=[str(name) for name in found.section_order or []],
    )


def _bulletin_row(conn: Connection, bulletin_id: int) -> Any:
    if "bulletins" not in inspect(conn).get_table_names():
        raise KeyError(f"no bulletin {bulletin_id}")
    from aggregator.storage.models import BulletinRow

    bulletins = cast(Table, BulletinRow.__table__)
    found = conn.execute(select(bulletins).where(bulletins.c.id == bulletin_id)).first()
    if found is None:
        raise KeyError(f"no bulletin {bulletin_id}")
    return found


# --- the statement ---------------------------------------------------------------------------


def _select(conn: Connection, selection: ExportSelection) -> Select[Any]:
    from aggregator.storage.repository import _ITEMS, _REVIEWS

    status = func.coalesce(_REVIEWS.c.status, "new")
    keep_withdrawn = func.coalesce(_REVIEWS.c.include_withdrawn, false())
    reviewed_at = func.coalesce(_REVIEWS.c.updated_at, _ITEMS.c.first_seen)
    edited_summary: ColumnElement[Any] = _REVIEWS.c.edited_summary
    heading: ColumnElement[Any] | None = None
    composed: Table | None = None
    section_order: list[str] = []
    if selection.bulletin_id is not None:
        from aggregator.storage.models import BulletinItemRow

        section_order = [
            str(name) for name in _bulletin_row(conn, selection.bulletin_id).section_order or []
        ]
        composed = cast(Table, BulletinItemRow.__table__)
        heading = composed.c.section
        edited_summary = func.coalesce(composed.c.summary_override, _REVIEWS.c.edited_summary)
    elif selection.order == "bulletin":
        heading = _section_heading(selection.sections)
    columns: list[Any] = [
        _ITEMS,
        status.label("review_status"),
        _REVIEWS.c.edited_title,
        edited_summary.label("edited_summary"),
        _REVIEWS.c.section.label("editor_section"),
        keep_withdrawn.label("keep_withdrawn"),
        reviewed_at.label("reviewed_at"),
    ]
    if heading is not None:
        columns.append(heading.label("bulletin_section"))
    stmt = select(*columns).outerjoin(_REVIEWS, _REVIEWS.c.item_id == _ITEMS.c.id)
    if composed is not None:
        stmt = stmt.join(
            composed,
            and_(
                composed.c.item_id == _ITEMS.c.id,
                composed.c.bulletin_id == selection.bulletin_id,
            ),
        )

    if selection.status != "all":
        stmt = stmt.where(status == selection.status)
    stmt = stmt.where(or_(_ITEMS.c.withdrawn.is_(None), keep_withdrawn == true()))
    if selection.source is not None:
        stmt = stmt.where(_ITEMS.c.source == selection.source)
    if selection.since is not None:
        stmt = stmt.where(_ITEMS.c.first_seen >= selection.since)
    if selection.topic is not None:
        stmt = stmt.where(_has_topic(conn, selection.topic))
    if selection.item_ids is not None:
        stmt = stmt.where(_ITEMS.c.id.in_(list(selection.item_ids)))
    if selection.consumer is not None:
        stmt = stmt.where(
            ~exists().where(
                and_(
                    _DELIVERIES.c.consumer == selection.consumer,
                    _DELIVERIES.c.item_id == _ITEMS.c.id,
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
        stmt = stmt.order_by(rank, composed.c.section, composed.c.position, _ITEMS.c.id)
    elif selection.order == "id":
        stmt = stmt.order_by(_ITEMS.c.id)
    elif selection.order == "recent":
        stmt = stmt.order_by(reviewed_at.desc(), _ITEMS.c.id.desc())
    else:
        assert heading is not None
        names = [name for name, _kinds in selection.sections]
        rank = case({name: position + 1 for position, name in enumerate(names)}, value=heading)
        sort_date = func.coalesce(
            _ITEMS.c.event_start, _ITEMS.c.updated, _ITEMS.c.published, _ITEMS.c.first_seen
        )
        stmt = stmt.order_by(func.coalesce(rank, 0), heading, sort_date.desc(), _ITEMS.c.id.desc())
    if selection.limit is not None:
        stmt = stmt.limit(selection.limit)
    return stmt


def _section_heading(sections: Sequence[tuple[str, Collection[str]]]) -> ColumnElement[Any]:
    from aggregator.storage.repository import _ITEMS, _REVIEWS

    by_type = {str(kind): name for name, kinds in sections for kind in kinds}
    fallback = sections[-1][0]
    by_doc_type = case(by_type, value=_ITEMS.c.doc_type, else_=fallback)
    return func.coalesce(func.nullif(func.trim(_REVIEWS.c.section), ""), by_doc_type)


def _has_topic(conn: Connection, topic: str) -> ColumnElement[bool]:
    from aggregator.storage.repository import _ITEMS

    if conn.dialect.name == "postgresql":
        return func.cast(_ITEMS.c.topics, postgresql.JSONB).contains([topic])
    return text(
        "EXISTS (SELECT 1 FROM json_each(items.topics) AS t WHERE t.value = :export_topic)"
    ).bindparams(bindparam("export_topic", topic))  # type: ignore[return-value]


# --- rows -------------------------------------------------------------------------------------


def _rows(repository: Repository, conn: Connection, rows: list[Any]) -> Iterator[ExportRow]:
    from aggregator.storage.repository import _item_from_columns

    ids = [row["id"] for row in rows]
    aliases, provenance = repository._children(conn, ids)
    changed_at, updated_at, shown = _revision_dates(conn, ids)
    for row in rows:
        item = _item_from_columns(row, aliases.get(row["id"], []), provenance.get(row["id"], []))
        item_id = row["id"]
        section = row.get("bulletin_section") or row["editor_section"]
        yield ExportRow(
            id=item_id,
            item=item,
            status=row["review_status"],
            reviewed_at=_aware(row["reviewed_at"]),
            changed_at=changed_at.get(item_id),
            updated_at=updated_at.get(item_id),
            shown_updated=shown.get(item_id, item.updated),
            edited_title=row["edited_title"],
            edited_summary=row["edited_summary"],
            section=section,
            include_withdrawn=bool(row["keep_withdrawn"]),
        )


def _revision_dates(
    conn: Connection, ids: Sequence[int]
) -> tuple[dict[int, datetime], dict[int, datetime], dict[int, datetime | None]]:
    """Per item: when its newest revision was seen, when its newest substantive update was
    seen, and, for items whose newest revisions are cosmetic, the `updated` date of their last
    substantive version."""
    from aggregator.storage.db import chunks
    from aggregator.storage.repository import _LOOKUP_CHUNK, _REVISIONS

    changed_at: dict[int, datetime] = {}
    updated_at: dict[int, datetime] = {}
    restore: dict[int, int] = {}  # item id -> id of its last substantive revision
    is_cosmetic = _REVISIONS.c.kind == "cosmetic"
    for chunk in chunks(list(ids), _LOOKUP_CHUNK):
        query = (
            select(
                _REVISIONS.c.item_id,
                func.max(_REVISIONS.c.seen_at),
                func.max(case((_REVISIONS.c.kind == "update", _REVISIONS.c.seen_at))),
                func.max(case((is_cosmetic, _REVISIONS.c.id))),
                func.max(case((~is_cosmetic, _REVISIONS.c.id))),
            )
            .where(_REVISIONS.c.item_id.in_(chunk))
            .group_by(_REVISIONS.c.item_id)
        )
        for item_id, seen_at, update_seen_at, last_cosmetic, last_substantive in conn.execute(
            query
        ):
            if seen_at is not None:
                changed_at[item_id] = _aware(seen_at)
            if update_seen_at is not None:
                updated_at[item_id] = _aware(update_seen_at)
            if last_cosmetic is not None and last_cosmetic > (last_substantive or 0):
                restore[item_id] = last_substantive
    shown: dict[int, datetime | None] = {}
    if restore:
        by_revision = {revision: item for item, revision in restore.items()}
        query = select(_REVISIONS.c.id, _REVISIONS.c.snapshot).where(
            _REVISIONS.c.id.in_(list(by_revision))
        )
        for row in conn.execute(query):
            revision_id: int = row[0]
            stored: dict[str, Any] = dict(row[1] or {})
            value: str | None = stored.get("updated")
            shown[by_revision[revision_id]] = _parse_iso(value) if value else None
    return changed_at, updated_at, shown


def _ensure_consumer(conn: Connection, consumer: str, at: datetime) -> None:
    from aggregator.storage.db import dialect_insert

    conn.execute(
        dialect_insert(conn, _CONSUMERS).on_conflict_do_nothing(index_elements=["name"]),
        [{"name": consumer, "created_at": at}],
    )


def _parse_iso(value: str) -> datetime:
    return _aware(datetime.fromisoformat(value.replace("Z", "+00:00")))


def _aware(value: Any) -> datetime:
    """An aware UTC datetime from what a driver gives back (SQLite aggregates give text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if not isinstance(value, datetime):
        raise TypeError(f"not a datetime: {value!r}")
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
