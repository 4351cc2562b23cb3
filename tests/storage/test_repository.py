"""Repository behaviour, on SQLite and PostgreSQL (see conftest.db_url)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import event

from aggregator.schema import Attachment, DocType, Item, Link, Precision, Sighting
from aggregator.storage.hashing import content_hash
from aggregator.storage.repository import Repository, RunStats

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=1)
T2 = T0 + timedelta(days=2)


def make_item(key: str = "gov.uk/guidance/keeping-children-safe", **changes: Any) -> Item:
    base = Item(
        key=key,
        source="dfe",
        publisher="Department for Education",
        title="Keeping children safe in education",
        url=f"https://www.{key}",
        summary="Statutory guidance for schools and colleges.",
        doc_type=DocType.STATUTORY_GUIDANCE,
        topics=["education"],
        nations=["England"],
        published=datetime(2024, 4, 1, tzinfo=UTC),
        published_precision=Precision.MONTH,
        attachments=[Attachment("KCSIE 2024", f"https://www.{key}.pdf", "application/pdf", 1024)],
        links=[Link("Read the guidance", f"https://www.{key}")],
        provenance=[Sighting("dfe", f"https://www.{key}", T0)],
    )
    return dataclasses.replace(base, **changes)


@dataclass
class StatementLog:
    commits: int = 0
    selects: int = 0


@contextmanager
def counting(repo: Repository) -> Iterator[StatementLog]:
    """Count commits and SELECT statements issued on the repository's engine."""
    log = StatementLog()

    def on_commit(conn: Any) -> None:
        log.commits += 1

    def on_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            log.selects += 1

    event.listen(repo.engine, "commit", on_commit)
    event.listen(repo.engine, "before_cursor_execute", on_execute)
    try:
        yield log
    finally:
        event.remove(repo.engine, "commit", on_commit)
        event.remove(repo.engine, "before_cursor_execute", on_execute)


def test_new_then_unchanged_then_updated(repo: Repository) -> None:
    [first] = repo.upsert_items([make_item()], T0)
    assert first.outcome == "new"
    assert first.changed_fields == ()

    [again] = repo.upsert_items([make_item()], T1)
    assert (again.item_id, again.outcome, again.changed_fields) == (first.item_id, "unchanged", ())

    changed = make_item(
        title="Keeping children safe in education 2024",
        updated=T1,
        change_note="Updated for September 2024.",
    )
    [updated] = repo.upsert_items([changed], T2)
    assert updated.item_id == first.item_id
    assert updated.outcome == "updated"
    assert updated.changed_fields == ("title", "updated", "change_note")

    stored = repo.get_item("dfe", changed.key)
    assert stored is not None
    assert stored.title == "Keeping children safe in education 2024"
    assert stored.change_note == "Updated for September 2024."
    assert stored.first_seen == T0
    assert stored.last_seen == T2

    revisions = repo.revisions(first.item_id)
    assert [r.kind for r in revisions] == ["new", "update"]
    assert revisions[1].change_note == "Updated for September 2024."
    assert revisions[1].changed_fields == ("title", "updated", "change_note")
    assert revisions[1].seen_at == T2
    assert revisions[1].snapshot["title"] == "Keeping children safe in education 2024"
    assert revisions[0].snapshot["title"] == "Keeping children safe in education"


def test_whitespace_only_change_is_unchanged(repo: Repository) -> None:
    item = make_item()
    repo.upsert_items([item], T0)
    cosmetic = make_item(
        summary="  Statutory guidance\n for schools   and colleges. ",
        title="Keeping children  safe in education",
    )
    assert content_hash(cosmetic) == content_hash(item)
    [result] = repo.upsert_items([cosmetic], T1)
    assert result.outcome == "unchanged"
    assert len(repo.revisions(result.item_id)) == 1
    stored = repo.get_item("dfe", item.key)
    assert stored is not None
    assert stored.summary == item.summary


def test_non_substantive_fields_refresh_without_an_update(repo: Repository) -> None:
    [first] = repo.upsert_items([make_item()], T0)
    [again] = repo.upsert_items([make_item(topics=["education", "online safety"])], T1)
    assert (again.outcome, again.changed_fields) == ("unchanged", ("topics",))
    stored = repo.get_item("dfe", make_item().key)
    assert stored is not None
    assert stored.topics == ["education", "online safety"]
    assert len(repo.revisions(first.item_id)) == 1


def test_alias_matches_when_the_key_changes(repo: Repository) -> None:
    old = make_item("example.org/?p=123", aliases=["wp-post:123"])
    [first] = repo.upsert_items([old], T0)
    moved = make_item(
        "example.org/2024/05/safeguarding-update",
        url=old.url,
        aliases=["wp-post:123"],
        provenance=old.provenance,
        attachments=old.attachments,
        links=old.links,
    )
    [second] = repo.upsert_items([moved], T1)
    assert second.item_id == first.item_id
    assert (second.outcome, second.changed_fields) == ("unchanged", ("key",))

    stored = repo.get_item("dfe", moved.key)
    assert stored is not None
    assert stored.key == moved.key
    assert sorted(stored.aliases) == ["key:example.org/?p=123", "wp-post:123"]
    # the old key still finds the item, both through get_item and through a later crawl
    assert repo.get_item("dfe", old.key) == stored
    [third] = repo.upsert_items([make_item(old.key, url=old.url, aliases=[])], T2)
    assert third.item_id == first.item_id
    assert len(repo.list_items()) == 1


