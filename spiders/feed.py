"""The plain RSS/Atom kind: a source whose channels are feeds is a registry entry, no module.

Every channel is read by the one feed adapter (`aggregator.parse.feed_reader`): entries become
items with the feed's own title, link, summary, dates and categories, and a stable `<guid>`
becomes the alias `feed-guid:<guid>`. Nothing else is known of the publisher, so labels are
read as plain words only ("news", "report": `aggregator.classify.doc_types`).

Two rules hold for any feed, so they live here rather than in a site's module:
- An entry title that starts with one of the entry's own categories and ": " carries its
  category as a prefix ("Guidance: Keeping children safe"): the prefix is not part of the
  title, and the category is the entry's type label.
- A feed that names the organisation it is the activity of credits that organisation, not
  its host. GOV.UK titles an organisation's feed "<Organisation> - Activity on GOV.UK" with the
  organisation's page as its home (alphagov/collections app/controllers/feeds_controller.rb);
  a topical event's feed has the same title form but another home, so it is not credited.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from aggregator.parse.feed_reader import Feed, FeedError, entry_items, parse_feed
from aggregator.parse.raw import RawItem
from spiders.base import FeedKind, Page, Parsed, ParseError

ACTIVITY_TITLE = re.compile(r"^\s*(?P<name>\S.*?)\s+-\s+Activity on GOV\.UK\s*$")
ORGANISATION_HOME = re.compile(r"^/government/organisations/[^/]+(?:\.atom)?/?$")
GOVUK_HOSTS = frozenset({"www.gov.uk", "gov.uk"})


def feed_organisation(feed: Feed, url: str) -> str | None:
    """The organisation a feed is the activity of, or None."""
    match = ACTIVITY_TITLE.match(feed.title)
    if not match:
        return None
    for home in (feed.link, url):
        if not home:
            continue
        parts = urlsplit(urljoin(url, home))
        if parts.hostname in GOVUK_HOSTS and ORGANISATION_HOME.match(parts.path):
            return match["name"]
    return None


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

    def parse_feed(self, page: Page, partial: RawItem | None = None) -> Parsed:
        try:
            feed = parse_feed(page.body, page.url)
        except FeedError as exc:
            raise ParseError(str(exc)) from exc
        organisation = feed_organisation(feed, page.url)
        # An organisation feed's entry ids carry the update time (`<url>#<timestamp>`,
        # alphagov/collections app/presenters/feed_entry_presenter.rb): never an identity.
        stable = self.stable_guids and organisation is None
        items = []
        for raw in entry_items(
            feed, page.url, page.fetched_at, self.source.slug, stable_guids=stable
        ):
            raw = self.adjust_feed_item(raw)
            raw.publisher = raw.publisher or organisation
            items.append(raw)
        warnings = [feed.encoding_warning] if feed.encoding_warning else []
        return Parsed(items=items, warnings=warnings)

    def adjust_feed_item(self, raw: RawItem) -> RawItem:
        return strip_category_prefix(raw)


PARSER = PlainFeedParser
