"""Scrapy adapter for classification (aggregator.classify), and the ledger that carries it.

An item's classification is computed in normalise, where the raw item's body text, type label
and applicability are still at hand (they are not fields of `Item`), and it fills the item's
doc_type, topics and nations there. It is stored beside the item, under the item's id, which
only the store step learns. So it travels beside the item through the pipelines in a
crawl-scoped `ClassificationLedger`, keyed by the item object itself:

- `NormalisePipeline` (100) records each item's classification;
- `ClassifyPipeline` (350), after validation, makes sure the item has one (classifying it
  afresh, from its own fields, if something upstream made an item without one) and counts
  relevant and "probably not safeguarding" items in the crawl stats;
- `StorePipeline` (900) takes the classifications of each batch it writes and saves them with
  `Repository.save_classifications`, under the ids `upsert_items` returned.

Items dropped on the way (invalid, duplicates) are forgotten when the store pipeline closes,
after its last batch.
"""

from __future__ import annotations

import weakref
from typing import Any, Generic, Self, TypeVar, cast

from scrapy.crawler import Crawler

from aggregator.classify.rules import Classification, classify_item
from aggregator.schema import Item

STATS_PREFIX = "aggregator/classified/"

T = TypeVar("T")


class ItemLedger(Generic[T]):
    """Values carried beside in-flight items, keyed by item identity (never by value)."""

    # one ledger of each kind per crawl, forgotten with the crawler
    _per_crawler: weakref.WeakKeyDictionary[Crawler, ItemLedger[Any]]

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        cls._per_crawler = weakref.WeakKeyDictionary()

    @classmethod
    def of(cls, crawler: Crawler) -> Self:
        """This crawl's ledger of this kind (created on first use)."""
        found = cls._per_crawler.get(crawler)
        if found is None:
            found = cls._per_crawler[crawler] = cls()
        return cast(Self, found)

    def __init__(self) -> None:
        # The item is kept with its value, so its id cannot be reused meanwhile.
        self._entries: dict[int, tuple[Item, T]] = {}

    def record(self, item: Item, result: T) -> None:
        self._entries[id(item)] = (item, result)

    def get(self, item: Item) -> T | None:
        entry = self._entries.get(id(item))
        return entry[1] if entry is not None and entry[0] is item else None

    def pop(self, item: Item) -> T | None:
        found = self.get(item)
        if found is not None:
            del self._entries[id(item)]
        return found

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


class ClassificationLedger(ItemLedger[Classification]):
    """Classifications of in-flight items."""


def ledger(crawler: Crawler) -> ClassificationLedger:
    """The classification ledger of this crawl."""
    return ClassificationLedger.of(crawler)


class ClassifyPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.ledger = ledger(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: Item) -> Item:
        result = self.ledger.get(item)
        if result is None:
            result = classify_item(item, nation_hints=list(item.nations))
            item.topics, item.nations = result.topics, result.nations
            self.ledger.record(item, result)
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(STATS_PREFIX + ("relevant" if result.relevant else "not_relevant"))
        return item
