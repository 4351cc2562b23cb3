"""Scrapy extension: a crawl's progress on one stderr line, per source, on a terminal.

"nspcc 14 pages 6 items · ofsted 3 pages 1 item (done)", redrawn at most four times a
second, then ended with a line break when the last source closes. `aggregator crawl` turns
it on (`AGGREGATOR_PROGRESS`) only when stderr is a terminal, so logs, cron mail and pipes
never see it.
"""

from __future__ import annotations

import shutil
import sys
import time
from dataclasses import dataclass
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

PROGRESS_SETTING = "AGGREGATOR_PROGRESS"
REDRAW_SECONDS = 0.25


@dataclass
class _Source:
    pages: int = 0
    items: int = 0
    done: bool = False

    def text(self, slug: str) -> str:
        items = "item" if self.items == 1 else "items"
        return f"{slug} {self.pages} pages {self.items} {items}" + (" (done)" if self.done else "")


class CrawlProgress:
    """One status line for every source this process crawls (the crawlers share it)."""

    sources: dict[str, _Source] = {}  # noqa: RUF012 - one line for the whole process
    drawn_at = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool(PROGRESS_SETTING):
            raise NotConfigured
        extension = cls()
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.page, signal=signals.response_received)
        crawler.signals.connect(extension.item, signal=signals.item_scraped)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def opened(self, spider: Any) -> None:
        CrawlProgress.sources[spider.name] = _Source()
        self.draw(force=True)

    def page(self, response: Any, request: Any, spider: Any) -> None:
        CrawlProgress.sources.setdefault(spider.name, _Source()).pages += 1
        self.draw()

    def item(self, item: Any, response: Any, spider: Any) -> None:
        CrawlProgress.sources.setdefault(spider.name, _Source()).items += 1
        self.draw()

    def closed(self, spider: Any, reason: str) -> None:
        CrawlProgress.sources.setdefault(spider.name, _Source()).done = True
        last = all(source.done for source in CrawlProgress.sources.values())
        self.draw(force=True)
        if last:
            sys.stderr.write("\n")
            sys.stderr.flush()
            CrawlProgress.sources = {}

    def draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - CrawlProgress.drawn_at < REDRAW_SECONDS:
            return
        CrawlProgress.drawn_at = now
        line = " · ".join(s.text(slug) for slug, s in sorted(CrawlProgress.sources.items()))
        width = shutil.get_terminal_size((100, 20)).columns - 1
        if len(line) > width:
            line = line[: width - 1] + "…"
        sys.stderr.write("\r\x1b[K" + line)
        sys.stderr.flush()
