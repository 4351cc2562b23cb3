"""Running spiders: one Scrapy process crawls the chosen sources, each recorded separately."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from aggregator import scrapy_settings
from aggregator.spider_loader import spider_class

FIXTURE_HANDLER = "aggregator.fixture_handler.FixtureDownloadHandler"


def crawl_settings(
    database_url: str, fixture_server: str | None = None, **overrides: Any
) -> Settings:
    """The project's Scrapy settings for a crawl into `database_url`.

    With `fixture_server`, every request goes to the loopback fixture server instead of the
    network, and the politeness delays (meant for real publishers) are off.
    """
    settings = Settings()
    settings.setmodule(scrapy_settings, priority="project")
    settings.set("AGGREGATOR_DATABASE_URL", database_url, priority="cmdline")
    if fixture_server:
        settings.set("AGGREGATOR_FIXTURE_SERVER", fixture_server, priority="cmdline")
        handlers = dict(settings.getdict("DOWNLOAD_HANDLERS"))
        handlers.update({"http": FIXTURE_HANDLER, "https": FIXTURE_HANDLER})
        settings.set("DOWNLOAD_HANDLERS", handlers, priority="cmdline")
        settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
        settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
        settings.set("RETRY_TIMES", 0, priority="cmdline")
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    for name, value in overrides.items():
        settings.set(name, value, priority="cmdline")
    return settings


def run_crawl(
    slugs: Sequence[str], database_url: str, fixture_server: str | None = None, **overrides: Any
) -> None:
    """Crawl `slugs` in this process (blocking until every spider has closed)."""
    process = CrawlerProcess(crawl_settings(database_url, fixture_server, **overrides))
    for slug in slugs:
        process.crawl(spider_class(slug))
    process.start()
