"""Scrapy adapter over the repository: items are written in batches, never one commit each.

Items are held until the batch is full or the spider closes, so a later duplicate in the run
can still add its provenance to an item before it is written. Each item's classification
(carried beside it in the crawl's ledger, see pipelines/classify.py) is saved with it, under the
id the upsert gave it, classified at the batch's fetch time; then its main text, and a draft
summary where it needs one (pipelines/drafts.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Self

from scrapy.crawler import Crawler

from aggregator.dedupe.merge import cluster_items
from aggregator.schema import Item
from aggregator.storage.repository import Repository
from pipelines.classify import ledger
from pipelines.write_drafts import DraftStep, text_ledger

BATCH_SIZE = 200


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
            merges = cluster_items(self.repository, self.changed_ids, self.last_seen_at)
            assert self.crawler.stats is not None
            self.crawler.stats.set_value("aggregator/cluster_merges", len(merges))

    def flush(self) -> None:
        if not self.batch:
            return
        seen_at = max(s.fetched_at for item in self.batch for s in item.provenance)
        results = self.repository.upsert_items(self.batch, seen_at)
        stats = self.crawler.stats
        assert stats is not None
        for result in results:
            stats.inc_value(f"aggregator/items_{result.outcome}")
            if result.outcome in ("new", "updated"):
                self.changed_ids.add(result.item_id)
        self.last_seen_at = max(seen_at, self.last_seen_at or seen_at)
        classified = [
            (result.item_id, found)
            for item, result in zip(self.batch, results, strict=True)
            if (found := self.ledger.pop(item)) is not None
        ]
        self.repository.save_classifications(classified, classified_at=seen_at)
        texts = {
            result.item_id: text
            for item, result in zip(self.batch, results, strict=True)
            if (text := self.texts.pop(item))
        }
        self.drafts.after_upsert(self.batch, results, texts, seen_at)
        self.batch = []
