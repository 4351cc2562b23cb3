"""A new item's first version is recorded as a revision only when the item first changes.

The row is that version meanwhile (`Revision` in aggregator/storage/values.py); these tests
check that what `revisions()` and `diff()` show is the same as if the snapshot had been stored
at once, through an update, a cosmetic change, a topics refresh and a reclassification.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import select

from aggregator.schema import Attachment, DocType, Item, Precision, Sighting
from aggregator.storage.repository import Repository
from aggregator.storage.tables import REVISIONS

T0 = datetime(2024, 5, 1, 9, tzinfo=UTC)
T1 = datetime(2024, 5, 2, 9, tzinfo=UTC)
T2 = datetime(2024, 5, 3, 9, tzinfo=UTC)


def make_item(**changes: object) -> Item:
    item = Item(
        key="gov.uk/government/publications/hoarding",
        source="home_office",
        publisher="Home Office",
        title="Hoarding in families with young children",
        url="https://www.gov.uk/government/publications/hoarding",
        summary="Guidance for practitioners.",
        doc_type=DocType.GUIDANCE,
        topics=["neglect"],
        published=T0,
        published_precision=Precision.DAY,
        attachments=[Attachment("Guide", "https://assets.publishing.service.gov.uk/g.pdf")],
        provenance=[Sighting("home_office", "https://www.gov.uk/api/search.json", T0)],
        aliases=["govuk-content-id:5f1c"],
    )
    return dataclasses.replace(item, **changes)  # type: ignore[arg-type]


def stored_snapshots(repo: Repository, item_id: int) -> list[object]:
    with repo.engine.connect() as conn:
        query = select(REVISIONS.c.snapshot).where(REVISIONS.c.item_id == item_id)
        return list(conn.execute(query.order_by(REVISIONS.c.id)).scalars())


def expected_first(item: Item) -> dict[str, object]:
    return dataclasses.replace(item, first_seen=T0, last_seen=T0).to_json()


def test_new_item_reads_its_first_version_from_the_row(repo: Repository) -> None:
    item = make_item()
    [result] = repo.upsert_items([item], T0)
    assert stored_snapshots(repo, result.item_id) == []
    [first] = repo.revisions(result.item_id)
    assert (first.id, first.kind, first.seen_at) == (None, "new", T0)
    assert first.snapshot == expected_first(item)
    assert repo.revisions(result.item_id + 1) == []  # no such item


def test_first_update_stores_the_version_it_replaces(repo: Repository) -> None:
    item = make_item()
    [result] = repo.upsert_items([item], T0)
    repo.upsert_items([make_item(title="Hoarding: revised guidance")], T1)

    first, update = repo.revisions(result.item_id)
    assert len(stored_snapshots(repo, result.item_id)) == 2
    assert first.id is not None and first.id < cast(int, update.id)
    assert (first.kind, first.seen_at) == ("new", T0)
    assert first.snapshot == expected_first(item)
    assert update.kind == "update"
    assert update.snapshot["title"] == "Hoarding: revised guidance"
    assert repo.diff(cast(int, update.id)) == [
        "title: 'Hoarding in families with young children' → 'Hoarding: revised guidance'"
    ]


def test_topics_refreshed_by_a_crawl_leave_the_first_version_as_it_was(
    repo: Repository,
) -> None:
    item = make_item()
    [result] = repo.upsert_items([item], T0)
    [again] = repo.upsert_items([make_item(topics=["neglect", "online safety"])], T1)
    assert again.outcome == "unchanged" and "topics" in again.changed_fields
    [first] = repo.revisions(result.item_id)
    assert first.snapshot["topics"] == ["neglect"]


def test_new_and_changed_in_one_batch(repo: Repository) -> None:
    item = make_item()
    results = repo.upsert_items([item, make_item(title="Renamed")], T0)
    assert [r.outcome for r in results] == ["new", "updated"]
    first, update = repo.revisions(results[0].item_id)
    assert first.snapshot["title"] == item.title
    assert update.snapshot["title"] == "Renamed"
    assert repo.diff(cast(int, update.id)) == [
        "title: 'Hoarding in families with young children' → 'Renamed'"
    ]


def test_cosmetic_change_then_update_diff_against_the_right_versions(repo: Repository) -> None:
    [result] = repo.upsert_items([make_item()], T0)
    repo.upsert_items([make_item(updated=T1)], T1)  # a "last updated" bump
    repo.upsert_items([make_item(updated=T1, title="Hoarding (2nd edition)")], T2)
    kinds = [(r.kind, r.snapshot["title"]) for r in repo.revisions(result.item_id)]
    assert kinds == [
        ("new", "Hoarding in families with young children"),
        ("cosmetic", "Hoarding in families with young children"),
        ("update", "Hoarding (2nd edition)"),
    ]


def test_first_version_seen_before_the_batch_that_changed_it(repo: Repository) -> None:
    """An item first seen in one batch and changed in a later one: the recorded first version
    is dated when it was first seen, and a third change does not record it again."""
    [result] = repo.upsert_items([make_item()], T0)
    repo.upsert_items([make_item(title="Second")], T1)
    repo.upsert_items([make_item(title="Third")], T2)
    revisions = repo.revisions(result.item_id)
    assert [(r.kind, r.seen_at, r.snapshot["title"]) for r in revisions] == [
        ("new", T0, "Hoarding in families with young children"),
        ("update", T1, "Second"),
        ("update", T2, "Third"),
    ]
    assert repo.diff(cast(int, revisions[2].id)) == ["title: 'Second' → 'Third'"]
