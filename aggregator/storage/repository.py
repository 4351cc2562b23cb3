"""`Repository`: the one object the pipelines, the review app and the exports store through.

It is the entity stores combined over one engine, nothing more: each store is a mixin in its
own module (items, revisions, reviews, crawl runs, classifications, clusters, exports) and
holds no state but `engine`. Callers keep one handle, `Repository.from_url(url)`, and call
`repo.upsert_items(…)`, `repo.review(…)`, `repo.iter_export(…)` and the rest on it.
"""

from __future__ import annotations

from aggregator.storage.classifications import ClassificationStore
from aggregator.storage.clusters import ClusterStore
from aggregator.storage.db import make_engine
from aggregator.storage.export_consumers import ExportConsumerStore
from aggregator.storage.exports import ExportReader
from aggregator.storage.items_read import ItemReader
from aggregator.storage.items_write import ItemWriter
from aggregator.storage.reviews import ReviewStore
from aggregator.storage.revisions import RevisionReader
from aggregator.storage.runs import RunStore
from aggregator.storage.values import (
    CrawlRun,
    ReviewEvent,
    Revision,
    RunStats,
    StoredItem,
    UpsertResult,
)

__all__ = [
    "CrawlRun",
    "Repository",
    "ReviewEvent",
    "Revision",
    "RunStats",
    "StoredItem",
    "UpsertResult",
]


class Repository(
    ItemWriter,
    ItemReader,
    RevisionReader,
    ReviewStore,
    RunStore,
    ClassificationStore,
    ClusterStore,
    ExportReader,
    ExportConsumerStore,
):
    """Items, their aliases, provenance, revisions and review state, crawl runs,
    classifications, clusters and export deliveries, on one database."""

    @classmethod
    def from_url(cls, url: str) -> Repository:
        """A repository on `url`. It does not migrate: call `db.upgrade(url)` first."""
        return cls(make_engine(url))

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()
