"""The one feedparser adapter: RSS/Atom bytes in, raw items out.

feedparser is only ever given bytes wrapped in a file object, never a URL or a path, so it can
never fetch anything itself. Its SAX parser does not resolve external entities, and any HTML it
hands back is still treated as hostile text by `aggregator.normalise.text`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import feedparser

from aggregator.raw import RawAttachment, RawItem


class FeedError(ValueError):
    """The bytes are not an RSS or Atom feed."""


@dataclass(frozen=True)
class FeedEntry:
    """One entry as the feed states it (strings as written, not yet normalised)."""

    title: str
    link: str
    guid: str | None
    summary: str
    content: str
    published: str | None
    updated: str | None
    categories: tuple[str, ...]
    enclosures: tuple[RawAttachment, ...]


@dataclass(frozen=True)
class Feed:
    title: str
    version: str
    entries: tuple[FeedEntry, ...]
    warning: str | None  # feedparser's bozo exception, if it recovered from one


def parse_feed(body: bytes, url: str) -> Feed:
    """Parse feed bytes; raise FeedError when the document is not a feed at all."""
    parsed = feedparser.parse(io.BytesIO(body), response_headers={"content-location": url})
    version = parsed.get("version") or ""
    entries = parsed.get("entries") or []
    if not version and not entries:
        reason = parsed.get("bozo_exception")
        detail = f": {reason}" if reason else ""
        raise FeedError(f"not an RSS or Atom feed ({url}){detail}")
    warning = str(parsed.get("bozo_exception")) if parsed.get("bozo") else None
    return Feed(
        title=str(parsed.feed.get("title", "")),
        version=version,
        entries=tuple(_entry(e) for e in entries),
        warning=warning,
    )


def _entry(entry: Any) -> FeedEntry:
    content = ""
    if entry.get("content"):
        content = str(entry["content"][0].get("value", ""))
    enclosures = tuple(
        RawAttachment(
            title=str(link.get("title") or ""),
            url=str(link.get("href")),
            media_type=link.get("type"),
            size=_int_or_none(link.get("length")),
        )
        for link in entry.get("links", [])
        if link.get("rel") == "enclosure" and link.get("href")
    )
    return FeedEntry(
        title=str(entry.get("title", "")),
        link=str(entry.get("link", "")),
        guid=entry.get("id"),
        summary=str(entry.get("summary", "")),
        content=content,
        # dict.get: feedparser's own get() silently maps a missing "updated" to "published".
        published=dict.get(entry, "published"),
        updated=dict.get(entry, "updated"),
        categories=tuple(str(t.get("term")) for t in entry.get("tags", []) if t.get("term")),
        enclosures=enclosures,
    )


def _int_or_none(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def feed_items(
    body: bytes,
    url: str,
    fetched_at: datetime,
    source: str,
    *,
    stable_guids: bool = True,
) -> list[RawItem]:
    """Raw items for every entry of a feed, as the feed alone describes them.

    `stable_guids=False` is for feeds whose entry ids change on every update (GOV.UK
    organisation feeds embed the timestamp), which must never become aliases.
    """
    feed = parse_feed(body, url)
    items: list[RawItem] = []
    for entry in feed.entries:
        # A guid that is a URL stands in for a missing link; with neither, the entry is kept
        # and keyed by its guid or content (aggregator.identity).
        guid = entry.guid or ""
        link = entry.link or (guid if guid.startswith(("http://", "https://")) else "")
        aliases = [f"feed-guid:{entry.guid}"] if stable_guids and entry.guid else []
        items.append(
            RawItem(
                source=source,
                url=link,
                title=entry.title,
                fetched_at=fetched_at,
                fetched_from=url,
                summary=entry.summary or entry.content,
                published=entry.published,
                # Feeds without a published date give only "updated" (GOV.UK Atom).
                updated=entry.updated if entry.updated != entry.published else None,
                topic_hints=list(entry.categories),
                attachments=list(entry.enclosures),
                aliases=aliases,
                body_text=entry.content,

            )
        )
    return items
