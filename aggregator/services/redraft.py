"""Draft summaries on demand: `aggregator drafts --all / --missing`, and one item's draft.

Crawls draft new and changed items themselves; this redrafts stored items (after the word
limit or the drafting rules change, or for items stored before drafts existed). Drafts are
stored apart from the publisher's description and the editors' text, which a redraft never
touches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from aggregator.storage.db import make_engine, upgrade
from aggregator.storage.draft_summaries import DraftStore, StoredDraft
from aggregator.storage.repository import Repository
from aggregator.storage.values import StoredItem


@dataclass(frozen=True)
class RedraftReport:
    drafted_now: int
    word_limit: int
    with_draft: int  # items that have a draft afterwards
    flagged: int  # of those, flagged sensitive
    without: int


def redraft(
    url: str,
    *,
    every: bool,
    words: int | None,
    progress: Callable[[int, int], None] | None = None,
) -> RedraftReport:
    """Redraft every stored item (`every`), or only those without a draft, at `words` (the
    editors' setting when None); `progress(done, total)` is told after each batch."""
    upgrade(url)
    engine = make_engine(url)
    try:
        store = DraftStore(engine)
        limit = words if words is not None else store.word_limit()
        now = datetime.now(UTC)
        if every:
            done = store.redraft_all(limit, now, progress=progress)
        else:
            done = store.redraft_missing(limit, now, progress=progress)
        drafted, flagged = store.counts()
        left = len(store.missing())
    finally:
        engine.dispose()
    return RedraftReport(done, limit, drafted, flagged, left)


def draft_of(url: str, item_id: int) -> tuple[StoredItem, StoredDraft]:
    """Item `item_id` and its stored draft; KeyError names what is missing."""
    engine = make_engine(url)
    try:
        entry = Repository(engine).stored_items([item_id]).get(item_id)
        if entry is None:
            raise KeyError(f"no item with id {item_id}")
        stored = DraftStore(engine).get(item_id)
        if stored is None:
            raise KeyError(f"item {item_id} has no draft yet (run `aggregator drafts --missing`)")
    finally:
        engine.dispose()
    return entry, stored
