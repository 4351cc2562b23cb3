"""The HTML listing-site kind: listings, detail pages read field by field in layers.

An HTML site is the one kind that needs a module of its own (`spiders/<slug>.py`): a subclass
of `HtmlKind` holding only the site's quirks. `HtmlKind` routes listing pages by path, follows
their links by URL pattern (`ListingKind`) and its sitemap, and reads a detail page field by
field. A site's own rules are the `site_<field>` hooks (None by default) and the
`parse_<field>` hooks for what only it shows (type labels, events, onward links), with its
labels and selectors as named constants; whatever its rules leave, the shared layers fill.
No series or section is listed anywhere: a page is a publication by the evidence it shows
(`publication_signals`), never by a list of names.

Each field comes from the first layer that yields it (`spiders/layers.py`). The pieces each
layer reads are shared: structured data (`spiders/structured.py`), visible text
(`spiders/page_text.py`), dates
(`spiders/page_dates.py`), documents (`spiders/documents.py`), sitemaps (`spiders/sitemaps.py`);
where the article is and its main text without page chrome are `spiders/chrome.py`'s. This
module holds the kind, and the event times, booking links and onward links it reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from aggregator.normalise.text import clean_title
from aggregator.parse.raw import RawItem
from spiders.base import ListingKind, Page, Parsed
from spiders.chrome import main_element, main_text
from spiders.documents import document_links
from spiders.layers import Layer, Layered
from spiders.page_dates import (
    PageDates,
    generic_date,
    header_lines,
    labelled_dates,
    structured_dates,
    url_date,
)
from spiders.page_text import (
    card,
    card_summary,
    description,
    document_title,
    heading,
    is_body_paragraph,
    labelled,
    lead_paragraph,
    standfirst,
    subtitle,
    text_of,
    titled,
)
from spiders.sitemaps import is_sitemap
from spiders.structured import declared_url, json_ld, ld_value, meta_content

# JSON-LD types whose dates are the article's (never a breadcrumb's or the site's).
ARTICLE_TYPES = ("Article", "NewsArticle", "BlogPosting", "Report", "WebPage")
EVERGREEN = "evergreen page, not a publication"
# Link texts that carry no title ("Read more" beside the headline).
GENERIC_LINK_TEXT = re.compile(r"^(read more|more|continue reading|find out more)\W*$", re.I)


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


# --- The kind ---------------------------------------------------------------------------------


@dataclass
class Detail:
    """A detail page being read: the page, its tree, its JSON-LD, its content element
    (`HtmlKind.content`), what the listing showed of it, and its title once read."""

    page: Page
    soup: BeautifulSoup
    ld: list[dict[str, Any]]
    main: Tag
    partial: RawItem | None = None
    title: str = ""
    subtitle: str = ""

    @cached_property
    def text(self) -> str:
        """The content element's visible text on one line (for labelled values)."""
        return text_of(self.main)

    @cached_property
    def labels(self) -> PageDates:
        """The dates the article's header labels and bylines show."""
        return labelled_dates(header_lines(self.main))


