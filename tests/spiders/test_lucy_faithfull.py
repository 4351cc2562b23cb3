"""Lucy Faithfull Foundation: behaviour the goldens do not show by themselves."""

from __future__ import annotations

from datetime import UTC, datetime

from aggregator.devtools.fixtures import FIXTURES_DIR
from aggregator.parse.offline import parse_saved
from aggregator.schema import Item, Precision
from aggregator.sources import get_source
from spiders.base import Page
from spiders.lucy_faithfull import LucyFaithfullParser

FOLDER = FIXTURES_DIR / "lucy_faithfull"
SITE = "https://www.lucyfaithfull.org.uk"
FETCHED = datetime(2024, 5, 31, 8, 0, tzinfo=UTC)
HTML = "text/html; charset=utf-8"


def _items(file: str, url: str, body: bytes | None = None) -> list[Item]:
    data = body if body is not None else (FOLDER / file).read_bytes()
    return parse_saved("lucy_faithfull", data, url, FETCHED, HTML).items


def test_published_label_is_day_first() -> None:
    [item] = _items(
        "home-secretary-announces-funding-for-the-lucy-faithfull-foundation.html",
        f"{SITE}/home-secretary-announces-funding-for-the-lucy-faithfull-foundation/",
    )
    # "Published: 01/03/2019" is 1 March, not 3 January.
    assert item.published == datetime(2019, 3, 1, tzinfo=UTC)
    assert item.published_precision == Precision.DAY
    # The meta description only repeats the title, so the first paragraph is the summary.
    assert item.summary.startswith("The Home Secretary has announced funding")


def test_page_without_any_date_stays_undated() -> None:
    [item] = _items(
        "our-2021-22-annual-report-celebrating-30-years-of-the-lucy-faithfull-foundation.html",
        f"{SITE}/featured-news/our-2021-22-annual-report-celebrating-30-years-of-the-lucy-"
        "faithfull-foundation-.htm",
    )
    assert item.published is None
    assert item.published_precision == Precision.NONE
    assert item.updated is None


def test_json_ld_date_published_is_the_fallback() -> None:
    [item] = _items(
        "time-to-talk-about-porn-the-link-between-viewing-legal-adult-pornography-and-online-"
        "child-sexual-abuse.html",
        f"{SITE}/featured-news/time-to-talk-about-porn-the-link-between-viewing-legal-adult-"
        "pornography-and-online-child-sexual-abuse.htm",
    )
    # "2024-05-30T09:00:00+01:00" in JSON-LD.
    assert item.published == datetime(2024, 5, 30, 8, 0, tzinfo=UTC)
    assert [a.url for a in item.attachments] == [f"{SITE}/media/3215/time-to-talk-about-porn.pdf"]
    assert item.doc_type.value == "report"  # "Read the paper" links the paper itself


def test_article_published_time_is_used_without_json_ld() -> None:
    [item] = _items(
        "stop-it-now-helpline-sees-rise-in-calls-from-concerned-family-members.html",
        f"{SITE}/featured-news/stop-it-now-helpline-sees-rise-in-calls-from-concerned-family-"
        "members.htm",
    )
    assert item.published == datetime(2024, 4, 18, 9, 30, tzinfo=UTC)


def test_visible_date_wins_over_structured_data() -> None:
    body = (
        b'<html><head><meta property="article:published_time" content="2020-01-01T00:00:00Z">'
        b"</head><body><div><h1>A 2019 story about prevention work</h1>"
        b"<div>Published: 05/11/2019</div><p>Body text.</p></div></body></html>"
    )
    [item] = _items("", f"{SITE}/a-2019-story-about-prevention-work/", body)
    assert item.published == datetime(2019, 11, 5, tzinfo=UTC)


def test_listing_follows_article_links_in_main_content_only() -> None:
    listing = (FOLDER / "featured-news.html").read_text(encoding="utf-8")
    # A nav menu in the header block, and a section link inside the content.
    listing = listing.replace(
        '<li><a href="/about-us.htm">About us</a></li>',
        '<li><a href="/about-us/">About us</a></li>'
        '<li><a href="/stop-it-now-helpline-celebrates-ten-years/">Helpline</a></li>',
    ).replace(
        '<p class="intro">',
        '<p><a href="/our-work/">Our work</a> <a href="/about-us.htm">About</a></p>'
        '<p class="intro">',
    )
    parser = LucyFaithfullParser(get_source("lucy_faithfull"))
    page = Page(listing.encode(), f"{SITE}/featured-news.htm", FETCHED, HTML)
    assert parser.route(page) == "listing"
    followed = [f.url for f in parser.parse(page).follow]
    # Six on page 1 ("Read more" links are not repeats); the two oldest are on page 2.
    assert len(followed) == len(set(followed)) == 6
    assert parser.parse(page).next_page == f"{SITE}/featured-news.htm?page=2"
    assert f"{SITE}/about-us/" not in followed
    assert f"{SITE}/our-work/" not in followed
    # The menu is outside the block holding the <h1>, so even an article-shaped link there is
    # not followed.
    assert f"{SITE}/stop-it-now-helpline-celebrates-ten-years/" not in followed
    assert f"{SITE}/home-secretary-announces-funding-for-the-lucy-faithfull-foundation/" in followed


def test_listing_partial_for_a_missing_page_keeps_title_and_summary() -> None:
    parser = LucyFaithfullParser(get_source("lucy_faithfull"))
    body = (FOLDER / "featured-news-page-2.html").read_bytes()
    page = Page(body, f"{SITE}/featured-news.htm?page=2", FETCHED, HTML)
    gone = f"{SITE}/featured-news/parents-protect-summer-online-safety-webinars.htm"
    [follow] = [f for f in parser.parse(page).follow if f.url == gone]
    assert follow.partial is not None
    assert follow.partial.title == "Parents Protect summer online safety webinars"
    assert follow.partial.summary.startswith("Free webinars for parents")
    # What the listing shows has no date, and none is invented.
    assert follow.partial.published is None
