"""Spider classes built from the registry, so `scrapy crawl <slug>` and the CLI find the same.

A source names its parser module in the registry (`spiders/<module>.py` exports `PARSER`);
a source without one is a plain RSS/Atom source read by the shared feed parser.
"""

from __future__ import annotations

import builtins
import importlib
from typing import Self
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.settings import BaseSettings

from aggregator.sources import REGISTRY, get_source
from spiders.base import PlainFeedParser, SourceParser, SourceSpider


def parser_class(slug: str) -> type[SourceParser]:
    """The parser class of a source (KeyError for an unknown slug)."""
    source = get_source(slug)
    if source.spider is None:
        return PlainFeedParser
    module = importlib.import_module(f"spiders.{source.spider}")
    found: type[SourceParser] = module.PARSER
    return found


def spider_class(slug: str) -> type[SourceSpider]:
    source = get_source(slug)
    name = "".join(part.title() for part in slug.split("_")) + "Spider"
    attrs = {"name": slug, "source": source, "parser_class": parser_class(slug)}
    return type(name, (SourceSpider,), attrs)


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
