"""The tables of `models`, as SQLAlchemy Core `Table` objects under public names.

Every store module writes its SQL against these (Core statements, not ORM sessions), so a
store never reaches into another store's module for a table; the column lists that several
stores share are here too.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table

from aggregator.storage.models import (
    AliasRow,
    AppSettingRow,
    BulletinItemRow,
    BulletinRow,
    ClassificationRow,
    ClusterMemberRow,
    ClusterRow,
    ClusterSplitRow,
    CrawlRunRow,
    DraftRow,
    ExportConsumerRow,
    ExportDeliveryRow,
    HttpStateRow,
    ItemRow,
    ItemTextRow,
    ReviewEventRow,
    ReviewRow,
    RevisionRow,
    SightingRow,
    SourceStateRow,
    UserRow,
)

# items and what hangs off them
ITEMS = cast(Table, ItemRow.__table__)
ALIASES = cast(Table, AliasRow.__table__)
SIGHTINGS = cast(Table, SightingRow.__table__)
REVISIONS = cast(Table, RevisionRow.__table__)
CLASSIFICATIONS = cast(Table, ClassificationRow.__table__)
ITEM_TEXTS = cast(Table, ItemTextRow.__table__)
DRAFTS = cast(Table, DraftRow.__table__)

# editors' decisions
REVIEWS = cast(Table, ReviewRow.__table__)
REVIEW_EVENTS = cast(Table, ReviewEventRow.__table__)

# cross-source clusters
CLUSTERS = cast(Table, ClusterRow.__table__)
CLUSTER_MEMBERS = cast(Table, ClusterMemberRow.__table__)
CLUSTER_SPLITS = cast(Table, ClusterSplitRow.__table__)

# crawls
RUNS = cast(Table, CrawlRunRow.__table__)
HTTP_STATE = cast(Table, HttpStateRow.__table__)
SOURCE_STATE = cast(Table, SourceStateRow.__table__)

# exports, the review app's accounts and bulletins, its settings
EXPORT_CONSUMERS = cast(Table, ExportConsumerRow.__table__)
EXPORT_DELIVERIES = cast(Table, ExportDeliveryRow.__table__)
USERS = cast(Table, UserRow.__table__)
BULLETINS = cast(Table, BulletinRow.__table__)
BULLETIN_ITEMS = cast(Table, BulletinItemRow.__table__)
APP_SETTINGS = cast(Table, AppSettingRow.__table__)

UPDATABLE_ITEM_COLUMNS: tuple[str, ...] = tuple(
    c.name for c in ITEMS.columns if c.name not in {"id", "source", "first_seen"}
)
"""Written on every sighting of an existing item (never id, source or first_seen)."""

REVISION_COLUMNS: tuple[str, ...] = (
    "item_id",
    "seen_at",
    "kind",
    "change_note",
    "snapshot",
    "changed_fields",
)
"""The columns a revision is inserted with (its id is the database's)."""

SIGHTING_COLUMNS: tuple[str, ...] = ("source", "url", "first_fetched_at", "last_fetched_at")
"""A sighting's columns after its item id."""
