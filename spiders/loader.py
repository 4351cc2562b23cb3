"""A registry entry → the parser class that reads it: the source's own module in spiders/ if it
names one, else its kind's (`spiders/govuk.py`, `wordpress.py`, `feed.py`). Each exports
`PARSER`. An HTML site always has a module of its own (a subclass of `spiders.html.HtmlKind`).
"""

from __future__ import annotations

import importlib

from aggregator.sources import Source, SourceKind
from spiders.base import SourceParser


def parser_for(source: Source) -> type[SourceParser]:
    """The parser class of a registry entry (LookupError for an HTML site without a module)."""
    if source.kind == SourceKind.HTML and not source.spider:
        raise LookupError(f"{source.slug}: an HTML site needs its own module spiders/<slug>.py")
    module = importlib.import_module(f"spiders.{source.parser_module}")
    found: type[SourceParser] = module.PARSER
    return found
