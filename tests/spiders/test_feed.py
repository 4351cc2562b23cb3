"""The plain RSS/Atom kind: a registry entry with feed channels needs no module."""

from __future__ import annotations

from datetime import UTC, datetime

from aggregator.parse.offline import finish
from aggregator.schema import DocType
from aggregator.sources import Channel, ChannelKind, Source, SourceKind
from spiders.base import Page
from spiders.feed import PlainFeedParser
from spiders.loader import parser_for

FETCHED = datetime(2024, 5, 31, 8, tzinfo=UTC)
SOURCE = Source(
    slug="lscp",
    publisher="Example LSCP",
    homepage="https://lscp.example.org/",
    channels=(Channel(ChannelKind.FEED, "https://lscp.example.org/feed/"),),
)
RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>LSCP news</title>'
    b"<item><title>Neglect strategy 2024</title><link>https://lscp.example.org/neglect</link>"
    b"<guid>https://lscp.example.org/?p=7</guid><category>Guidance</category>"
    b"<pubDate>Tue, 14 May 2024 09:00:00 +0100</pubDate></item>"
    b"<item><title>Annual report 2023</title><link>https://lscp.example.org/annual</link>"
    b"<category>Neglect</category></item></channel></rss>"
)


def test_an_entry_without_a_module_is_read_by_the_feed_kind() -> None:
    assert SOURCE.kind == SourceKind.FEED and SOURCE.spider is None
    assert parser_for(SOURCE) is PlainFeedParser


def test_entries_become_items_with_guid_aliases_and_no_type_label() -> None:
    page = Page(RSS, "https://lscp.example.org/feed/", FETCHED, "application/rss+xml")
    raws = PlainFeedParser(SOURCE).parse(page).items
    assert [r.title for r in raws] == ["Neglect strategy 2024", "Annual report 2023"]
    assert raws[0].aliases == ["feed-guid:https://lscp.example.org/?p=7"]
    assert raws[0].topic_hints == ["Guidance"]
    # A feed names no document type of its own: only the title can say one.
    assert all(r.type_hint is None and r.doc_type_hint is None for r in raws)
    items = finish(raws).items
    assert [i.doc_type for i in items] == [DocType.OTHER, DocType.REPORT]


def test_a_plain_feed_knows_only_plain_label_words() -> None:
    parser = PlainFeedParser(SOURCE)
    assert parser.resolve_type("Report", "https://lscp.example.org/x") == (
        DocType.REPORT,
        "publisher label 'Report'",
    )
    assert parser.resolve_type("consultation_outcome", "https://lscp.example.org/x") is None
