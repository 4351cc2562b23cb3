"""PostgreSQL plans a batch a slice at a time and sends each slice's new rows (with their
aliases and sightings) in pipeline mode (`ItemWriter._plan_and_insert_pipelined`). It must
store exactly what the one-statement-per-table path stores, and fall back to that path when
items of a batch can meet (`independent`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.exc import DataError

from aggregator.schema import Item, Sighting
from aggregator.storage import items_write
from aggregator.storage.db import upgrade
from aggregator.storage.items_plan import independent, slices
from aggregator.storage.repository import Repository
from aggregator.storage.rows import KEY_ALIAS_PREFIX
from tests.conftest import _postgres_database
from tests.storage.test_repository import T0, T1, make_item

T2 = T1 + timedelta(days=1)


def test_slices_cover_a_batch_once_in_order() -> None:
    for count in (0, 1, 99, 100, 101, 500, 1000, 1234):
        found = list(slices(count))
        covered = [n for start, end in found for n in range(start, end)]
        assert covered == list(range(count))
    first, *rest = slices(1000)
    assert first[1] - first[0] < rest[0][1] - rest[0][0]  # the server starts early


def test_items_that_can_meet_are_not_independent() -> None:
    assert independent([make_item("a"), make_item("b", aliases=["guid:1"])])
    assert not independent([make_item("a"), make_item("a", title="Again")])
    assert not independent([make_item("a", aliases=["guid:1"]), make_item("b", aliases=["guid:1"])])
    # an alias naming another item's key
    assert not independent([make_item("a"), make_item("b", aliases=[KEY_ALIAS_PREFIX + "a"])])
    # the same key from two sources never meets
    assert independent([make_item("a"), make_item("a", source="nspcc")])


def _batch(source: str) -> tuple[list[Item], list[Item]]:
    """Items stored first, and a later batch of 600 (three slices): new items in reverse key
    order with aliases and merged sightings, and updates of the stored ones between them."""
    stored = [
        make_item(
            f"old-{n}",
            source=source,
            aliases=[f"guid:old-{n}"],
            provenance=[Sighting(source, f"https://www.example.org/old-{n}", T0)],
        )
        for n in range(0, 600, 60)
    ]
    batch: list[Item] = []
    for n in reversed(range(600)):
        if n % 60 == 0:
            earlier = stored[n // 60]
            batch.append(dataclasses.replace(earlier, title=f"Revised {n}", provenance=[]))
            continue
        batch.append(
            make_item(
                f"doc-{n:04}",
                source=source,
                title=f"Item {n}",
                aliases=[f"guid:{n}"] if n % 2 else [],
                provenance=[
                    Sighting(source, f"https://www.example.org/{n}", T1),
                    Sighting(source, f"https://www.example.org/{n}", T1 - timedelta(hours=1)),
                    Sighting("nspcc", f"https://learning.nspcc.org.uk/{n}", T1),
                ],
            )
        )
    return stored, batch


def _stored(repo: Repository, source: str) -> dict[str, Any]:
    found = {}
    for stored in repo.list_items():
        if stored.item.source == source:
            provenance = [
                dataclasses.replace(s, source="-") if s.source == source else s
                for s in stored.item.provenance
            ]
            item = dataclasses.replace(stored.item, source="-", provenance=provenance)
            found[item.key] = (item, [r.kind for r in repo.revisions(stored.id)])
    return found


def test_pipelined_batch_stores_what_the_plain_path_stores(
    repo: Repository, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipelined: list[int] = []
    real = Repository._plan_and_insert_pipelined

    def counted(self: Repository, *args: Any) -> Any:
        pipelined.append(1)
        return real(self, *args)

    monkeypatch.setattr(Repository, "_plan_and_insert_pipelined", counted)
    stored, batch = _batch("dfe")
    repo.upsert_items(stored, T0)
    results = repo.upsert_items(batch, T2)
    expected_pipelined = 2 if db_url.startswith("postgresql") else 0
    assert len(pipelined) == expected_pipelined

    monkeypatch.setattr(items_write, "independent", lambda items: False)
    plain_stored, plain_batch = _batch("dfe-plain")
    repo.upsert_items(plain_stored, T0)
    plain_results = repo.upsert_items(plain_batch, T2)
    assert len(pipelined) == expected_pipelined

    # results in input order, the same outcomes on both paths
    assert [r.outcome for r in results] == [r.outcome for r in plain_results]
    assert [r.outcome for r in results].count("updated") == 10
    assert [r.outcome for r in results].count("new") == 590
    ids = {(stored.item.source, stored.item.key): stored.id for stored in repo.list_items()}
    assert [r.item_id for r in results] == [ids[("dfe", item.key)] for item in batch]
    assert _stored(repo, "dfe") == _stored(repo, "dfe-plain")

    # sightings merged (first and last fetch), the other source's kept; aliases find the item
    item = repo.get_item("dfe", "doc-0001")
    assert item is not None
    assert sorted((s.source, s.url, s.fetched_at) for s in item.provenance) == [
        ("dfe", "https://www.example.org/1", T1),
        ("nspcc", "https://learning.nspcc.org.uk/1", T1),
    ]
    renamed = make_item("doc-0001-renamed", aliases=["guid:1"], title="Item 1")
    [again] = repo.upsert_items([renamed], datetime(2024, 7, 1, tzinfo=UTC))
    assert again.item_id == ids[("dfe", "doc-0001")]


def _failing_once(monkeypatch: pytest.MonkeyPatch, failing_sql: str) -> list[int]:
    """Make the first pipelined statement `failing_sql`; the later ones are the real ones."""
    real = items_write.new_rows_with_children_statement
    calls: list[int] = []

    def fail_once(*args: Any) -> tuple[str, Any]:
        calls.append(1)
        return (failing_sql, ()) if len(calls) == 1 else real(*args)

    monkeypatch.setattr(items_write, "new_rows_with_children_statement", fail_once)
    return calls


@pytest.fixture
def pg_repo() -> Iterator[Repository]:
    """A repository on a freshly migrated PostgreSQL database (the pipeline is PostgreSQL's)."""
    for url in _postgres_database():
        upgrade(url)
        repo = Repository.from_url(url)
        try:
            yield repo
        finally:
            repo.close()


def test_a_deadlock_in_the_pipeline_is_retried(
    pg_repo: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = pg_repo
    calls = _failing_once(
        monkeypatch, "DO $$ BEGIN RAISE EXCEPTION 'deadlock' USING ERRCODE = '40P01'; END $$"
    )
    results = repo.upsert_items([make_item("a"), make_item("b")], T0)
    assert len(calls) == 2
    assert [r.outcome for r in results] == ["new", "new"]
    assert sorted(s.item.key for s in repo.list_items()) == ["a", "b"]


def test_a_failed_pipeline_raises_a_sqlalchemy_error_and_keeps_nothing(
    pg_repo: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = pg_repo
    repo.upsert_items([make_item("a")], T0)
    _failing_once(monkeypatch, "SELECT 1 / 0")
    with pytest.raises(DataError, match="division by zero"):
        repo.upsert_items([make_item("b"), make_item("a", title="Changed")], T1)
    assert [s.item.title for s in repo.list_items()] == [make_item("a").title]
    # the connection went back to the pool usable
    assert [r.outcome for r in repo.upsert_items([make_item("b")], T1)] == ["new"]


def test_a_libpq_without_pipeline_mode_takes_the_plain_path(
    pg_repo: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    monkeypatch.setattr(psycopg.Pipeline, "is_supported", classmethod(lambda cls: False))
    monkeypatch.setattr(
        Repository,
        "_plan_and_insert_pipelined",
        lambda *args: pytest.fail("pipelined without pipeline mode"),
    )
    results = pg_repo.upsert_items([make_item("a"), make_item("b")], T0)
    assert [r.outcome for r in results] == ["new", "new"]


def test_new_items_without_aliases_or_sightings(repo: Repository) -> None:
    items = [make_item(f"bare-{n}", provenance=[], aliases=[]) for n in range(3)]
    results = repo.upsert_items(items, T0)
    assert [r.outcome for r in results] == ["new"] * 3
    for item in items:
        stored = repo.get_item("dfe", item.key)
        assert stored is not None and stored.provenance == [] and stored.aliases == []
