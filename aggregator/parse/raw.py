"""What a parser emits: the publisher's own strings, before normalisation.

Parsers are pure functions of (response bytes, URL, fetched_at). They copy what the page says
into a `RawItem` (dates as the text shown, HTML fragments as found) and leave interpretation to
`aggregator.normalise`, so every source's dates and URLs go through one tested code path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from aggregator.schema import DocType


@dataclass
class RawAttachment:
    title: str
    url: str
    media_type: str | None = None
    size: int | None = None


@dataclass
class RawItem:
    source: str
    url: str
    title: str
    fetched_at: datetime
    # The page or API URL this item was read from (a listing, a feed, a detail page).
    fetched_from: str = ""
    summary: str = ""  # plain text or an HTML fragment
    publisher: str | None = None  # None: the registry's publisher
    # Dates as the publisher wrote them ("Publication date April 2024", ISO 8601, RFC 822).
    published: str | None = None
    updated: str | None = None
    change_note: str | None = None
    event_range: str | None = None  # "Thursday May 16, 2024, 05:00 PM – 06:30 PM BST"
    event_start: str | None = None
    event_end: str | None = None
    # How much of `event_start` the publisher gave ("day", "month", "year"); None: an exact
    # time. A statistics release "January 2016" is month precision.
    event_precision: str | None = None
    # A statistics announcement's state as published: "provisional", "confirmed", "cancelled".
    release_state: str | None = None
    # When a consultation or call for evidence opens and closes, as written.
    opens: str | None = None
    closes: str | None = None
    # The publisher's own type label as shown (a content-store document type, a "Topics:"
    # value, a site section), stored so the item can be classified again.
    type_hint: str | None = None
    # What the source's parser says the label, or else the item's URL series, means: a
    # controlled type and the evidence in the parser's words. Classification reads these and
    # knows no source itself (`SourceParser.resolve_types` fills them).
    doc_type_hint: DocType | None = None
    type_evidence: str | None = None
    topic_hints: list[str] = field(default_factory=list)
    nation_hints: list[str] = field(default_factory=list)
    attachments: list[RawAttachment] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url)
    # Native ids as "scheme:value" ("govuk-content-id:5f1c…", "wp-post:1234").
    aliases: list[str] = field(default_factory=list)
    # Which extraction layer gave each field ({"published": "label"}): site rules, structured
    # data, visible labels, the URL, the generic extractor (spiders/layers.py). Recorded in
    # the item's evidence and counted per crawl run, so health can tell a site that changed.
    field_layers: dict[str, str] = field(default_factory=dict)
    # Main text of a detail page, for classification and summaries.
    body_text: str = ""
    # True when the page is an evergreen topic page whose date only says "Last updated".
    evergreen: bool = False
    # True when this came from a detail page or an API that gives the full record.
    complete: bool = False
    # Set by a parser that recognises an item it must not store (an evergreen topic page):
    # validation drops it and counts the reason.
    drop_reason: str | None = None
    # Set when the publisher has withdrawn the page or it is gone (404/410): the item is kept
    # and flagged, never dropped, so editors see it went.
    withdrawn_reason: str | None = None
    # When the publisher withdrew it, as written; None: first seen withdrawn at fetch time.
    withdrawn_at: str | None = None
