"""Shared spider kinds.

A source's parsing lives in a `SourceParser`: pure methods of a `Page` (bytes, URL, fetch time)
that return raw items and the detail pages to follow. The parser never touches the network or
the clock, so `aggregator parse` and the golden tests run it on saved bytes exactly as a crawl
does. `SourceSpider` is the thin Scrapy shell that fetches pages and feeds them to the parser.

The kinds are mixins over `SourceParser`:
- `FeedKind`: RSS/Atom through the one feedparser adapter (`aggregator.parse.feed_reader`).
- `JsonApiKind`: a JSON API whose records become items (optionally enriched by a detail call).
- `ListingKind`: an HTML listing whose links (matched by URL pattern) lead to detail pages.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

import scrapy
from bs4 import BeautifulSoup, Tag
from scrapy.http import Response
from twisted.python.failure import Failure

from aggregator.normalise.urls import canonical_url, url_key
from aggregator.parse.feed_reader import FeedError, feed_items
from aggregator.parse.markup_limits import MarkupLimitError, check_markup
from aggregator.parse.raw import RawAttachment, RawItem
from aggregator.sources import Channel, Source
from aggregator.storage.crawl_state import HttpEntry


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
    # Problems the page was read in spite of (a mislabelled character set): recorded.
    warnings: list[str] = field(default_factory=list)

    def listed(self) -> list[RawItem]:
        """Everything this page alone shows: finished items, then the partial ones it links."""
        return self.items + [f.partial for f in self.follow if f.partial is not None]


class SourceParser:
    """Pure parsing for one source. Subclasses define `parse_<name>` methods and `route`."""

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


class FeedKind(SourceParser):
    """RSS/Atom through the feed adapter. Override `adjust_feed_item` for site quirks."""

    stable_guids: ClassVar[bool] = True

    def parse_feed(self, page: Page, partial: RawItem | None = None) -> Parsed:
        warnings: list[str] = []
        try:
            raws = feed_items(
                page.body,
                page.url,
                page.fetched_at,
                self.source.slug,
                stable_guids=self.stable_guids,
                warnings=warnings,
            )
        except FeedError as exc:
            raise ParseError(str(exc)) from exc
        return Parsed(items=[self.adjust_feed_item(r) for r in raws], warnings=warnings)

    def adjust_feed_item(self, raw: RawItem) -> RawItem:
        return raw


class PlainFeedParser(FeedKind):
    """The parser for a registry-only source: every channel is an RSS/Atom feed."""

    def route(self, page: Page) -> str:
        return "feed"


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


# Shared reading helpers for HTML pages. Structure that survives redesigns first.


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


def meta_content(soup: BeautifulSoup, *names: str) -> str | None:
    """The first non-empty <meta name|property=…> content among `names`."""
    for name in names:
        tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
        if isinstance(tag, Tag) and tag.get("content"):
            return str(tag["content"]).strip()
    return None


def canonical_link(soup: BeautifulSoup) -> str | None:
    tag = soup.find("link", rel="canonical")
    if isinstance(tag, Tag) and tag.get("href"):
        return str(tag["href"])
    return None


def json_ld(soup: BeautifulSoup) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, with @graph containers flattened."""
    found: list[dict[str, Any]] = []
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "")
        except ValueError:
            continue  # broken structured data is common; the page text still counts
        found.extend(_flatten_ld(data))
    return found


