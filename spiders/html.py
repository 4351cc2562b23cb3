"""The HTML listing-site kind, and every shared helper for reading an HTML page.

An HTML site is the one kind that needs a module of its own (`spiders/<slug>.py`): a subclass
of `HtmlKind` holding only the site's quirks. `HtmlKind` routes listing pages by path, follows
their links by URL pattern (`ListingKind`) and reads a detail page field by field, each from
a small `parse_<field>` hook whose default reads the structured layer (canonical link, Open
Graph and article meta tags, JSON-LD); a site overrides the hooks its pages need, with its
labels and selectors as named constants.

The helpers below are the one place for the title, standfirst, labelled dates and event
times, cards, attachments and onward links, and the canonical URL; where the article is and its
main text without page chrome are `spiders/chrome.py`'s.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from aggregator.parse.raw import RawAttachment, RawItem
from spiders.base import ListingKind, Page, Parsed
from spiders.chrome import main_element, main_text

# JSON-LD types whose dates are the article's (never a breadcrumb's or the site's).
ARTICLE_TYPES = ("Article", "NewsArticle", "BlogPosting", "Report", "WebPage")
# Link texts that make a link an attachment whatever its URL ("Download the report").
DOCUMENT_LABELS = ("Download",)
# Link texts that carry no title ("Read more" beside the headline).
GENERIC_LINK_TEXT = re.compile(r"^(read more|more|continue reading|find out more)\W*$", re.I)


# --- Structured data: meta tags, the canonical link, JSON-LD ---------------------------------


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


def same_site_url(soup: BeautifulSoup, page: Page) -> str:
    """The page's canonical URL (<link rel=canonical>, else og:url) when it is on the page's
    own host; else the URL the page was fetched from."""
    found = canonical_link(soup) or meta_content(soup, "og:url")
    if found and urlsplit(urljoin(page.url, found)).hostname == urlsplit(page.url).hostname:
        return urljoin(page.url, found)
    return page.url


# --- Visible text: titles, standfirsts, labelled values, cards -------------------------------


def text_of(node: Tag) -> str:
    """The node's text with one space between words."""
    return " ".join(node.get_text(" ").split())


def heading(scope: Tag, soup: BeautifulSoup | None = None) -> str:
    """The text of the <h1> in `scope` (else, given the page, the page's first <h1>), or ""."""
    h1 = scope.find("h1") or (soup.find("h1") if soup is not None else None)
    return text_of(h1) if isinstance(h1, Tag) else ""


def document_title(soup: BeautifulSoup) -> str:
    """The page's <title>, as written."""
    return soup.title.get_text() if soup.title else ""


def site_suffix(site: str) -> re.Pattern[str]:
    """The " - <site>" (or " | <site>") a site appends to its page titles."""
    return re.compile(rf"\s+[-–|]\s+{re.escape(site)}\s*$")


def standfirst(scope: Tag, title: str, stop: re.Pattern[str] | None = None) -> str:
    """The paragraph right after the <h1>: the first non-empty block after it that is not the
    title itself, if that block is a paragraph and not a label line (`stop`)."""
    h1 = scope.find("h1")
    if not isinstance(h1, Tag):
        return ""
    for sibling in h1.find_all_next(["p", "div"], limit=4):
        said = text_of(sibling)
        if not said or said == title:
            continue
        if stop is not None and stop.match(said):
            return ""
        return said if sibling.name == "p" else ""
    return ""


def labelled(pattern: re.Pattern[str], text: str) -> str | None:
    """The value a labelled line shows ("Published: 01/03/2019"): the pattern's first group."""
    match = pattern.search(text)
    return match.group(1).strip() if match else None


def card(anchor: Tag) -> Tag | None:
    """The smallest ancestor of a listing link (up to three up) that holds more than the link
    itself: the card its summary and date are read from."""
    node = anchor.parent
    own = len(text_of(anchor))
    for _ in range(3):
        if not isinstance(node, Tag):
            return None
        if len(text_of(node)) > own + 5:
            return node
        node = node.parent
    return None


def card_summary(node: Tag | None, skip: re.Pattern[str] | None = None) -> str:
    """The text of the first <p> in a card that is not a `skip` line (its date), or ""."""
    for paragraph in node.find_all("p") if node is not None else []:
        if skip is None or not skip.search(paragraph.get_text()):
            return text_of(paragraph)
    return ""


