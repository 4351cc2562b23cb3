"""The value types the stores hand out: what callers of `Repository` read and pass back.

Plain frozen dataclasses (`RunStats` is mutable: a crawl fills it in as it goes), with no
database handles in them, so they can cross threads and processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from aggregator.schema import Item

Outcome = Literal["new", "updated", "cosmetic", "unchanged"]
"""updated: a substantive change (back to the editors); cosmetic: recorded, not re-queued."""

RevisionKind = Literal["new", "update", "cosmetic"]
"""update: a substantive change; cosmetic: a "last updated" bump or retouched attachment titles."""


@dataclass(frozen=True)
class UpsertResult:
    """What `upsert_items` did with one input item.

    `changed_fields` lists, in schema order, the stored fields whose value changed (for
    "updated" at least one substantive field; an "unchanged" item may still list key, publisher,
    topics or nations, which are refreshed without a revision; "new" lists nothing).
    """

    item_id: int
    outcome: Outcome
    changed_fields: tuple[str, ...]


@dataclass(frozen=True)
class StoredItem:
    """An item as stored, with its review state beside it."""

    id: int
    item: Item
    status: str
    needs_review: bool
    content_hash: str
    reason: str | None = None
    edited_title: str | None = None
    edited_summary: str | None = None
    section: str | None = None
    include_withdrawn: bool = False

    @property
    def title(self) -> str:
        """What editors and bulletins show: the editor's title, else the publisher's."""
        return self.edited_title or self.item.title

    @property
    def summary(self) -> str:
        return self.edited_summary or self.item.summary


@dataclass(frozen=True)
class ReviewEvent:
    """One editor action, with the review state before and after it (so it can be undone)."""

    id: int
    item_id: int
    at: datetime
    actor: str | None
    action: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class Revision:
    """One recorded version of an item (`snapshot` is `Item.to_json()` at `seen_at`).

    A new item's first version is not written as a revision: until the item first changes,
    its row is that version, and `revisions()` reads it from there (with `id` None). The
    first change (or topics refreshed by a crawl or a reclassification) records the version it
    replaces, from the row before the change, as a "new" revision seen when the item was first
    seen. Writing a copy of every item when it is first seen cost a third of the time of
    storing it, for the few items that ever change (bench/storage_bench.py).
    """

    id: int | None
    item_id: int
    seen_at: datetime
    kind: RevisionKind
    change_note: str | None
    snapshot: dict[str, Any]
    changed_fields: tuple[str, ...]


@dataclass
class RunStats:
    """The counts of one crawl run, as `finish_run` stores them."""

    status: str = "ok"
    finished_at: datetime | None = None
    requests: int = 0
    responses_by_status: dict[str, int] = field(default_factory=dict)
    items_new: int = 0
    items_updated: int = 0
    items_unchanged: int = 0
    items_dropped: int = 0
    dropped_reasons: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)
    # {field: {extraction layer: pages}}: which layer gave each field of the pages read.
    field_layers: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class CrawlRun:
    """A stored crawl run: its identity plus its `RunStats` (status "running" until finished)."""

    id: int
    source: str
    started_at: datetime
    stats: RunStats
    # The crawl's last sign of life while it ran (None: it never beat, or it predates beats).
    heartbeat_at: datetime | None = None

    @property
    def last_alive(self) -> datetime:
        """When the run was last known to be alive: its last heartbeat, or its start."""
        return self.heartbeat_at or self.started_at


@dataclass(frozen=True)
class ClusterMember:
    item_id: int
    source: str
    publisher: str
    title: str
    kind: str  # how it matched: url, link, attachment, title; "first" for the first member
    reason: str
    matched_item_id: int | None


@dataclass(frozen=True)
class Cluster:
    id: int
    publisher_item_id: int
    members: list[ClusterMember]

    @property
    def publisher(self) -> ClusterMember:
        """The publisher of record; the other members are provenance ("via NSPCC")."""
        return next(m for m in self.members if m.item_id == self.publisher_item_id)
