"""Running spiders: one Scrapy process crawls the chosen sources, each recorded separately."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from aggregator.fetch import scrapy_settings
from aggregator.fetch.spider_loader import spider_class

FIXTURE_HANDLER = "aggregator.fetch.fixture_handler.FixtureDownloadHandler"


# Politeness is the production profile (aggregator/fetch/scrapy_settings.py). Crawls of the loopback
# fixture server (tests, the demo, benchmarks) use this named profile instead: no per-host
# delay, no AutoThrottle, no retries. Politeness itself is tested with the production profile.
PROFILES: dict[str, dict[str, Any]] = {
    "production": {},
    "loopback-test": {
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "RETRY_TIMES": 0,
        "LOG_LEVEL": "WARNING",
    },
}


def crawl_settings(
    database_url: str,
    fixture_server: str | None = None,
    profile: str | None = None,
    **overrides: Any,
) -> Settings:
    """The project's Scrapy settings for a crawl into `database_url`.

    With `fixture_server`, every request goes to the loopback fixture server instead of the
    network, and the politeness delays (meant for real publishers) are off. The fixture
    server's address is the one non-public address allow-listed (explicitly, by the SSRF guard).
    """
    settings = Settings()
    settings.setmodule(scrapy_settings, priority="project")
    settings.set("AGGREGATOR_DATABASE_URL", database_url, priority="cmdline")
    if fixture_server:
        settings.set("AGGREGATOR_FIXTURE_SERVER", fixture_server, priority="cmdline")
        settings.set(
            "AGGREGATOR_ALLOWED_ADDRESSES",
            [urlsplit(fixture_server).hostname or ""],
            priority="cmdline",
        )
        handlers = dict(settings.getdict("DOWNLOAD_HANDLERS"))
        handlers.update({"http": FIXTURE_HANDLER, "https": FIXTURE_HANDLER})
        settings.set("DOWNLOAD_HANDLERS", handlers, priority="cmdline")
    chosen = profile or ("loopback-test" if fixture_server else "production")
    for name, value in PROFILES[chosen].items():
        settings.set(name, value, priority="cmdline")
    for name, value in overrides.items():
        settings.set(name, value, priority="cmdline")
    return settings


def run_crawl(
    slugs: Sequence[str],
    database_url: str,
    fixture_server: str | None = None,
    profile: str | None = None,
    spider_args: dict[str, str] | None = None,
    **overrides: Any,
) -> None:
    """Crawl `slugs` in this process (blocking until every spider has closed)."""
    process = CrawlerProcess(crawl_settings(database_url, fixture_server, profile, **overrides))
    for slug in slugs:
        process.crawl(spider_class(slug), **(spider_args or {}))
    process.start()