def squash(text: str) -> str:
    """Text without case, spaces or punctuation: to tell whether one line repeats another."""
    return re.sub(r"\W+", "", text).lower()


def is_body_paragraph(paragraph: Tag, title: str, skip: re.Pattern[str] | None = None) -> bool:
    """A paragraph of the article's text: not empty, not the title again, not a `skip` line."""
    said = text_of(paragraph)
    return bool(said) and not (skip and skip.match(said)) and squash(said) != squash(title)


def description_or_lead(
    soup: BeautifulSoup, scope: Tag, title: str, skip: re.Pattern[str] | None = None
) -> str:
    """The meta description, unless it only repeats the title; else the first paragraph of
    the article's text."""
    described = meta_content(soup, "description", "og:description")
    if described and squash(described) != squash(title):
        return described
    for paragraph in scope.find_all("p"):
        if is_body_paragraph(paragraph, title, skip):
            return text_of(paragraph)
    return ""


# Event times: "Thursday May 16, 2024, 05:00 PM – 06:30 PM BST" or "16 May 2024, 17:00 - 18:30".
_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DAY_DATE = rf"(?:{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}})"
_CLOCK = r"\d{1,2}[:.]\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?"
EVENT_RANGE = re.compile(
    rf"(?:{_WEEKDAY})?{_DAY_DATE},?\s+{_CLOCK}\s*(?:[–—]|-|to)\s*{_CLOCK}(?:\s+(?:BST|GMT|UTC))?"
)
# Text flattened from inline elements (`<time>…2024</time>, <time>…`) gains a space before
# punctuation ("2024 , 05:00"); it is dropped so the range reads as displayed.
SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:])")
# Booking links: by their words, or by the ticketing host.
BOOKING_TEXT = re.compile(r"^(book|register|reserve|sign up|get tickets?)\b", re.I)
BOOKING_HOSTS = ("eventbrite.", "ticketsource.", "ti.to", "zoom.us")


def event_range(text: str) -> str | None:
    """The first date-time range in `text`, as displayed: an event's time (never its
    publication date)."""
    match = EVENT_RANGE.search(SPACE_BEFORE_PUNCTUATION.sub(r"\1", text))
    return " ".join(match.group(0).split()) if match else None


def booking_link(page: Page, scope: Tag) -> tuple[str, str] | None:
    """("Book a free place", url): a link that says book/register, or goes to a ticket site."""
    for anchor in scope.find_all("a", href=True):
        label = text_of(anchor)
        href = urljoin(page.url, str(anchor["href"]))
        host = urlsplit(href).hostname or ""
        if BOOKING_TEXT.match(label) or any(h in host for h in BOOKING_HOSTS):
            return (label or "Book a place", href)
    return None


def article_block(region: Tag, skip: re.Pattern[str] | None = None) -> Tag:
    """The block holding the headline and the article text: the nearest ancestor of the <h1>
    (up to `region`) with a body paragraph (an article <header> holds only the <h1> and
    perhaps a date line, `skip`; the body is beside it)."""
    h1 = region.find("h1")
    if not isinstance(h1, Tag):
        return region
    title = text_of(h1)
    node = h1.parent
    while isinstance(node, Tag) and node is not region:
        if any(is_body_paragraph(p, title, skip) for p in node.find_all("p")):
            return node
        node = node.parent
    return region


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


# --- The kind ---------------------------------------------------------------------------------


@dataclass
class Detail:
    """A detail page being read: the page, its tree, its JSON-LD, its content element
    (`HtmlKind.content`) and what the listing showed of it."""

    page: Page
    soup: BeautifulSoup
    ld: list[dict[str, Any]]
    main: Tag
    partial: RawItem | None = None

    @cached_property
    def text(self) -> str:
        """The content element's visible text on one line (for labelled values)."""
        return text_of(self.main)


