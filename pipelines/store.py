"""Scrapy adapter over the repository: items are written in batches, never one commit each.

Items are held until the batch is full or the spider closes, so a later duplicate in the run
can still add its provenance to an item before it is written.
"""

from __future__ import annotations

from typing import Self

from scrapy.crawler import Crawler

from aggregator.schema import Item
from aggregator.storage.repository import Repository

BATCH_SIZE = 200


class StorePipeline:
    def __init__(self, crawler: Crawler, repository: Repository) -> None:
        self.crawler = crawler
        self.repository = repository
        self.batch: list[Item] = []

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

    def flush(self) -> None:
        if not self.batch:
            return
        seen_at = max(s.fetched_at for item in self.batch for s in item.provenance)
        results = self.repository.upsert_items(self.batch, seen_at)
        stats = self.crawler.stats
        assert stats is not None
        for result in results:
            stats.inc_value(f"aggregator/items_{result.outcome}")
        self.batch = []
