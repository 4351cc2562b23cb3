"""The feed adapter's limits: markup inside entries, cut-off feeds, very large feeds."""

from __future__ import annotations

import pytest

from aggregator.parse.feed_entries import MAX_FEED_ENTRIES
from aggregator.parse.feed_reader import MAX_FEED_ELEMENTS, FeedError, feed_items, parse_feed
from aggregator.parse.markup_limits import MAX_DEPTH
from tests.parse.feeds import FEED_URL, FETCHED, feed_of, nested_escaped_divs, rss, rss_item


def test_an_entry_with_nested_markup_loses_that_field_and_the_others_are_read() -> None:
    body = rss([rss_item(1), rss_item(2, nested_escaped_divs(10_000)), rss_item(3)])
    feed = parse_feed(body, FEED_URL)
    assert [entry.title for entry in feed.entries] == ["Entry 1", "Entry 2", "Entry 3"]
    assert [entry.summary for entry in feed.entries] == [
        "Summary of entry 1.",
        "",
        "Summary of entry 3.",
    ]
    assert feed.warnings == (
        f"summary of entry 'https://example.org/2' refused: markup is nested more than "
        f"{MAX_DEPTH} deep ({FEED_URL})",
    )


def test_nested_markup_in_atom_content_is_refused_too() -> None:
    deep = "<div>" * 2_000 + "x" + "</div>" * 2_000
    body = (
        "<feed xmlns='http://www.w3.org/2005/Atom'><title>t</title>"
        "<entry><id>urn:1</id><title>One</title><link href='https://example.org/1'/>"
        f"<content type='html'><![CDATA[{deep}]]></content></entry>"
        "<entry><id>urn:2</id><title>Two</title><link href='https://example.org/2'/>"
        "<content type='html'>&lt;p&gt;Fine&lt;/p&gt;</content></entry></feed>"
    ).encode()
    feed = parse_feed(body, FEED_URL)
    assert [(e.title, e.content) for e in feed.entries] == [("One", ""), ("Two", "<p>Fine</p>")]
    # feedparser gives an entry without a summary its content as the summary: both refused.
    assert [w.split(" of entry")[0] for w in feed.warnings] == ["content", "summary"]
    assert all("'https://example.org/1' refused: markup is nested" in w for w in feed.warnings)


def test_a_feed_cut_mid_entry_keeps_the_complete_entries_and_says_so() -> None:
    whole = rss([rss_item(1), rss_item(2), rss_item(3, "A summary cut in the middle")])
    cut = whole[: whole.index(b"cut in the middle")]
    warnings: list[str] = []
    raws = feed_items(cut, FEED_URL, FETCHED, "feed", warnings=warnings)
    assert [raw.title for raw in raws] == ["Entry 1", "Entry 2"]
    assert all(raw.summary for raw in raws)
    assert warnings == [
        "feed is cut off inside its last entry: 2 complete entries read, the incomplete one "
        f"dropped ({FEED_URL})"
    ]


def test_a_feed_cut_between_entries_keeps_them_all_and_says_so() -> None:
    feed = parse_feed(rss([rss_item(1), rss_item(2)], close=False), FEED_URL)
    assert len(feed.entries) == 2
    assert feed.warnings == (f"feed is cut off after 2 entries: it never closes ({FEED_URL})",)


def test_a_whole_feed_has_no_warning() -> None:
    assert parse_feed(feed_of(3), FEED_URL).warnings == ()


def test_a_feed_past_the_entry_limit_keeps_the_first_entries_and_counts_the_rest() -> None:
    total = MAX_FEED_ENTRIES + 1_234
    feed = parse_feed(feed_of(total), FEED_URL)
    assert len(feed.entries) == MAX_FEED_ENTRIES
    assert feed.entries[0].title == "Entry 0"
    assert feed.entries[-1].title == f"Entry {MAX_FEED_ENTRIES - 1}"
    assert feed.warnings == (
        f"feed has {total} entries: the first {MAX_FEED_ENTRIES} were read and 1234 older "
        f"ones skipped ({FEED_URL})",
    )
    assert feed.title == "Example"  # the channel's own elements are kept


def test_a_markup_bomb_inside_the_first_entry_is_still_refused() -> None:
    bomb = "<b/>" * (MAX_FEED_ELEMENTS + 1)
    body = rss([rss_item(1).replace("</item>", bomb + "</item>"), rss_item(2)])
    with pytest.raises(FeedError, match=f"more than {MAX_FEED_ELEMENTS} elements"):
        parse_feed(body, FEED_URL)
