"""Exact-key dedupe within one run: a second sighting merges into the first, never a new item.

The same publication can arrive twice in a run (a listing and a fallback feed). The first
keeps its fields; the second adds its provenance and aliases, and is dropped as a duplicate.
"""

from __future__ import annotations

from typing import Self

from scrapy.crawler import Crawler

from aggregator.schema import Item
from pipelines.drop import drop


class DedupePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.seen: dict[str, Item] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: Item) -> Item:
        first = self.seen.get(item.key)
        if first is None:
            self.seen[item.key] = item
            return item
        merge_sightings(first, item)
        drop(self.crawler, "duplicate within run", item.url)


def merge_sightings(into: Item, other: Item) -> None:
    """Add `other`'s provenance and aliases to `into` (the store has not written it yet)."""
    for sighting in other.provenance:
        if sighting not in into.provenance:
            into.provenance.append(sighting)
    into.aliases = sorted(set(into.aliases) | set(other.aliases))