class HtmlKind(ListingKind):
    """An HTML site: listing pages (by path) link detail pages (by URL pattern); a detail page
    is read field by field, each from the first layer that yields it (spiders/layers.py):
    the site's own rules (the `site_<field>` hooks, None by default), then structured data,
    visible labels, the URL, the listing card, and a generic extractor last."""

    # Paths of the listing pages (a trailing slash is ignored); every other page is a detail.
    listing_paths: ClassVar[tuple[str, ...]] = ()
    # JSON-LD types whose dates are the article's.
    article_types: ClassVar[tuple[str, ...]] = ARTICLE_TYPES
    # A site's own link texts that make a link an attachment ("Download the briefing").
    document_labels: ClassVar[tuple[str, ...]] = ()
    # Lines of the main text that are read as fields (date and label lines): not body text.
    label_lines: ClassVar[re.Pattern[str] | None] = None
    # A listing card's date line ("(Published 2022)"): its first group is the date the card
    # shows, and the line is never the card's summary.
    card_date: ClassVar[re.Pattern[str] | None] = None
    # What every listed item is until its own page says otherwise ("news").
    listed_type: ClassVar[str | None] = None

    def route(self, page: Page) -> str:
        if is_sitemap(page.body):
            return "sitemap"
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
        fields = Layered()
        detail.title = self.layered_title(detail, fields)
        published, updated = self.layered_dates(detail, fields)
        summary = self.layered_summary(detail, fields)
        url = fields.first(
            "url",
            (Layer.SITE, lambda: self.site_url(detail)),
            (Layer.STRUCTURED, lambda: declared_url(soup, page)),
        )
        attachments = document_links(page.url, detail.main, self.document_labels)
        if attachments:
            fields.record("attachments", Layer.LABEL)
        raw = self.raw(
            page,
            url or page.url,
            detail.title,
            summary=summary or "",
            published=published,
            updated=updated,
            event_range=self.parse_event_range(detail),
            type_hint=self.parse_type_hint(detail),
            attachments=attachments,
            links=self.parse_links(detail),
            aliases=self.parse_aliases(detail),
            body_text=main_text(detail.main, self.label_lines),
            complete=True,
            field_layers=fields.finish(),
        )
        if partial is not None:
            # Found on the listing; the detail page only completed it.
            raw.fetched_from = partial.fetched_from
        self.finish_detail(raw, detail)
        return Parsed(items=[raw])

    # The layers, field by field.

    def layered_title(self, detail: Detail, fields: Layered) -> str:
        """Site rules; the <h1> (with the subtitle that completes it); og:title or the
        JSON-LD headline; <title> without the site's suffix; the listing card's title."""
        soup, main = detail.soup, detail.main
        og = meta_content(soup, "og:title") or ld_value(detail.ld, "headline", self.article_types)
        own_titles = (og or "", document_title(soup))

        def visible() -> str:
            h1 = heading(main, soup)
            detail.subtitle = subtitle(main, own_titles) if main.find("h1") else ""
            return titled(h1, detail.subtitle) if h1 and detail.subtitle else h1

        partial = detail.partial
        return (
            fields.first(
                "title",
                (Layer.SITE, lambda: self.site_title(detail)),
                (Layer.LABEL, visible),
                # Site names ("… | NSPCC Learning") are the registry's: normalisation's own rule.
                (Layer.STRUCTURED, lambda: clean_title(og)),
                (Layer.GENERIC, lambda: clean_title(document_title(soup))),
                (Layer.LISTING, lambda: partial.title if partial else None),
            )
            or ""
        )

    def layered_dates(self, detail: Detail, fields: Layered) -> tuple[str | None, str | None]:
        """Each of published and updated from the first layer that shows it: site rules,
        structured data, labelled dates in the header, the URL (published only), the listing
        card, and the generic extractor last (never on an event page)."""
        site = self.site_dates(detail) or PageDates()
        structured = structured_dates(detail.soup, detail.ld, self.article_types)
        page, partial = detail.page, detail.partial
        # An event page's dates are the event's: the generic extractor would take them.
        event = self.parse_event_range(detail)
        updated = fields.first(
            "updated",
            (Layer.SITE, lambda: site.updated),
            (Layer.STRUCTURED, lambda: structured.updated),
            (Layer.LABEL, lambda: detail.labels.updated),
        )

        def generic() -> str | None:
            if event:
                return None
            return generic_date(page.text(), detail.soup, page.fetched_at, updated)

        published = fields.first(
            "published",
            (Layer.SITE, lambda: site.published),
            (Layer.STRUCTURED, lambda: structured.published),
            (Layer.LABEL, lambda: detail.labels.published),
            (Layer.URL, lambda: url_date(page.path)),
            (Layer.LISTING, lambda: partial.published if partial else None),
            (Layer.GENERIC, generic),
        )
        return published, updated

    def layered_summary(self, detail: Detail, fields: Layered) -> str | None:
        """Site rules; the standfirst; the meta description; the first substantial paragraph;
        the listing card's summary. Never a label line."""
        main, title, partial = detail.main, detail.title, detail.partial
        return fields.first(
            "summary",
            (Layer.SITE, lambda: self.site_summary(detail)),
            (Layer.LABEL, lambda: standfirst(main, title, self.label_lines, detail.subtitle)),
            (Layer.STRUCTURED, lambda: description(detail.soup, title)),
            (Layer.GENERIC, lambda: lead_paragraph(main, title, self.label_lines)),
            (Layer.LISTING, lambda: partial.summary if partial else None),
        )

    def publication_signals(self, detail: Detail, *type_labels: re.Pattern[str]) -> list[str]:
        """What marks the page as a publication rather than an evergreen page: a publication
        date label, structured article data, or one of the site's visible type labels
        (`type_labels`: "Topics: News"). Empty: none, whatever section the page is in."""
        signals = []
        if detail.labels.published:
            signals.append("publication date label")
        if structured_dates(detail.soup, detail.ld, self.article_types).published:
            signals.append("structured article data")
        if any(label.search(detail.text) for label in type_labels):
            signals.append("type label")
        return signals

    def not_a_publication(self, raw: RawItem, reason: str = EVERGREEN) -> None:
        """Mark the page as one the crawl must not store (counted under `reason`)."""
        raw.evergreen, raw.drop_reason = True, reason

    # Site rules: each None by default (the layers above then decide).

    def site_url(self, detail: Detail) -> str | None:
        return None

    def site_title(self, detail: Detail) -> str | None:
        return None

    def site_summary(self, detail: Detail) -> str | None:
        return None

    def site_dates(self, detail: Detail) -> PageDates | None:
        return None

    # Fields no layer beyond the site reads.

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
