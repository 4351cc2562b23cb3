"""Storage (ARCHITECTURE 1 Store): typed models, Alembic migrations and the one repository.

Pipelines, the review app and the exports use `Repository`; call `upgrade(url)` once before.
"""

from aggregator.storage.db import (
    current_revision,
    downgrade,
    make_engine,
    session_factory,
    upgrade,
)
from aggregator.storage.repository import (
    CrawlRun,
    Repository,
    Revision,
    RunStats,
    StoredItem,
    UpsertResult,
    content_hash,
)

__all__ = [
    "CrawlRun",
    "Repository",
    "Revision",
    "RunStats",
    "StoredItem",
    "UpsertResult",
    "content_hash",
    "current_revision",
    "downgrade",
    "make_engine",
    "session_factory",
    "upgrade",
]
