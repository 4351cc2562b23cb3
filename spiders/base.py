"""The parser contract, and the generic kinds every source's parser is built from.

A source's parsing lives in a `SourceParser`: pure methods of a `Page` (bytes, URL, fetch time)
that return raw items and the detail pages to follow. The parser never touches the network or
the clock, so `aggregator parse` and the golden tests run it on saved bytes exactly as a crawl
does (the Scrapy shell that fetches pages is `aggregator.fetch.spider`).

A parser also owns what its publisher's words mean: its labels → document types
(`type_labels`), its URL series (`url_series`) and how evidence names them
(`label_evidence`). It resolves every raw item's type hint before handing it on, so
classification never needs to know a source.

The kinds are mixins over `SourceParser`:
- `FeedKind`: RSS/Atom through the one feedparser adapter (`aggregator.parse.feed_reader`).
- `JsonApiKind`: a JSON API whose records become items (optionally enriched by a detail call).
- `ListingKind`: an HTML listing whose links (matched by URL pattern) lead to detail pages.
The source kinds a registry entry names are built from these: `spiders/govuk.py`,
`spiders/wordpress.py`, `spiders/feed.py` and `spiders/html.py`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from aggregator.classify.doc_types import generic_label, label_evidence
from aggregator.normalise.urls import canonical_url
from aggregator.parse.feed_reader import Feed, FeedError, entry_items, feed_warnings, parse_feed
from aggregator.parse.markup_limits import (
    MarkupLimitError,
    check_markup,
    refuse_oversized_fragments,
)
from aggregator.parse.raw import RawItem
from aggregator.schema import DocType
from aggregator.sources import Source
from spiders.layers import Layer, channel_layers
from spiders.sitemaps import SitemapError, read_sitemap


class ParseError(ValueError):
    """The page cannot be read as what its URL says it is (a broken page, bad JSON)."""


@dataclass(frozen=True)
class Page:
    """A fetched response, as every parser sees it."""

    body: bytes
    url: str
    fetched_at: datetime
    content_type: str = ""

    def text(self) -> str:
        match = re.search(r"charset=([\w-]+)", self.content_type, re.I)
        encoding = match.group(1) if match else "utf-8"
        try:
            return self.body.decode(encoding, errors="replace")
        except LookupError:  # an unknown charset label: fall back rather than fail
            return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise ParseError(f"invalid JSON at {self.url}: {exc}") from exc

    def soup(self) -> BeautifulSoup:
        try:
            check_markup(self.body)  # an HTML bomb is refused before a tree is built
        except MarkupLimitError as exc:
            raise ParseError(f"{exc} at {self.url}") from exc
        return BeautifulSoup(self.body, "lxml")

    @property
    def path(self) -> str:
        return urlsplit(self.url).path


@dataclass
class Follow:
    """A page to fetch next, the parser method that reads it, and what is known already."""

    url: str
    parser: str
    partial: RawItem | None = None


@dataclass
class Parsed:
    items: list[RawItem] = field(default_factory=list)
    follow: list[Follow] = field(default_factory=list)
    # The listing's next (older) page, if it has one; the spider decides whether to go on.
    next_page: str | None = None
    # Problems the page was read in spite of (a mislabelled character set), and what was left
    # out of it (skipped feed entries, fields refused for their markup): recorded.
    warnings: list[str] = field(default_factory=list)

    def listed(self) -> list[RawItem]:
        """Everything this page alone shows: finished items, then the partial ones it links."""
        return self.items + [f.partial for f in self.follow if f.partial is not None]


# A URL series: a path pattern of the publisher's and the document type it holds.
UrlSeries = tuple[re.Pattern[str], DocType]


class SourceParser:
    """Pure parsing for one source. Subclasses define `parse_<name>` methods and `route`."""

    # The publisher's own labels (lower-cased) → controlled types. Plain label words
    # ("news", "guidance": aggregator.classify.doc_types) are looked up after these.
    type_labels: ClassVar[Mapping[str, DocType]] = {}
    # Path patterns of the publisher's series, for items whose label resolves to nothing.
    url_series: ClassVar[tuple[UrlSeries, ...]] = ()
    # The host the series hold on (its subdomains too); "" for any host.
    series_host: ClassVar[str] = ""

    def __init__(self, source: Source) -> None:
        self.source = source

    def route(self, page: Page) -> str:
        """The name of the parser method for a page, from its URL and content."""
        raise NotImplementedError

    def parse(
        self, page: Page, parser: str | None = None, partial: RawItem | None = None
    ) -> Parsed:
        name = parser or self.route(page)
        method = getattr(self, f"parse_{name}", None)
        if method is None:
            raise ParseError(f"{self.source.slug} has no parser {name!r} for {page.url}")
        result: Parsed = method(page, partial)
        for raw in result.listed():
            # HTML inside any field (a JSON API's body, a listing card) meets the markup
            # limits before normalisation parses it; a field over them is emptied, reported.
            result.warnings.extend(refuse_oversized_fragments(raw))
            self.resolve_types(raw)
            if not raw.field_layers:  # read whole from a feed, an API or a listing card
                layer = Layer.LISTING if name == "listing" else Layer.FEED
                values = {"title": raw.title, "summary": raw.summary, "published": raw.published}
                raw.field_layers = channel_layers(values, layer)
        return result

    def raw(self, page: Page, url: str, title: str, **fields: Any) -> RawItem:
        """A raw item of this source read from `page`."""
        return RawItem(
            source=self.source.slug,
            url=url,
            title=title,
            fetched_at=page.fetched_at,
            fetched_from=page.url,
            **fields,
        )

    # Document types: what this publisher's labels and URL series mean.

    def label_evidence(self, label: str) -> str:
        """How the evidence names one of this publisher's labels."""
        return label_evidence(label)

    def resolve_type(self, label: str | None, url: str) -> tuple[DocType, str] | None:
        """The controlled type a label (else the URL's series) stands for, with evidence."""
        if label:
            found = self.type_labels.get(label.strip().lower()) or generic_label(label)
            if found:
                return found, self.label_evidence(label.strip())
        parts = urlsplit(url)
        host = parts.hostname or ""
        if self.series_host and not (
            host == self.series_host or host.endswith("." + self.series_host)
        ):
            return None
        for pattern, kind in self.url_series:
            if pattern.search(parts.path):
                return kind, f"URL series '{pattern.pattern.lstrip('^')}'"
        return None

    def resolve_types(self, raw: RawItem) -> None:
        """Fill `raw.doc_type_hint` and `raw.type_evidence` from its label and canonical URL
        (the URL the item will have; an entry without a page of its own has its listing's)."""
        page = raw.url if raw.url.strip() else raw.fetched_from
        try:
            url = canonical_url(page, base=raw.fetched_from or None)
        except ValueError:
            url = page
        found = self.resolve_type(raw.type_hint, url)
        raw.doc_type_hint, raw.type_evidence = found if found else (None, None)


