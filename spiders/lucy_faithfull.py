"""Lucy Faithfull Foundation (www.lucyfaithfull.org.uk): featured news and the 2019-era
archive (sources.md 4). Its raw HTML is unknown: URL patterns, visible labels and structured
data only, never CSS classes.
- The listing (`/featured-news.htm`) links `/featured-news/<slug>.htm` articles (a slug may end
  in a stray `-`) and 2019-era ones at one slug with a trailing slash (`/home-secretary-…/`).
- Slug pages show `Published: 01/03/2019`, day first: it wins over structured data. `.htm`
  pages show a long date under the <h1> ("15 February 2024") or none (the shared layers:
  structured data, the date line, else undated: never the fetch time).
- No <main> or <nav>: the content is the top-level block holding the <h1>.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

from aggregator.parse.raw import RawItem
from aggregator.schema import DocType
from spiders.chrome import content_region
from spiders.html import Detail, HtmlKind, article_block
from spiders.page_dates import PageDates
from spiders.page_text import labelled, text_of

FEATURED_NEWS_PATH = re.compile(r"^/featured-news/[^/]+\.htm$")
# Articles at one slug with a trailing slash (2019-era, and again from 2024): headlines are
# sentences, so the slug has at least four words; section pages (/about-us/) have one or two.
SLUG_ARTICLE_PATH = re.compile(r"^/[a-z0-9]+(?:-[a-z0-9]+){3,}/$")
# "Published: 01/03/2019" (day first; parse_date reads numeric dates day first), and the line
# it stands on, which is a field and not main text.
PUBLISHED_LABEL = re.compile(r"Published:?\s*(\d{1,2}/\d{1,2}/\d{4})")
PUBLISHED_LINE = re.compile(r"^Published:?\s*\d{1,2}/\d{1,2}/\d{4}\s*$")
# A linked document labelled as the paper or report makes the page a report announcement.
REPORT_LINK = re.compile(r"^(read|download)\s+(the|our)\s+(full\s+)?(paper|report)\b", re.I)


class LucyFaithfullParser(HtmlKind):
    listing_paths = ("/featured-news.htm", "/featured-news")
    detail_patterns = (FEATURED_NEWS_PATH, SLUG_ARTICLE_PATH)
    label_lines = PUBLISHED_LINE
    listed_type = "news"  # until its page says otherwise
    url_series = ((re.compile(r"^/featured-news/"), DocType.NEWS),)
    series_host = "lucyfaithfull.org.uk"

    def listing_region(self, soup: BeautifulSoup) -> Tag:
        return content_region(soup)

    def content(self, soup: BeautifulSoup) -> Tag:
        return article_block(content_region(soup), PUBLISHED_LABEL)

    def site_dates(self, detail: Detail) -> PageDates | None:
        """The visible "Published: DD/MM/YYYY" is the site's own date: it wins over the
        structured data, which a 2019 page may carry from a later migration."""
        shown = labelled(PUBLISHED_LABEL, detail.text)
        return PageDates(shown, None) if shown else None

    def finish_detail(self, raw: RawItem, detail: Detail) -> None:
        """A featured-news page is news by its section; a slug page is an article only when
        it shows a publication signal (its "Published:" line, structured data): a section
        page (/policy-and-advocacy/) is not."""
        featured = FEATURED_NEWS_PATH.match(detail.page.path)
        if not (featured or self.publication_signals(detail, PUBLISHED_LABEL)):
            self.not_a_publication(raw, "section page, not a publication")

    def parse_type_hint(self, detail: Detail) -> str:
        """News, unless the page links its paper or report ("Read the paper")."""
        links = detail.main.find_all("a", href=True)
        return "report" if any(REPORT_LINK.match(text_of(a)) for a in links) else "news"


PARSER = LucyFaithfullParser
