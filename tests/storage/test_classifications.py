"""Classifications stored beside items, on SQLite and PostgreSQL (see conftest.db_url)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, select, update

from aggregator.classify.rules import Vocabulary, classify_item
from aggregator.schema import DocType, Item, Precision, Sighting
from aggregator.storage.models import ReviewRow
from aggregator.storage.repository import Repository

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=1)
REVIEWS = cast(Table, ReviewRow.__table__)


def make_item(key: str, title: str, summary: str = "") -> Item:
    url = f"https://www.gov.uk/government/publications/{key}"
    return Item(
        key=f"gov.uk/government/publications/{key}",
        source="home_office",
        publisher="Home Office",
        title=title,
        url=url,
        summary=summary,
        doc_type=DocType.GUIDANCE,
        published=T0,
        published_precision=Precision.DAY,
        provenance=[Sighting("home_office", url, T0)],
    )


def store(repo: Repository, *items: Item) -> list[int]:
    return [r.item_id for r in repo.upsert_items(list(items), T0)]


def review_row(repo: Repository, item_id: int) -> dict[str, Any]:
    with repo.engine.connect() as conn:
        row = conn.execute(select(REVIEWS).where(REVIEWS.c.item_id == item_id)).one()
    return dict(row._mapping)


def test_save_and_read_back(repo: Repository) -> None:
    item = make_item("cse", "Child sexual exploitation: guidance", "Guidance for staff in England.")
    [item_id] = store(repo, item)
    result = classify_item(
        item, body_text="Body text about county lines.", type_hint="guidance", nation_hints=[]
    )
    repo.save_classifications([(item_id, result)], classified_at=T1)

    stored = repo.classification(item_id)
    assert stored is not None
    assert stored.doc_type == DocType.GUIDANCE
    assert stored.topics == result.topics and "exploitation" in stored.topics
    assert stored.nations == ["England"]
    assert stored.relevance == result.relevance and stored.relevant is True
    assert stored.relevance_evidence == result.relevance_evidence
    assert stored.topic_evidence == result.topic_evidence
    assert stored.nation_evidence == result.nation_evidence
    assert stored.doc_type_evidence == result.doc_type_evidence
    assert stored.vocabulary_version == result.vocabulary_version
    assert stored.text == "Body text about county lines."
    assert stored.type_hint == "guidance"
    assert stored.classified_at == T1
    assert repo.classification(item_id + 999) is None


def test_save_replaces_and_sets_item_topics_and_nations(repo: Repository) -> None:
    first = make_item("a", "Police pay award")
    second = make_item("b", "Neglect: learning from case reviews")
    ids = store(repo, first, second)
    results = [classify_item(first), classify_item(second)]
    repo.save_classifications(list(zip(ids, results, strict=True)), classified_at=T0)
    assert not repo.relevance_of(ids)[ids[0]].relevant
    assert repo.relevance_of(ids)[ids[1]].relevant

    # save again with different results: one row per item, replaced
    swapped = [results[1], results[0]]
    repo.save_classifications(list(zip(ids, swapped, strict=True)), classified_at=T1)
    found = repo.relevance_of(ids)
    assert found[ids[0]].relevant and not found[ids[1]].relevant
    assert found[ids[0]].classified_at == T1
    item = repo.get_item("home_office", first.key)
    assert item is not None and item.topics == results[1].topics


def test_reclassify_after_vocabulary_change_leaves_editors_alone(repo: Repository) -> None:
    # Classified with a topic from the start (mental health), so the first version's snapshot
    # is already stored when the re-classification adds one.
    item = make_item("hoarding", "Hoarding, mental health and young children")
    [item_id] = store(repo, item)
    repo.save_classifications([(item_id, classify_item(item))], classified_at=T0)
    repo.set_review_status(item_id, "approved", updated_at=T1, updated_by="ed", reason="fits")
    with repo.engine.begin() as conn:
        conn.execute(
            update(REVIEWS)
            .where(REVIEWS.c.item_id == item_id)
            .values(edited_title="Hoarding and neglect", edited_summary="Edited.", section="News")
        )
    review_before = review_row(repo, item_id)
    [stored_before] = repo.list_items()
    revisions_before = repo.revisions(item_id)
    assert "neglect" not in stored_before.item.topics

    data = copy.deepcopy(Vocabulary.load().data)
    next(t for t in data["topics"] if t["label"] == "neglect")["phrases"].append("hoarding")
    changed = Vocabulary(data)
    old = repo.classification(item_id)
    assert old is not None
    again = classify_item(
        stored_before.item,
        body_text=old.text,
        type_hint=old.type_hint,
        nation_hints=old.nation_hints,
        vocabulary=changed,
    )
    repo.save_classifications([(item_id, again)])

    [stored_after] = repo.list_items()
    assert "neglect" in stored_after.item.topics
    new = repo.classification(item_id)
    assert new is not None
    assert "neglect" in new.topics and new.vocabulary_version == changed.version
    # editors' decisions, the content hash and the revision history are untouched
    assert review_row(repo, item_id) == review_before
    assert stored_after.status == "approved" and stored_after.needs_review is False
    assert stored_after.content_hash == stored_before.content_hash
    assert repo.revisions(item_id) == revisions_before


def test_relevance_of_many_items(repo: Repository) -> None:
    items = [make_item(f"k{n}", f"Neglect briefing {n}") for n in range(7)]
    ids = store(repo, *items)
    repo.save_classifications([(i, classify_item(it)) for i, it in zip(ids, items, strict=True)])
    found = repo.relevance_of(ids[:5])
    assert sorted(found) == sorted(ids[:5])
    assert all(c.relevant for c in found.values())
    assert repo.relevance_of([]) == {}
    repo.save_classifications([])  # nothing to do
