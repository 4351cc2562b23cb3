"""Main texts, drafts and the draft word limit, stored beside items on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

import pytest
from sqlalchemy import MetaData, Table, delete, insert, select

from aggregator.classify.rules import classify_item
from aggregator.classify.sensitive import assess_sensitivity
from aggregator.drafting import DEFAULT_WORD_LIMIT, draft_summary
from aggregator.schema import DocType, Item, Precision, Sighting
from aggregator.storage.db import make_engine, upgrade
from aggregator.storage.draft_summaries import (
    BATCH,
    WORD_LIMIT_KEY,
    DraftStore,
    UnknownItemError,
    build_draft,
)
from aggregator.storage.hashing import content_hash
from aggregator.storage.models import AppSettingRow, ItemRow
from aggregator.storage.repository import Repository
from aggregator.storage.rows import columns_from_item

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=1)
T2 = T1 + timedelta(days=1)
SETTINGS = cast(Table, AppSettingRow.__table__)
ITEMS = cast(Table, ItemRow.__table__)

MAIN_TEXT = (
    "Child sexual abuse: mandatory reporting\n"
    "The government has set out how a new duty to report child sexual abuse will work.\n"
    "The duty applies to people who work with children in England.\n"
    "Failing to report will be a criminal offence where a professional actively covers up "
    "abuse.\n"
    "Key points\n"
    "Reports go to the police or children's social care.\n"
    "Training and guidance will be published before the duty starts."
)


def make_item(key: str, title: str, summary: str = "", publisher: str = "Home Office") -> Item:
    url = f"https://www.gov.uk/government/consultations/{key}"
    return Item(
        key=f"gov.uk/government/consultations/{key}",
        source="home_office",
        publisher=publisher,
        title=title,
        url=url,
        summary=summary,
        doc_type=DocType.CONSULTATION_RESPONSE,
        published=T0,
        published_precision=Precision.DAY,
        provenance=[Sighting("home_office", url, T0)],
    )


ITEM = make_item(
    "child-sexual-abuse-mandatory-reporting",
    "Child sexual abuse: mandatory reporting",
    "The government's response to the consultation on a mandatory reporting duty.",
)


@pytest.fixture
def store(repo: Repository) -> DraftStore:
    return DraftStore(repo.engine)


def stored_id(repo: Repository, item: Item = ITEM) -> int:
    return repo.upsert_items([item], T0)[0].item_id


def stored_as_at(db_url: str, item: Item) -> int:
    """Store `item` in a database at an earlier revision, in the columns it has there (the
    repository writes the newest schema's)."""
    engine = make_engine(db_url)
    try:
        items = Table("items", MetaData(), autoload_with=engine)
        values = {k: v for k, v in columns_from_item(item).items() if k in items.c}
        values.update(first_seen=T0, last_seen=T0, content_hash=content_hash(item))
        with engine.begin() as conn:
            key = conn.execute(insert(items).values(**values)).inserted_primary_key
            assert key is not None
            return int(key[0])
    finally:
        engine.dispose()


def test_main_text_round_trip_and_empty_never_blanks(repo: Repository, store: DraftStore) -> None:
    item_id = stored_id(repo)
    assert store.main_text(item_id) == ""
    store.save_texts({item_id: MAIN_TEXT}, T0)
    assert store.main_text(item_id) == MAIN_TEXT  # line breaks kept
    # A crawl that read no page for the item (a listing entry, a 304) brings "".
    store.save_texts({item_id: ""}, T1)
    store.save_texts({item_id: "  \n "}, T1)
    assert store.main_text(item_id) == MAIN_TEXT
    store.save_texts({item_id: "Revised text."}, T2)
    assert store.main_text(item_id) == "Revised text."
    assert store.main_texts([item_id, item_id + 99]) == {item_id: "Revised text."}


def test_draft_round_trip_and_upsert(repo: Repository, store: DraftStore) -> None:
    item_id = stored_id(repo)
    draft = draft_summary(ITEM, MAIN_TEXT)
    sensitivity = assess_sensitivity(ITEM, MAIN_TEXT)
    assert store.get(item_id) is None
    store.save_drafts({item_id: (draft, sensitivity)}, T1)

    found = store.get(item_id)
    assert found is not None
    assert found.item_id == item_id
    assert found.draft == draft and found.sensitivity == sensitivity
    assert found.drafted_at == T1

    shorter = draft_summary(ITEM, MAIN_TEXT, word_limit=30)
    store.save_drafts({item_id: (shorter, sensitivity)}, T2)
    again = store.get(item_id)
    assert again is not None and again.draft == shorter and again.drafted_at == T2
    assert again.draft.word_limit == 30
    assert set(store.many([item_id, item_id + 99])) == {item_id}


def test_word_limit_setting(repo: Repository, store: DraftStore) -> None:
    assert store.word_limit() == DEFAULT_WORD_LIMIT
    store.set_word_limit(60, "editor1", T0)
    assert store.word_limit() == 60
    store.set_word_limit(120, None, T1)
    assert store.word_limit() == 120
    with repo.engine.connect() as conn:
        row = conn.execute(select(SETTINGS).where(SETTINGS.c.key == WORD_LIMIT_KEY)).one()
    assert row.value == 120 and row.updated_by is None and row.updated_at == T1
    for bad in (19, 401, 0, -5):
        with pytest.raises(ValueError, match="from 20 to 400"):
            store.set_word_limit(bad, "editor1", T2)
    assert store.word_limit() == 120


def test_a_bad_stored_word_limit_reads_as_the_default(repo: Repository, store: DraftStore) -> None:
    with repo.engine.begin() as conn:
        conn.execute(insert(SETTINGS).values(key=WORD_LIMIT_KEY, value="lots", updated_at=T0))
    assert store.word_limit() == DEFAULT_WORD_LIMIT


def test_redraft_uses_the_stored_item_text_and_setting(repo: Repository, store: DraftStore) -> None:
    item_id = stored_id(repo)
    store.save_texts({item_id: MAIN_TEXT}, T0)
    repo.edit(item_id, summary="The editor's own words.", at=T0, actor="ed")
    store.set_word_limit(40, "ed", T0)

    made = store.redraft(item_id, at=T1)
    expected = build_draft(ITEM, MAIN_TEXT, 40)
    assert made.draft.word_limit == 40
    assert made.draft.text == expected[0].text and made.sensitivity == expected[1]
    assert store.get(item_id) == made
    # Built from the publisher's fields, never the editor's; and neither is touched.
    assert "editor's own words" not in made.draft.text
    entry = repo.stored_items([item_id])[item_id]
    assert entry.edited_summary == "The editor's own words."
    assert entry.item.summary == ITEM.summary

    longer = store.redraft(item_id, word_limit=200, at=T2)
    assert longer.draft.word_limit == 200 and longer.drafted_at == T2
    with pytest.raises(ValueError):
        store.redraft(item_id, word_limit=5)
    with pytest.raises(UnknownItemError):
        store.redraft(item_id + 1000)


def test_missing_redraft_all_and_redraft_missing(repo: Repository, store: DraftStore) -> None:
    items = [
        make_item(f"doc-{n}", f"Safeguarding document {n}", f"About {n}.") for n in range(BATCH + 7)
    ]
    ids = [r.item_id for r in repo.upsert_items(items, T0)]
    store.save_texts({ids[0]: MAIN_TEXT}, T0)
    assert store.missing() == sorted(ids)

    store.save_drafts({ids[1]: build_draft(items[1], "", 90)}, T0)
    assert store.missing() == sorted(set(ids) - {ids[1]})
    assert store.redraft_missing(at=T1) == len(ids) - 1
    assert store.missing() == []
    assert store.drafted(ids) == set(ids)
    kept = store.get(ids[1])
    assert kept is not None and kept.drafted_at == T0  # redraft_missing left it alone

    assert store.redraft_all(word_limit=50, at=T2) == len(ids)
    drafts = store.many(ids)
    assert {d.draft.word_limit for d in drafts.values()} == {50}
    assert {d.drafted_at for d in drafts.values()} == {T2}
    drafted, flagged = store.counts()
    assert drafted == len(ids) and 0 <= flagged <= drafted


def test_deleting_an_item_deletes_its_text_and_draft(repo: Repository, store: DraftStore) -> None:
    item_id = stored_id(repo)
    store.save_texts({item_id: MAIN_TEXT}, T0)
    store.redraft(item_id, at=T0)
    with repo.engine.begin() as conn:
        conn.execute(delete(ITEMS).where(ITEMS.c.id == item_id))
    assert store.main_text(item_id) == "" and store.get(item_id) is None


def test_naive_times_are_refused(repo: Repository, store: DraftStore) -> None:
    item_id = stored_id(repo)
    with pytest.raises(ValueError, match="timezone-aware"):
        store.save_texts({item_id: MAIN_TEXT}, datetime(2024, 5, 1))


def test_migration_keeps_the_text_earlier_crawls_classified(db_url: str) -> None:
    upgrade(db_url, "0007")
    item_id = stored_as_at(db_url, ITEM)
    result = classify_item(ITEM, body_text="Flattened body text. Second sentence.")
    # as a crawl at 0007 stored it, in that revision's own columns (the repository writes
    # and reads the newest schema's)
    engine = make_engine(db_url)
    try:
        table = Table("classifications", MetaData(), autoload_with=engine)
        row = {
            "item_id": item_id,
            "doc_type": result.doc_type.value,
            "topics": list(result.topics),
            "nations": list(result.nations),
            "relevance": float(result.relevance),
            "relevant": bool(result.relevant),
            "evidence": result.evidence(),
            "vocabulary_version": result.vocabulary_version,
            "classified_at": T1,
            "text": result.text,
            "type_hint": result.type_hint,
            "nation_hints": list(result.nation_hints),
        }
        with engine.begin() as conn:
            conn.execute(insert(table).values(**{k: v for k, v in row.items() if k in table.c}))
    finally:
        engine.dispose()
    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        assert DraftStore(engine).main_text(item_id) == "Flattened body text. Second sentence."
    finally:
        engine.dispose()
