"""Source health, the public feeds, and full-text search kept in step at the head revision."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import delete

from aggregator.review.queries import ITEMS, QueueFilters, queue_page, source_health
from aggregator.storage.crawl_state import CrawlState
from aggregator.storage.repository import RunStats
from tests.review.conftest import FOUND, NOW, World, make_item, store


def finish(world: World, source: str, stats: RunStats, started: datetime = FOUND) -> None:
    world.repo.finish_run(world.repo.start_run(source, started), stats)


def source_row(page: str, source: str) -> tuple[str, str]:
    """(the row's state class, its cells) on the Sources page."""
    row = re.search(rf'<tr class="state-([\w-]+)" id="source-{source}">(.*?)</tr>', page, re.S)
    assert row, page
    return row.group(1), row.group(2)


def test_source_health_shows_last_crawl_items_and_errors(world: World) -> None:
    finish(
        world,
        "nspcc",
        RunStats(
            status="ok",
            finished_at=FOUND + timedelta(minutes=2),
            requests=12,
            items_new=3,
            items_unchanged=9,
        ),
    )
    page = world.client().get("/sources").get_data(as_text=True)
    state, cells = source_row(page, "nspcc")
    assert state == "ok"
    assert "04 Jun 2024 08:00" in cells and "</span>12</td>" in cells
    assert "</span>3</td>" in cells and "</span>9</td>" in cells
    assert "3 new item(s) in the last run" in cells
    state, cells = source_row(page, "dhsc")
    assert state == "stale" and "never crawled" in cells
    assert world.client(("vi", "viewer-password-1")).get("/sources").status_code == 200


def test_a_partial_run_with_a_404_is_partial_with_its_errors_not_ok(world: World) -> None:
    """The issue's case: a crawl stored new items but one page answered 404. The verdict of
    `aggregator status` alone would be "ok"; the Sources page says partial and lists the
    error."""
    finish(
        world,
        "nspcc",
        RunStats(
            status="partial",
            finished_at=FOUND + timedelta(minutes=2),
            requests=12,
            responses_by_status={"200": 11, "404": 1},
            items_new=3,
            items_unchanged=8,
            errors=[
                {"url": "https://learning.nspcc.org.uk/gone", "message": "HTTP 404"},
                {"url": "https://learning.nspcc.org.uk/slow", "message": "timeout"},
            ],
        ),
    )
    page = world.client().get("/sources").get_data(as_text=True)
    state, cells = source_row(page, "nspcc")
    assert state == "partial"
    assert '<span class="state">partial</span>' in cells
    assert "the last crawl was partial: 2 error(s), first HTTP 404" in cells
    assert "https://learning.nspcc.org.uk/gone: HTTP 404" in cells
    assert "https://learning.nspcc.org.uk/slow: timeout" in cells
    assert '<span class="state">ok</span>' not in cells
    [found] = [s for s in source_health(world.repo, {}, FOUND) if s.source == "nspcc"]
    assert (found.health.state, found.state) == ("partial", "partial")  # one rule: the CLI's


def test_a_partial_run_still_running_after_is_judged_by_the_finished_one(world: World) -> None:
    """A new crawl under way says nothing yet: the partial run before it is still shown."""
    finish(
        world,
        "nspcc",
        RunStats(
            status="partial",
            finished_at=FOUND + timedelta(minutes=2),
            items_new=1,
            errors=[{"url": "https://learning.nspcc.org.uk/gone", "message": "HTTP 404"}],
        ),
    )
    world.repo.start_run("nspcc", FOUND + timedelta(hours=1))
    [found] = [
        s
        for s in source_health(world.repo, {}, FOUND + timedelta(hours=1, minutes=1))
        if s.source == "nspcc"
    ]
    assert found.last_run is not None and found.last_run.stats.status == "running"
    assert found.state == "partial" and "HTTP 404" in found.reason


def test_worse_verdicts_are_kept_over_partial(world: World) -> None:
    """A partial run whose errors include a 403 is "blocked" (an error), as the CLI says."""
    finish(
        world,
        "nspcc",
        RunStats(
            status="partial",
            finished_at=FOUND + timedelta(minutes=2),
            items_new=2,
            errors=[{"url": "https://learning.nspcc.org.uk/x", "message": "HTTP 403"}],
        ),
    )
    state, cells = source_row(world.client().get("/sources").get_data(as_text=True), "nspcc")
    assert state == "blocked" and "HTTP 403" in cells


def test_a_crawl_holding_the_lease_shows_as_crawling(world: World) -> None:
    """The Sources page applies the lease as `aggregator status` does (`with_lease`)."""
    finish(world, "nspcc", RunStats(status="ok", finished_at=FOUND, items_new=1))
    state_store = CrawlState(world.repo.engine)
    assert state_store.acquire("nspcc", "worker-7", NOW, timedelta(hours=2))
    [found] = [s for s in source_health(world.repo, {}, NOW) if s.source == "nspcc"]
    assert found.state == "crawling" and "worker-7" in found.reason


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
