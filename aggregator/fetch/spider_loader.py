"""Spider classes built from the registry, so `scrapy crawl <slug>` and the CLI find the same.

A registry entry resolves to its parser class (`spiders.loader`: the source's own module if it
has one, else its kind's); the spider is the Scrapy shell (`aggregator.fetch.spider`) over it.
"""

from __future__ import annotations

import builtins
from typing import Self
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.settings import BaseSettings

from aggregator.fetch.spider import SourceSpider
from aggregator.schema import DocType
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
