"""Internet Matters (www.internetmatters.org): a WordPress site (sources.md 5); the hub.

Its quirks over the WordPress kind (`spiders/wordpress.py`):
- Posts live in the hub at `/hub/<section>/<slug>/` (research, guidance, news-blogs,
  press-release …); the section is the type hint, never a feed category. No section is
  listed here: a section's name is read as its plain words ("press-release" is news), and
  an unknown section is kept and typed from the post's content.
- Feed links carry `utm_*` parameters (canonicalisation drops them).
- Advice pages (`/advice/…`) sit outside the hub: they are guidance by their URL.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from aggregator.parse.raw import RawItem
from aggregator.schema import DocType
from spiders.html import Detail
from spiders.wordpress import WordPressParser

# /hub/<section>/<slug>/; author, category and tag archives are not posts.
HUB_POST_PATH = re.compile(r"^/hub/(?!author/|category/|tag/|page/)([a-z0-9-]+)/[^/]+/?$")
URL_SERIES = ((re.compile(r"^/advice/"), DocType.GUIDANCE),)


class InternetMattersParser(WordPressParser):
    post_path = HUB_POST_PATH
    url_series = URL_SERIES
    series_host = "internetmatters.org"

    def section_hint(self, url: str, categories: Sequence[str] = ()) -> str | None:
        """The hub section from the URL alone."""
        return self.section(url)

    def label_evidence(self, label: str) -> str:
        return f"Internet Matters hub section {label}"

    def finish_detail(self, raw: RawItem, detail: Detail) -> None:
        """Outside the hub, a page without a publication signal (a date, structured article
        data) is an evergreen advice page, not a publication."""
        if not self.post_path.match(detail.page.path) and not self.publication_signals(detail):
            self.not_a_publication(raw)


PARSER = InternetMattersParser