class HtmlKind(ListingKind):
    """An HTML site: listing pages (by path) link detail pages (by URL pattern); a detail page
    is read field by field through the `parse_<field>` hooks."""

    # Paths of the listing pages (a trailing slash is ignored); every other page is a detail.
    listing_paths: ClassVar[tuple[str, ...]] = ()
    # JSON-LD types whose dates are the article's.
    article_types: ClassVar[tuple[str, ...]] = ARTICLE_TYPES
    # Link texts that make a link an attachment.
    document_labels: ClassVar[tuple[str, ...]] = DOCUMENT_LABELS
    # Lines of the main text that are read as fields (date and label lines): not body text.
    label_lines: ClassVar[re.Pattern[str] | None] = None
    # A listing card's date line ("(Published 2022)"): its first group is the date the card
    # shows, and the line is never the card's summary.
    card_date: ClassVar[re.Pattern[str] | None] = None
    # What every listed item is until its own page says otherwise ("news").
    listed_type: ClassVar[str | None] = None

    def route(self, page: Page) -> str:
        listings = {path.rstrip("/") for path in self.listing_paths}
        return "listing" if page.path.rstrip("/") in listings else "detail"

    def listing_hint(self, page: Page, anchor: Tag, url: str) -> RawItem | None:
        """A card: the link's text is the title (the card's heading when the link says only
        "Read more"), its first paragraph the summary, its date line the date."""
        found = card(anchor)
        title = text_of(anchor)
        if not title or GENERIC_LINK_TEXT.match(title):
            head = found.find(["h2", "h3", "h4"]) if found is not None else None
            title = text_of(head) if isinstance(head, Tag) else ""
        if not title:
            return None
        dated = (
            labelled(self.card_date, text_of(found))
            if found is not None and self.card_date
            else None
        )
        summary = card_summary(found, self.card_date)
        return self.raw(
            page, url, title, summary=summary, published=dated, type_hint=self.listed_type
        )

    def content(self, soup: BeautifulSoup) -> Tag:
        """The element that holds the article (a site narrows or cleans it)."""
        return main_element(soup)

    def parse_detail(self, page: Page, partial: RawItem | None = None) -> Parsed:
        soup = page.soup()
        ld = json_ld(soup)  # read first: `content` may drop <script> elements
        detail = Detail(page, soup, ld, self.content(soup), partial)
        published, updated = self.parse_dates(detail)
        raw = self.raw(
            page,
            self.parse_url(detail),
            self.parse_title(detail),
            summary=self.parse_summary(detail) or (partial.summary if partial else ""),
            published=published,
            updated=updated,
            event_range=self.parse_event_range(detail),
            type_hint=self.parse_type_hint(detail),
            attachments=pdf_links(page, detail.main, self.document_labels),
            links=self.parse_links(detail),
            aliases=self.parse_aliases(detail),
            body_text=main_text(detail.main, self.label_lines),
            complete=True,
        )
        if partial is not None:
            # Found on the listing; the detail page only completed it.
            raw.fetched_from = partial.fetched_from
        self.finish_detail(raw, detail)
        return Parsed(items=[raw])

    # The hooks: each reads one field; the defaults read the structured layer.

    def parse_url(self, detail: Detail) -> str:
        return same_site_url(detail.soup, detail.page)

    def parse_title(self, detail: Detail) -> str:
        """The <h1>, else og:title, else <title>."""
        found = heading(detail.main, detail.soup) or meta_content(detail.soup, "og:title")
        return found or document_title(detail.soup)

    def parse_summary(self, detail: Detail) -> str:
        return meta_content(detail.soup, "description", "og:description") or ""

    def parse_dates(self, detail: Detail) -> tuple[str | None, str | None]:
        """(published, updated) from the article meta tags, else JSON-LD."""
        soup, ld = detail.soup, detail.ld
        published = meta_content(soup, "article:published_time") or ld_value(
            ld, "datePublished", self.article_types
        )
        updated = meta_content(soup, "article:modified_time") or ld_value(
            ld, "dateModified", self.article_types
        )
        return published, updated

    def parse_event_range(self, detail: Detail) -> str | None:
        return None

    def parse_type_hint(self, detail: Detail) -> str | None:
        return None

    def parse_links(self, detail: Detail) -> list[tuple[str, str]]:
        return []

    def parse_aliases(self, detail: Detail) -> list[str]:
        return []

    def finish_detail(self, raw: RawItem, detail: Detail) -> None:
        """A last site rule over the finished item (in place)."""
