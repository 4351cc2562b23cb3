"""New items enter the SQLite full-text index in bulk (migration 0009), changes by trigger."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from aggregator.schema import DocType, Item
from aggregator.storage.db import upgrade
from aggregator.storage.repository import Repository

T0 = datetime(2024, 5, 1, 9, tzinfo=UTC)
T1 = datetime(2024, 5, 2, 9, tzinfo=UTC)


def make_item(n: int, title: str) -> Item:
    return Item(
        key=f"example.org/pub/{n}",
        source="nspcc",
        publisher="NSPCC",
        title=title,
        url=f"https://example.org/pub/{n}",
        summary="A briefing for practitioners working with families.",
        doc_type=DocType.BRIEFING,
    )


def matches(repo: Repository, query: str) -> list[int]:
    with repo.engine.connect() as conn:
        found = conn.execute(
            text("SELECT rowid FROM items_fts WHERE items_fts MATCH :q ORDER BY rowid"),
            {"q": query},
        )
        return list(found.scalars())


@pytest.fixture
def sqlite_repo(tmp_path: Path) -> Iterator[Repository]:
    """SQLite only: PostgreSQL's expression index is kept by the server itself."""
    url = f"sqlite:///{tmp_path / 'search.db'}"
    upgrade(url)
    repo = Repository.from_url(url)
    yield repo
    repo.close()


def test_new_items_are_indexed_once_each(sqlite_repo: Repository) -> None:
    items = [make_item(n, f"Neglect briefing {n}") for n in range(1200)]  # over one chunk
    results = sqlite_repo.upsert_items(items, T0)
    ids = sorted(r.item_id for r in results)
    assert matches(sqlite_repo, "neglect") == ids
    assert matches(sqlite_repo, '"1199"') == [results[-1].item_id]
    with sqlite_repo.engine.connect() as conn:
        check = conn.execute(text("INSERT INTO items_fts(items_fts) VALUES ('integrity-check')"))
        check.close()


def test_changed_titles_are_reindexed_and_seen_again_items_are_not_doubled(
    sqlite_repo: Repository,
) -> None:
    [first] = sqlite_repo.upsert_items([make_item(1, "Neglect briefing")], T0)
    sqlite_repo.upsert_items([make_item(1, "Neglect briefing")], T1)  # unchanged
    assert matches(sqlite_repo, "neglect") == [first.item_id]
    renamed = dataclasses.replace(make_item(1, "Hoarding briefing"))
    sqlite_repo.upsert_items([renamed], T1)
    assert matches(sqlite_repo, "neglect") == []
    assert matches(sqlite_repo, "hoarding") == [first.item_id]
