"""Feeds built for the parse tests and the attack suite (tests/hostile/test_parse_attacks.py)."""

from __future__ import annotations

from datetime import UTC, datetime

FETCHED = datetime(2024, 5, 31, 8, tzinfo=UTC)
FEED_URL = "https://example.org/feed/"


def rss_item(number: int, description: str = "") -> str:
    """One RSS item, its link https://example.org/<number>."""
    text = description or f"Summary of entry {number}."
    return (
        f"<item><title>Entry {number}</title><link>https://example.org/{number}</link>"
        f"<guid>https://example.org/{number}</guid>"
        f"<pubDate>Thu, 30 May 2024 10:00:00 GMT</pubDate>"
        f"<description>{text}</description></item>"
    )


def rss(items: list[str], *, close: bool = True) -> bytes:
    """An RSS 2.0 document with `items`; `close=False` leaves the document unclosed."""
    head = (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        "<title>Example</title><link>https://example.org/</link>"
    )
    return (head + "".join(items) + ("</channel></rss>" if close else "")).encode("utf-8")


def nested_escaped_divs(depth: int) -> str:
    """An entry description holding `depth` nested <div>s, escaped as feeds carry HTML."""
    return "&lt;div&gt;" * depth + "deep" + "&lt;/div&gt;" * depth


def feed_of(count: int) -> bytes:
    """A well-formed feed of `count` entries, newest (entry 0) first."""
    return rss([rss_item(number) for number in range(count)])
