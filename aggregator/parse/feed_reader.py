"""The one feedparser adapter: RSS/Atom bytes in, raw items out.

feedparser is only ever given bytes wrapped in a file object, never a URL or a path, so it can
never fetch anything itself. Its SAX parser does not resolve external entities, and any HTML it
hands back is still treated as hostile text by `aggregator.normalise.text`.

Before feedparser sees a document, `screen_xml` refuses the XML attacks (entity declarations:
billion laughs, quadratic blow-up, external entities; external DTDs), looking at the bytes
exactly as feedparser will after its own character-set conversion, so an exotic encoding
cannot hide a declaration. Markup bombs (more elements than any real feed) are refused too.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import feedparser
from feedparser.encodings import convert_to_utf8
from feedparser.exceptions import CharacterEncodingOverride, CharacterEncodingUnknown

from aggregator.parse.markup_limits import MarkupLimitError, check_markup
from aggregator.parse.raw import RawAttachment, RawItem


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
    # The document's character set was mislabelled or unknown (feedparser read it anyway).
    encoding_warning: str | None = None
    # The feed's own web page (Atom `<link rel="alternate">`, RSS `<link>`), as written.
    link: str = ""


# Public identifiers of DTDs that old RSS 0.91 feeds name; feedparser recognises the name and
# never reads the DTD, so these (without an internal subset) are not an external-DTD attack.
KNOWN_PUBLIC_DTDS = frozenset({b"-//netscape communications//dtd rss 0.91//en"})
# Where the prolog may hold declarations: comments, processing instructions, declarations
# and the root element's start.
_MARKUP_START = re.compile(rb"<(?:!--|\?|!|[A-Za-z_:\x80-\xff])")
_DECLARATION_TOKEN = re.compile(rb"\"[^\"]*\"|'[^']*'|<!--.*?-->|[\[\]>]", re.S)
_DOCTYPE = re.compile(rb"<!DOCTYPE\b", re.I)
_EXTERNAL_ID = re.compile(
    rb"<!DOCTYPE\s+[^\s\[>]+\s+(SYSTEM|PUBLIC)\b(?:\s*([\"'])(.*?)\2)?", re.I | re.S
)
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.I)
# A DOCTYPE longer than this is refused outright (no feed needs one; it bounds the scan).
MAX_DECLARATION = 64 * 1024
MAX_FEED_ELEMENTS = 50_000
ENCODING_PROBLEMS = (CharacterEncodingOverride, CharacterEncodingUnknown)


def _declaration_end(data: bytes, start: int) -> int:
    """The index just after the declaration at `start` ("<!DOCTYPE x [ ... ]>"), or -1."""
    depth = 0
    limit = min(len(data), start + MAX_DECLARATION)
    for token in _DECLARATION_TOKEN.finditer(data, start + 2, limit):
        mark = token.group()
        if mark == b"[":
            depth += 1
        elif mark == b"]":
            depth -= 1
        elif mark == b">" and depth <= 0:
            return token.end()
    return -1


def _prolog_end(data: bytes) -> int:
    """Where the root element starts (everything before it is the prolog). An unterminated
    comment or declaration makes the whole document count as prolog."""
    position = 0
    while (found := _MARKUP_START.search(data, position)) is not None:
        start = found.start()
        if data.startswith(b"<!--", start):
            end = data.find(b"-->", start + 4)
            position = end + 3
        elif data.startswith(b"<?", start):
            end = data.find(b"?>", start + 2)
            position = end + 2
        elif data.startswith(b"<!", start):
            end = _declaration_end(data, start)
            position = end
        else:
            return start
        if end < 0:
            return len(data)
    return len(data)


def screen_xml(data: bytes) -> str | None:
    """Why `data` must not reach an XML parser, or None.

    Refused: any entity declaration in the prolog (billion laughs, the quadratic blow-up,
    external entities), a DOCTYPE naming an external DTD (other than KNOWN_PUBLIC_DTDS), and a
    DOCTYPE too long to be real. Only the prolog counts (feedparser's own cut, at the first
    "<" and a letter, included), so an HTML page quoted in an entry's CDATA is not refused.
    """
    first_tag = re.search(rb"<\w", data)
    prolog = data[: max(_prolog_end(data), first_tag.end() if first_tag else 0)]
    if _ENTITY_DECLARATION.search(prolog):
        return "the DOCTYPE declares entities (entity expansion and external entities refused)"
    for doctype in _DOCTYPE.finditer(prolog):
        if _declaration_end(prolog, doctype.start()) < 0:
            return "the DOCTYPE declaration is unterminated or too long"
        external = _EXTERNAL_ID.match(prolog, doctype.start())
        if external is None:
            continue
        public = external.group(3) if external.group(1).upper() == b"PUBLIC" else None
        end = _declaration_end(prolog, doctype.start())
        has_subset = b"[" in prolog[doctype.start() : end]
        if public is None or public.strip().lower() not in KNOWN_PUBLIC_DTDS or has_subset:
            return "the DOCTYPE names an external DTD (never fetched; refused)"
    return None


def parse_feed(body: bytes, url: str) -> Feed:
    """Parse feed bytes; raise FeedError when the document is not a feed at all, or is
    refused as hostile (see `screen_xml`, and more than MAX_FEED_ELEMENTS elements)."""
    headers = {"content-location": url}
    hazard = screen_xml(convert_to_utf8(dict(headers), body, {}))
    if hazard is not None:
        raise FeedError(f"refused before parsing ({url}): {hazard}")
    try:
        check_markup(body, max_elements=MAX_FEED_ELEMENTS)
    except MarkupLimitError as exc:
        raise FeedError(f"refused before parsing ({url}): {exc}") from exc
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    version = parsed.get("version") or ""
    entries = parsed.get("entries") or []
    if not version and not entries:
        reason = parsed.get("bozo_exception")
        detail = f": {reason}" if reason else ""
        raise FeedError(f"not an RSS or Atom feed ({url}){detail}")
    warning = str(parsed.get("bozo_exception")) if parsed.get("bozo") else None
    mislabelled = isinstance(parsed.get("bozo_exception"), ENCODING_PROBLEMS)
    return Feed(
        title=str(parsed.feed.get("title", "")),
        version=version,
        entries=tuple(_entry(e) for e in entries),
        warning=warning,
        encoding_warning=f"character set: {warning}" if mislabelled else None,
        link=str(parsed.feed.get("link", "")),
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
    warnings: list[str] | None = None,
) -> list[RawItem]:
    """Raw items for every entry of a feed, as the feed alone describes them.

    `stable_guids=False` is for feeds whose entry ids change on every update (some
    organisation feeds embed the update time), which must never become aliases. A problem the
    feed was read in spite of (a wrong character-set label) is appended to `warnings`.
    """
    feed = parse_feed(body, url)
    if warnings is not None and feed.encoding_warning:
        warnings.append(feed.encoding_warning)
    return entry_items(feed, url, fetched_at, source, stable_guids=stable_guids)


def entry_items(
    feed: Feed, url: str, fetched_at: datetime, source: str, *, stable_guids: bool = True
) -> list[RawItem]:
    """Raw items for every entry of a parsed feed (`feed_items`, for a caller that also reads
    the feed's own title or link)."""
    items: list[RawItem] = []
    for entry in feed.entries:
        # A guid that is a URL stands in for a missing link; with neither, the entry is kept
        # and keyed by its guid or content (aggregator.dedupe.identity).
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
                # Feeds without a published date give only "updated" (an Atom feed of updates).
                updated=entry.updated if entry.updated != entry.published else None,
                topic_hints=list(entry.categories),
                attachments=list(entry.enclosures),
                aliases=aliases,
                body_text=entry.content,
            )
        )
    return items
