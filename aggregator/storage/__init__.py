"""Storage (ARCHITECTURE 1 Store): typed models, Alembic migrations, one module per entity.

Each entity store reads and writes its own tables (`tables`) through SQLAlchemy Core, the same
on SQLite and PostgreSQL, and a crawl never overwrites an editor's decision. Callers use
`Repository` (the entity stores over one engine) and call `upgrade(url)` once before.
"""

from aggregator.storage.db import (
    current_revision,
    downgrade,
    make_engine,
    session_factory,
    upgrade,
)
from aggregator.storage.hashing import content_hash
from aggregator.storage.repository import Repository
from aggregator.storage.values import (
    CrawlRun,
    Revision,
    RunStats,
    StoredItem,
    UpsertResult,
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
