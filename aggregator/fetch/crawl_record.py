"""Scrapy extension: every run of a source is recorded in the database (the crawl record).

It stores requests made, responses by status, items new / updated / unchanged / dropped with
their reasons, and errors with their URLs, so health can tell a quiet source from a broken one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.spiders import Spider

from aggregator.normalise.urls import canonical_url, url_key
from aggregator.storage.repository import Repository, RunStats
from pipelines.drop import DROPPED_PREFIX
from pipelines.normalise import LAYER_PREFIX

STATUS_PREFIX = "downloader/response_status_count/"


class CrawlRecorder:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.repository = Repository.from_url(crawler.settings["AGGREGATOR_DATABASE_URL"])
        self.run_id: int | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        self.run_id = self.repository.start_run(spider.name, datetime.now(UTC))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.run_id is None:
            return
        now = datetime.now(UTC)
        assert self.crawler.stats is not None
        stats: dict[str, Any] = self.crawler.stats.get_stats()
        errors: list[dict[str, str]] = list(getattr(spider, "errors", []))
        for url, why in getattr(spider, "gone", []):
            self.repository.mark_withdrawn(spider.name, url_key(canonical_url(url)), now, why)
        if reason != "finished":
            errors.append({"url": "", "message": f"crawl ended early: {reason}"})
        counts = {
            k: int(stats.get(f"aggregator/items_{k}", 0)) for k in ("new", "updated", "unchanged")
        }
        # A cosmetic change (a "Last updated" bump) is recorded as a revision but is not news.
        counts["unchanged"] += int(stats.get("aggregator/items_cosmetic", 0))
        dropped = {
            k[len(DROPPED_PREFIX) :]: int(v)
            for k, v in stats.items()
            if k.startswith(DROPPED_PREFIX)
        }
        layers: dict[str, dict[str, int]] = {}
        for key, value in stats.items():
            if key.startswith(LAYER_PREFIX):
                name, _, layer = key[len(LAYER_PREFIX) :].partition("/")
                layers.setdefault(name, {})[layer] = int(value)
        stored = sum(counts.values())
        not_modified = int(stats.get("aggregator/not_modified", 0))
        if stored == 0 and errors:
            status = "failed"
        elif stored == 0 and not not_modified:
            status = "empty"  # fetched, but nothing parsed: a broken parser or an empty source
        else:
            status = "ok" if not errors else "partial"
        self.repository.finish_run(
            self.run_id,
            RunStats(
                status=status,
                finished_at=datetime.now(UTC),
                requests=int(stats.get("downloader/request_count", 0)),
                responses_by_status={
                    k[len(STATUS_PREFIX) :]: int(v)
                    for k, v in stats.items()
                    if k.startswith(STATUS_PREFIX)
                },
                items_new=counts["new"],
                items_updated=counts["updated"],
                items_unchanged=counts["unchanged"],
                items_dropped=sum(dropped.values()),
                dropped_reasons=dropped,
                errors=errors,
                field_layers=layers,
            ),
        )
