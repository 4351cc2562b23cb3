"""Scrapy adapter: raw items from spiders become schema items (aggregator.parse.item)."""

from __future__ import annotations

from typing import Self

from scrapy.crawler import Crawler

from aggregator.classify.rules import Classification
from aggregator.normalise.main_text import clean_main_text
from aggregator.parse.item import NormaliseError, normalise_classified
from aggregator.parse.raw import RawItem
from aggregator.schema import Item
from pipelines.classify import ledger
from pipelines.drop import drop
from pipelines.offload import OverBudget, offloader
from pipelines.write_drafts import text_ledger

# Crawl stats counting which extraction layer gave each field: `…/<field>/<layer>`.
LAYER_PREFIX = "aggregator/layer/"


class NormalisePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_item(self, item: RawItem | Item) -> Item:
        if isinstance(item, Item):
            return item
        if item.drop_reason:
            drop(self.crawler, item.drop_reason, item.url)
        try:
            # Normalising classifies too (pure CPU work): off the reactor thread, in budget.
            normalised, classification, main_text = await offloader(self.crawler).run(
                f"normalising {item.url}", normalise_item, item
            )
        except NormaliseError as exc:
            drop(self.crawler, exc.reason, exc.url)
        except OverBudget as exc:
            record_error = getattr(self.crawler.spider, "record_error", None)
            if record_error is not None:
                record_error(item.url, str(exc))
            drop(self.crawler, "over CPU budget", item.url)
        ledger(self.crawler).record(normalised, classification)  # see pipelines/classify.py
        if self.crawler.stats is not None:
            for name, layer in item.field_layers.items():
                self.crawler.stats.inc_value(f"{LAYER_PREFIX}{name}/{layer}")
        if main_text:  # see pipelines/drafts.py
            text_ledger(self.crawler).record(normalised, main_text)
        return normalised


def normalise_item(raw: RawItem) -> tuple[Item, Classification, str]:
    """The schema item, its classification and its cleaned main text (for drafts)."""
    normalised, classification = normalise_classified(raw)
    return normalised, classification, clean_main_text(raw.body_text)