def _flatten_ld(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for entry in data:
            yield from _flatten_ld(entry)
    elif isinstance(data, dict):
        if "@graph" in data:
            yield from _flatten_ld(data["@graph"])
        else:
            yield data


def ld_value(objects: list[dict[str, Any]], key: str, types: tuple[str, ...] = ()) -> str | None:
    """The first `key` of a JSON-LD object (of one of `types`, if given)."""
    for obj in objects:
        kind = obj.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if types and not any(k in types for k in kinds):
            continue
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def visible_text(soup: BeautifulSoup) -> str:
    """The page's visible text with one space between words (scripts and styles dropped)."""
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    return " ".join(soup.get_text(" ").split())


def main_element(soup: BeautifulSoup) -> Tag:
    """The main content element: <main>, else role=main, else <article>, else <body>."""
    for candidate in (soup.find("main"), soup.find(None, {"role": "main"}), soup.find("article")):
        if isinstance(candidate, Tag):
            return candidate
    body = soup.find("body")
    return body if isinstance(body, Tag) else soup


# --- Main text: the article's own words, without page chrome ----------------------------------
#
# Why our own rules and not trafilatura (the maintained extractor): run over the 52 charity
# detail pages in fixtures/ (main snapshots and re-skinned variants), trafilatura 2.3.1 kept
# Lucy Faithfull's sidebar and footer ("Registered charity. Company limited by guarantee.") on
# all 7 of its pages, and lost text on 13 pages: standfirsts outside <article> (Internet
# Matters), event times (UK Trauma Council), "Who is it for?" lines. These rules leaked none of
# the cookie, footer, menu, share or newsletter text and lost no content line. Each spider
# already knows its page's main element, so spiders narrow to it and strip what is chrome by
# structure (landmark elements and roles) and by what it says (cookie, share, newsletter and
# breadcrumb blocks, rows of bare links), since the charity sites' class names are unknown.

CHROME_TAGS = (
    "nav", "aside", "footer", "form", "button", "dialog", "select", "input", "textarea",
    "label", "script", "style", "noscript", "template", "svg", "iframe",
)  # fmt: skip
CHROME_ROLES = (
    "navigation", "banner", "contentinfo", "search", "complementary", "dialog", "alertdialog",
    "menu", "menubar", "toolbar",
)  # fmt: skip
# Words in an id, class or aria-label that name a chrome block ("cky-consent-container",
# "zz-share", aria-label="Cookie notice"). Whole hyphen/underscore-separated tokens only, so
# "shared-care" or "socially" are not matched.
CHROME_NAME = re.compile(
    r"(?:^|[\s_-])(cookies?|consent|gdpr|newsletter|subscribe|signup|share|sharing|sharebar|"
    r"social|breadcrumbs?|related|promo|advert|adverts|sidebar|skip-?link)(?:$|[\s_-])",
    re.I,
)
# What chrome says, for blocks whose names say nothing ("ck-bar", "shr", "bc").
COOKIE_TEXT = re.compile(
    r"\b(?:we|this (?:web)?site|our (?:web)?site)\s+uses?\s+(?:\w+\s+){0,3}cookies\b"
    r"|\b(?:accept|reject|allow)\b[^.]{0,40}\bcookies\b"
    r"|^cookies?\s+(?:settings|preferences|policy)$",
    re.I,
)
SHARE_TEXT = re.compile(r"^\s*share(?:\s+(?:this|on|via)\b.*|\s*:.*|\s*)$", re.I | re.S)
NEWSLETTER_TEXT = re.compile(
    r"\b(?:sign\s*up|subscribe)\b[^.]{0,80}\b(?:newsletter|e-?mails?|bulletin|updates)\b"
    r"|\bnewsletter\b[^.]{0,60}\b(?:sign\s*up|subscribe)\b",
    re.I,
)
RELATED_HEADING = re.compile(
    r"^\s*(?:related(?:\s+(?:content|articles|resources|posts|pages|links|reading))?|"
    r"you (?:may|might) also (?:like|be interested in)|more like this|read next|"
    r"popular(?: content)?|latest news)\s*:?\s*$",
    re.I,
)
SKIP_LINK = re.compile(r"^\s*skip to (?:the )?(?:main )?content\b", re.I)
BREADCRUMB_SEPARATORS = re.compile(r"^[\s>›»/|•·→\\-]*$")
# Blocks the text rules look at (a banner, a sign-up box, a menu list, a share row).
TEXT_RULE_BLOCKS = ("div", "section", "p", "ul", "ol", "span")
# Longer link texts are headlines or document titles, not menu entries.
LINK_ROW_LABEL_LIMIT = 40
# A chrome block is short: a long block that merely mentions cookies is content.
CHROME_TEXT_LIMIT = 500


def main_text(scope: Tag, line_filter: re.Pattern[str] | None = None) -> str:
    """The main text of `scope` (left unchanged), one paragraph, heading or list item per line.

    A copy of `scope` loses its chrome (see above), its <h1> (the item's title, kept apart),
    hidden elements and taxonomy links (`rel="tag"` kickers); then lines matching
    `line_filter` (a site's date and label lines) are dropped.
    """
    from aggregator.normalise.main_text import element_lines

    region = copy.copy(scope)
    strip_chrome(region)
    for h1 in region.find_all("h1"):
        h1.decompose()
    text = element_lines(region)
    if line_filter is None:
        return text
    return "\n".join(line for line in text.split("\n") if not line_filter.match(line))


def strip_chrome(region: Tag) -> None:
    """Remove page chrome inside `region` (in place)."""
    # What a block says is read first, while its buttons and forms are still there ("Accept
    # all cookies", a sign-up form), smallest blocks first, so a cookie sentence takes its own
    # banner and not the article around it.
    for tag in reversed(region.find_all(TEXT_RULE_BLOCKS)):
        if not tag.decomposed and _says_chrome(tag):
            tag.decompose()
    for tag in region.find_all(True):
        if not tag.decomposed and _is_chrome(tag):
            tag.decompose()


def _is_chrome(tag: Tag) -> bool:
    if tag.attrs is None:
        return False
    if tag.name in CHROME_TAGS:
        return True
    if tag.name == "header" and tag.find("h1") is None:
        return True  # a site header; an article's own <header> holds its <h1>
    if str(tag.get("role", "")).lower() in CHROME_ROLES:
        return True
    if tag.name == "a":
        rel: object = tag.get("rel") or []
        rels = [str(r) for r in rel] if isinstance(rel, list) else str(rel).split()
        return "tag" in rels or bool(SKIP_LINK.match(tag.get_text(" ")))
    names = " ".join(
        [str(tag.get("id", "")), " ".join(tag.get("class") or []), str(tag.get("aria-label", ""))]
    )
    return bool(CHROME_NAME.search(names))


def _says_chrome(tag: Tag) -> bool:
    text = " ".join(tag.get_text(" ").split())
    if not text:
        return False
    if len(text) > CHROME_TEXT_LIMIT:
        return False
    links = tag.find_all("a")
    controls = bool(links) or tag.find(["form", "input", "button"]) is not None
    if COOKIE_TEXT.search(text):
        return True
    if controls and SHARE_TEXT.match(text) and len(text) < 120:
        return True
    if controls and NEWSLETTER_TEXT.search(text):
        return True
    if _is_breadcrumb(tag, links, text):
        return True
    if _is_link_row(tag, links, text):
        return True
    heading = tag.find(["h2", "h3", "h4"])
    if isinstance(heading, Tag) and RELATED_HEADING.match(heading.get_text(" ")):
        linked = sum(len(" ".join(a.get_text(" ").split())) for a in links)
        heading_text = len(" ".join(heading.get_text(" ").split()))
        return linked >= (len(text) - heading_text) * 0.5
    return False


def _is_link_row(tag: Tag, links: list[Any], text: str) -> bool:
    """A row or list of three or more short links and nothing else: a menu or a strip of
    sister sites ("NSPCC Childline Shop"), whatever its markup. A sentence is never one."""
    if len(links) < 3 or tag.name not in ("div", "ul", "ol", "p", "section"):
        return False
    labels = [" ".join(a.get_text(" ").split()) for a in links]
    if any(len(label) > LINK_ROW_LABEL_LIMIT for label in labels):
        return False
    return bool(BREADCRUMB_SEPARATORS.match(_without(text, labels)))


def _is_breadcrumb(tag: Tag, links: list[Any], text: str) -> bool:
    """A trail of links from Home with only separators between them ("Home > News")."""
    labels = [" ".join(a.get_text(" ").split()) for a in links]
    if not labels or labels[0].lower() not in ("home", "homepage"):
        return False
    return bool(BREADCRUMB_SEPARATORS.match(_without(text, labels)))


def _without(text: str, labels: list[str]) -> str:
    """`text` with each link label taken out once: what the block says besides its links."""
    for label in labels:
        text = text.replace(label, "", 1)
    return text


# Links that are never onward reading: sharing buttons, social profiles, mail and phone.
NOT_ONWARD = re.compile(
    r"(facebook|twitter|x|linkedin|instagram|youtube|tiktok|whatsapp|bsky)\.(com|app)$", re.I
)


def outbound_links(page: Page, scope: Tag, own_hosts: tuple[str, ...]) -> list[tuple[str, str]]:
    """(label, url) of links in `scope` to other sites: where a page writes up another
    publisher's document ("Read the government response: …"), the link ties the two
    together for cross-source dedupe."""
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    for anchor in scope.find_all("a", href=True):
        href = urljoin(page.url, str(anchor["href"])).split("#")[0]
        host = (urlsplit(href).hostname or "").lower()
        if not href.startswith(("http://", "https://")) or not host or href in seen:
            continue
        if host in own_hosts or host.removeprefix("www.") in own_hosts or NOT_ONWARD.search(host):
            continue
        seen.add(href)
        found.append((" ".join(anchor.get_text(" ").split()) or host, href))
    return found


def pdf_links(page: Page, scope: Tag, labels: tuple[str, ...] = ()) -> list[RawAttachment]:
    """Links to documents: hrefs ending .pdf/.docx, or whose text starts with a label."""
    found: list[RawAttachment] = []
    seen: set[str] = set()
    for anchor in scope.find_all("a", href=True):
        text = " ".join(anchor.get_text(" ").split())
        href = urljoin(page.url, str(anchor["href"]))
        is_doc = re.search(r"\.(pdf|docx?|odt|xlsx?)$", urlsplit(href).path, re.I)
        labelled = any(text.lower().startswith(label.lower()) for label in labels)
        if (is_doc or labelled) and href not in seen:
            seen.add(href)
            media = "application/pdf" if href.lower().endswith(".pdf") else None
            found.append(RawAttachment(title=text, url=href, media_type=media))
    return found


# The Scrapy shell.


class SourceSpider(scrapy.Spider):
    """Fetches a source's channels and detail pages and hands each response to its parser.

    Primary channels run first; fallback channels run only when a primary one fails or yields
    nothing. Failures are recorded with their URL (for the crawl record) and never stop the
    crawl; a detail page that fails still yields what its listing showed.
    """

    source: ClassVar[Source]
    parser_class: ClassVar[type[SourceParser]]

    # Pages of one listing followed at most, however new they look.
    max_pages: ClassVar[int] = 10

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parser = self.parser_class(self.source)
        self.errors: list[dict[str, str]] = []
        self._fallback_started = False
        self.known_keys: frozenset[str] = frozenset()
        self.gone: list[tuple[str, str]] = []  # (url, reason) of stored items now 404/410

    def load_known_keys(self) -> None:
        """Keys already stored for this source, so pagination stops at what was seen before."""
        url = self.crawler.settings.get("AGGREGATOR_DATABASE_URL")
        if url:
            from aggregator.storage.repository import Repository

            self.known_keys = frozenset(Repository.from_url(url).keys(self.source.slug))

    async def start(self) -> Any:
        self.load_known_keys()
        # `-a channels=fallback` crawls the fallback channels alone (channel reconciliation).
        role = getattr(self, "channels", "primary")
        if role == "fallback":
            self._fallback_started = True
        for channel in self.source.channels:
            if channel.role == role:
                yield self._channel_request(channel)

    def _channel_request(self, channel: Channel) -> scrapy.Request:
        return scrapy.Request(
            channel.url,
            callback=self.on_response,
            errback=self.on_error,
            meta={"channel": channel.url, "conditional": True},
            dont_filter=True,
        )

    def _fallbacks(self, reason: str) -> Iterator[scrapy.Request]:
        if self._fallback_started:
            return
        self._fallback_started = True
        for channel in self.source.channels:
            if channel.role == "fallback":
                # Recorded with the errors so the crawl record says which channel served.
                self.record_error(channel.url, f"fallback channel used: {reason}")
                yield self._channel_request(channel)

    def record_error(self, url: str, message: str) -> None:
        self.logger.error("%s: %s: %s", self.name, url, message)
        self.errors.append({"url": url, "message": message})

    def fetched_at(self, response: Response) -> datetime:
        # The fetch layer is the one place that reads the clock; the fixture download handler
        # sets the fixture's own fetch time instead so goldens are stable.
        stamp = response.meta.get("fetched_at")
        return stamp if isinstance(stamp, datetime) else datetime.now(UTC)

    def on_response(
        self, response: Response, parser: str | None = None, partial: RawItem | None = None
    ) -> Iterator[Any]:
        if response.status == 304:
            return  # unchanged since the last crawl: nothing to parse, nothing to follow
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        page = Page(response.body, response.url, self.fetched_at(response), content_type)
        channel = response.meta.get("channel")
        try:
            parsed = self.parser.parse(page, parser, partial)
        except (ParseError, ValueError, KeyError, TypeError) as exc:
            self.record_error(response.url, f"parse failed: {exc}")
            if partial is not None and not self.is_known(partial):
                yield partial
            if channel:
                yield from self._fallbacks(f"parse failed at {response.url}")
            return
        for warning in parsed.warnings:
            self.record_error(response.url, f"warning: {warning}")
        yield from parsed.items
        if partial is not None:
            # Fetched: remember what the listing said of it, to skip it while that stands.
            self.http_entry(response.url).listing_signature = listing_signature(partial)
        for follow in parsed.follow:
            if self.unchanged_since_last_fetch(follow):
                assert self.crawler.stats is not None
                self.crawler.stats.inc_value("aggregator/details_skipped")
                continue
            yield scrapy.Request(
                follow.url,
                callback=self.on_response,
                errback=self.on_error,
                cb_kwargs={"parser": follow.parser, "partial": follow.partial},
            )
        depth = int(response.meta.get("page_depth", 1))
        if parsed.next_page and self.wants_next_page(parsed, depth):
            yield scrapy.Request(
                parsed.next_page,
                callback=self.on_response,
                errback=self.on_error,
                cb_kwargs={"parser": parser},
                meta={"page_depth": depth + 1, "conditional": True},
            )
        if channel and not parsed.items and not parsed.follow:
            self.record_error(response.url, "channel yielded no items")
            yield from self._fallbacks(f"no items at {response.url}")

    def http_entry(self, url: str) -> HttpEntry:
        entries: dict[str, HttpEntry] = getattr(self, "http_entries", None) or {}
        self.http_entries = entries
        return entries.setdefault(url, HttpEntry())

    def unchanged_since_last_fetch(self, follow: Follow) -> bool:
        """A stored item whose listing entry reads as it did when its page was last fetched:
        the page is not fetched again (the listing or feed would say if it changed)."""
        if follow.partial is None or not self.is_known(follow.partial):
            return False
        entries: dict[str, HttpEntry] = getattr(self, "http_entries", None) or {}
        entry = entries.get(follow.url)
        return entry is not None and entry.listing_signature == listing_signature(follow.partial)

    def is_known(self, raw: RawItem) -> bool:
        """Whether the source already has this item stored (by its canonical URL key)."""
        try:
            return url_key(canonical_url(raw.url)) in self.known_keys
        except ValueError:
            return False

    def wants_next_page(self, parsed: Parsed, depth: int) -> bool:
        """Go on to an older page only while this one still shows something not stored yet:
        the listing is newest first, so a page of known items means the rest is older."""
        if depth >= self.max_pages:
            return False
        if not self.known_keys:
            return True
        for raw in parsed.listed():
            try:
                if url_key(canonical_url(raw.url)) not in self.known_keys:
                    return True
            except ValueError:
                continue
        return False

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        self.record_error(request.url, _describe_failure(failure))
        partial = request.cb_kwargs.get("partial")
        if partial is not None:
            status = getattr(getattr(failure.value, "response", None), "status", None)
            gone = f"HTTP {status} at {request.url}" if status in (404, 410) else None
            if not self.is_known(partial):
                # What the listing showed is kept (flagged if the page is gone).
                partial.withdrawn_reason = gone
                yield partial
            elif gone:
                # A stored item is never overwritten by the listing's thinner copy; it is only
                # flagged as gone (by the crawl recorder, with the fetch time).
                self.gone.append((partial.url, gone))
        if request.meta.get("channel"):
            yield from self._fallbacks(f"{request.url} failed")


def listing_signature(raw: RawItem) -> str:
    """A digest of what a listing, feed or search result says of an item."""
    parts = (
        raw.title,
        raw.summary,
        raw.published,
        raw.updated,
        raw.change_note,
        raw.type_hint,
        raw.event_range,
        raw.withdrawn_reason,
    )
    text = "\x1f".join(" ".join((p or "").split()) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _describe_failure(failure: Failure) -> str:
    value = failure.value
    response = getattr(value, "response", None)
    if response is not None:
        return f"HTTP {response.status}"
    return f"{type(value).__name__}: {value}".strip()
