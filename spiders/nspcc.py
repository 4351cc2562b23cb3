"""NSPCC Learning (learning.nspcc.org.uk): news, and research and resources (sources.md 1).

Its raw HTML is unknown, so this reads visible text labels and URL patterns, never CSS classes:
- News, podcasts and blogs (`/news/{yyyy}/{month name}/{slug}`) show `Last updated: 31 May
  2024 Topics: Podcast`: the Topics value is the document type.
- Research and resources (`/research-resources/{yyyy or series}/{slug}`) show a standfirst,
  `Publication date April 2024` or `Published: 2024`; cards show `(Published 2022)`.
- Evergreen topic pages (`/child-protection-system/…`) only bump `Last updated`: no items.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from aggregator.parse.raw import RawItem
from aggregator.schema import DocType
from spiders.html import Detail, HtmlKind, outbound_links
from spiders.page_dates import PageDates, url_date
from spiders.page_text import blocks_after, labelled
from spiders.structured import canonical_link

# News at /news/{yyyy}/{month name}/{slug}, and in topical folders (/news/covid/{slug}/).
NEWS_PATH = re.compile(r"^/news/(?:(\d{4})/([a-z]+)|[a-z0-9-]+)/[^/]+/?$")
# A kicker under the <h1> that names the document ("Helplines insight briefing").
KICKER = re.compile(r"^[A-Z][A-Za-z' ]{0,40}\b(?:briefing|report|evaluation|guidance|podcast)$")
# Research and resources: a year or any series, then the slug; a publication when it shows a
# publication signal, whatever its series (series come and go, so none is listed).
RESEARCH_PATH = re.compile(r"^/research-resources/([a-z0-9-]+)/[^/]+/?$")
LAST_UPDATED = re.compile(r"Last updated:?\s*(\d{1,2} [A-Za-z]{3,9}\.? \d{4})")
TOPICS = re.compile(r"Topics:\s*([A-Z][a-z]+)")
# NSPCC's own sites: links between them are navigation, not onward reading.
OWN_HOSTS = ("nspcc.org.uk", "www.nspcc.org.uk", "learning.nspcc.org.uk", "www.childline.org.uk")
DOWNLOAD_LABELS = ("Download the report", "Download the briefing", "Read the report")
# The page's label lines ("Last updated: 14 May 2024 Topics: News", "Authors: …"): read as
# dates and types, not part of the main text; a standfirst is never one of them.
LABEL_LINE = re.compile(r"^\(?(?:Last updated|Publication date|Published|Topics|Authors)\b")
CASPAR = re.compile(r":\s*CASPAR briefing\s*$", re.I)

# "Topics:" values, and the series whose names say nothing plain; any other series is typed
# by its name's plain word ("briefings") or by its content.
TOPIC_VALUES = ("news", "blog", "podcast")
SERIES_TYPES = {
    "learning-from-case-reviews": DocType.BRIEFING,
    "practice-points-series": DocType.BRIEFING,
    "research-resources": DocType.REPORT,
}
URL_SERIES = (
    (re.compile(r"^/research-resources/learning-from-case-reviews/"), DocType.BRIEFING),
    (re.compile(r"^/research-resources/practice-points-series/"), DocType.BRIEFING),
    (re.compile(r"^/research-resources/\d{4}/"), DocType.REPORT),
    (re.compile(r"^/news/"), DocType.NEWS),
)


class NspccParser(HtmlKind):
    listing_paths = ("/news", "/research-resources")
    detail_patterns = (NEWS_PATH, RESEARCH_PATH)
    document_labels = DOWNLOAD_LABELS
    label_lines = LABEL_LINE
    card_date = re.compile(r"\(?Published:?\s*(\d{4})\)?")  # "(Published 2022)" on a card
    type_labels = SERIES_TYPES
    url_series = URL_SERIES
    series_host = "learning.nspcc.org.uk"

    def site_url(self, detail: Detail) -> str | None:
        """The canonical link, wherever it points (NSPCC Learning links its own hosts)."""
        found = canonical_link(detail.soup)
        return urljoin(detail.page.url, found) if found else None

    def site_dates(self, detail: Detail) -> PageDates | None:
        """News shows only "Last updated": the publication date if in the URL's month, else an
        update (the URL's month is then all that is known). Research pages are read by the
        shared label layer ("Publication date 2021", "Published: 2020 - updated …")."""
        news = NEWS_PATH.match(detail.page.path)
        if not news or not news.group(1):
            return None
        updated = labelled(LAST_UPDATED, detail.text)
        if updated and _same_month(updated, news.group(1), news.group(2)):
            return PageDates(updated, None)
        return PageDates(url_date(detail.page.path) or news.group(1), updated)

    def label_evidence(self, label: str) -> str:
        if label.lower() in TOPIC_VALUES:
            return f"NSPCC Topics: {label}"
        if " " in label:
            return f"NSPCC page kicker '{label}'"
        return f"NSPCC URL series {label}"

    def parse_type_hint(self, detail: Detail) -> str | None:
        """A CASPAR briefing is a briefing; a kicker under the <h1> names the document;
        research by its series; news by its Topics."""
        research = RESEARCH_PATH.match(detail.page.path)
        if CASPAR.search(detail.title):
            return "learning-from-case-reviews"
        h1 = detail.main.find("h1")
        kicker = next(blocks_after(h1, detail.main, limit=1), None) if h1 else None
        if kicker and KICKER.match(kicker[1]):
            return kicker[1]
        if research:
            series = research.group(1)
            return "research-resources" if series.isdigit() else series
        return labelled(TOPICS, detail.text)

    def parse_links(self, detail: Detail) -> list[tuple[str, str]]:
        return outbound_links(detail.page, detail.main, self.source.all_hosts() + OWN_HOSTS)

    def finish_detail(self, raw: RawItem, detail: Detail) -> None:
        """Outside news and research, a page is evergreen; inside them, a page neither dated
        by its URL nor showing a publication signal of its own (a date label, structured data,
        a Topics label) is a landing page, evergreen too. "Last updated" alone is no
        publication."""
        news = NEWS_PATH.match(detail.page.path)
        if news and news.group(1):
            return  # dated by its URL
        in_sections = news or RESEARCH_PATH.match(detail.page.path)
        if not (in_sections and self.publication_signals(detail, TOPICS)):
            self.not_a_publication(raw)


def _same_month(day_text: str, year: str, month_name: str) -> bool:
    """Whether '31 May 2024' falls in the URL's /2024/may/."""
    parts = day_text.replace(".", "").split()
    return len(parts) == 3 and parts[2] == year and month_name.startswith(parts[1].lower()[:3])


PARSER = NspccParser
