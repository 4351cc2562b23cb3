"""Lucy Faithfull Foundation (www.lucyfaithfull.org.uk): featured news and the 2019-era
archive (sources.md 4). Its raw HTML is unknown: URL patterns, visible labels and structured
data only, never CSS classes.
- The listing (`/featured-news.htm`) links `/featured-news/<slug>.htm` articles (a slug may end
  in a stray `-`) and 2019-era ones at one slug with a trailing slash (`/home-secretary-…/`).
- 2019-era pages show `Published: 01/03/2019`, day first; newer pages usually show no date
  (JSON-LD, then `article:published_time`, else undated: never the fetch time).
- No <main> or <nav>: the content is the top-level block holding the <h1>.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

from aggregator.parse.raw import RawItem
from aggregator.schema import DocType
from spiders.chrome import content_region
from spiders.html import (
    Detail,
    HtmlKind,
    article_block,
    description_or_lead,
    labelled,
    ld_value,
    meta_content,
    text_of,
)

FEATURED_NEWS_PATH = re.compile(r"^/featured-news/[^/]+\.htm$")
# 2019-era articles: one slug segment with a trailing slash. Headlines are sentences, so the
# slug has at least four words; section pages (/about-us/, /our-work/) have one or two.
LEGACY_ARTICLE_PATH = re.compile(r"^/[a-z0-9]+(?:-[a-z0-9]+){3,}/$")
# "Published: 01/03/2019" (day first; parse_date reads numeric dates day first), and the line
# it stands on, which is a field and not main text.
PUBLISHED_LABEL = re.compile(r"Published:?\s*(\d{1,2}/\d{1,2}/\d{4})")
PUBLISHED_LINE = re.compile(r"^Published:?\s*\d{1,2}/\d{1,2}/\d{4}\s*$")
# A linked document labelled as the paper or report makes the page a report announcement.
REPORT_LINK = re.compile(r"^(read|download)\s+(the|our)\s+(full\s+)?(paper|report)\b", re.I)


class LucyFaithfullParser(HtmlKind):
    listing_paths = ("/featured-news.htm", "/featured-news")
    detail_patterns = (FEATURED_NEWS_PATH, LEGACY_ARTICLE_PATH)
    label_lines = PUBLISHED_LINE
    listed_type = "news"  # until its page says otherwise
    url_series = ((re.compile(r"^/featured-news/"), DocType.NEWS),)
    series_host = "lucyfaithfull.org.uk"

    def listing_region(self, soup: BeautifulSoup) -> Tag:
        return content_region(soup)

    def content(self, soup: BeautifulSoup) -> Tag:
        return article_block(content_region(soup), PUBLISHED_LABEL)

    def parse_summary(self, detail: Detail) -> str:
        title = self.parse_title(detail)
        return description_or_lead(detail.soup, detail.main, title, PUBLISHED_LABEL)

    def parse_dates(self, detail: Detail) -> tuple[str | None, str | None]:
        """The visible "Published: DD/MM/YYYY", else structured data, else undated."""
        soup, ld, types = detail.soup, detail.ld, self.article_types
        published = (
            labelled(PUBLISHED_LABEL, detail.text)
            or ld_value(ld, "datePublished", types)
            or meta_content(soup, "article:published_time")
        )
        updated = ld_value(ld, "dateModified", types) or meta_content(soup, "article:modified_time")
        return published, updated

    def parse_type_hint(self, detail: Detail) -> str:
        """News, unless the page links its paper or report ("Read the paper")."""
        links = detail.main.find_all("a", href=True)
        return "report" if any(REPORT_LINK.match(text_of(a)) for a in links) else "news"

    def finish_detail(self, raw: RawItem, detail: Detail) -> None:
        """A page without a headline keeps the listing's title."""
        if detail.partial is not None:
            raw.title = raw.title or detail.partial.title


PARSER = LucyFaithfullParser
