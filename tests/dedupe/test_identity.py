"""The key's fallback order: canonical URL, then a native id, then a content hash."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregator.dedupe.identity import item_key
from aggregator.parse.feed_reader import feed_items
from aggregator.parse.item import normalise

FETCHED = datetime(2024, 5, 31, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.gov.uk/government/consultations/child-sexual-abuse-mandatory-reporting",
        "http://gov.uk/government/consultations/child-sexual-abuse-mandatory-reporting/",
        "https://WWW.GOV.UK/government/consultations/child-sexual-abuse-mandatory-reporting"
        "?utm_source=nspcc&utm_medium=email#outcome",
    ],
)
def test_url_forms_never_make_a_second_key(url: str) -> None:
    from aggregator.normalise.urls import canonical_url

    assert item_key(canonical_url(url), [], source="s", title="t", published=None) == (
        "gov.uk/government/consultations/child-sexual-abuse-mandatory-reporting"
    )


def test_without_a_page_the_native_id_then_a_content_hash_is_the_key() -> None:
    assert item_key(None, ["feed-guid:abc-123"], source="s", title="T", published=None) == (
        "guid:abc-123"
    )
    one = item_key(None, [], source="s", title="A  Title", published="2024-05-09")
    assert one == item_key(None, [], source="s", title="a title", published="2024-05-09")
    assert one.startswith("hash:")
    assert one != item_key(None, [], source="s", title="A title", published="2024-05-10")


def test_feed_entries_without_links_are_kept_and_keyed() -> None:
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        b'<item><title>Only a guid</title><guid isPermaLink="false">urn:x:1</guid>'
        b"<pubDate>Thu, 09 May 2024 10:00:00 GMT</pubDate></item>"
        b"<item><title>Nothing at all</title></item></channel></rss>"
    )
    raws = feed_items(body, "https://example.org/feed", FETCHED, "feed")
    keys = [normalise(r).key for r in raws]
    assert keys[0] == "guid:urn:x:1"
    assert keys[1].startswith("hash:")
    assert all(normalise(r).url == "https://example.org/feed" for r in raws)
