"""Parse one saved response offline, exactly as a crawl would, without any network.

A saved file is held to the crawler's own download cap (`read_saved`, given
`aggregator.fetch.scrapy_settings.DOWNLOAD_MAXSIZE` by the CLI): a file the crawl would never
have downloaded is refused before it is read, and at most one byte more than the cap is ever
read (a device or a growing file can report any size).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from aggregator.classify.rules import Classification
from aggregator.normalise.main_text import clean_main_text
from aggregator.normalise.validate import ValidationError, validate
from aggregator.parse.item import NormaliseError, normalise_classified
from aggregator.parse.raw import RawItem
from aggregator.schema import Item
from aggregator.sources import Source, get_source
from spiders.base import Page
from spiders.loader import feed_parser_for, parser_for

# `aggregator parse feed FILE` reads any RSS/Atom file with the kind that knows its host.
ANY_FEED = Source(slug="feed", publisher="", homepage="", channels=())


class SavedFileTooLarge(ValueError):
    """The saved file is larger than the crawler would ever download."""


def read_saved(path: Path, max_size: int) -> bytes:
    """The bytes of a saved response, refused (SavedFileTooLarge) past `max_size`."""
    refusal = f"{path} is larger than the crawler's download cap ({max_size:,} bytes): refused"
    if path.stat().st_size > max_size:
        raise SavedFileTooLarge(refusal)
    with path.open("rb") as saved:
        body = saved.read(max_size + 1)
    if len(body) > max_size:
        raise SavedFileTooLarge(refusal)
    return body


@dataclass
class OfflineResult:
    items: list[Item] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (reason, url)
    # The classification of each item, in the same order as `items`.
    classifications: list[Classification] = field(default_factory=list)
    # The main text of each item (one paragraph or list item per line), in the same order.
    main_texts: list[str] = field(default_factory=list)
    # What the page was read in spite of, or left out (as a crawl records them).
    warnings: list[str] = field(default_factory=list)


def parse_saved(
    slug: str,
    body: bytes,
    url: str,
    fetched_at: datetime,
    content_type: str = "",
    parser: str | None = None,
) -> OfflineResult:
    """Items a saved page, feed or API response shows by itself, normalised and validated.

    For a listing or search result these are the items the page alone describes, before any
    detail page is fetched.
    """
    page = Page(body, url, fetched_at, content_type)
    if slug == "feed":
        parsed = feed_parser_for(url)(ANY_FEED).parse(page, "feed")
    else:
        source = get_source(slug)
        parsed = parser_for(source)(source).parse(page, parser)
    result = finish(parsed.listed())
    result.warnings.extend(parsed.warnings)
    return result


def finish(raws: list[RawItem]) -> OfflineResult:
    """Normalise and validate raw items as the crawl pipelines do."""
    result = OfflineResult()
    for raw in raws:
        if raw.drop_reason:
            result.dropped.append((raw.drop_reason, raw.url))
            continue
        try:
            item, classification = normalise_classified(raw)
            result.items.append(validate(item, raw.fetched_at))
        except (NormaliseError, ValidationError) as exc:
            result.dropped.append((exc.reason, exc.url))
            continue
        result.classifications.append(classification)
        result.main_texts.append(clean_main_text(raw.body_text))
    return result
