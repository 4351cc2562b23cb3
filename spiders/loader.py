"""A registry entry → the parser class that reads it: the source's own module in spiders/ if it
names one, else its kind's (`spiders/govuk.py`, `wordpress.py`, `feed.py`). Each exports
`PARSER`. An HTML site always has a module of its own (a subclass of `spiders.html.HtmlKind`).
"""

from __future__ import annotations

import importlib
from urllib.parse import urlsplit

from aggregator.sources import REGISTRY, Source, SourceKind
from spiders.base import SourceParser


def parser_for(source: Source) -> type[SourceParser]:
    """The parser class of a registry entry (LookupError for an HTML site without a module)."""
    if source.kind == SourceKind.HTML and not source.spider:
        raise LookupError(f"{source.slug}: an HTML site needs its own module spiders/<slug>.py")
    module = importlib.import_module(f"spiders.{source.parser_module}")
    found: type[SourceParser] = module.PARSER
    return found


def feed_parser_for(url: str) -> type[SourceParser]:
    """The parser for a feed read outside the registry (`aggregator parse feed FILE`): the
    shared kind of the registered sources on the feed's host when they agree on one (a GOV.UK
    organisation's feed is read by the GOV.UK kind), else the plain feed kind."""
    host = urlsplit(url).hostname or ""
    kinds = {s.kind for s in REGISTRY.values() if host in s.all_hosts()}
    kind = kinds.pop() if len(kinds) == 1 else SourceKind.FEED
    if kind == SourceKind.HTML:  # an HTML site's feed has no parser of its own kind
        kind = SourceKind.FEED
    found: type[SourceParser] = importlib.import_module(f"spiders.{kind}").PARSER
    return found
