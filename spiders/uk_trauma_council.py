"""UK Trauma Council (uktraumacouncil.org): resources, and live events and webinars
(sources.md 6). Its raw HTML is unknown: URL patterns, visible text and meta tags only.
- The listing (`/resources`) links resources at `/resource/<slug>` (no trailing slash) and,
  among them, events (one at `/news/<slug>`): links in <main> of the `/<section>/<slug>` shape
  are followed, never the header's `/about` or the footer's `/privacy`.
- No visible publication date: `article:published_time` or JSON-LD, else undated.
- An event is known by its content wherever it lives: a date-time range ("Thursday May 16,
  2024, 05:00 PM – 06:30 PM BST"), its time and never its publication; a booking link ("Book
  a free place", Eventbrite) is kept.
- Decorative SVGs leave "Decor Decor …" in the page text; it never reaches a summary or body.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from aggregator.parse.raw import RawItem
from aggregator.schema import DocType
from spiders.base import Page
from spiders.chrome import main_element
from spiders.html import Detail, HtmlKind, booking_link, event_range
from spiders.page_text import lead_paragraph, site_suffix, standfirst, text_of
from spiders.structured import meta_content

RESOURCE_PATH = re.compile(r"^/resource/[^/]+$")
# Any /<section>/<slug> page linked from the listing's main content (events included).
DETAIL_PATH = re.compile(r"^/[a-z0-9-]+/[a-z0-9][a-z0-9-]*$")
# Card kickers on the listing that announce an event.
EVENT_KICKER = re.compile(r"\b(live session|webinar|event|workshop|conference)s?\b", re.I)
DECOR = re.compile(r"(?:\s*\bDecor\b)+\s*$")
ORNAMENTS = ["svg", "script", "style", "noscript", "template"]
# The site's tagline, in the page header: no part of the text where the whole page is read.
AFFILIATION_LINE = re.compile(r"^A project of Anna Freud(?: Centre)?$")
# Never a summary: the label naming the parent resource under the <h1> ("Traumatic
# bereavement guide for practitioners": a short line, no full stop), and the line saying where
# the page sits ("This page is part of a traumatic bereavement clinical guide, which …").
NOT_SUMMARY = re.compile(r"^(?:This (?:page |plan )?is part of an? .*|[^.!?]{0,79})$")
SITE_SUFFIX = site_suffix("UK Trauma Council")
PAGE_KINDS = {"resource": DocType.RESOURCE, "event": DocType.EVENT}
URL_SERIES = (
    (re.compile(r"^/resource/"), DocType.RESOURCE),
    (re.compile(r"^/events?/"), DocType.EVENT),
    (re.compile(r"^/news/"), DocType.NEWS),
)


class UkTraumaCouncilParser(HtmlKind):
    listing_paths = ("/resources",)
    detail_patterns = (DETAIL_PATH,)
    article_types = ("Article", "NewsArticle", "Event", "WebPage", "CreativeWork")
    label_lines = AFFILIATION_LINE
    type_labels = PAGE_KINDS
    url_series = URL_SERIES
    series_host = "uktraumacouncil.org"

    def label_evidence(self, label: str) -> str:
        return f"UK Trauma Council page kind '{label}'"

    def content(self, soup: BeautifulSoup) -> Tag:
        """<main> (or its stand-in) without decorative SVGs and hidden ornaments."""
        for tag in soup.find_all(ORNAMENTS):
            tag.decompose()
        return main_element(soup)

    listing_region = content  # listing links are read in the same cleaned <main>

    def listing_hint(self, page: Page, anchor: Tag, url: str) -> RawItem | None:
        """A card: the link's emphasised text is the title (a kicker like "Guide" precedes
        it), the paragraph beside the link the summary; a kicker may say event."""
        strong = anchor.find(["h2", "h3", "h4", "strong"])
        title = _text(strong) if isinstance(strong, Tag) else _text(anchor)
        if not title:
            return None
        paragraph = anchor.parent.find("p") if isinstance(anchor.parent, Tag) else None
        summary = _text(paragraph) if isinstance(paragraph, Tag) else ""
        if EVENT_KICKER.search(_text(anchor).replace(title, "")):
            hint: str | None = "event"
        else:
            hint = "resource" if RESOURCE_PATH.match(urlsplit(url).path) else None
        return self.raw(page, url, title, summary=summary, type_hint=hint)

    def site_title(self, detail: Detail) -> str | None:
        """og:title ("Free live webinar: Unpacking Complex Trauma"), else <title>, else <h1>:
        the <h1> runs a kicker into the title without punctuation, so it comes last."""
        soup = detail.soup
        title = meta_content(soup, "og:title")
        if title:
            return _strip_decor(SITE_SUFFIX.sub("", title))
        if soup.title and soup.title.get_text(strip=True):
            return SITE_SUFFIX.sub("", soup.title.get_text(" ").strip())
        h1 = detail.main.find("h1")
        return _text(h1) if isinstance(h1, Tag) else ""

    def site_summary(self, detail: Detail) -> str | None:
        """The meta description without its decoration, else the standfirst or the first
        paragraph, never the parent resource's label or the "part of" line."""
        described = meta_content(detail.soup, "description", "og:description")
        if described:
            return _strip_decor(described)
        main, title = detail.main, detail.title
        found = standfirst(main, title, NOT_SUMMARY, detail.subtitle)
        return found or lead_paragraph(main, title, NOT_SUMMARY) or None

    def parse_event_range(self, detail: Detail) -> str | None:
        return event_range(detail.text)

    def parse_type_hint(self, detail: Detail) -> str | None:
        """An event by its content, else a resource by its URL."""
        if self.parse_event_range(detail):
            return "event"
        return "resource" if RESOURCE_PATH.match(detail.page.path.rstrip("/")) else None

    def finish_detail(self, raw: RawItem, detail: Detail) -> None:
        """A page outside the /<section>/<slug> shape (/about) is the site's, not a
        publication."""
        if not DETAIL_PATH.match(detail.page.path.rstrip("/")):
            self.not_a_publication(raw, "site page, not a publication")

    def parse_links(self, detail: Detail) -> list[tuple[str, str]]:
        booking = booking_link(detail.page, detail.main)
        return [booking] if booking else []


def _strip_decor(text: str) -> str:
    return DECOR.sub("", text).strip()


def _text(node: Tag) -> str:
    return _strip_decor(text_of(node))


PARSER = UkTraumaCouncilParser
