"""Reading stored items: by key, by id, by source, newest first, with their review state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select

from aggregator.schema import Item
from aggregator.storage.bulk import LOOKUP_CHUNK, chunks
from aggregator.storage.db import StoreBase, require_aware
from aggregator.storage.rows import (
    KEY_ALIAS_PREFIX,
    children,
    item_from_columns,
    stored_item,
    with_review,
)
from aggregator.storage.tables import ALIASES, ITEMS, REVIEWS
from aggregator.storage.values import StoredItem


class ItemReader(StoreBase):
    """Stored items as the crawl, the review app, the drafts and the CLI read them."""

    def keys(self, source: str) -> list[str]:
        """Every key stored for a source (one query; used to stop pagination at known items)."""
        with self.engine.connect() as conn:
            return list(conn.execute(select(ITEMS.c.key).where(ITEMS.c.source == source)).scalars())

    def item_times(self, source: str) -> list[tuple[datetime, datetime | None]]:
        """(first seen, published) of each of a source's items: its silence and its cadence."""
        with self.engine.connect() as conn:
            query = select(ITEMS.c.first_seen, ITEMS.c.published).where(ITEMS.c.source == source)
            return [(row[0], row[1]) for row in conn.execute(query)]

    def get_item(self, source: str, key: str) -> Item | None:
        """The stored item with this key, or whose key this was (alias "key:<key>")."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(ITEMS).where(ITEMS.c.source == source, ITEMS.c.key == key)
            ).first()
            if row is None:
                row = conn.execute(
                    select(ITEMS)
                    .join(ALIASES, ALIASES.c.item_id == ITEMS.c.id)
                    .where(
                        ALIASES.c.source == source,
                        ALIASES.c.alias == KEY_ALIAS_PREFIX + key,
                    )
                ).first()
            if row is None:
                return None
            values = row._mapping
            aliases, provenance = children(conn, [values["id"]])
            return item_from_columns(
                values, aliases.get(values["id"], []), provenance.get(values["id"], [])
            )

    def list_items(
        self,
        *,
        source: str | None = None,
        since: datetime | None = None,
        status: str | None = None,
        limit: int | None = None,
    ) -> list[StoredItem]:
        """Stored items, newest first by `first_seen`.

        `since` keeps items first seen at or after it; `status` filters on the review status
        ("new", "approved", "rejected", "deferred").
        """
        review_status = func.coalesce(REVIEWS.c.status, "new")
        stmt = with_review().order_by(ITEMS.c.first_seen.desc(), ITEMS.c.id.desc())
        if source is not None:
            stmt = stmt.where(ITEMS.c.source == source)
        if since is not None:
            require_aware(since, "since")
            stmt = stmt.where(ITEMS.c.first_seen >= since)
        if status is not None:
            stmt = stmt.where(review_status == status)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self.engine.connect() as conn:
            rows = [row._mapping for row in conn.execute(stmt)]
            aliases, provenance = children(conn, [row["id"] for row in rows])
        return [stored_item(row, aliases, provenance) for row in rows]

    def stored_items(self, item_ids: Sequence[int]) -> dict[int, StoredItem]:
        """The stored items with these ids, with their review state (unknown ids are absent)."""
        found: dict[int, StoredItem] = {}
        with self.engine.connect() as conn:
            for id_chunk in chunks(sorted(set(item_ids)), LOOKUP_CHUNK):
                query = with_review().where(ITEMS.c.id.in_(id_chunk))
                rows = [row._mapping for row in conn.execute(query)]
                aliases, provenance = children(conn, [row["id"] for row in rows])
                for row in rows:
                    found[row["id"]] = stored_item(row, aliases, provenance)
        return found