def test_alias_of_another_source_does_not_match(repo: Repository) -> None:
    [first] = repo.upsert_items([make_item("a", aliases=["wp-post:1"])], T0)
    other = make_item("b", source="nspcc", aliases=["wp-post:1"])
    [second] = repo.upsert_items([other], T0)
    assert second.outcome == "new"
    assert second.item_id != first.item_id


def test_duplicate_key_in_one_batch_last_wins(repo: Repository) -> None:
    item = make_item()
    later = make_item(title="Keeping children safe in education (draft)")
    results = repo.upsert_items([item, item, later], T0)
    assert [r.outcome for r in results] == ["new", "unchanged", "updated"]
    assert len({r.item_id for r in results}) == 1
    [stored] = repo.list_items()
    assert stored.item.title == later.title
    assert [r.kind for r in repo.revisions(stored.id)] == ["new", "update"]


def test_batch_of_500_is_one_transaction_with_bounded_selects(repo: Repository) -> None:
    items = [make_item(f"gov.uk/publications/doc-{n}", aliases=[f"id:{n}"]) for n in range(500)]
    with counting(repo) as log:
        results = repo.upsert_items(items, T0)
    assert [r.outcome for r in results] == ["new"] * 500
    assert len({r.item_id for r in results}) == 500
    assert log.commits == 1
    assert log.selects <= 5, log

    changed = [dataclasses.replace(i, title=i.title + " (revised)") for i in items[:100]]
    with counting(repo) as log:
        results = repo.upsert_items(changed + items[100:], T1)
    assert [r.outcome for r in results] == ["updated"] * 100 + ["unchanged"] * 400
    assert log.commits == 1
    # 3 more than a first sighting: the changed items' first versions are snapshotted (their
    # "new" revisions, then their aliases and sightings), one query each per 500 items
    assert log.selects <= 8, log
    assert len(repo.list_items()) == 500


def test_a_failing_batch_stores_nothing(repo: Repository) -> None:
    bad = make_item("bad", published=datetime(2024, 4, 1))  # naive: refused
    with pytest.raises(Exception, match="naive"):
        repo.upsert_items([make_item("good"), bad], T0)
    assert repo.list_items() == []


def test_naive_seen_at_is_refused(repo: Repository) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        repo.upsert_items([make_item()], datetime(2024, 5, 1))


def test_rejected_item_stays_rejected_after_upstream_update(repo: Repository) -> None:
    [rejected, approved] = repo.upsert_items([make_item("a"), make_item("b")], T0)
    repo.set_review_status(rejected.item_id, "rejected", updated_at=T0, updated_by="editor")
    repo.set_review_status(approved.item_id, "approved", updated_at=T0, updated_by="editor")

    results = repo.upsert_items(
        [make_item("a", title="New title"), make_item("b", title="New title")], T1
    )
    assert [r.outcome for r in results] == ["updated", "updated"]

    by_id = {stored.id: stored for stored in repo.list_items()}
    assert by_id[rejected.item_id].status == "rejected"
    assert by_id[rejected.item_id].needs_review is False
    assert by_id[approved.item_id].status == "approved"
    assert by_id[approved.item_id].needs_review is True
    assert [s.id for s in repo.list_items(status="new")] == []
    assert [s.id for s in repo.list_items(status="rejected")] == [rejected.item_id]


def test_new_items_need_review(repo: Repository) -> None:
    repo.upsert_items([make_item()], T0)
    [stored] = repo.list_items()
    assert (stored.status, stored.needs_review) == ("new", True)
    assert stored.content_hash == content_hash(make_item())


def test_datetimes_come_back_utc_aware(repo: Repository) -> None:
    bst = timezone(timedelta(hours=1))
    item = make_item(
        published=datetime(2024, 5, 16, 17, 0, tzinfo=bst),
        event_start=datetime(2024, 5, 16, 17, 0, tzinfo=bst),
        event_end=datetime(2024, 5, 16, 18, 30, tzinfo=bst),
        provenance=[
            Sighting("dfe", "https://example.org/feed", datetime(2024, 5, 1, 10, tzinfo=bst))
        ],
    )
    [result] = repo.upsert_items([item], T0.astimezone(bst))
    stored = repo.get_item("dfe", item.key)
    assert stored is not None
    for value in (
        stored.published,
        stored.event_start,
        stored.event_end,
        stored.first_seen,
        stored.last_seen,
        stored.provenance[0].fetched_at,
        repo.revisions(result.item_id)[0].seen_at,
    ):
        assert value is not None
        assert value.tzinfo == UTC
    assert stored.event_start == datetime(2024, 5, 16, 16, 0, tzinfo=UTC)
    assert stored.first_seen == T0


