"""The feed adapter: bytes in, raw items out; never a URL; never an external entity."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregator.parse.feed_reader import FeedError, feed_items, parse_feed

FETCHED = datetime(2024, 5, 31, 8, tzinfo=UTC)

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Example</title><link>https://example.org/</link>
<item><title>First report</title><link>https://example.org/a?utm_source=rss</link>
<guid isPermaLink="false">https://example.org/?p=12</guid>
<pubDate>Thu, 09 May 2024 10:15:00 +0100</pubDate>
<description>&lt;p&gt;A &lt;b&gt;summary&lt;/b&gt;&lt;/p&gt;</description>
<enclosure url="https://example.org/a.pdf" length="1234" type="application/pdf"/>
</item></channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Org - Activity on GOV.UK</title>
<id>https://www.gov.uk/x</id><updated>2024-05-09T10:00:00Z</updated>
<entry><id>https://www.gov.uk/a#2024-05-09T10:00:00Z</id><updated>2024-05-09T10:00:00Z</updated>
<link rel="alternate" type="text/html" href="https://www.gov.uk/a"/>
<title>Guidance: A thing</title><category term="Guidance" label="Guidance"/>
<summary>About a thing</summary></entry></feed>"""


def test_rss_entry_fields() -> None:
    [raw] = feed_items(RSS, "https://example.org/feed/", FETCHED, "feed")
    assert raw.title == "First report"
    assert raw.url == "https://example.org/a?utm_source=rss"
    assert raw.published == "Thu, 09 May 2024 10:15:00 +0100"
    assert raw.aliases == ["feed-guid:https://example.org/?p=12"]
    assert raw.attachments[0].url == "https://example.org/a.pdf"
    assert raw.attachments[0].size == 1234
    assert raw.fetched_from == "https://example.org/feed/"


def test_atom_without_published_keeps_updated_and_unstable_ids_are_not_aliases() -> None:
    [raw] = feed_items(ATOM, "https://www.gov.uk/o.atom", FETCHED, "feed", stable_guids=False)
    assert raw.published is None
    assert raw.updated == "2024-05-09T10:00:00Z"
    assert raw.aliases == []
    assert raw.topic_hints == ["Guidance"]


@pytest.mark.parametrize(
    "body",
    [b"<html><body>not a feed</body></html>", b"", b'{"json": true}', b"\x00\x01garbage"],
)
def test_non_feed_is_refused(body: bytes) -> None:
    with pytest.raises(FeedError, match="not an RSS or Atom feed"):
        parse_feed(body, "https://example.org/x")


def test_string_that_looks_like_a_url_is_not_fetched() -> None:
    # feedparser fetches a URL given as a string; the adapter only ever passes a file object.
    with pytest.raises(FeedError):
        parse_feed(b"http://127.0.0.1:9/feed.xml", "https://example.org/x")


def test_external_entities_are_never_resolved(tmp_path) -> None:  # type: ignore[no-untyped-def]
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<rss version="2.0"><channel><title>t</title><item><title>&x;</title>'
        "<link>https://example.org/a</link></item></channel></rss>"
    ).encode()
    # Refused before feedparser sees it (tests/hostile/test_xml_attacks.py has the rest).
    with pytest.raises(FeedError, match="declares entities") as refused:
        parse_feed(body, "https://example.org/feed")
    assert "TOPSECRET" not in str(refused.value)
