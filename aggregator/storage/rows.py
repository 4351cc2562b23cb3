"""Item <-> row: how an `Item` becomes `items` columns and back, and the snapshots of versions.

An item is stored as one `items` row (its crawl-written fields, as columns of the same names)
plus its aliases (`item_aliases`) and provenance (`sightings`); its review state lives beside
it in `reviews`. Every store that reads items builds them here, so there is one mapping.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, false, func, select, true

from aggregator.schema import (
    Attachment,
    DocType,
    Item,
    Link,
    Precision,
    Sighting,
    date_json,
    field_names,
    jsonable,
)
from aggregator.storage.bulk import LOOKUP_CHUNK, chunks
from aggregator.storage.tables import ALIASES, ITEMS, REVIEWS, SIGHTINGS
from aggregator.storage.values import RevisionKind, StoredItem

KEY_ALIAS_PREFIX = "key:"
"""When an item's key changes, its old key is kept as the alias "key:<old>"."""

ITEM_FIELD_NAMES: tuple[str, ...] = tuple(field_names())


def columns_from_item(item: Item) -> dict[str, Any]:
    """The crawl-written columns of `items` for an Item (not first/last seen, not the hash)."""
    return {
        "source": item.source,
        "key": item.key,
        "publisher": item.publisher,
        "title": item.title,
        "url": item.url,
        "summary": item.summary,
        "doc_type": DocType(item.doc_type).value,
        "topics": list(item.topics),
        "nations": list(item.nations),
        "published": item.published,
        "published_precision": Precision(item.published_precision).value,
        "updated": item.updated,
        "change_note": item.change_note,
        "event_start": item.event_start,
        "event_end": item.event_end,
        "event_precision": Precision(item.event_precision).value,
        "release_state": item.release_state,
        "opens": item.opens,
        "closes": item.closes,
        # what dataclasses.asdict gives for these flat dataclasses, without its deep copy
        "attachments": [
            {"title": a.title, "url": a.url, "media_type": a.media_type, "size": a.size}
            for a in item.attachments
        ],
        "links": [{"label": link.label, "url": link.url} for link in item.links],
        "withdrawn": item.withdrawn,
        "withdrawn_reason": item.withdrawn_reason,
    }


def item_from_columns(
    values: Mapping[Any, Any], aliases: Sequence[str], provenance: Sequence[Sighting]
) -> Item:
    """The Item an `items` row holds, with its aliases and provenance."""
    return Item(
        key=values["key"],
        source=values["source"],
        publisher=values["publisher"],
        title=values["title"],
        url=values["url"],
        summary=values["summary"],
        doc_type=DocType(values["doc_type"]),
        topics=list(values["topics"]),
        nations=list(values["nations"]),
        published=values["published"],
        published_precision=Precision(values["published_precision"]),
        updated=values["updated"],
        change_note=values["change_note"],
        first_seen=values["first_seen"],
        last_seen=values["last_seen"],
        event_start=values["event_start"],
        event_end=values["event_end"],
        event_precision=Precision(values["event_precision"]),
        release_state=values["release_state"],
        opens=values["opens"],
        closes=values["closes"],
        attachments=[Attachment(**a) for a in values["attachments"]],
        links=[Link(**link) for link in values["links"]],
        provenance=list(provenance),
        aliases=list(aliases),
        withdrawn=values["withdrawn"],
        withdrawn_reason=values["withdrawn_reason"],
    )


def with_review() -> Select[Any]:
    """Items joined to their review state (an item without a review row reads as new)."""
    return select(
        ITEMS,
        func.coalesce(REVIEWS.c.status, "new").label("review_status"),
        func.coalesce(REVIEWS.c.needs_review, true()).label("review_needed"),
        REVIEWS.c.reason.label("review_reason"),
        REVIEWS.c.edited_title,
        REVIEWS.c.edited_summary,
        REVIEWS.c.section,
        func.coalesce(REVIEWS.c.include_withdrawn, false()).label("keep_withdrawn"),
    ).outerjoin(REVIEWS, REVIEWS.c.item_id == ITEMS.c.id)


