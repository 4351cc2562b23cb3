"""The plain RSS/Atom kind: a source whose channels are feeds is a registry entry, no module.

Every channel is read by the one feed adapter (`aggregator.parse.feed_reader`): entries become
items with the feed's own title, link, summary, dates and categories, and a stable `<guid>`
becomes the alias `feed-guid:<guid>`. Nothing else is known of the publisher, so labels are
read as plain words only ("news", "report": `aggregator.classify.doc_types`).

One rule holds for any feed, so it lives here rather than in a site's module: an entry title
that starts with one of the entry's own categories and ": " carries its category as a prefix
("Guidance: Keeping children safe"): the prefix is not part of the title, and the category is
the entry's type label. A feed on a registered source's host is read by that source's kind
(`spiders.loader.feed_parser_for`), which knows the site's own feed quirks.
"""

from __future__ import annotations

from aggregator.parse.raw import RawItem
from spiders.base import FeedKind, Page


def strip_category_prefix(raw: RawItem) -> RawItem:
    """Drop a "<category>: " prefix from the title; the category becomes the type label."""
    for label in raw.topic_hints:
        label = label.strip()
        if label and raw.title.startswith(f"{label}: ") and len(raw.title) > len(label) + 2:
            raw.title = raw.title[len(label) + 2 :]
            raw.type_hint = raw.type_hint or label
            break
    return raw


class PlainFeedParser(FeedKind):
    """The parser for a registry-only source: every channel is an RSS/Atom feed."""

    def route(self, page: Page) -> str:
        return "feed"

    def adjust_feed_item(self, raw: RawItem) -> RawItem:
        return strip_category_prefix(raw)


PARSER = PlainFeedParser
