"""Scrapy adapter over the repository: items are written in batches, never one commit each.

Items are held until the batch is full or the spider closes, so a later duplicate in the run
can still add its provenance to an item before it is written. Each item's classification
(carried beside it in the crawl's ledger, see pipelines/classify.py) is saved with it, under the
id the upsert gave it, classified at the batch's fetch time; then its main text, and a draft
summary where it needs one (pipelines/drafts.py).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Self

from scrapy.crawler import Crawler
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from aggregator.dedupe.merge import cluster_items
from aggregator.schema import Item
from aggregator.storage.repository import Repository
from pipelines.classify import ledger
from pipelines.write_drafts import DraftStep, text_ledger

BATCH_SIZE = 200
STORE_FAILURES = "aggregator/store_failures"
"""Crawl stat: items (or derived rows) that could not be stored this run. When it is set, the
conditional-GET state is not saved (aggregator/fetch/conditional.py)."""

logger = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, crawler: Crawler, repository: Repository) -> None:
        self.crawler = crawler
        self.repository = repository
        self.batch: list[Item] = []
        self.ledger = ledger(crawler)
        self.texts = text_ledger(crawler)
        assert crawler.stats is not None
        self.drafts = DraftStep(repository.engine, crawler.stats)
        self.changed_ids: set[int] = set()
        self.last_seen_at: datetime | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, Repository.from_url(crawler.settings["AGGREGATOR_DATABASE_URL"]))

    def process_item(self, item: Item) -> Item:
        self.batch.append(item)
        if len(self.batch) >= BATCH_SIZE:
            self.flush()
        return item

    def close_spider(self) -> None:
        self.flush()
        self.ledger.clear()  # what is left belongs to items dropped after normalise
        self.texts.clear()
        if self.changed_ids and self.last_seen_at is not None:
            # New and substantively changed items are matched against every source's items.
            try:
                merges = cluster_items(self.repository, self.changed_ids, self.last_seen_at)
            except SQLAlchemyError as exc:
                self.store_failed("", exc, what=f"clustering of {len(self.changed_ids)} items")
                return
            assert self.crawler.stats is not None
            self.crawler.stats.set_value("aggregator/cluster_merges", len(merges))

    def flush(self) -> None:
        batch, self.batch = self.batch, []
        if batch:
            self.store(batch)

    def store(self, batch: list[Item]) -> None:
        """Store `batch`; one bad item never costs the others. A batch the database refuses
        is stored again in halves, down to the item, and the item it refuses is recorded as
        an error of the run (`store_failed`). A lost connection is retried by the repository;
        when it stays lost, the whole batch is recorded as failed (halving cannot help)."""
        seen_at = max(s.fetched_at for item in batch for s in item.provenance)
        try:
            results = self.repository.upsert_items(batch, seen_at)
        except Exception as exc:  # noqa: BLE001 - recorded per item below, never lost silently
            if len(batch) > 1 and not is_connection_error(exc):
                middle = len(batch) // 2
                self.store(batch[:middle])
                self.store(batch[middle:])
                return
            for item in batch:
                self.store_failed(item.url, exc)
                self.ledger.pop(item)
                self.texts.pop(item)
            return
        stats = self.crawler.stats
        assert stats is not None
        for result in results:
            stats.inc_value(f"aggregator/items_{result.outcome}")
            if result.outcome in ("new", "updated"):
                self.changed_ids.add(result.item_id)
        self.last_seen_at = max(seen_at, self.last_seen_at or seen_at)
        classified = [
            (result.item_id, found)
            for item, result in zip(batch, results, strict=True)
            if (found := self.ledger.pop(item)) is not None
        ]
        texts = {
            result.item_id: text
            for item, result in zip(batch, results, strict=True)
            if (text := self.texts.pop(item))
        }
        # The items are stored; what is derived from them is stored after. If that fails,
        # the run says so and the source is crawled in full next time, which stores it again.
        try:
            self.repository.save_classifications(classified, classified_at=seen_at)
            self.drafts.after_upsert(batch, results, texts, seen_at)
        except SQLAlchemyError as exc:
            self.store_failed(batch[0].url, exc, what=f"classifications of {len(batch)} items")

    def store_failed(self, url: str, exc: Exception, what: str = "item") -> None:
        """Record a failed store as an error of the run, with its URL and the reason."""
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(STORE_FAILURES)
        reason = " ".join(str(getattr(exc, "orig", None) or exc).split())[:300]
        spider = self.crawler.spider
        message = f"store failed ({what}): {type(exc).__name__}: {reason}"
        if spider is not None and hasattr(spider, "record_error"):
            spider.record_error(url, message)
        else:
            logger.error("%s: %s", url, message)


def is_connection_error(exc: Exception) -> bool:
    """Whether the database connection itself failed (not this batch's data)."""
    return isinstance(exc, OperationalError | InterfaceError) or bool(
        getattr(exc, "connection_invalidated", False)
    )
