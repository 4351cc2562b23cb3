"""Stored items from the command line: list them, decide on one, and see or undo clusters.

The review app makes the same decisions through the same repository; every change is
recorded in the audit with who and when. A listing can carry each item's machine draft
(`with_drafts`), for `aggregator items --json`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from aggregator.classify.rules import Classification
from aggregator.storage.draft_summaries import DraftStore, StoredDraft
from aggregator.storage.repository import Repository
from aggregator.storage.values import Cluster, ReviewEvent, StoredItem


@dataclass(frozen=True)
class Listing:
    """Items newest first, each with its classification (None if never classified), and how
    many were left out as probably not safeguarding."""

    items: list[tuple[StoredItem, Classification | None]]
    hidden: int
    drafts: dict[int, StoredDraft] = field(default_factory=dict)
    """The listed items' machine drafts by item id (with `with_drafts`; items without one
    are absent)."""


def list_items(
    url: str,
    *,
    source: str | None = None,
    since: datetime | None = None,
    status: str | None = None,
    limit: int | None = None,
    include_irrelevant: bool = False,
    with_drafts: bool = False,
) -> Listing:
    """Stored items matching the filters. Items filed as probably not safeguarding are
    counted but left out unless `include_irrelevant`; `limit` applies to what is listed.
    With `with_drafts`, the listed items' drafts are read too (one query per 200 items)."""
    repo = Repository.from_url(url)
    try:
        found = repo.list_items(
            source=source,
            since=since,
            status=status,
            limit=limit if include_irrelevant else None,
        )
        classified = repo.relevance_of([s.id for s in found])
        hidden = 0
        if not include_irrelevant:
            shown = [
                s
                for s in found
                if s.id not in classified
                or classified[s.id].relevant
                or classified[s.id].borderline
            ]
            hidden = len(found) - len(shown)
            found = shown[:limit] if limit is not None else shown
        drafts = DraftStore(repo.engine).many([s.id for s in found]) if with_drafts else {}
    finally:
        repo.close()
    return Listing([(s, classified.get(s.id)) for s in found], hidden, drafts)


def decide(
    url: str,
    item_id: int,
    *,
    action: str | None = None,
    reason: str | None = None,
    title: str | None = None,
    summary: str | None = None,
    section: str | None = None,
    undo_event: int | None = None,
    actor: str | None = None,
) -> list[ReviewEvent]:
    """Apply an editor's decision, edits and undo to `item_id`, in that order (each only if
    given); the item's audit record afterwards."""
    repo = Repository.from_url(url)
    try:
        now = datetime.now(UTC)
        if action:
            repo.review(item_id, action, at=now, actor=actor, reason=reason)
        if any(v is not None for v in (title, summary, section)):
            repo.edit(item_id, at=now, actor=actor, title=title, summary=summary, section=section)
        if undo_event is not None:
            repo.undo(undo_event, at=now, actor=actor)
        return repo.events(item_id)
    finally:
        repo.close()


def clusters(url: str, item_id: int | None = None) -> list[Cluster]:
    """Every cross-source cluster, or the one holding `item_id` (KeyError if none does)."""
    repo = Repository.from_url(url)
    try:
        found = repo.clusters(item_id)
    finally:
        repo.close()
    if item_id is not None and not found:
        raise KeyError(f"item {item_id} is in no cluster")
    return found


def split(url: str, item_id: int, actor: str | None = None) -> None:
    """Take `item_id` out of its cluster; the split holds on later crawls."""
    repo = Repository.from_url(url)
    try:
        repo.split(item_id, datetime.now(UTC), actor)
    finally:
        repo.close()
