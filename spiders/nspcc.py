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
from spiders.html import Detail, HtmlKind, canonical_link, labelled, outbound_links, standfirst

NEWS_PATH = re.compile(r"^/news/(\d{4})/([a-z]+)/[^/]+/?$")
RESEARCH_PATH = re.compile(
    r"^/research-resources/(\d{4}|learning-from-case-reviews|practice-points-series|schools)/[^/]+/?$"
)
LAST_UPDATED = re.compile(r"Last updated:?\s*(\d{1,2} [A-Za-z]{3,9}\.? \d{4})")
TOPICS = re.compile(r"Topics:\s*([A-Z][a-z]+)")
PUBLICATION_DATE = re.compile(r"Publication date:?\s*([A-Z][a-z]+ \d{4})")
PUBLISHED_YEAR = re.compile(r"\(?Published:?\s*(\d{4})\)?")
MONTHS = "january february march april may june july august september october november december"
# NSPCC's own sites: links between them are navigation, not onward reading.
OWN_HOSTS = ("nspcc.org.uk", "www.nspcc.org.uk", "learning.nspcc.org.uk", "www.childline.org.uk")
DOWNLOAD_LABELS = ("Download the report", "Download the briefing", "Download the", "Download")
# The page's date and label lines ("Last updated: 14 May 2024 Topics: News", "Authors: …"):
# read as dates and types, not part of the main text; a standfirst is never one of them.
LABEL_LINE = re.compile(r"^\(?(?:Last updated|Publication date|Published|Topics|Authors)\b")
STANDFIRST_STOP = re.compile(r"(Last updated|Publication date|Published|Topics|Authors)")
CASPAR = re.compile(r":\s*CASPAR briefing\s*$", re.I)
EVERGREEN = "evergreen page, not a publication"

# "Topics:" values, and the research series (the URL's second segment) with what they hold.
TOPIC_VALUES = ("news", "blog", "podcast")
SERIES_TYPES = {
    "learning-from-case-reviews": DocType.BRIEFING,
    "practice-points-series": DocType.BRIEFING,
    "schools": DocType.BRIEFING,
    "research-resources": DocType.REPORT,
}
URL_SERIES = (
    (re.compile(r"^/research-resources/learning-from-case-reviews/"), DocType.BRIEFING),
    (re.compile(r"^/research-resources/practice-points-series/"), DocType.BRIEFING),
    (re.compile(r"^/research-resources/schools/"), DocType.BRIEFING),
    (re.compile(r"^/research-resources/\d{4}/"), DocType.REPORT),
    (re.compile(r"^/news/"), DocType.NEWS),
)


class NspccParser(HtmlKind):
    listing_paths = ("/news", "/research-resources")
    detail_patterns = (NEWS_PATH, RESEARCH_PATH)
    document_labels = DOWNLOAD_LABELS
    label_lines = LABEL_LINE
    card_date = PUBLISHED_YEAR  # "(Published 2022)" on a listing card
    type_labels = SERIES_TYPES
    url_series = URL_SERIES
    series_host = "learning.nspcc.org.uk"

    def label_evidence(self, label: str) -> str:
        if label.lower() in TOPIC_VALUES:
            return f"NSPCC Topics: {label}"
        return f"NSPCC URL series {label}"

    def parse_url(self, detail: Detail) -> str:
        return urljoin(detail.page.url, canonical_link(detail.soup) or detail.page.url)

    def parse_summary(self, detail: Detail) -> str:
        title = self.parse_title(detail)
        return standfirst(detail.main, title, STANDFIRST_STOP) or super().parse_summary(detail)

    def parse_dates(self, detail: Detail) -> tuple[str | None, str | None]:
        """News shows only "Last updated": the publication date if in the URL's month, else an
        update (the URL's month is then all that is known). Research shows month or year."""
        updated = labelled(LAST_UPDATED, detail.text)
        news = NEWS_PATH.match(detail.page.path)
        if news:
            year, month = news.group(1), news.group(2)
            if updated and _same_month(updated, year, month):
                return updated, None
            return (f"{month.title()} {year}" if month in MONTHS.split() else year), updated
        partial = detail.partial.published if detail.partial else None
        published = labelled(PUBLICATION_DATE, detail.text) or labelled(PUBLISHED_YEAR, detail.text)
        return published or partial, updated

    def parse_type_hint(self, detail: Detail) -> str | None:
        """A CASPAR briefing is a briefing; research by its series; news by its Topics."""
        research = RESEARCH_PATH.match(detail.page.path)
        if CASPAR.search(self.parse_title(detail)):
            return "learning-from-case-reviews"
        if research:
            series = research.group(1)
            return "research-resources" if series.isdigit() else series
        return labelled(TOPICS, detail.text)

    def parse_links(self, detail: Detail) -> list[tuple[str, str]]:
        return outbound_links(detail.page, detail.main, self.source.all_hosts() + OWN_HOSTS)

    def finish_detail(self, raw: RawItem, detail: Detail) -> None:
        """Outside the dated paths, a page is evergreen: "Last updated" is no publication."""
        if not (NEWS_PATH.match(detail.page.path) or RESEARCH_PATH.match(detail.page.path)):
            raw.evergreen, raw.drop_reason = True, EVERGREEN


def _same_month(day_text: str, year: str, month_name: str) -> bool:
    """Whether '31 May 2024' falls in the URL's /2024/may/."""
    parts = day_text.replace(".", "").split()
    return len(parts) == 3 and parts[2] == year and month_name.startswith(parts[1].lower()[:3])


PARSER = NspccParser
