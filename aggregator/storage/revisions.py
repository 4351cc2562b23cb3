"""Revisions: the recorded versions of an item, and the readable diff between two of them.

`diff` gives one line per changed field; `snapshot_pair` gives the two versions themselves,
from which the review app writes its sentences ("Type: consultation response →
consultation", `aggregator.review.history`).

A new item's first version is not written as a revision until the item first changes (see
`values.Revision`): `snapshot_first_versions` records it then, from the row before the change,
for both writers that change items (the upsert and the classification store).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, select

from aggregator.dedupe.changes import diff_snapshots
from aggregator.storage.bulk import LOOKUP_CHUNK, bulk_insert, chunks, member
from aggregator.storage.db import StoreBase
from aggregator.storage.rows import children, row_snapshot
from aggregator.storage.tables import ITEMS, REVISION_COLUMNS, REVISIONS
from aggregator.storage.values import Revision


def snapshot_first_versions(conn: Connection, states: Mapping[int, Mapping[Any, Any]]) -> None:
    """Record the first version of each item about to change, if it is not recorded yet.

    `states` holds, by item id, each row as it is before the change: while an item has
    never changed, its row is its first version. That version becomes a "new" revision,
    seen when the item was first seen, before the revision of the change (see `Revision`).
    """
    recorded: set[int] = set()
    for id_chunk in chunks(sorted(states), LOOKUP_CHUNK):
        firsts = select(REVISIONS.c.item_id).where(
            member(conn, REVISIONS.c.item_id, id_chunk), REVISIONS.c.kind == "new"
        )
        recorded.update(conn.execute(firsts).scalars())
    unrecorded = sorted(set(states) - recorded)
    if not unrecorded:
        return
    aliases, provenance = children(conn, unrecorded)
    rows: list[tuple[Any, ...]] = []
    for item_id in unrecorded:
        values = states[item_id]
        first_seen = values["first_seen"]
        snapshot = row_snapshot(values, aliases.get(item_id, []), provenance.get(item_id, []))
        rows.append((item_id, first_seen, "new", values["change_note"], snapshot, []))
    bulk_insert(conn, REVISIONS, REVISION_COLUMNS, rows)


class RevisionReader(StoreBase):
    """Reading an item's versions."""

    def diff(self, revision_id: int) -> list[str]:
        """A readable diff of one revision against the one before it (empty for "new")."""
        previous, snapshot = self.snapshot_pair(revision_id)
        if previous is None:
            return []
        return [d.text for d in diff_snapshots(previous, snapshot)]

    def snapshot_pair(self, revision_id: int) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        """The version before this revision (None for the first) and this revision's version,
        as `Item.to_json()` dicts. KeyError if there is no such revision."""
        with self.engine.connect() as conn:
            row = conn.execute(select(REVISIONS).where(REVISIONS.c.id == revision_id)).first()
            if row is None:
                raise KeyError(f"no revision {revision_id}")
            previous = conn.execute(
                select(REVISIONS.c.snapshot)
                .where(REVISIONS.c.item_id == row.item_id, REVISIONS.c.id < revision_id)
                .order_by(REVISIONS.c.id.desc())
                .limit(1)
            ).scalar()
        return (dict(previous) if previous is not None else None), dict(row.snapshot)

    def revisions(self, item_id: int) -> list[Revision]:
        """The item's versions, oldest first: for an item that never changed, its first version
        read from its row (with no id: it is not stored as a revision, see `Revision`)."""
        stmt = (
            select(REVISIONS)
            .where(REVISIONS.c.item_id == item_id)
            .order_by(REVISIONS.c.seen_at, REVISIONS.c.id)
        )
        with self.engine.connect() as conn:
            found = [
                Revision(
                    id=row.id,
                    item_id=row.item_id,
                    seen_at=row.seen_at,
                    kind=row.kind,
                    change_note=row.change_note,
                    snapshot=row.snapshot,
                    changed_fields=tuple(row.changed_fields),
                )
                for row in conn.execute(stmt)
            ]
            if found:
                return found
            item = conn.execute(select(ITEMS).where(ITEMS.c.id == item_id)).first()
            if item is None:
                return []
            aliases, provenance = children(conn, [item_id])
        first_seen = item.first_seen
        snapshot = row_snapshot(
            item._mapping, aliases.get(item_id, []), provenance.get(item_id, [])
        )
        return [Revision(None, item_id, first_seen, "new", item.change_note, snapshot, ())]