def test_first_seen_comes_from_the_item_when_given(repo: Repository) -> None:
    earlier = T0 - timedelta(days=30)
    repo.upsert_items([make_item(first_seen=earlier)], T0)
    stored = repo.get_item("dfe", make_item().key)
    assert stored is not None
    assert (stored.first_seen, stored.last_seen) == (earlier, T0)


def test_provenance_keeps_one_sighting_per_source_and_url(repo: Repository) -> None:
    item = make_item()
    repo.upsert_items([item], T0)
    via = Sighting("nspcc", "https://learning.nspcc.org.uk/news", T1)
    repo.upsert_items([make_item(provenance=[Sighting("dfe", item.url, T2), via])], T2)
    stored = repo.get_item("dfe", item.key)
    assert stored is not None
    assert stored.provenance == [Sighting("dfe", item.url, T2), via]


def test_list_items_filters(repo: Repository) -> None:
    repo.upsert_items([make_item("a"), make_item("b", source="nspcc")], T0)
    repo.upsert_items([make_item("c")], T2)

    assert [s.item.key for s in repo.list_items()] == ["c", "b", "a"]
    assert [s.item.key for s in repo.list_items(source="dfe")] == ["c", "a"]
    assert [s.item.key for s in repo.list_items(since=T1)] == ["c"]
    assert [s.item.key for s in repo.list_items(limit=1)] == ["c"]
    assert [s.item.key for s in repo.list_items(source="nspcc", status="new")] == ["b"]
    assert repo.list_items(status="approved") == []
    [stored] = repo.list_items(source="nspcc")
    assert stored.item.provenance == make_item("b").provenance
    assert stored.item.attachments == make_item("b").attachments
    assert stored.item.links == make_item("b").links


def test_get_item_round_trips_every_field(repo: Repository) -> None:
    item = make_item(
        updated=T1,
        change_note="Corrected a link.",
        event_start=T2,
        event_end=T2 + timedelta(hours=1),
        aliases=["govuk-content-id:5f1c2b4e-0000-0000-0000-000000000000"],
    )
    repo.upsert_items([item], T2)
    stored = repo.get_item("dfe", item.key)
    assert stored == dataclasses.replace(item, first_seen=T2, last_seen=T2)
    assert repo.get_item("dfe", "missing") is None


def test_crawl_run_round_trip(repo: Repository) -> None:
    run_id = repo.start_run("dfe", T0)
    other = repo.start_run("nspcc", T1)
    [running] = repo.runs("dfe")
    assert (running.id, running.source, running.started_at) == (run_id, "dfe", T0)
    assert running.stats.status == "running"
    assert running.stats.finished_at is None

    stats = RunStats(
        status="ok",
        finished_at=T0 + timedelta(minutes=3),
        requests=12,
        responses_by_status={"200": 10, "304": 2},
        items_new=3,
        items_updated=1,
        items_unchanged=5,
        items_dropped=2,
        dropped_reasons={"missing title": 2},
        errors=[{"url": "https://example.org/x", "message": "timeout"}],
    )
    repo.finish_run(run_id, stats)
    [finished] = repo.runs("dfe")
    assert finished.stats == stats
    assert [r.id for r in repo.runs()] == [other, run_id]
    assert [r.id for r in repo.runs(limit=1)] == [other]

    with pytest.raises(ValueError):
        repo.finish_run(run_id, RunStats(status="great"))
    with pytest.raises(KeyError):
        repo.finish_run(run_id + 1000, stats)


def test_insert_race_with_another_writer_is_replanned(
    repo: Repository, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite writers take the write lock at BEGIN IMMEDIATE: this race cannot occur")
    other = Repository.from_url(db_url)
    real_look_up = Repository._look_up
    calls: list[int] = []

    def look_up_then_let_the_other_writer_insert(self: Repository, *args: Any) -> Any:
        found = real_look_up(self, *args)
        if not calls:
            calls.append(1)
            other.upsert_items([make_item("b"), make_item("a")], T0)
        return found

    monkeypatch.setattr(Repository, "_look_up", look_up_then_let_the_other_writer_insert)
    try:
        results = repo.upsert_items([make_item("a"), make_item("c")], T1)
    finally:
        other.close()
    assert [r.outcome for r in results] == ["unchanged", "new"]
    assert sorted(s.item.key for s in repo.list_items()) == ["a", "b", "c"]
    assert [r.kind for r in repo.revisions(results[0].item_id)] == ["new"]


def test_concurrent_writers_store_each_item_once(repo: Repository, db_url: str) -> None:
    items = [make_item(f"doc-{n}") for n in range(50)]
    repos = [repo, Repository.from_url(db_url)]
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = list(
                pool.map(lambda r: [x.outcome for x in r.upsert_items(items, T0)], repos)
            )
    finally:
        repos[1].close()
    # each item is new for exactly one writer and unchanged for the other
    assert all({a, b} == {"new", "unchanged"} for a, b in zip(*outcomes, strict=True))
    assert len(repo.list_items()) == 50
