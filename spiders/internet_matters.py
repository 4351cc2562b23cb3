"""Internet Matters (www.internetmatters.org): a WordPress site (sources.md 5); the hub's
research, guidance and news.

Its quirks over the WordPress kind (`spiders/wordpress.py`):
- Posts live in the hub at `/hub/<section>/<slug>/` (`/hub/research/`, `/hub/news-blogs/`,
  `/hub/guidance/` are the listings); the section gives the type hint `hub-<section>`, never a
  feed category.
- Feed links carry `utm_*` parameters (canonicalisation drops them).
- Advice pages (`/advice/…`) sit outside the hub: they are guidance by their URL.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from aggregator.schema import DocType
from spiders.wordpress import WordPressParser

# /hub/<section>/<slug>/; author, category and tag archives are not posts.
HUB_POST_PATH = re.compile(r"^/hub/(?!author/|category/|tag/|page/)([a-z0-9-]+)/[^/]+/?$")
SECTION_TYPES = {
    "hub-research": DocType.REPORT,
    "hub-guidance": DocType.GUIDANCE,
    "hub-news-blogs": DocType.NEWS,
    "hub-esafety-news": DocType.NEWS,
}
URL_SERIES = (
    (re.compile(r"^/hub/research/"), DocType.REPORT),
    (re.compile(r"^/hub/guidance/"), DocType.GUIDANCE),
    (re.compile(r"^/hub/(news-blogs|esafety-news)/"), DocType.NEWS),
    (re.compile(r"^/advice/"), DocType.GUIDANCE),
)


class InternetMattersParser(WordPressParser):
    post_path = HUB_POST_PATH
    type_labels = SECTION_TYPES
    url_series = URL_SERIES
    series_host = "internetmatters.org"

    def section_hint(self, url: str, categories: Sequence[str] = ()) -> str | None:
        """`hub-<section>` from the URL alone."""
        section = self.section(url)
        return f"hub-{section}" if section else None

    def label_evidence(self, label: str) -> str:
        return f"Internet Matters hub section {label}"


PARSER = InternetMattersParser
