"""Cheap when nothing changed: conditional GETs get 304s, and a changed listing refetches only
the entries it changed. Requests are counted on the fixture server; the first crawl is the
folder's shared one (tests/first_crawls.py), the second runs on a copy of its database."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aggregator.devtools.fixtures import FIXTURES_DIR
from aggregator.sources import REGISTRY
from tests.crawling import last_run
from tests.first_crawls import FirstCrawls, crawl_and_log

pytestmark = pytest.mark.slow  # scheduled first (tests/conftest.py)


@pytest.mark.parametrize("slug", sorted(REGISTRY))
def test_second_crawl_of_an_unchanged_source_is_one_request_per_channel(
    slug: str, tmp_path: Path, first_crawls: FirstCrawls
) -> None:
    crawled = first_crawls.get(slug)
    first = list(crawled.requests)
    db = tmp_path / "c.db"
    crawled.copy(db)
    second = crawl_and_log(slug, FIXTURES_DIR / slug, db)
    primaries = [c.url for c in REGISTRY[slug].channels if c.role == "primary"]
    robots = [u for u in second if u.endswith("/robots.txt")]
    assert sorted(u for u in second if u not in robots) == sorted(primaries)
    assert len(robots) <= len(REGISTRY[slug].all_hosts())
    # Never more than the first crawl; as many only for a source that one feed page holds
    # whole (no detail pages, no page 2): its saving is the 304 below.
    assert len(first) >= len(second)
    run = last_run(f"sqlite:///{db}", slug)
    assert run.stats.responses_by_status.get("304") == len(primaries)
    assert run.stats.status == "ok"


def test_a_changed_listing_refetches_only_the_entry_that_changed(
    tmp_path: Path, first_crawls: FirstCrawls
) -> None:
    db = tmp_path / "l.db"
    first_crawls.get("nspcc").copy(db)
    copy = tmp_path / "nspcc"
    shutil.copytree(FIXTURES_DIR / "nspcc", copy)
    listing = copy / "research-resources.html"
    text = listing.read_text(encoding="utf-8")
    # One card's year moves on; every other card reads as before.
    changed = text.replace("(Published 2022)", "(Published 2023)", 1)
    assert changed != text
    listing.write_text(changed, encoding="utf-8")
    second = crawl_and_log("nspcc", copy, db)
    details = [u for u in second if "/research-resources/" in u]
    assert details == [
        "https://learning.nspcc.org.uk/research-resources/schools/"
        "keeping-children-safe-in-education-caspar-briefing"
    ]
    assert "https://learning.nspcc.org.uk/research-resources" in second