class FeedKind(SourceParser):
    """RSS/Atom through the feed adapter. Override `adjust_feed_item` for site quirks."""

    stable_guids: ClassVar[bool] = True

    def parse_feed(self, page: Page, partial: RawItem | None = None) -> Parsed:
        try:
            feed = parse_feed(page.body, page.url)
        except FeedError as exc:
            raise ParseError(str(exc)) from exc
        credited = self.feed_publisher(feed, page.url)
        items = []
        for raw in entry_items(
            feed, page.url, page.fetched_at, self.source.slug, stable_guids=self.stable_guids
        ):
            raw = self.adjust_feed_item(raw)
            raw.publisher = raw.publisher or credited
            items.append(raw)
        return Parsed(items=items, warnings=feed_warnings(feed))

    def feed_publisher(self, feed: Feed, url: str) -> str | None:
        """The organisation a feed itself names as its publisher (None: the registry's)."""
        return None

    def adjust_feed_item(self, raw: RawItem) -> RawItem:
        return raw


class JsonApiKind(SourceParser):
    """A JSON API. Subclasses say where the records are and how each becomes an item."""

    def parse_api(self, page: Page, partial: RawItem | None = None) -> Parsed:
        data = page.json()
        parsed = Parsed()
        for record in self.api_records(data, page):
            raw, follow_url = self.api_item(record, page)
            if follow_url:
                parsed.follow.append(Follow(follow_url, "api_detail", raw))
            else:
                parsed.items.append(raw)
        return parsed

    def api_records(self, data: Any, page: Page) -> Iterable[Any]:
        raise NotImplementedError

    def api_item(self, record: Any, page: Page) -> tuple[RawItem, str | None]:
        """The item a record gives and, if it must be enriched, the detail URL."""
        raise NotImplementedError


