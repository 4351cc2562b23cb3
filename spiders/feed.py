"""The plain RSS/Atom kind: a source whose channels are feeds is a registry entry, no module.

Every channel is read by the one feed adapter (`aggregator.parse.feed_reader`): entries become
items with the feed's own title, link, summary, dates and categories, and a stable `<guid>`
becomes the alias `feed-guid:<guid>`. Nothing else is known of the publisher, so labels are
read as plain words only ("news", "report": `aggregator.classify.doc_types`).
"""

from __future__ import annotations

from spiders.base import FeedKind, Page


class PlainFeedParser(FeedKind):
    """The parser for a registry-only source: every channel is an RSS/Atom feed."""

    def route(self, page: Page) -> str:
        return "feed"


PARSER = PlainFeedParser
