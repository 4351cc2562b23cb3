"""Sitemaps read safely, newest pages first (spiders/sitemaps.py), and crawled after the
listings so every page keeps the listing it was found on (aggregator/fetch/spider.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregator.sources import get_source
from spiders.base import Page, ParseError
from spiders.lucy_faithfull import LucyFaithfullParser
from spiders.sitemaps import MAX_PAGES, SitemapError, is_sitemap, read_sitemap

FETCHED = datetime(2025, 11, 3, 9, tzinfo=UTC)
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def urlset(*entries: str) -> bytes:
    return f'<?xml version="1.0"?><urlset {NS}>{"".join(entries)}</urlset>'.encode()


def entry(loc: str, lastmod: str | None = None) -> str:
    mod = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
    return f"<url><loc>{loc}</loc>{mod}</url>"


def test_pages_newest_first_old_ones_left_out_undated_ones_last() -> None:
    found = read_sitemap(
        urlset(
            entry("https://x.org/undated/"),
            entry("https://x.org/old/", "2019-01-01"),
            entry("https://x.org/older-recent/", "2025-01-01"),
            entry("https://x.org/newest/", "2025-10-01T10:00:00+01:00"),
        ),
        FETCHED,
    )
    assert [url for url, _ in found.pages] == [
        "https://x.org/newest/",
        "https://x.org/older-recent/",
        "https://x.org/undated/",
    ]


def test_an_index_names_its_sitemaps_and_a_big_one_is_capped() -> None:
    index = f"<sitemapindex {NS}><sitemap><loc>https://x.org/post-sitemap.xml</loc></sitemap></sitemapindex>"
    assert read_sitemap(index.encode(), FETCHED).sitemaps == ["https://x.org/post-sitemap.xml"]
    many = urlset(*(entry(f"https://x.org/p{i}/", "2025-10-01") for i in range(MAX_PAGES + 50)))
    assert len(read_sitemap(many, FETCHED).pages) == MAX_PAGES


def test_external_entities_are_never_resolved() -> None:
    hostile = (
        b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://x.org/&x;</loc></url></urlset>"
    )
    pages = read_sitemap(hostile, FETCHED).pages
    assert all("root:" not in url for url, _ in pages)


def test_a_broken_sitemap_is_a_parse_error_with_its_url() -> None:
    with pytest.raises(SitemapError):
        read_sitemap(b"<urlset><url>", FETCHED)
    assert not is_sitemap(b"<html><body>Not found</body></html>")
    parser = LucyFaithfullParser(get_source("lucy_faithfull"))
    page = Page(
        b"<?xml version='1.0'?><urlset><url>",
        "https://www.lucyfaithfull.org.uk/sitemap.xml",
        FETCHED,
    )
    with pytest.raises(ParseError, match="sitemap.xml"):
        parser.parse(page, "sitemap")


def test_a_sitemap_follows_only_the_sources_detail_pages() -> None:
    parser = LucyFaithfullParser(get_source("lucy_faithfull"))
    body = urlset(
        entry(
            "https://www.lucyfaithfull.org.uk/here-is-how-schools-can-prevent-harmful-sexual-behaviour/"
        ),
        entry("https://www.lucyfaithfull.org.uk/featured-news/a-call-to-end-ai.htm"),
        entry("https://www.lucyfaithfull.org.uk/policy-and-advocacy/"),  # a section page
        entry("https://elsewhere.example/some-long-article-slug-here/"),
    )
    page = Page(body, "https://www.lucyfaithfull.org.uk/sitemap.xml", FETCHED)
    parsed = parser.parse(page)  # routed by its content
    assert [f.url for f in parsed.follow] == [
        "https://www.lucyfaithfull.org.uk/here-is-how-schools-can-prevent-harmful-sexual-behaviour/",
        "https://www.lucyfaithfull.org.uk/featured-news/a-call-to-end-ai.htm",
    ]
