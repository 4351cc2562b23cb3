"""Spider classes built from the registry, so `scrapy crawl <slug>` and the CLI find the same.

A registry entry resolves to its parser class (`spiders.loader`: the source's own module if it
has one, else its kind's); the spider is the Scrapy shell (`aggregator.fetch.spider`) over it.

`scrapy crawl <slug> -s AGGREGATOR_FIXTURES=1` (and a Scrapyd job given that setting) crawls
the bundled fixtures offline, as `aggregator crawl --fixtures` does: the spider class starts
the loopback fixture server for its source and points the download handlers at it.
"""

from __future__ import annotations

import builtins
import os
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings

from aggregator.devtools.fixtures import FixtureServer, FixtureSet, fixture_folders
from aggregator.fetch.fixture_handler import FixtureDownloadHandler
from aggregator.fetch.netguard import ALLOWED_ENV
from aggregator.fetch.spider import SourceSpider
from aggregator.schema import DocType
from aggregator.settings import env_list
from aggregator.sources import REGISTRY, get_source
from spiders.base import SourceParser
from spiders.loader import parser_for


def parser_class(slug: str) -> type[SourceParser]:
    """The parser class of a source (KeyError for an unknown slug)."""
    return parser_for(get_source(slug))


def resolve_type(slug: str, label: str | None, url: str) -> tuple[DocType, str] | None:
    """What a publisher's stored type label (else the URL's series) means to the parser of
    `slug`, with the evidence: for classifying a stored item again. None for a source no
    longer registered, or a label and URL its parser does not know."""
    if slug not in REGISTRY:
        return None
    source = get_source(slug)
    return parser_for(source)(source).resolve_type(label, url)


# Fixture servers started by update_settings, keyed by the id of the crawler's settings object
# (Scrapy passes the crawler's own Settings to update_settings): from_crawler takes each back
# to stop it when its spider closes.
_FIXTURE_SERVERS: dict[int, FixtureServer] = {}


class RegistrySpider(SourceSpider):
    """The spider of one registered source, with the AGGREGATOR_FIXTURES switch."""

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # A crawl given its fixture server already (aggregator crawl --fixtures) is left as is.
        if settings.getbool("AGGREGATOR_FIXTURES") and not settings.get(
            "AGGREGATOR_FIXTURE_SERVER"
        ):
            _FIXTURE_SERVERS[id(settings)] = serve_fixtures(cls.name, settings)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> Any:
        spider = super().from_crawler(crawler, *args, **kwargs)
        server = _FIXTURE_SERVERS.pop(id(crawler.settings), None)
        if server is not None:
            crawler.signals.connect(lambda: server.stop(), signal=signals.spider_closed, weak=False)
        return spider


def serve_fixtures(slug: str, settings: BaseSettings) -> FixtureServer:
    """Start the loopback fixture server for `slug` and aim the crawl at it, as `crawl_settings`
    does for a fixture crawl (at spider priority, so an explicit `-s` still wins). The fixtures
    root is the AGGREGATOR_FIXTURES_DIR setting, else the variable of that name, else
    `fixtures/`. The politeness delays stay on (the loopback profile is in
    aggregator.fetch.process, which imports this module); `-s DOWNLOAD_DELAY=0` drops them."""
    root = settings.get("AGGREGATOR_FIXTURES_DIR")
    folders = fixture_folders(root=Path(root) if root else None)
    if slug not in folders:
        raise UsageError(f"AGGREGATOR_FIXTURES: no fixtures for {slug!r}")
    server = FixtureServer(FixtureSet.load({slug: folders[slug]})).start()
    host = urlsplit(server.base_url).hostname or ""
    settings.set("AGGREGATOR_FIXTURE_SERVER", server.base_url, priority="spider")
    settings.set("AGGREGATOR_ALLOWED_ADDRESSES", [host], priority="spider")
    # Scrapy builds the DNS resolver from the process's settings, not the crawler's
    # (CrawlerProcess._setup_reactor), so the spider-level allow-list above never reaches it;
    # the environment variable that netguard merges in does. Only the loopback host is added.
    allowed = env_list(ALLOWED_ENV)
    if host not in allowed:
        os.environ[ALLOWED_ENV] = ",".join([*allowed, host])
    handlers = dict(settings.getdict("DOWNLOAD_HANDLERS"))
    handlers.update({"http": FixtureDownloadHandler, "https": FixtureDownloadHandler})
    settings.set("DOWNLOAD_HANDLERS", handlers, priority="spider")
    return server


def spider_class(slug: str) -> type[SourceSpider]:
    source = get_source(slug)
    name = "".join(part.title() for part in slug.split("_")) + "Spider"
    attrs = {"name": slug, "source": source, "parser_class": parser_class(slug)}
    return type(name, (RegistrySpider,), attrs)


class RegistrySpiderLoader:
    """Scrapy's SPIDER_LOADER_CLASS: one spider per registry slug."""

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        return cls()

    def load(self, spider_name: str) -> type[SourceSpider]:
        return spider_class(spider_name)

    def list(self) -> list[str]:
        return sorted(REGISTRY)

    def find_by_request(self, request: Request) -> builtins.list[str]:
        host = urlsplit(request.url).hostname or ""
        return [slug for slug, source in REGISTRY.items() if host in source.all_hosts()]
