"""The crawl's draft step (pipelines/drafts.py), on SQLite and PostgreSQL: main texts and
drafts are saved under the ids the upsert gave, and only what is new, changed or undrafted is
drafted."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete

from aggregator.schema import DocType, Item, Precision, Sighting
from aggregator.storage.draft_summaries import DraftStore
from aggregator.storage.models import DraftRow
from aggregator.storage.repository import Repository
from pipelines import write_drafts as drafts_pipeline
from pipelines.write_drafts import DraftStep

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=1)
T2 = T1 + timedelta(days=1)

TEXT = (
    "Key findings\n"
    "Most children who were threatened online told nobody for weeks.\n"
    "Those who told an adult were more likely to have the images removed."
)


class Stats:
    """The one method of Scrapy's stats collector the step uses."""

    def __init__(self) -> None:
        self.values: Counter[str] = Counter()

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.values[key] += count


def make_item(n: int, summary: str = "A report on online sextortion.") -> Item:
    url = f"https://learning.nspcc.org.uk/research-resources/2024/report-{n}"
    return Item(
        key=f"learning.nspcc.org.uk/research-resources/2024/report-{n}",
        source="nspcc",
        publisher="NSPCC",
        title=f"Young people's experiences of online sextortion, part {n}",
        url=url,
        summary=summary,
        doc_type=DocType.REPORT,
        published=T0,
        published_precision=Precision.MONTH,
        provenance=[Sighting("nspcc", url, T0)],
    )


def store_batch(
    repo: Repository, step: DraftStep, items: list[Item], texts: dict[int, str], at: datetime
) -> list[int]:
    """What StorePipeline.flush does: upsert, then the draft step (texts by batch position)."""
    results = repo.upsert_items(items, at)
    by_id = {results[i].item_id: text for i, text in texts.items()}
    step.after_upsert(items, results, by_id, at)
    return [r.item_id for r in results]


@pytest.fixture
def step(repo: Repository) -> tuple[DraftStep, Stats]:
    stats = Stats()
    return DraftStep(repo.engine, stats), stats  # type: ignore[arg-type]


def test_new_items_get_text_and_draft_and_unchanged_ones_are_left(
    repo: Repository, step: tuple[DraftStep, Stats]
) -> None:
    draft_step, stats = step
    store = DraftStore(repo.engine)
    items = [make_item(1), make_item(2)]
    ids = store_batch(repo, draft_step, items, {0: TEXT}, T0)
    assert store.main_text(ids[0]) == TEXT and store.main_text(ids[1]) == ""
    first = store.many(ids)
    assert set(first) == set(ids) and stats.values["aggregator/drafts_made"] == 2
    assert any(s.origin == "main_text" for s in first[ids[0]].draft.sentences)

    # Seen again unchanged, the second time without its page (a listing entry): no redraft,
    # and the stored main text stays.
    store_batch(repo, draft_step, [make_item(1), make_item(2)], {1: TEXT}, T1)
    assert stats.values["aggregator/drafts_made"] == 2
    assert store.many(ids) == first
    assert store.main_text(ids[0]) == TEXT
    assert store.main_text(ids[1]) == TEXT  # its page was read this time: text kept


def test_changed_items_are_redrafted_from_the_stored_text_when_no_page_was_read(
    repo: Repository, step: tuple[DraftStep, Stats]
) -> None:
    draft_step, stats = step
    store = DraftStore(repo.engine)
    [item_id] = store_batch(repo, draft_step, [make_item(1)], {0: TEXT}, T0)
    changed = make_item(1, summary="A revised report on online sextortion and blackmail.")
    store_batch(repo, draft_step, [changed], {}, T1)
    redrafted = store.get(item_id)
    assert redrafted is not None and redrafted.drafted_at == T1
    assert store.main_text(item_id) == TEXT
    assert any(s.origin == "main_text" for s in redrafted.draft.sentences)
    assert stats.values["aggregator/drafts_made"] == 2


def test_an_unchanged_item_without_a_draft_gets_one(
    repo: Repository, step: tuple[DraftStep, Stats]
) -> None:
    draft_step, _ = step
    store = DraftStore(repo.engine)
    [item_id] = store_batch(repo, draft_step, [make_item(1)], {0: TEXT}, T0)
    with repo.engine.begin() as conn:
        conn.execute(delete(DraftRow.__table__))  # as if stored before drafts existed
    store_batch(repo, draft_step, [make_item(1)], {}, T1)
    found = store.get(item_id)
    assert found is not None and found.drafted_at == T1


def test_the_word_limit_is_read_once_per_crawl(
    repo: Repository, step: tuple[DraftStep, Stats]
) -> None:
    draft_step, _ = step
    store = DraftStore(repo.engine)
    store.set_word_limit(40, "editor", T0)
    [first] = store_batch(repo, draft_step, [make_item(1)], {0: TEXT}, T0)
    store.set_word_limit(200, "editor", T1)  # mid-crawl: the next crawl uses it
    [second] = store_batch(repo, draft_step, [make_item(2)], {0: TEXT}, T1)
    drafts = store.many([first, second])
    assert {d.draft.word_limit for d in drafts.values()} == {40}
    next_crawl = DraftStep(repo.engine, Stats())  # type: ignore[arg-type]
    [third] = store_batch(repo, next_crawl, [make_item(3)], {0: TEXT}, T2)
    found = store.get(third)
    assert found is not None and found.draft.word_limit == 200


def test_a_failing_draft_is_counted_and_the_batch_goes_on(
    repo: Repository, step: tuple[DraftStep, Stats], monkeypatch: pytest.MonkeyPatch
) -> None:
    draft_step, stats = step
    real = drafts_pipeline.build_draft

    def flaky(item: Item, text: str, limit: int) -> Any:
        if item.title.endswith("part 2"):
            raise ValueError("the engine tripped")
        return real(item, text, limit)

    monkeypatch.setattr(drafts_pipeline, "build_draft", flaky)
    ids = store_batch(repo, draft_step, [make_item(1), make_item(2)], {}, T0)
    store = DraftStore(repo.engine)
    assert set(store.many(ids)) == {ids[0]}
    assert stats.values["aggregator/drafts_failed"] == 1
    assert store.missing() == [ids[1]]


def test_sensitive_drafts_are_counted(repo: Repository, step: tuple[DraftStep, Stats]) -> None:
    draft_step, stats = step
    review = dataclasses.replace(
        make_item(1),
        title="Serious case review: the death of a child",
        summary="A serious case review into the death of a four-year-old child.",
        doc_type=DocType.REPORT,
    )
    [item_id] = store_batch(repo, draft_step, [review], {}, T0)
    found = DraftStore(repo.engine).get(item_id)
    assert found is not None and found.sensitivity.flagged
    assert stats.values["aggregator/drafts_sensitive"] == 1
