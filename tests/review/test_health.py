"""Source health, the public feeds, and full-text search kept in step at the head revision."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import delete

from aggregator.review.queries import ITEMS, QueueFilters, queue_page
from aggregator.storage.repository import RunStats
from tests.review.conftest import FOUND, World, make_item, store


def test_source_health_shows_last_crawl_items_and_errors(world: World) -> None:
    run = world.repo.start_run("nspcc", FOUND)
    world.repo.finish_run(
        run,
        RunStats(
            status="partial",
            finished_at=FOUND + timedelta(minutes=2),
            requests=12,
            items_new=3,
            items_unchanged=9,
            errors=[{"url": "https://learning.nspcc.org.uk/x", "message": "HTTP 500"}],
        ),
    )
    page = world.client().get("/sources").get_data(as_text=True)
    row = re.search(r'<tr class="state-ok" id="source-nspcc">(.*?)</tr>', page, re.S)
    assert row, page
    cells = row.group(1)
    assert "04 Jun 2024 08:00" in cells and "<td>12</td><td>3</td>" in cells
    assert "https://learning.nspcc.org.uk/x: HTTP 500" in cells
    assert "3 new item(s) in the last run" in cells
    assert re.search(r'class="state-stale" id="source-dhsc">.*?never crawled', page, re.S)
    assert world.client(("vi", "viewer-password-1")).get("/sources").status_code == 200


def test_the_exports_feeds_are_public(world: World) -> None:
    world.repo.review(world.ids["neglect"], "approve", at=FOUND, actor="ed")
    anonymous = world.app.test_client()
    atom = anonymous.get("/feeds/approved.atom")
    assert atom.status_code == 200, atom.get_data(as_text=True)[:300]
    assert "Neglect: learning from case reviews" in atom.get_data(as_text=True)
    assert anonymous.get("/feeds/approved.json").status_code == 200
    assert anonymous.get("/queue").status_code == 302


def test_search_index_follows_inserts_updates_and_deletes(world: World) -> None:
    def found(q: str) -> list[int]:
        return [row.id for row in queue_page(world.repo, QueueFilters(q=q, status="all")).rows]

    [item_id] = store(world.repo, [(make_item("kinship", "Kinship care research"), 0.9)])
    assert found("kinship") == [item_id]
    renamed = make_item("kinship", "Special guardianship research")
    world.repo.upsert_items([renamed], FOUND + timedelta(hours=1))
    assert found("kinship") == [] and found("guardianship") == [item_id]
    with world.repo.engine.begin() as conn:
        conn.execute(delete(ITEMS).where(ITEMS.c.id == item_id))
    assert found("guardianship") == []
