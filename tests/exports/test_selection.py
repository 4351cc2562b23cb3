"""What an export takes, on SQLite and PostgreSQL: approved, not withdrawn (unless kept), the
editor's edits, the filters, the shown date, and bulletin order."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregator.exports.run import BULLETIN_SECTIONS
from aggregator.schema import Precision, Sighting
from aggregator.storage.bulletins import bulletin_info
from aggregator.storage.exports import ExportSelection
from aggregator.storage.repository import Repository
from tests.exports.conftest import APPROVED_AT, EDITOR, SEEN, page

Stored = tuple[Repository, list[int]]


def ids(repository: Repository, **options: object) -> list[int]:
    selection = ExportSelection(**options)  # type: ignore[arg-type]
    return [row.id for row in repository.iter_export(selection)]


def test_default_is_approved_and_not_withdrawn_in_id_order(stored: Stored) -> None:
    repository, corpus_ids = stored
    assert ids(repository) == sorted(corpus_ids[:7])
    assert ids(repository, status="new") == [corpus_ids[8]]
    assert ids(repository, status="all") == sorted(corpus_ids[:7] + corpus_ids[8:])


def test_a_withdrawn_item_comes_back_when_an_editor_keeps_it(stored: Stored) -> None:
    repository, corpus_ids = stored
    withdrawn = corpus_ids[7]
    assert withdrawn not in ids(repository)
    repository.keep_withdrawn(withdrawn, True, at=APPROVED_AT, actor=EDITOR)
    assert withdrawn in ids(repository)


def test_the_editors_title_summary_and_section_are_used(stored: Stored) -> None:
    repository, corpus_ids = stored
    [row] = [r for r in repository.iter_export(ExportSelection()) if r.id == corpus_ids[4]]
    assert row.title.endswith("(practitioner guide)")
    assert row.summary.startswith("Guidance to help frontline practitioners")
    assert row.section == "Parent-infant relationships"
    assert row.display_item().title == row.title
    assert row.item.title == "Parent-infant relationships: starting conversations"


def test_source_topic_and_since_filters(stored: Stored) -> None:
    repository, corpus_ids = stored
    assert ids(repository, source="internet_matters") == sorted([corpus_ids[2], corpus_ids[6]])
    assert ids(repository, topic="child sexual abuse") == sorted([corpus_ids[0], corpus_ids[1]])
    assert ids(repository, topic="no such topic") == []
    assert ids(repository, since=SEEN) == sorted(corpus_ids[:7])
    assert ids(repository, since=datetime(2024, 6, 1, tzinfo=UTC)) == []
    assert ids(repository, item_ids=[corpus_ids[3], corpus_ids[8]]) == [corpus_ids[3]]
    assert ids(repository, item_ids=[]) == []


def test_bulletin_order_puts_editor_sections_first_then_the_standard_ones(
    stored: Stored,
) -> None:
    repository, _ids = stored
    selection = ExportSelection(order="bulletin", sections=BULLETIN_SECTIONS)
    rows = list(repository.iter_export(selection))
    assert [row.section for row in rows] == [
        "Parent-infant relationships",
        "Consultations and government responses",
        "Research and reports",
        "Research and reports",
        "Case reviews and briefings",
        "Events and webinars",
        "News",
    ]
    reports = [row.item.title for row in rows if row.section == "Research and reports"]
    assert reports[0] == "Time to talk about pornography"  # newest first within a section


def test_recent_order_and_limit(stored: Stored) -> None:
    repository, corpus_ids = stored
    later = datetime(2024, 6, 2, tzinfo=UTC)
    repository.review(corpus_ids[8], "approve", at=later, actor=EDITOR)
    assert ids(repository, order="recent", limit=2)[0] == corpus_ids[8]
    assert len(ids(repository, order="recent", limit=2)) == 2
    assert repository.export_newest_change(ExportSelection()) == later


def test_a_cosmetic_bump_does_not_move_the_shown_date_but_an_update_does(
    repo: Repository,
) -> None:
    original = page(updated=datetime(2024, 2, 1, tzinfo=UTC))
    [first] = repo.upsert_items([original], SEEN)
    repo.review(first.item_id, "approve", at=APPROVED_AT)
    bumped = page(updated=datetime(2024, 6, 1, tzinfo=UTC))  # only the stamp moved
    [bump] = repo.upsert_items([bumped], datetime(2024, 6, 1, 8, tzinfo=UTC))
    assert bump.outcome == "cosmetic"
    [row] = repo.iter_export(ExportSelection())
    assert row.item.updated == datetime(2024, 6, 1, tzinfo=UTC)
    assert row.shown_updated == datetime(2024, 2, 1, tzinfo=UTC)
    assert row.updated_at is None
    assert row.changed_at == datetime(2024, 6, 1, 8, tzinfo=UTC)

    seen = datetime(2024, 6, 9, 8, tzinfo=UTC)
    revised = page(
        title="Keeping children safe (revised)",
        updated=datetime(2024, 6, 8, tzinfo=UTC),
        published_precision=Precision.DAY,
    )
    [update] = repo.upsert_items([revised], seen)
    assert update.outcome == "updated"
    [row] = repo.iter_export(ExportSelection())
    assert row.shown_updated == datetime(2024, 6, 8, tzinfo=UTC)
    assert row.updated_at == seen


def test_batches_are_streamed_in_order_with_their_own_children(repo: Repository) -> None:
    items = [
        page(
            key=f"k/{n}",
            url=f"https://www.gov.uk/k/{n}",
            aliases=[f"feed-guid:{n}"],
            provenance=[Sighting("home_office", f"https://www.gov.uk/feed/{n}", SEEN)],
        )
        for n in range(23)
    ]
    results = repo.upsert_items(items, SEEN)
    for result in results:
        repo.review(result.item_id, "approve", at=APPROVED_AT)
    rows = list(repo.iter_export(ExportSelection(), batch=5))
    assert [row.id for row in rows] == sorted(r.item_id for r in results)
    for row in rows:
        n = row.item.key.split("/")[1]
        assert f"feed-guid:{n}" in row.item.aliases
        assert [s.url for s in row.item.provenance] == [f"https://www.gov.uk/feed/{n}"]


def test_a_stored_bulletin_exports_in_its_own_order_with_its_overrides(stored: Stored) -> None:
    repository, corpus_ids = stored
    from typing import cast

    from sqlalchemy import Table, insert

    from aggregator.storage.models import BulletinItemRow, BulletinRow

    bulletins = cast(Table, BulletinRow.__table__)
    entries = cast(Table, BulletinItemRow.__table__)
    with repository.engine.begin() as conn:
        bulletin_id = conn.execute(
            insert(bulletins)
            .values(
                title="Safeguarding update: May 2024",
                window_start=datetime(2024, 5, 1, tzinfo=UTC),
                window_end=datetime(2024, 6, 1, tzinfo=UTC),
                status="published",
                created_at=APPROVED_AT,
                section_order=["Child sexual abuse", "Events"],
            )
            .returning(bulletins.c.id)
        ).scalar_one()
        conn.execute(
            insert(entries),
            [
                {
                    "bulletin_id": bulletin_id,
                    "item_id": corpus_ids[3],
                    "section": "Events",
                    "position": 0,
                    "summary_override": None,
                },
                {
                    "bulletin_id": bulletin_id,
                    "item_id": corpus_ids[1],
                    "section": "Child sexual abuse",
                    "position": 1,
                    "summary_override": None,
                },
                {
                    "bulletin_id": bulletin_id,
                    "item_id": corpus_ids[0],
                    "section": "Child sexual abuse",
                    "position": 0,
                    "summary_override": "The bulletin's own words.",
                },
                {
                    "bulletin_id": bulletin_id,
                    "item_id": corpus_ids[8],
                    "section": "Events",
                    "position": 1,
                    "summary_override": None,
                },  # not approved: left out
            ],
        )
    rows = list(repository.iter_export(ExportSelection(bulletin_id=bulletin_id)))
    assert [(row.id, row.section) for row in rows] == [
        (corpus_ids[0], "Child sexual abuse"),
        (corpus_ids[1], "Child sexual abuse"),
        (corpus_ids[3], "Events"),
    ]
    assert rows[0].summary == "The bulletin's own words."
    info = bulletin_info(repository, bulletin_id)
    assert (info.title, info.status) == ("Safeguarding update: May 2024", "published")
    with pytest.raises(KeyError, match="no bulletin 999"):
        bulletin_info(repository, 999)
