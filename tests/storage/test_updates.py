"""Update kinds through the repository: cosmetic changes are kept but never re-queued."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from aggregator.schema import Attachment, Item, Precision, Sighting
from aggregator.storage.repository import Repository

T0 = datetime(2024, 5, 1, 8, tzinfo=UTC)
T1 = datetime(2024, 5, 14, 8, tzinfo=UTC)
T2 = datetime(2024, 5, 31, 8, tzinfo=UTC)


def nspcc_page(**changes: object) -> Item:
    item = Item(
        key="learning.nspcc.org.uk/news/2024/april/x",
        source="nspcc",
        publisher="NSPCC",
        title="Child protection statistics updated",
        url="https://learning.nspcc.org.uk/news/2024/april/x",
        published=datetime(2024, 3, 31, 23, tzinfo=UTC),
        published_precision=Precision.MONTH,
        provenance=[Sighting("nspcc", "https://learning.nspcc.org.uk/news", T0)],
    )
    return dataclasses.replace(item, **changes)  # type: ignore[arg-type]


def test_nspcc_last_updated_bump_is_cosmetic_and_not_requeued(repo: Repository) -> None:
    [first] = repo.upsert_items([nspcc_page()], T0)
    repo.set_review_status(first.item_id, "approved", updated_at=T0, updated_by=None)
    [bump] = repo.upsert_items([nspcc_page(updated=datetime(2024, 5, 13, 23, tzinfo=UTC))], T1)
    assert bump.outcome == "cosmetic"
    [stored] = [s for s in repo.list_items(source="nspcc")]
    assert stored.status == "approved" and not stored.needs_review
    assert stored.item.updated == datetime(2024, 5, 13, 23, tzinfo=UTC)
    assert [r.kind for r in repo.revisions(first.item_id)] == ["new", "cosmetic"]


def test_new_attachment_is_substantive_and_requeued_with_its_diff(repo: Repository) -> None:
    [first] = repo.upsert_items([nspcc_page()], T0)
    repo.set_review_status(first.item_id, "approved", updated_at=T0, updated_by=None)
    pdf = Attachment("Download the report (PDF)", "https://learning.nspcc.org.uk/media/a/r.pdf")
    [change] = repo.upsert_items([nspcc_page(attachments=[pdf])], T2)
    assert change.outcome == "updated"
    [stored] = repo.list_items(source="nspcc")
    assert stored.needs_review and stored.status == "approved"
    revisions = repo.revisions(first.item_id)
    assert [r.kind for r in revisions] == ["new", "update"]
    assert repo.diff(revisions[-1].id) == [
        "attachments: + https://learning.nspcc.org.uk/media/a/r.pdf"
    ]
