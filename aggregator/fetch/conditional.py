"""Scrapy downloader middleware: conditional GET for fixed URLs, so an unchanged source costs
one cheap request per channel.

Channel and listing-page requests (`meta["conditional"]`) carry If-None-Match and
If-Modified-Since from what the URL last answered; a 304 reaches the spider, which then has
nothing to parse and follows nothing. Validators are loaded when the spider opens and saved
when it closes (`aggregator.storage.crawl_state`), together with the listing signatures the
spider records for detail pages.

The state is saved only when every item of the run was stored. A validator describes what
the items of its page were; saved after a failed store, it would answer the next crawl with
a 304 and the unstored items would never come again. So after a failed store the source's
state is forgotten instead, and its next crawl fetches everything.

A 304 is only an answer to a request that sent validators: one that sent none is a fault of
the server (a cache or a proxy answering for it) and is recorded as an error with its URL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.spiders import Spider

from aggregator.storage.crawl_state import CrawlState, HttpEntry
from pipelines.store import STORE_FAILURES


class ConditionalGetMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.state = CrawlState.from_url(crawler.settings["AGGREGATOR_DATABASE_URL"])
        self.entries: dict[str, HttpEntry] = {}
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        self.entries = self.state.http_entries(spider.name)
        # The spider reads and writes listing signatures in the same table.
        spider.http_entries = self.entries  # type: ignore[attr-defined]

    def spider_closed(self, spider: Spider) -> None:
        assert self.crawler.stats is not None
        if self.crawler.stats.get_value(STORE_FAILURES, 0):
            forgotten = self.state.forget_http_entries(spider.name)
            spider.logger.warning(
                "%s: items failed to store: %d validators forgotten, the next crawl is full",
                spider.name,
                forgotten,
            )
            return
        self.state.save_http_entries(spider.name, self.entries, datetime.now(UTC))

    def process_request(self, request: Request) -> None:
        if not request.meta.get("conditional"):
            return
        entry = self.entries.get(request.url)
        if entry is not None:
            if entry.etag:
                request.headers[b"If-None-Match"] = entry.etag.encode("latin-1")
            if entry.last_modified:
                request.headers[b"If-Modified-Since"] = entry.last_modified.encode("latin-1")
        allowed = list(request.meta.get("handle_httpstatus_list", []))
        request.meta["handle_httpstatus_list"] = [*allowed, 304]

    def process_response(self, request: Request, response: Response) -> Response:
        if not request.meta.get("conditional"):
            return response
        stats = self.crawler.stats
        assert stats is not None
        if response.status == 304:
            asked = request.headers.get(b"If-None-Match") or request.headers.get(
                b"If-Modified-Since"
            )
            if not asked:
                # Nothing was asked to be compared: the 304 hides the page. A fault, not news.
                stats.inc_value("aggregator/unasked_304")
                record_error = getattr(self.crawler.spider, "record_error", None)
                if record_error is not None:
                    record_error(request.url, "HTTP 304 to a request that sent no validators")
                return response
            stats.inc_value("aggregator/not_modified")
        elif response.status == 200:
            etag = response.headers.get(b"ETag")
            modified = response.headers.get(b"Last-Modified")
            if etag or modified:
                entry = self.entries.setdefault(request.url, HttpEntry())
                entry.etag = etag.decode("latin-1") if etag else None
                entry.last_modified = modified.decode("latin-1") if modified else None
        return response
