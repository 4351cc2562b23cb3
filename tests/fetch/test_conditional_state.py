"""When validators are saved (aggregator/fetch/conditional.py): only after a run whose items
were all stored. After a failed store the source's validators and listing signatures are
forgotten, so its next crawl fetches everything and the unstored items come again."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from scrapy.utils.test import get_crawler

from aggregator.fetch.conditional import ConditionalGetMiddleware
from aggregator.fetch.spider_loader import spider_class
from aggregator.storage.crawl_state import CrawlState, HttpEntry
from aggregator.storage.db import upgrade
from pipelines.store import STORE_FAILURES

FEED = "https://learning.nspcc.org.uk/feed"
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def closed_crawl(db: str, store_failures: int) -> CrawlState:
    """Open a crawl of nspcc, answer its feed with new validators, close it."""
    crawler = get_crawler(spider_class("nspcc"), {"AGGREGATOR_DATABASE_URL": db})
    crawler._apply_settings()
    spider = crawler._create_spider()
    middleware = ConditionalGetMiddleware.from_crawler(crawler)
    middleware.spider_opened(spider)
    middleware.entries[FEED] = HttpEntry(etag='"v2"', last_modified=None)
    assert crawler.stats is not None
    if store_failures:
        crawler.stats.set_value(STORE_FAILURES, store_failures)
    middleware.spider_closed(spider)
    return middleware.state


def test_validators_are_saved_when_every_item_was_stored(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    upgrade(db)
    state = closed_crawl(db, store_failures=0)
    assert state.http_entries("nspcc")[FEED].etag == '"v2"'


def test_a_failed_store_forgets_the_source_so_the_next_crawl_is_full(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    upgrade(db)
    state = CrawlState.from_url(db)
    old = {FEED: HttpEntry(etag='"v1"'), f"{FEED}?page=2": HttpEntry(listing_signature="s")}
    state.save_http_entries("nspcc", old, T0)
    state.save_http_entries("dhsc", {"https://www.gov.uk/x": HttpEntry(etag='"d"')}, T0)

    state = closed_crawl(db, store_failures=1)
    assert state.http_entries("nspcc") == {}  # neither the old validators nor the new ones
    assert state.http_entries("dhsc")  # other sources keep theirs
