"""Editors' decisions survive crawls: tombstones, edits, undo, the audit record, withdrawals."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from aggregator.schema import Attachment, Item, Sighting
from aggregator.storage.repository import Repository

T0 = datetime(2024, 5, 1, 8, tzinfo=UTC)
T1 = datetime(2024, 5, 31, 8, tzinfo=UTC)


def page(**changes: object) -> Item:
    item = Item(
        key="gov.uk/government/publications/x",
        source="home_office",
        publisher="Home Office",
        title="Visa fees: 2024 changes",
        url="https://www.gov.uk/government/publications/x",
        summary="What the new fees are.",
        provenance=[Sighting("home_office", "https://www.gov.uk/api/search.json", T0)],
    )
    return dataclasses.replace(item, **changes)  # type: ignore[arg-type]


def only(repo: Repository):  # type: ignore[no-untyped-def]
    [stored] = repo.list_items(source="home_office")
    return stored


def test_rejected_item_recrawled_with_changes_stays_rejected(repo: Repository) -> None:
    [first] = repo.upsert_items([page()], T0)
    repo.review(first.item_id, "reject", at=T0, actor="ed", reason="out of scope")
    pdf = Attachment("Annex", "https://assets.publishing.service.gov.uk/media/a/annex.pdf")
    [again] = repo.upsert_items(
        [page(title="Visa fees: 2024 changes (updated)", attachments=[pdf])], T1
    )
    assert again.outcome == "updated" and again.item_id == first.item_id
    stored = only(repo)
    assert (stored.status, stored.needs_review, stored.reason) == (
        "rejected",
        False,
        "out of scope",
    )


def test_editors_title_and_summary_survive_a_recrawl(repo: Repository) -> None:
    [first] = repo.upsert_items([page()], T0)
    repo.edit(first.item_id, at=T0, actor="ed", title="Visa fees", summary="Short.")
    repo.upsert_items([page(title="Visa fees: 2024 changes, revised", summary="New text.")], T1)
    stored = only(repo)
    assert stored.item.title == "Visa fees: 2024 changes, revised"  # the publisher's, refreshed
    assert (stored.title, stored.summary) == ("Visa fees", "Short.")  # the editor's, kept


def test_every_action_is_audited_and_can_be_undone(repo: Repository) -> None:
    [first] = repo.upsert_items([page()], T0)
    approve = repo.review(first.item_id, "approve", at=T0, actor="ann")
    repo.edit(first.item_id, at=T1, actor="bob", section="Immigration")
    repo.undo(approve, at=T1, actor="ann")
    stored = only(repo)
    assert (stored.status, stored.needs_review, stored.section) == ("new", True, "Immigration")
    events = repo.events(first.item_id)
    assert [(e.action, e.actor) for e in events] == [
        ("approve", "ann"),
        ("edit", "bob"),
        ("undo", "ann"),
    ]
    assert events[0].detail["before"]["status"] == "new"
    assert events[2].detail["undid"] == approve


def test_rejection_needs_a_reason_and_actions_are_checked(repo: Repository) -> None:
    [first] = repo.upsert_items([page()], T0)
    with pytest.raises(ValueError, match="needs a reason"):
        repo.review(first.item_id, "reject", at=T0)
    with pytest.raises(ValueError, match="unknown action"):
        repo.review(first.item_id, "publish", at=T0)
    with pytest.raises(KeyError):
        repo.review(999_999, "approve", at=T0)


def test_withdrawn_item_is_kept_with_the_date_it_was_first_seen_gone(repo: Repository) -> None:
    repo.upsert_items([page()], T0)
    gone = page(withdrawn=T0, withdrawn_reason="withdrawn on GOV.UK")
    repo.upsert_items([gone], T0)
    repo.upsert_items([dataclasses.replace(gone, withdrawn=T1)], T1)
    stored = only(repo)
    assert stored.item.withdrawn == T0
    assert stored.item.withdrawn_reason == "withdrawn on GOV.UK"
    repo.keep_withdrawn(stored.id, True, at=T1, actor="ed")
    assert only(repo).include_withdrawn
