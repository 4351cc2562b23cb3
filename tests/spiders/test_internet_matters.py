"""Internet Matters: behaviour the goldens do not show by themselves."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from aggregator.devtools.fixtures import FIXTURES_DIR
from aggregator.parse.offline import parse_saved
from aggregator.schema import Item
from aggregator.sources import ChannelKind, get_source
from spiders.base import Page
from spiders.internet_matters import InternetMattersParser

FOLDER = FIXTURES_DIR / "internet_matters"
SITE = "https://www.internetmatters.org"
FEED = f"{SITE}/feed/"
REST = f"{SITE}/wp-json/wp/v2/posts?per_page=50"
CSA = f"{SITE}/hub/research/preventing-self-generated-child-sexual-abuse-report/"
FETCHED = datetime(2024, 5, 31, 8, 0, tzinfo=UTC)
RSS = "application/rss+xml; charset=UTF-8"
JSON = "application/json; charset=UTF-8"
HTML = "text/html; charset=utf-8"


def _parse(file: str, url: str, content_type: str, body: bytes | None = None) -> list[Item]:
    data = body if body is not None else (FOLDER / file).read_bytes()
    return parse_saved("internet_matters", data, url, FETCHED, content_type).items


def _csa(items: list[Item]) -> Item:
    [item] = [i for i in items if "preventing-self-generated" in i.url]
    return item


def test_feed_rest_and_detail_give_one_key_and_share_the_post_alias() -> None:
    from_feed = _csa(_parse("feed.xml", FEED, RSS))
    from_rest = _csa(_parse("wp-json-posts.json", REST, JSON))
    from_page = _csa(_parse("preventing-self-generated-child-sexual-abuse-report.html", CSA, HTML))
    assert (
        from_feed.key
        == from_rest.key
        == from_page.key
        == ("internetmatters.org/hub/research/preventing-self-generated-child-sexual-abuse-report")
    )
    assert from_feed.aliases == from_rest.aliases == from_page.aliases == ["wp-post:178412"]
    assert from_feed.published == from_rest.published == from_page.published


def test_feed_links_lose_utm_and_guids_are_not_aliases() -> None:
    items = _parse("feed.xml", FEED, RSS)
    assert len(items) == 10
    for item in items:
        assert "utm_" not in item.url
        assert not any(a.startswith("feed-guid:") for a in item.aliases)
        assert [a for a in item.aliases if a.startswith("wp-post:")]
        # WordPress's "The post … appeared first on Internet Matters." is not the summary.
        assert "appeared first on" not in item.summary


def test_feed_content_gives_the_report_attachment() -> None:
    item = _csa(_parse("feed.xml", FEED, RSS))
    assert [a.url for a in item.attachments] == [
        f"{SITE}/wp-content/uploads/2024/05/Preventing-self-generated-CSAM-report.pdf"
    ]


def test_rest_gmt_times_are_utc_not_london() -> None:
    item = _csa(_parse("wp-json-posts.json", REST, JSON))
    # date_gmt "2024-05-03T09:00:00" (no zone) is UTC; read as London it would be 08:00Z.
    assert item.published == datetime(2024, 5, 3, 9, 0, tzinfo=UTC)
    assert item.updated == datetime(2024, 5, 7, 13, 12, 33, tzinfo=UTC)


def test_rest_without_gmt_fields_reads_site_local_time() -> None:
    record = {
        "id": 42,
        "date": "2024-05-03T10:00:00",
        "link": f"{SITE}/hub/news-blogs/a-post/",
        "title": {"rendered": "A post"},
        "excerpt": {"rendered": "<p>Excerpt.</p>"},
    }
    [item] = _parse("", REST, JSON, json.dumps([record]).encode())
    assert item.published == datetime(2024, 5, 3, 9, 0, tzinfo=UTC)  # 10:00 BST
    assert item.aliases == ["wp-post:42"]
    assert item.summary == "Excerpt."


def test_hub_section_gives_the_document_type() -> None:
    items = _parse("wp-json-posts.json", REST, JSON)
    types = {i.url.split("/")[4]: i.doc_type.value for i in items}
    assert types == {"news-blogs": "news", "guidance": "guidance", "research": "report"}


def test_hub_listing_follows_posts_in_main_only() -> None:
    parser = InternetMattersParser(get_source("internet_matters"))
    page = Page((FOLDER / "hub-research.html").read_bytes(), f"{SITE}/hub/research/", FETCHED, HTML)
    parsed = parser.parse(page)
    urls = [f.url for f in parsed.follow]
    assert urls == [
        CSA,
        f"{SITE}/hub/research/generative-ai-in-education-report/",
        f"{SITE}/hub/research/childrens-wellbeing-in-a-digital-world-index-report-2024/",
    ]
    first = parsed.follow[0].partial
    assert first is not None
    # The card's heading, not the kicker "Research" run into it.
    assert first.title == "Preventing ‘self-generated’ child sexual abuse"


@pytest.mark.parametrize(
    ("file", "url", "content_type", "expected"),
    [
        ("feed.xml", FEED, RSS, "feed"),
        ("feed.xml", f"{SITE}/hub/feed/", "", "feed"),  # by content, whatever the URL
        ("wp-json-posts.json", REST, JSON, "api"),
        ("wp-json-posts.json", f"{SITE}/wp-json/wp/v2/posts", "", "api"),
        ("hub-research.html", f"{SITE}/hub/research/", HTML, "listing"),
        (
            "sextortion-advice-for-parents-and-carers.html",
            f"{SITE}/hub/guidance/sextortion-advice-for-parents-and-carers/",
            HTML,
            "detail",
        ),
    ],
)
def test_route_picks_the_parser_from_url_and_content(
    file: str, url: str, content_type: str, expected: str
) -> None:
    parser = InternetMattersParser(get_source("internet_matters"))
    page = Page((FOLDER / file).read_bytes(), url, FETCHED, content_type)
    assert parser.route(page) == expected


def test_registry_channels_match_the_fixtures() -> None:
    channels = get_source("internet_matters").channels
    assert (channels[0].kind, channels[0].url, channels[0].role) == (
        ChannelKind.FEED,
        FEED,
        "primary",
    )
    fallbacks = {(c.kind, c.url) for c in channels if c.role == "fallback"}
    assert (ChannelKind.API, REST) in fallbacks
    assert (ChannelKind.LISTING, f"{SITE}/hub/research/") in fallbacks
    served = {e["url"] for e in json.loads((FOLDER / "meta.json").read_text())["responses"]}
    assert FEED in served and REST in served and f"{SITE}/hub/research/" in served
