"""Migrations on a database that holds data, not only on an empty one.

On each backend: migrate to head, store items, reviews (decisions and edits, with their review
events), a draft bulletin holding items, and so full-text search rows, through the repository's
own APIs; then downgrade to revision 0008 (the review app's tables and search exist there, and
the steps since include the search index's own change, 0009, the calendar dates' data
migration, 0011, and the bulletin revisions, 0017) and upgrade back to head. The rows are
there at 0008, and after the round trip every item, review, event and bulletin reads as
before, and full-text search finds the old items, and a new item stored after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select, text

from aggregator.review.search import TextSearch
from aggregator.schema import DocType, Item
from aggregator.storage.bulletins import BulletinStore
from aggregator.storage.db import SCHEMA_REVISION, current_revision, downgrade, upgrade
from aggregator.storage.repository import Repository
from aggregator.storage.tables import ITEMS

OLDER = "0008"
SEEN = datetime(2024, 5, 1, 9, tzinfo=UTC)
DECIDED = datetime(2024, 5, 2, 10, tzinfo=UTC)
WINDOW = (datetime(2024, 4, 29, tzinfo=UTC), datetime(2024, 5, 6, tzinfo=UTC))
TITLES = (
    "Neglect briefing for practitioners",
    "Online sextortion: advice for schools",
    "Mandatory reporting consultation response",
    "Trauma-informed practice in early years",
)


def make_item(n: int, title: str) -> Item:
    return Item(
        key=f"example.org/pub/{n}",
        source="nspcc",
        publisher="NSPCC",
        title=title,
        url=f"https://example.org/pub/{n}",
        summary=f"Guidance number {n} for safeguarding leads working with families.",
        doc_type=DocType.BRIEFING,
    )


def found(repo: Repository, query: str) -> list[int]:
    """Item ids the review app's full-text search gives for `query`."""
    with repo.engine.connect() as conn:
        search = TextSearch(conn, query)
        return sorted(conn.execute(select(ITEMS.c.id).where(search.condition())).scalars())


def state(repo: Repository, bulletin_id: int) -> dict[str, Any]:
    """Everything stored, as it reads through the repository."""
    items = sorted(repo.list_items(), key=lambda s: s.id)
    bulletins = BulletinStore(repo.engine)
    bulletin = bulletins.require(bulletin_id)
    return {
        "items": [
            (s.id, s.item.source, s.item.key, s.item.title, s.item.summary, s.content_hash)
            for s in items
        ],
        "reviews": [
            (s.id, s.status, s.needs_review, s.reason, s.edited_title, s.edited_summary, s.section)
            for s in items
        ],
        "events": [
            (e.id, e.item_id, e.at, e.actor, e.action, e.detail)
            for s in items
            for e in repo.events(s.id)
        ],
        "bulletin": (bulletin.title, bulletin.status, bulletin.window_start, bulletin.window_end),
        "bulletin_items": [
            (b.item_id, b.section, b.position) for b in bulletins.items(bulletin_id)
        ],
        "search": {word: found(repo, word) for word in ("neglect", "sextortion", "mandat")},
    }


@pytest.fixture
def stocked(db_url: str) -> Iterator[tuple[str, int, list[int]]]:
    """(url, bulletin id, item ids) of a database at head holding every kind of row."""
    upgrade(db_url)
    repo = Repository.from_url(db_url)
    try:
        ids = [r.item_id for r in repo.upsert_items(
            [make_item(n, title) for n, title in enumerate(TITLES)], SEEN
        )]  # fmt: skip
        repo.review(ids[0], "approve", at=DECIDED, actor="ed")
        repo.review(ids[1], "reject", at=DECIDED, actor="ed", reason="not for this audience")
        repo.edit(ids[2], at=DECIDED, actor="ed", title="Mandatory reporting: the response")
        repo.review(ids[2], "approve", at=DECIDED, actor="ed")
        bulletins = BulletinStore(repo.engine)
        bulletin_id = bulletins.create_draft(
            "Week of 29 April", *WINDOW, actor="ed", at=DECIDED, section_order=["news", "research"]
        )
        bulletins.sync_items(
            bulletin_id, {ids[0], ids[2]}, lambda fresh: [(i, "news") for i in fresh]
        )
    finally:
        repo.close()
    yield db_url, bulletin_id, ids


def raw_counts(url: str) -> dict[str, int]:
    repo = Repository.from_url(url)
    try:
        with repo.engine.connect() as conn:
            return {
                table: int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
                for table in ("items", "reviews", "review_events", "bulletins", "bulletin_items")
            }
    finally:
        repo.close()


def test_data_and_search_survive_a_downgrade_and_upgrade(
    stocked: tuple[str, int, list[int]],
) -> None:
    url, bulletin_id, ids = stocked
    repo = Repository.from_url(url)
    try:
        before = state(repo, bulletin_id)
    finally:
        repo.close()
    # The data is what the test claims: every kind of row, and search finds the items.
    assert len(before["items"]) == len(TITLES)
    assert [r[1] for r in before["reviews"]] == ["approved", "rejected", "approved", "new"]
    assert {e[4] for e in before["events"]} == {"approve", "reject", "edit"}
    assert len(before["bulletin_items"]) == 2
    assert before["search"] == {"neglect": [ids[0]], "sextortion": [ids[1]], "mandat": [ids[2]]}
    counts = raw_counts(url)
    assert all(counts.values()), counts

    downgrade(url, OLDER)
    assert current_revision(url) == OLDER
    assert raw_counts(url) == counts  # nothing dropped on the way down
    if url.startswith("sqlite"):  # the older schema's own FTS table still indexes them
        repo = Repository.from_url(url)
        try:
            with repo.engine.connect() as conn:
                matched = conn.execute(
                    text("SELECT rowid FROM items_fts WHERE items_fts MATCH 'neglect'")
                ).scalars()
                assert list(matched) == [ids[0]]
        finally:
            repo.close()

    upgrade(url)
    assert current_revision(url) == SCHEMA_REVISION
    repo = Repository.from_url(url)
    try:
        assert state(repo, bulletin_id) == before
        # Search after the upgrade: the old items by each word, and a new item beside them.
        (new,) = repo.upsert_items([make_item(9, "Neglect in adolescence")], DECIDED)
        assert found(repo, "neglect") == sorted([ids[0], new.item_id])
        assert found(repo, "trauma") == [ids[3]]
    finally:
        repo.close()