def stored_item(
    row: Mapping[Any, Any],
    aliases: Mapping[int, list[str]],
    provenance: Mapping[int, list[Sighting]],
) -> StoredItem:
    """A `StoredItem` from a row of `with_review()` and its item's children."""
    return StoredItem(
        id=row["id"],
        item=item_from_columns(row, aliases.get(row["id"], []), provenance.get(row["id"], [])),
        status=row["review_status"],
        needs_review=bool(row["review_needed"]),
        content_hash=row["content_hash"],
        reason=row["review_reason"],
        edited_title=row["edited_title"],
        edited_summary=row["edited_summary"],
        section=row["section"],
        include_withdrawn=bool(row["keep_withdrawn"]),
    )


def children(
    conn: Connection, item_ids: Sequence[int]
) -> tuple[dict[int, list[str]], dict[int, list[Sighting]]]:
    """The aliases and the provenance of these items, by item id, in the order stored."""
    aliases: dict[int, list[str]] = {}
    provenance: dict[int, list[Sighting]] = {}
    for id_chunk in chunks(list(item_ids), LOOKUP_CHUNK):
        alias_rows = conn.execute(
            select(ALIASES.c.item_id, ALIASES.c.alias)
            .where(ALIASES.c.item_id.in_(id_chunk))
            .order_by(ALIASES.c.id)
        )
        for item_id, alias in alias_rows:
            aliases.setdefault(item_id, []).append(alias)
        sighting_rows = conn.execute(
            select(
                SIGHTINGS.c.item_id,
                SIGHTINGS.c.source,
                SIGHTINGS.c.url,
                SIGHTINGS.c.last_fetched_at,
            )
            .where(SIGHTINGS.c.item_id.in_(id_chunk))
            .order_by(SIGHTINGS.c.id)
        )
        for item_id, source, url, fetched_at in sighting_rows:
            provenance.setdefault(item_id, []).append(Sighting(source, url, fetched_at))
    return aliases, provenance


# --- snapshots of versions ------------------------------------------------------------------


def revision_values(
    item: Item,
    values: Mapping[str, Any],
    seen_at: datetime,
    kind: RevisionKind,
    changed: tuple[str, ...],
) -> dict[str, Any]:
    """The columns of a revision recording `item` (first and last seen from `values`)."""
    return {
        "seen_at": seen_at,
        "kind": kind,
        "change_note": item.change_note,
        "snapshot": snapshot(item, values["first_seen"], values["last_seen"]),
        "changed_fields": list(changed),
    }


_JSON_FIELDS = {
    cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in (Attachment, Link, Sighting)
}
_SCALARS = (str, int, float, bool, type(None))


def snapshot(item: Item, first_seen: datetime, last_seen: datetime) -> dict[str, Any]:
    """`dataclasses.replace(item, first_seen=…, last_seen=…).to_json()`, without the copy and
    the per-value `dataclasses.fields` calls: the same keys in the same order, and every value
    that is not a plain scalar, list or one of the schema's own dataclasses goes through the
    schema's `jsonable` itself (datetimes, enums), so the result is identical."""
    found = {}
    for name in ITEM_FIELD_NAMES:
        if name == "first_seen":
            value: Any = first_seen
        elif name == "last_seen":
            value = last_seen
        else:
            value = getattr(item, name)
        found[name] = _json_value(value)
    # calendar dates are written as dates, by their precision, as `Item.to_json` does
    found["published"] = date_json(item.published, item.published_precision)
    found["event_start"] = date_json(item.event_start, item.event_precision)
    return found


def row_snapshot(
    values: Mapping[Any, Any], aliases: Sequence[str], provenance: Sequence[Sighting]
) -> dict[str, Any]:
    """The snapshot of an item's first version, from its stored row (unchanged since):
    seen, first and last, when it was first seen."""
    public_aliases = [alias for alias in aliases if not alias.startswith(KEY_ALIAS_PREFIX)]
    item = item_from_columns(values, public_aliases, provenance)
    return snapshot(item, values["first_seen"], values["first_seen"])


def _json_value(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is list:
        return [_json_value(v) for v in value]
    names = _JSON_FIELDS.get(kind)
    if names is not None:
        return {name: _json_value(getattr(value, name)) for name in names}
    return jsonable(value)