class ListingKind(SourceParser):
    """An HTML listing whose links, matched by URL pattern, lead to detail pages.

    Patterns match the link's path, never CSS classes, so a redesign that keeps URLs keeps
    working. `listing_hint` may attach what a card shows (title, year) as a partial item.
    """

    detail_patterns: ClassVar[tuple[re.Pattern[str], ...]] = ()

    def parse_listing(self, page: Page, partial: RawItem | None = None) -> Parsed:
        soup = page.soup()
        seen: set[str] = set()
        parsed = Parsed()
        for anchor in self.listing_region(soup).find_all("a", href=True):
            url = urljoin(page.url, str(anchor["href"])).split("#")[0]
            if url in seen or not self.is_detail_url(url):
                continue
            seen.add(url)
            parsed.follow.append(Follow(url, "detail", self.listing_hint(page, anchor, url)))
        parsed.next_page = next_page_url(page, soup)
        return parsed

    def parse_sitemap(self, page: Page, partial: RawItem | None = None) -> Parsed:
        """A sitemap: its detail pages (newest first) and, for an index, its sitemaps."""
        try:
            found = read_sitemap(page.body, page.fetched_at)
        except SitemapError as exc:
            raise ParseError(f"{exc} at {page.url}") from exc
        parsed = Parsed()
        for url in found.sitemaps:
            parsed.follow.append(Follow(urljoin(page.url, url), "sitemap"))
        for url, _ in found.pages:
            if self.is_detail_url(urljoin(page.url, url)):
                parsed.follow.append(Follow(urljoin(page.url, url), "detail"))
        return parsed

    def listing_region(self, soup: BeautifulSoup) -> Tag:
        """Where a listing's own links are; menus and footers outside it are never followed.
        The whole page by default; a source narrows it (to <main>, or the block with the h1)."""
        return soup

    def is_detail_url(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.hostname not in self.source.all_hosts():
            return False
        return any(p.search(parts.path) for p in self.detail_patterns)

    def listing_hint(self, page: Page, anchor: Tag, url: str) -> RawItem | None:
        title = " ".join(anchor.get_text(" ").split())
        return self.raw(page, url, title) if title else None

    def parse_detail(self, page: Page, partial: RawItem | None = None) -> Parsed:
        raise NotImplementedError


NEXT_LABEL = re.compile(r"^\s*(next|next page|older( posts| items)?|more)\s*[›»>→]?\s*$", re.I)


def next_page_url(page: Page, soup: BeautifulSoup) -> str | None:
    """The next page of a paginated listing: rel="next" first, else a link labelled "Next"."""
    for tag in soup.find_all(["link", "a"], href=True):
        rel: object = tag.get("rel") or []
        if isinstance(rel, list | str) and "next" in rel:
            return urljoin(page.url, str(tag["href"]))
    for anchor in soup.find_all("a", href=True):
        label = anchor.get_text(" ") or str(anchor.get("aria-label") or "")
        if NEXT_LABEL.match(label):
            return urljoin(page.url, str(anchor["href"]))
    return None
