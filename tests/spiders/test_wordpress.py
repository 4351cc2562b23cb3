"""The WordPress kind: a WordPress site is a registry entry; feed, REST API and post pages
give one key per post, with the post id as an alias and the section as the type hint."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from aggregator.parse.offline import finish
from aggregator.parse.raw import RawItem
from aggregator.schema import DocType
from aggregator.sources import Channel, ChannelKind, Source, SourceKind
from spiders.base import Page
from spiders.loader import parser_for
from spiders.wordpress import WordPressParser, next_feed_page

FETCHED = datetime(2024, 5, 31, 8, tzinfo=UTC)
SITE = "https://charity.example.org"
SOURCE = Source(
    slug="example_charity",
    publisher="Example Charity",
    homepage=f"{SITE}/",
    channels=(
        Channel(ChannelKind.FEED, f"{SITE}/feed/"),
        Channel(ChannelKind.API, f"{SITE}/wp-json/wp/v2/posts", role="fallback"),
        Channel(ChannelKind.LISTING, f"{SITE}/news/", role="fallback"),
    ),
    kind=SourceKind.WORDPRESS,
)
POST = f"{SITE}/news/new-helpline-for-parents/"


def entry(n: int, link: str = POST, category: str = "News") -> str:
    return (
        f"<item><title>Post {n}</title><link>{link}?utm_source=rss</link>"
        f'<guid isPermaLink="false">{SITE}/?p={100 + n}</guid><category>{category}</category>'
        f"<category>Online safety</category><pubDate>Tue, 14 May 2024 09:00:00 +0000</pubDate>"
        f"<description><![CDATA[<p>Summary {n}.</p><p>The post <a href='{link}'>Post {n}</a>"
        f" appeared first on <a href='{SITE}'>Example Charity</a>.</p>]]></description></item>"
    )


def feed(*entries: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Example</title>'
        + "".join(entries)
        + "</channel></rss>"
    ).encode()


def parse(body: bytes, url: str, content_type: str = "") -> list[RawItem]:
    parser = parser_for(SOURCE)(SOURCE)
    return parser.parse(Page(body, url, FETCHED, content_type)).listed()


def test_a_wordpress_entry_needs_no_module() -> None:
    assert parser_for(SOURCE) is WordPressParser


def test_feed_entries_carry_the_post_id_and_the_section_and_lose_the_footer_line() -> None:
    [raw] = parse(feed(entry(1)), f"{SITE}/feed/", "application/rss+xml")
    assert raw.aliases == ["wp-post:101"]
    assert raw.type_hint == "news"
    assert raw.topic_hints == ["Online safety"]  # "News" only repeats the section
    assert "appeared first" not in raw.summary
    [item] = finish([raw]).items
    assert item.url == POST  # the permalink as published, its trailing slash kept
    assert item.doc_type == DocType.NEWS


def test_a_post_without_a_section_in_its_url_takes_its_first_category() -> None:
    dated = f"{SITE}/2024/05/14/annual-review/"
    [raw] = parse(feed(entry(1, dated, "Research")), f"{SITE}/feed/", "application/rss+xml")
    assert raw.type_hint == "research"
    assert (raw.doc_type_hint, raw.type_evidence) == (DocType.REPORT, "publisher label 'research'")


def test_a_full_feed_page_points_to_the_next() -> None:
    parser = WordPressParser(SOURCE)
    page = Page(feed(*(entry(n) for n in range(10))), f"{SITE}/feed/", FETCHED)
    assert parser.parse(page).next_page == f"{SITE}/feed/?paged=2"
    assert next_feed_page(f"{SITE}/feed/?paged=2") == f"{SITE}/feed/?paged=3"


def test_rest_posts_give_the_same_key_and_alias_with_utc_dates() -> None:
    record = {
        "id": 101,
        "link": POST,
        "date_gmt": "2024-05-14T09:00:00",
        "modified_gmt": "2024-05-20T10:00:00",
        "title": {"rendered": "Post 1"},
        "excerpt": {"rendered": "<p>Summary 1.</p>"},
        "content": {"rendered": '<p>Read it.</p><p><a href="/files/guide.pdf">Guide</a></p>'},
    }
    [raw] = parse(json.dumps([record]).encode(), f"{SITE}/wp-json/wp/v2/posts", "application/json")
    assert (raw.url, raw.aliases, raw.published) == (POST, ["wp-post:101"], "2024-05-14T09:00:00Z")
    assert [a.url for a in raw.attachments] == [f"{SITE}/files/guide.pdf"]


def test_listing_follows_posts_in_main_and_never_archives() -> None:
    html = (
        f'<html><body><nav><a href="{SITE}/about/team/">Team</a></nav><main>'
        f'<div><a href="{POST}"><h3>New helpline for parents</h3></a><p>A new line.</p></div>'
        f'<div><a href="{SITE}/category/news/">All news</a></div></main></body></html>'
    ).encode()
    parser = WordPressParser(SOURCE)
    parsed = parser.parse(Page(html, f"{SITE}/news/", FETCHED, "text/html"))
    assert [f.url for f in parsed.follow] == [POST]
    partial = parsed.follow[0].partial
    assert partial is not None
    assert (partial.title, partial.summary, partial.type_hint) == (
        "New helpline for parents",
        "A new line.",
        "news",
    )


def test_post_page_reads_yoast_tags_and_the_shortlink() -> None:
    html = (
        "<html><head><title>New helpline - Example Charity</title>"
        '<meta property="og:title" content="New helpline for parents - Example Charity">'
        '<meta name="description" content="A new line for parents.">'
        '<meta property="article:published_time" content="2024-05-14T09:00:00+00:00">'
        f'<link rel="canonical" href="{POST}"><link rel="shortlink" href="{SITE}/?p=101">'
        "</head><body><main><h1>New helpline for parents</h1><p>Call us.</p></main></body></html>"
    ).encode()
    [raw] = parse(html, POST, "text/html")
    assert raw.title == "New helpline for parents"
    assert (raw.summary, raw.published) == ("A new line for parents.", "2024-05-14T09:00:00+00:00")
    assert raw.aliases == ["wp-post:101"] and raw.complete
    assert raw.body_text == "Call us."
