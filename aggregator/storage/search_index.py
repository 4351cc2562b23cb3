"""Adding newly stored items to the full-text index (the review app's search).

SQLite: `items_fts` is an FTS5 table over `items(title, summary)` (migration 0007). New rows
enter it here, one `INSERT … SELECT` per batch, in the batch's transaction (migration 0009 says
why this is not a trigger); title and summary changes and deletions are still handled by the
triggers of migration 0007.

PostgreSQL: the GIN expression index `ix_items_fts` is maintained by the server; nothing to do.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import Connection

_SQLITE_INDEX_NEW = (
    "INSERT INTO items_fts(rowid, title, summary)"
    " SELECT id, title, summary FROM items WHERE id IN (SELECT value FROM json_each(?))"
)


def index_new_items(conn: Connection, item_ids: Sequence[int]) -> None:
    """Index the rows `item_ids`, just inserted into `items` in this transaction."""
    if not item_ids or conn.dialect.name != "sqlite":
        return
    # one bound JSON array, not thousands of placeholders (SQLite caps their number)
    conn.exec_driver_sql(_SQLITE_INDEX_NEW, (json.dumps(list(item_ids)),))
