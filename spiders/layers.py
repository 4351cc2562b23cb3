"""Layered extraction: each field of a detail page from the first layer that yields it.

A site's own rules come first; then what survives redesigns, most trusted first: structured
data, visible labels, the URL, and a generic extractor as the last resort. Which layer gave
each field is recorded on the raw item (`RawItem.field_layers`), stored in the item's
evidence and counted per crawl run, so health can see a site whose own rules stopped
working while the fallbacks still fill the fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import TypeVar

T = TypeVar("T")


class Layer(StrEnum):
    SITE = "site"  # the spider's own rules for its site
    FEED = "feed"  # a feed entry or API record (the source's primary channel)
    STRUCTURED = "structured"  # JSON-LD, Open Graph / article:*, Yoast, microdata
    LABEL = "label"  # visible text: a labelled date, a byline, the <h1>, the standfirst
    URL = "url"  # the date in the URL ("/news/2024/may/")
    GENERIC = "generic"  # the generic extractor: htmldate, <title>, the first paragraph
    LISTING = "listing"  # what the listing card showed of the page


# Layers a source's own reading supplies; beyond them a field has fallen back.
OWN_LAYERS = frozenset({Layer.SITE.value, Layer.FEED.value})


# The fields whose layers are counted per crawl run (health reads them); a field no layer
# gave is recorded as "none".
COUNTED_FIELDS = ("title", "summary", "published")
NONE = "none"


def channel_layers(values: Mapping[str, object], layer: Layer) -> dict[str, str]:
    """The layers of an item read whole from one channel (a feed entry, an API record, a
    listing card): `layer` for each counted field it has, "none" for the others."""
    return {name: layer.value if values.get(name) else NONE for name in COUNTED_FIELDS}


class Layered:
    """The fields of one page as they are taken, each with the layer that gave it."""

    def __init__(self) -> None:
        self.layers: dict[str, str] = {}

    def first(self, name: str, *tries: tuple[Layer, Callable[[], T | None]]) -> T | None:
        """The first non-empty value among `tries`, in order; its layer is recorded."""
        for layer, attempt in tries:
            value = attempt()
            if value:
                self.layers[name] = layer.value
                return value
        return None

    def record(self, name: str, layer: Layer) -> None:
        self.layers[name] = layer.value

    def finish(self) -> dict[str, str]:
        """The layers, with "none" for each counted field that no layer gave."""
        for name in COUNTED_FIELDS:
            self.layers.setdefault(name, NONE)
        return self.layers
