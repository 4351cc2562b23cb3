"""NSPCC Learning (learning.nspcc.org.uk): news and research and resources.

What the site does (sources.md 1); its raw HTML is unknown, so this reads visible text labels
and URL patterns, never CSS classes:
- News, podcasts and blogs live at `/news/{yyyy}/{month name}/{slug}` and show
  `Last updated: 31 May 2024 Topics: Podcast`: the Topics value is the document type.
- Research and resources live at `/research-resources/{yyyy or series}/{slug}` and show a
  standfirst, `Publication date April 2024` (month precision) and `Published: 2024` (year);
  listing cards show `(Published 2022)`. Attachments are "Download the report (PDF)" links.
- Evergreen topic pages (`/child-protection-system/…`, `/case-reviews/…`) only bump
  `Last updated`; they are not publications and are never followed.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag

from aggregator.parse.raw import RawItem
from spiders.base import (
    ListingKind,
    Page,
    Parsed,
    canonical_link,
    main_element,
    main_text,
    meta_content,
    outbound_links,
    pdf_links,
)

NEWS_PATH = re.compile(r"^/news/(\d{4})/([a-z]+)/[^/]+/?$")
RESEARCH_PATH = re.compile(
    r"^/research-resources/(\d{4}|learning-from-case-reviews|practice-points-series|schools)/[^/]+/?$"
)

LAST_UPDATED = re.compile(r"Last updated:?\s*(\d{1,2} [A-Za-z]{3,9}\.? \d{4})")
TOPICS = re.compile(r"Topics:\s*([A-Z][a-z]+)")
PUBLICATION_DATE = re.compile(r"Publication date:?\s*([A-Z][a-z]+ \d{4})")
PUBLISHED_YEAR = re.compile(r"\(?Published:?\s*(\d{4})\)?")
# NSPCC's own sites: links between them are navigation, not onward reading.
OWN_HOSTS = ("nspcc.org.uk", "www.nspcc.org.uk", "learning.nspcc.org.uk", "www.childline.org.uk")
DOWNLOAD_LABELS = ("Download the report", "Download the briefing", "Download the", "Download")
# The page's date and label lines ("Last updated: 14 May 2024 Topics: News", "Authors: …"):
# read above as dates and types, not part of the main text.
LABEL_LINE = re.compile(r"^\(?(?:Last updated|Publication date|Published|Topics|Authors)\b")
CASPAR = re.compile(r":\s*CASPAR briefing\s*$", re.I)
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)


class NspccParser(ListingKind):
    detail_patterns = (NEWS_PATH, RESEARCH_PATH)

    def route(self, page: Page) -> str:
        path = page.path.rstrip("/")
        if path in ("/news", "/research-resources"):
            return "listing"
        return "detail"

    def listing_hint(self, page: Page, anchor: Tag, url: str) -> RawItem | None:
        """What a listing card shows: its title, '(Published YYYY)' and a one-line summary."""
        title = " ".join(anchor.get_text(" ").split())
        if not title:
            return None
        card = _card(anchor)
        card_text = " ".join(card.get_text(" ").split()) if card else ""
        year = PUBLISHED_YEAR.search(card_text)
        summary = ""
        if card:
            paragraphs = [p for p in card.find_all("p") if not PUBLISHED_YEAR.search(p.get_text())]
            summary = paragraphs[0].get_text(" ") if paragraphs else ""
        return self.raw(
            page,
            url,
            title,
            summary=summary,
            published=f"{year.group(1)}" if year else None,
        )

    def parse_detail(self, page: Page, partial: RawItem | None = None) -> Parsed:
        soup = page.soup()
        main = main_element(soup)
        text = " ".join(main.get_text(" ").split())
        url = urljoin(page.url, canonical_link(soup) or page.url)
        title = _title(soup, main)
        updated = _first(LAST_UPDATED, text)
        topic = _first(TOPICS, text)
        pub_month = _first(PUBLICATION_DATE, text)
        pub_year = _first(PUBLISHED_YEAR, text)
        news = NEWS_PATH.match(page.path)
        research = RESEARCH_PATH.match(page.path)

        published: str | None
        if news:
            # News pages show only "Last updated". It is the publication date when it falls
            # in the month the URL names; otherwise the page was revised later, and the URL's
            # month is all we know of first publication.
            url_month = f"{news.group(2).title()} {news.group(1)}"
            if updated and _same_month(updated, news.group(1), news.group(2)):
                published, updated = updated, None
            else:
                published = url_month if news.group(2) in MONTHS else news.group(1)
        else:
            published = pub_month or pub_year or (partial.published if partial else None)

        type_hint = topic
        if research:
            type_hint = (
                research.group(1) if not research.group(1).isdigit() else "research-resources"
            )
        if CASPAR.search(title):
            type_hint = "learning-from-case-reviews"  # a CASPAR briefing is a briefing

        raw = self.raw(
            page,
            url,
            title,
            summary=_standfirst(main, title)
            or meta_content(soup, "description", "og:description")
            or (partial.summary if partial else ""),
            published=published,
            updated=updated,
            type_hint=type_hint,
            attachments=pdf_links(page, main, DOWNLOAD_LABELS),
            links=outbound_links(page, main, self.source.all_hosts() + OWN_HOSTS),
            body_text=main_text(main, LABEL_LINE),
            complete=True,
            # A page without Topics or a publication date, outside the dated paths, is an
            # evergreen topic page: its "Last updated" is not a publication.
            evergreen=not (news or research),
            drop_reason=None if (news or research) else "evergreen page, not a publication",
        )
        if partial is not None:
            raw.fetched_from = partial.fetched_from
        return Parsed(items=[raw])


def _card(anchor: Tag) -> Tag | None:
    """The smallest ancestor of a listing link that holds more than the link itself."""
    node = anchor.parent
    for _ in range(3):
        if not isinstance(node, Tag):
            return None
        if len(" ".join(node.get_text(" ").split())) > len(anchor.get_text(" ").strip()) + 5:
            return node
        node = node.parent
    return None


def _title(soup: BeautifulSoup, main: Tag) -> str:
    h1 = main.find("h1") or soup.find("h1")
    if isinstance(h1, Tag) and h1.get_text(strip=True):
        return h1.get_text(" ")
    return meta_content(soup, "og:title") or (soup.title.get_text() if soup.title else "")


def _standfirst(main: Tag, title: str) -> str:
    """The paragraph right after the heading, unless it is a date or label line."""
    h1 = main.find("h1")
    if not isinstance(h1, Tag):
        return ""
    for sibling in h1.find_all_next(["p", "div"], limit=4):
        text = " ".join(sibling.get_text(" ").split())
        if not text or text == title:
            continue
        if re.match(r"(Last updated|Publication date|Published|Topics|Authors)", text):
            return ""
        return text if sibling.name == "p" else ""
    return ""


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group(1).strip() if match else None


def _same_month(day_text: str, year: str, month_name: str) -> bool:
    """Whether '31 May 2024' falls in the URL's /2024/may/."""
    parts = day_text.replace(".", "").split()
    return len(parts) == 3 and parts[2] == year and month_name.startswith(parts[1].lower()[:3])


PARSER = NspccParser
