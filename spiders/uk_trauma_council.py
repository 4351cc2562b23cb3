"""UK Trauma Council (uktraumacouncil.org): resources, and live events and webinars.

What the site does (sources.md 6); its raw HTML is unknown, so this reads URL patterns,
visible text and meta tags, never CSS classes:
- The resources listing (`/resources`) links resource pages at `/resource/<slug>` (no trailing
  slash) and, among them, events (one is at `/news/<slug>`). Links are followed only from
  <main> and only when they have the two-segment `/<section>/<slug>` shape, so the header's
  `/about` or `/news` and the footer's `/privacy` never are.
- Resource pages show a title, a standfirst, "This is part of a … resource" and "Who is it
  for?"; no visible publication date. `article:published_time` or JSON-LD `datePublished` is
  used when present, else the item is undated. `article:modified_time` is an update date.
- Where events live is not known, so an event is recognised by its content, wherever its URL
  is: a date-time range such as `Thursday May 16, 2024, 05:00 PM – 06:30 PM BST`. The range is
  the event's time (`event_range`), never its publication date; a booking link ("Book a free
  place", Eventbrite) is kept as a typed link.
- Decorative SVGs leave "Decor Decor …" in the page text; it never reaches a summary or body.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from aggregator.parse.raw import RawItem
from spiders.base import (
    ListingKind,
    Page,
    Parsed,
    canonical_link,
    json_ld,
    ld_value,
    main_element,
    main_text,
    meta_content,
    pdf_links,
)

LISTING_PATHS = ("/resources",)
RESOURCE_PATH = re.compile(r"^/resource/[^/]+$")
# Any /<section>/<slug> page linked from the listing's main content (events included).
DETAIL_PATH = re.compile(r"^/[a-z0-9-]+/[a-z0-9][a-z0-9-]*$")

_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DAY_DATE = rf"(?:{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}})"
_CLOCK = r"\d{1,2}[:.]\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?"
# "Thursday May 16, 2024, 05:00 PM – 06:30 PM BST" or "16 May 2024, 17:00 - 18:30".
EVENT_RANGE = re.compile(
    rf"(?:{_WEEKDAY})?{_DAY_DATE},?\s+{_CLOCK}\s*(?:[–—]|-|to)\s*{_CLOCK}(?:\s+(?:BST|GMT|UTC))?"
)
SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:])")
# Booking links: by their words, or by the ticketing host.
BOOKING_TEXT = re.compile(r"^(book|register|reserve|sign up|get tickets?)\b", re.I)
BOOKING_HOSTS = ("eventbrite.", "ticketsource.", "ti.to", "zoom.us")
# Card kickers on the listing that announce an event.
EVENT_KICKER = re.compile(r"\b(live session|webinar|event|workshop|conference)s?\b", re.I)
# What decorative SVG titles leave behind when page text is flattened.
DECOR = re.compile(r"(?:\s*\bDecor\b)+\s*$")
ARTICLE_TYPES = ("Article", "NewsArticle", "Event", "WebPage", "CreativeWork")
DOCUMENT_LABELS = ("Download",)
# The site's tagline ("A project of Anna Freud"), in the page header; it is no part of the text
# where a page has no <main> and the whole page is read.
AFFILIATION_LINE = re.compile(r"^A project of Anna Freud(?: Centre)?$")
SITE_SUFFIX = re.compile(r"\s+[|–-]\s+UK Trauma Council\s*$")


class UkTraumaCouncilParser(ListingKind):
    detail_patterns = (DETAIL_PATH,)

    def route(self, page: Page) -> str:
        if page.path.rstrip("/") in LISTING_PATHS:
            return "listing"
        return "detail"

    def listing_region(self, soup: BeautifulSoup) -> Tag:
        """Links inside <main> only (never menus, footers)."""
        return _content(soup)

    def listing_hint(self, page: Page, anchor: Tag, url: str) -> RawItem | None:
        """A card: the link's emphasised text is the title (a kicker like "Guide" precedes
        it); the card's paragraph is the summary."""
        strong = anchor.find(["h2", "h3", "h4", "strong"])
        title = _text(strong) if isinstance(strong, Tag) else _text(anchor)
        if not title:
            return None
        summary = ""
        if isinstance(anchor.parent, Tag):
            paragraph = anchor.parent.find("p")
            summary = _text(paragraph) if isinstance(paragraph, Tag) else ""
        return self.raw(
            page, url, title, summary=summary, type_hint=_listing_type_hint(anchor, title, url)
        )

    def parse_detail(self, page: Page, partial: RawItem | None = None) -> Parsed:
        soup = page.soup()
        ld = json_ld(soup)
        main = _content(soup)
        text = _text(main)
        event_range = _parse_event_range(text)
        booking = _parse_booking_link(page, main)
        raw = self.raw(
            page,
            _parse_url(soup, page),
            _parse_title(soup, main),
            summary=_parse_summary(soup, main) or (partial.summary if partial else ""),
            published=meta_content(soup, "article:published_time")
            or ld_value(ld, "datePublished", ARTICLE_TYPES),
            updated=meta_content(soup, "article:modified_time")
            or ld_value(ld, "dateModified", ARTICLE_TYPES),
            event_range=event_range,
            type_hint=_parse_type_hint(page, event_range),
            attachments=pdf_links(page, main, DOCUMENT_LABELS),
            links=[booking] if booking else [],
            body_text=main_text(main, AFFILIATION_LINE),
            complete=True,
        )
        if partial is not None:
            raw.fetched_from = partial.fetched_from
        return Parsed(items=[raw])


