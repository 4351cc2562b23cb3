"""Storage of draft summaries: items' main text, their drafts and sensitivity, and the word limit.

The draft engine (`aggregator.drafting`) and the sensitivity rules
(`aggregator.classify.sensitive`) are pure functions of an item and its main text. This module
keeps what they read and what they made, beside the item (never in `items` or `reviews`, so a
redraft can never touch the publisher's description or an editor's text):

- `item_texts`: the main text of each item, one paragraph or list item per line. A crawl that
  fetched no page for an item (a listing entry, a feed fallback, a 304) brings an empty text,
  which never replaces a stored one.
- `drafts`: the draft and its sensitivity flag, replaced on each redraft.
- `app_settings`: the editors' word limit (`draft_word_limit`), read by crawls and redrafts.

Writes are batched upserts (INSERT … ON CONFLICT DO UPDATE on both SQLite and PostgreSQL), in
item id order, so two writers of the same items never lock them in opposite orders.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, func, select

from aggregator.classify.sensitive import Sensitivity, assess_sensitivity
from aggregator.drafting import DEFAULT_WORD_LIMIT, Draft, draft_summary
from aggregator.schema import Item
from aggregator.storage.bulk import chunks, dialect_insert
from aggregator.storage.db import StoreBase, require_aware, write_transaction
from aggregator.storage.items_read import ItemReader
from aggregator.storage.tables import APP_SETTINGS, DRAFTS, ITEM_TEXTS, ITEMS

__all__ = [
    "DraftStore",
    "StoredDraft",
    "UnknownItemError",
    "WORD_LIMIT_KEY",
    "WORD_LIMIT_MAX",
    "WORD_LIMIT_MIN",
    "build_draft",
    "check_word_limit",
]

WORD_LIMIT_KEY = "draft_word_limit"
# Below 20 words the opening sentence alone fills the draft; above 400 it is no longer a
# bulletin paragraph.
WORD_LIMIT_MIN = 20
WORD_LIMIT_MAX = 400

# Rows per statement batch and ids per IN (…) list: well under SQLite's bound-variable limit,
# and small enough that one batch's drafts are a modest transaction.
BATCH = 200


class UnknownItemError(LookupError):
    """No stored item has this id."""


@dataclass(frozen=True)
class StoredDraft:
    item_id: int
    draft: Draft
    sensitivity: Sensitivity
    drafted_at: datetime


def check_word_limit(words: object) -> int:
    """`words` if it is an allowed word limit, else ValueError saying the allowed range."""
    if isinstance(words, bool) or not isinstance(words, int):
        raise ValueError(f"the word limit must be a whole number, not {words!r}")
    if not WORD_LIMIT_MIN <= words <= WORD_LIMIT_MAX:
        raise ValueError(
            f"the word limit must be from {WORD_LIMIT_MIN} to {WORD_LIMIT_MAX} words, not {words}"
        )
    return words


def build_draft(item: Item, main_text: str, word_limit: int) -> tuple[Draft, Sensitivity]:
    """The draft and the sensitivity assessment of one item (both pure; nothing is stored)."""
    return draft_summary(item, main_text, word_limit), assess_sensitivity(item, main_text)


class DraftStore(StoreBase):
    """Main texts, drafts and the draft word limit, on the engine's database."""

    # --- main text --------------------------------------------------------------------------

    def save_texts(self, texts: Mapping[int, str], at: datetime) -> None:
        """Store the main text of each item id (replacing the stored one).

        An empty text means "no page was read this time", not "the page is now empty": it is
        not stored, so it never blanks a text an earlier crawl kept.
        """
        require_aware(at, "at")
        rows = [
            {"item_id": item_id, "main_text": text, "extracted_at": at}
            for item_id, text in sorted(texts.items())
            if text.strip()
        ]
        if not rows:
            return
        with write_transaction(self.engine) as conn:
            _replace_by_item_id(conn, ITEM_TEXTS, rows)

    def main_text(self, item_id: int) -> str:
        """The stored main text of an item ("" when none is stored)."""
        return self.main_texts([item_id]).get(item_id, "")

    def main_texts(self, item_ids: Sequence[int]) -> dict[int, str]:
        """The stored main texts of these items (items without one are absent)."""
        found: dict[int, str] = {}
        with self.engine.connect() as conn:
            for chunk in chunks(sorted(set(item_ids)), BATCH):
                query = select(ITEM_TEXTS.c.item_id, ITEM_TEXTS.c.main_text).where(
                    ITEM_TEXTS.c.item_id.in_(chunk)
                )
                found.update({row.item_id: row.main_text for row in conn.execute(query)})
        return found

    # --- drafts -----------------------------------------------------------------------------

    def save_drafts(self, drafts: Mapping[int, tuple[Draft, Sensitivity]], at: datetime) -> None:
        """Store each item's draft and sensitivity (replacing any stored one)."""
        require_aware(at, "at")
        rows = [
            _draft_columns(item_id, draft, sensitivity, at)
            for item_id, (draft, sensitivity) in sorted(drafts.items())
        ]
        if not rows:
            return
        with write_transaction(self.engine) as conn:
            _replace_by_item_id(conn, DRAFTS, rows)

    def get(self, item_id: int) -> StoredDraft | None:
        """The stored draft of an item, or None if it has none."""
        return self.many([item_id]).get(item_id)

    def many(self, item_ids: Sequence[int]) -> dict[int, StoredDraft]:
        """The stored drafts of these items (items without a draft are absent)."""
        found: dict[int, StoredDraft] = {}
        with self.engine.connect() as conn:
            for chunk in chunks(sorted(set(item_ids)), BATCH):
                query = select(
                    DRAFTS.c.item_id, DRAFTS.c.draft, DRAFTS.c.sensitivity, DRAFTS.c.drafted_at
                ).where(DRAFTS.c.item_id.in_(chunk))
                for row in conn.execute(query):
                    found[row.item_id] = StoredDraft(
                        item_id=row.item_id,
                        draft=Draft.from_json(row.draft),
                        sensitivity=Sensitivity.from_json(row.sensitivity),
                        drafted_at=row.drafted_at,
                    )
        return found

    def drafted(self, item_ids: Sequence[int]) -> set[int]:
        """Which of these items have a draft (ids only: nothing is decoded)."""
        found: set[int] = set()
        with self.engine.connect() as conn:
            for chunk in chunks(sorted(set(item_ids)), BATCH):
                query = select(DRAFTS.c.item_id).where(DRAFTS.c.item_id.in_(chunk))
                found.update(conn.execute(query).scalars())
        return found

    def missing(self) -> list[int]:
        """Ids of stored items that have no draft, in id order."""
        query = (
            select(ITEMS.c.id)
            .outerjoin(DRAFTS, DRAFTS.c.item_id == ITEMS.c.id)
            .where(DRAFTS.c.item_id.is_(None))
            .order_by(ITEMS.c.id)
        )
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def counts(self) -> tuple[int, int]:
        """(items with a draft, of which flagged sensitive)."""
        query = select(func.count(), func.count().filter(DRAFTS.c.sensitive))
        with self.engine.connect() as conn:
            drafted, flagged = conn.execute(query).one()
        return int(drafted), int(flagged)

    def redraft(
        self, item_id: int, word_limit: int | None = None, at: datetime | None = None
    ) -> StoredDraft:
        """Draft one stored item again from its stored fields and main text, and store it.

        `word_limit` None means the editors' setting. UnknownItemError if no item has this id.
        """
        limit = self.word_limit() if word_limit is None else check_word_limit(word_limit)
        when = at or datetime.now(UTC)
        done = self._redraft_batch([item_id], limit, when)
        if item_id not in done:
            raise UnknownItemError(f"no item with id {item_id}")
        return done[item_id]

    def redraft_all(
        self,
        word_limit: int | None = None,
        at: datetime | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Draft every stored item again, a batch at a time; returns how many were drafted
        (`progress(done, total)` is told after each batch)."""
        with self.engine.connect() as conn:
            ids = list(conn.execute(select(ITEMS.c.id).order_by(ITEMS.c.id)).scalars())
        return self._redraft_ids(ids, word_limit, at, progress)

    def redraft_missing(
        self,
        word_limit: int | None = None,
        at: datetime | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Draft the stored items that have no draft; returns how many were drafted."""
        return self._redraft_ids(self.missing(), word_limit, at, progress)

    def _redraft_ids(
        self,
        ids: list[int],
        word_limit: int | None,
        at: datetime | None,
        progress: Callable[[int, int], None] | None,
    ) -> int:
        limit = self.word_limit() if word_limit is None else check_word_limit(word_limit)
        when = at or datetime.now(UTC)
        done = 0
        for chunk in chunks(ids, BATCH):
            done += len(self._redraft_batch(chunk, limit, when))
            if progress is not None:
                progress(done, len(ids))
        return done

    def _redraft_batch(
        self, item_ids: Sequence[int], word_limit: int, at: datetime
    ) -> dict[int, StoredDraft]:
        # Read through the item store: it owns how a stored row becomes an `Item`.
        stored = ItemReader(self.engine).stored_items(item_ids)
        texts = self.main_texts(list(stored))
        made = {
            item_id: build_draft(entry.item, texts.get(item_id, ""), word_limit)
            for item_id, entry in stored.items()
        }
        self.save_drafts(made, at)
        return {
            item_id: StoredDraft(item_id, draft, sensitivity, at)
            for item_id, (draft, sensitivity) in made.items()
        }

    # --- the word limit ---------------------------------------------------------------------

    def word_limit(self) -> int:
        """The editors' draft word limit, else DEFAULT_WORD_LIMIT (also if the stored value
        is not an allowed limit, so a bad row cannot stop a crawl)."""
        with self.engine.connect() as conn:
            value = conn.execute(
                select(APP_SETTINGS.c.value).where(APP_SETTINGS.c.key == WORD_LIMIT_KEY)
            ).scalar_one_or_none()
        try:
            return check_word_limit(value)
        except ValueError:
            return DEFAULT_WORD_LIMIT

    def set_word_limit(self, words: int, actor: str | None, at: datetime) -> None:
        """Set the draft word limit (WORD_LIMIT_MIN to WORD_LIMIT_MAX, else ValueError).

        Drafts already stored keep their length until they are redrafted.
        """
        check_word_limit(words)
        require_aware(at, "at")
        with write_transaction(self.engine) as conn:
            stmt = dialect_insert(conn, APP_SETTINGS).values(
                key=WORD_LIMIT_KEY, value=words, updated_at=at, updated_by=actor
            )
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["key"],
                    set_={
                        "value": stmt.excluded.value,
                        "updated_at": stmt.excluded.updated_at,
                        "updated_by": stmt.excluded.updated_by,
                    },
                )
            )


def _draft_columns(
    item_id: int, draft: Draft, sensitivity: Sensitivity, at: datetime
) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "text": draft.text,
        "draft": draft.to_json(),
        "word_limit": draft.word_limit,
        "words": draft.words,
        "hit_limit": draft.hit_limit,
        "sensitive": sensitivity.flagged,
        "sensitivity": sensitivity.to_json(),
        "drafted_at": at,
    }


def _replace_by_item_id(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert `rows` into a table keyed by `item_id`, replacing every other column of a row
    already stored for the item."""
    stmt = dialect_insert(conn, table)
    upsert = stmt.on_conflict_do_update(
        index_elements=["item_id"],
        set_={c.name: stmt.excluded[c.name] for c in table.columns if c.name != "item_id"},
    )
    for chunk in chunks(rows, BATCH):
        conn.execute(upsert, list(chunk))
