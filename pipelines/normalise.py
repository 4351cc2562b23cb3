"""Scrapy adapter: raw items from spiders become schema items (aggregator.parse.item)."""

from __future__ import annotations

from typing import Self

from scrapy.crawler import Crawler

from aggregator.normalise.main_text import clean_main_text
from aggregator.parse.item import NormaliseError, normalise_classified
from aggregator.parse.raw import RawItem
from aggregator.schema import Item
from pipelines.classify import ledger
from pipelines.drop import drop
from pipelines.write_drafts import text_ledger

# Crawl stats counting which extraction layer gave each field: `…/<field>/<layer>`.
LAYER_PREFIX = "aggregator/layer/"


class NormalisePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: RawItem | Item) -> Item:
        if isinstance(item, Item):
            return item
        if item.drop_reason:
            drop(self.crawler, item.drop_reason, item.url)
        try:
            normalised, classification = normalise_classified(item)
        except NormaliseError as exc:
            drop(self.crawler, exc.reason, exc.url)
        ledger(self.crawler).record(normalised, classification)  # see pipelines/classify.py
        if self.crawler.stats is not None:
            for name, layer in item.field_layers.items():
                self.crawler.stats.inc_value(f"{LAYER_PREFIX}{name}/{layer}")
        main_text = clean_main_text(item.body_text)
        if main_text:  # see pipelines/drafts.py
            text_ledger(self.crawler).record(normalised, main_text)
        return normalised
