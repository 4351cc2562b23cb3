"""Scrapy adapter over aggregator.normalise.validate: invalid items are dropped with a counted
reason."""

from __future__ import annotations

from typing import Self

from scrapy.crawler import Crawler

from aggregator.normalise.validate import ValidationError, validate
from aggregator.schema import Item
from pipelines.drop import drop


class ValidatePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: Item) -> Item:
        try:
            return validate(item, item.provenance[0].fetched_at)
        except ValidationError as exc:
            drop(self.crawler, exc.reason, exc.url)