def _content(soup: BeautifulSoup) -> Tag:
    """<main> (or its stand-in) without decorative SVGs and hidden ornaments."""
    for tag in soup.find_all(["svg", "script", "style", "noscript", "template"]):
        tag.decompose()
    return main_element(soup)


def _parse_event_range(text: str) -> str | None:
    # Text flattened from inline elements (`<time>…2024</time>, <time>…`) gains a space
    # before punctuation ("2024 , 05:00"); drop it so the range reads as displayed.
    match = EVENT_RANGE.search(SPACE_BEFORE_PUNCTUATION.sub(r"\1", text))
    return " ".join(match.group(0).split()) if match else None


def _parse_booking_link(page: Page, main: Tag) -> tuple[str, str] | None:
    """("Book a free place", url): a link that says book/register, or goes to a ticket site."""
    for anchor in main.find_all("a", href=True):
        label = _text(anchor)
        href = urljoin(page.url, str(anchor["href"]))
        host = urlsplit(href).hostname or ""
        if BOOKING_TEXT.match(label) or any(h in host for h in BOOKING_HOSTS):
            return (label or "Book a place", href)
    return None


def _listing_type_hint(anchor: Tag, title: str, url: str) -> str | None:
    """A card's kicker ("Live session", "Guide") says event; else the URL says resource."""
    kicker = _text(anchor).replace(title, "")
    if EVENT_KICKER.search(kicker):
        return "event"
    return "resource" if RESOURCE_PATH.match(urlsplit(url).path) else None


def _parse_type_hint(page: Page, event_range: str | None) -> str | None:
    """An event by its content, else a resource by its URL."""
    if event_range:
        return "event"
    if RESOURCE_PATH.match(page.path.rstrip("/")):
        return "resource"
    return None


def _parse_url(soup: BeautifulSoup, page: Page) -> str:
    found = canonical_link(soup) or meta_content(soup, "og:url")
    if found and urlsplit(urljoin(page.url, found)).hostname == urlsplit(page.url).hostname:
        return urljoin(page.url, found)
    return page.url


def _parse_title(soup: BeautifulSoup, main: Tag) -> str:
    """og:title ("Free live webinar: Unpacking Complex Trauma"), else <title>, else <h1>.

    The <h1> runs a kicker into the title ("Free live webinar" + "Unpacking Complex Trauma")
    without punctuation, so it comes last.
    """
    title = meta_content(soup, "og:title")
    if title:
        return _strip_decor(SITE_SUFFIX.sub("", title))
    if soup.title and soup.title.get_text(strip=True):
        return SITE_SUFFIX.sub("", soup.title.get_text(" ").strip())
    h1 = main.find("h1")
    return _text(h1) if isinstance(h1, Tag) else ""


def _parse_summary(soup: BeautifulSoup, main: Tag) -> str:
    """The meta description, else the paragraph after the <h1> (the standfirst)."""
    described = meta_content(soup, "description", "og:description")
    if described:
        return _strip_decor(described)
    h1 = main.find("h1")
    if isinstance(h1, Tag):
        paragraph = h1.find_next("p")
        if isinstance(paragraph, Tag):
            return _text(paragraph)
    return ""


def _strip_decor(text: str) -> str:
    return DECOR.sub("", text).strip()


def _text(node: Tag) -> str:
    return _strip_decor(" ".join(node.get_text(" ").split()))


PARSER = UkTraumaCouncilParser
