"""Scrapy extension: every run of a source is recorded in the database (the crawl record).

It stores requests made, responses by status, items new / updated / unchanged / dropped with
their reasons, and errors with their URLs, so health can tell a quiet source from a broken one.

While the spider runs, the run beats a heartbeat every AGGREGATOR_HEARTBEAT_SECONDS (a Twisted
LoopingCall, its database write off the reactor thread), so a crawl killed before it could
record an end is marked "interrupted" once its heartbeat lapses (aggregator.storage.runs). The
next crawl of the source does that marking first, before it starts its own run.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.spiders import Spider
from twisted.internet.defer import Deferred
from twisted.internet.task import LoopingCall
from twisted.internet.threads import deferToThread

from aggregator.normalise.urls import canonical_url, url_key
from aggregator.storage.repository import Repository, RunStats
from aggregator.storage.runs import LAPSE_BEATS
from pipelines.drop import DROPPED_PREFIX
from pipelines.normalise import LAYER_PREFIX

STATUS_PREFIX = "downloader/response_status_count/"
HEARTBEAT_SETTING = "AGGREGATOR_HEARTBEAT_SECONDS"

log = logging.getLogger(__name__)


class CrawlRecorder:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.repository = Repository.from_url(crawler.settings["AGGREGATOR_DATABASE_URL"])
        self.run_id: int | None = None
        self.every = timedelta(seconds=crawler.settings.getfloat(HEARTBEAT_SETTING, 30.0))
        self.beating: LoopingCall | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        now = datetime.now(UTC)
        # An earlier crawl of this source that died is recorded as such before this one starts.
        self.repository.mark_interrupted(now, LAPSE_BEATS * self.every, source=spider.name)
        self.run_id = self.repository.start_run(spider.name, now)
        self.beating = LoopingCall(self.beat)
        self.beating.start(self.every.total_seconds(), now=False)

    def beat(self) -> Deferred[None]:
        """Record that this run is alive (in a thread: the reactor never waits on the database)."""
        beat: Deferred[None] = deferToThread(self._record_beat)
        # A failed beat (the database briefly away) is logged; the next one tries again.
        beat.addErrback(lambda failure: log.warning("heartbeat failed: %s", failure.value))
        return beat

    def _record_beat(self) -> None:
        if self.run_id is not None:
            self.repository.heartbeat(self.run_id, datetime.now(UTC))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.beating is not None and self.beating.running:
            self.beating.stop()
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
