"""Dropping an item: counted by reason in the crawl stats and logged with its URL."""

from __future__ import annotations

import logging
from typing import NoReturn

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

logger = logging.getLogger(__name__)

DROPPED_PREFIX = "aggregator/dropped/"


def drop(crawler: Crawler, reason: str, url: str) -> NoReturn:
    assert crawler.stats is not None
    crawler.stats.inc_value(DROPPED_PREFIX + reason)
    logger.info("dropped (%s): %s", reason, url)
    raise DropItem(f"{reason}: {url}", log_level="DEBUG")
