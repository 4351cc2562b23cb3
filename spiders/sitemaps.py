"""Sitemaps (sitemaps.org): a site's own list of its pages, read as one more way in.

A `<sitemapindex>` names further sitemaps; a `<urlset>` names pages, each with an optional
`<lastmod>`. The XML is parsed with entities never resolved and no network access, and only
the newest pages are taken (a site's sitemap lists every page it has ever had).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from lxml import etree

from aggregator.normalise.dates import DateError, parse_date

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# Pages whose lastmod is older than this before the fetch are not news to anyone.
RECENT = timedelta(days=730)
# At most this many pages from one sitemap, newest first (undated ones last).
MAX_PAGES = 200


class SitemapError(ValueError):
    """The document is not a sitemap."""


@dataclass(frozen=True)
class Sitemap:
    sitemaps: list[str]  # further sitemaps (an index)
    pages: list[tuple[str, datetime | None]]  # (URL, lastmod) of pages, newest first


def is_sitemap(body: bytes) -> bool:
    head = body.lstrip()[:600]
    return b"<urlset" in head or b"<sitemapindex" in head


def read_sitemap(body: bytes, fetched_at: datetime) -> Sitemap:
    """The sitemaps and recent pages a sitemap document names."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise SitemapError(f"malformed sitemap: {exc}") from exc
    name = etree.QName(root).localname
    if name == "sitemapindex":
        return Sitemap([loc for loc, _ in _entries(root, "sitemap")], [])
    if name != "urlset":
        raise SitemapError(f"not a sitemap: <{name}>")
    oldest = fetched_at - RECENT
    pages = [(loc, mod) for loc, mod in _entries(root, "url") if mod is None or mod >= oldest]
    pages.sort(key=lambda page: (page[1] is None, -(page[1].timestamp() if page[1] else 0)))
    return Sitemap([], pages[:MAX_PAGES])


def _entries(root: etree._Element, tag: str) -> list[tuple[str, datetime | None]]:
    found = []
    for entry in root.iter(f"{NS}{tag}", tag):
        loc = entry.findtext(f"{NS}loc") or entry.findtext("loc") or ""
        lastmod = entry.findtext(f"{NS}lastmod") or entry.findtext("lastmod")
        if loc.strip():
            found.append((loc.strip(), _when(lastmod)))
    return found


def _when(text: str | None) -> datetime | None:
    try:
        return parse_date(text).value if text else None
    except DateError:
        return None
