"""The one feedparser adapter: RSS/Atom bytes in, raw items out.

feedparser is only ever given bytes wrapped in a file object, never a URL or a path, so it can
never fetch anything itself. Its SAX parser does not resolve external entities, and any HTML it
hands back is still treated as hostile text by `aggregator.normalise.text`.

Before feedparser sees a document, `screen_xml` refuses the XML attacks (entity declarations:
billion laughs, quadratic blow-up, external entities; external DTDs), looking at the bytes
exactly as feedparser will after its own character-set conversion, so an exotic encoding
cannot hide a declaration. Markup bombs (more elements than any real feed) are refused too.

Only the first `MAX_FEED_ENTRIES` entries of a very large feed are read (the rest are skipped
with a warning, `aggregator.parse.feed_entries`), so the element limit refuses bombs, not long
archives. A feed cut off mid-entry loses only its incomplete last entry, with a warning. HTML
inside an entry (an escaped description, the content) is held to the markup limits before
anything parses it: a field over them is emptied with a warning naming the entry, and the
other entries are read as usual.
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

from aggregator.parse.feed_entries import (
    MAX_FEED_ENTRIES,
    EntryScan,
    first_entries,
    scan_entries,
    without_cdata,
)
from aggregator.parse.markup_limits import MarkupLimitError, check_fragment, check_markup
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
    # What was left out, each naming the feed's URL: entries past MAX_FEED_ENTRIES, an
    # incomplete last entry, entry fields whose markup is over the limits.
    warnings: tuple[str, ...] = ()


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
    refused as hostile (see `screen_xml`, and more than MAX_FEED_ELEMENTS elements in the
    entries read)."""
    headers = {"content-location": url}
    conversion: dict[str, Any] = {}
    converted = convert_to_utf8(dict(headers), body, conversion)
    hazard = screen_xml(converted)
    if hazard is not None:
        raise FeedError(f"refused before parsing ({url}): {hazard}")
    scan = scan_entries(converted, MAX_FEED_ENTRIES)
    # Past the limit, feedparser reads only the first entries (as UTF-8: the cut is made there).
    document = first_entries(converted, scan) if scan.skipped else body
    try:
        # HTML quoted in CDATA is an entry's field, held to the limits on its own (`_checked`).
        check_markup(without_cdata(document), max_elements=MAX_FEED_ELEMENTS)
    except MarkupLimitError as exc:
        raise FeedError(f"refused before parsing ({url}): {exc}") from exc
    parsed = feedparser.parse(io.BytesIO(document), response_headers=headers)
    version = parsed.get("version") or ""
    entries = parsed.get("entries") or []
    if not version and not entries:
        reason = parsed.get("bozo_exception")
        detail = f": {reason}" if reason else ""
        raise FeedError(f"not an RSS or Atom feed ({url}){detail}")
    warning = str(parsed.get("bozo_exception")) if parsed.get("bozo") else None
    # feedparser's own view of the character set; a cut document is handed over as UTF-8,
    # so for it the first conversion's (the same one feedparser makes) is the one that counts.
    problem = parsed.get("bozo_exception") if document is body else conversion.get("bozo_exception")
    encoding_problem = problem if isinstance(problem, ENCODING_PROBLEMS) else None
    notes = _scan_warnings(scan, url)
    if scan.ends_inside_entry and not scan.skipped and len(entries) == scan.entries:
        entries = entries[:-1]  # the incomplete last entry: the next crawl reads it whole
    read: list[FeedEntry] = []
    for entry in entries:
        found, refused = _entry(entry, url)
        read.append(found)
        notes.extend(refused)
    return Feed(
        title=str(parsed.feed.get("title", "")),
        version=version,
        entries=tuple(read),
        warning=warning,
        encoding_warning=f"character set: {encoding_problem} ({url})" if encoding_problem else None,
        link=str(parsed.feed.get("link", "")),
        warnings=tuple(notes),
    )


def _scan_warnings(scan: EntryScan, url: str) -> list[str]:
    """What the entry scan says was left out of the feed at `url`."""
    notes: list[str] = []
    if scan.skipped:
        notes.append(
            f"feed has {scan.entries} entries: the first {scan.limit} were read and "
            f"{scan.skipped} older ones skipped ({url})"
        )
    elif scan.ends_inside_entry:
        notes.append(
            f"feed is cut off inside its last entry: {scan.complete} complete entries read, "
            f"the incomplete one dropped ({url})"
        )
    elif not scan.root_closed:
        notes.append(f"feed is cut off after {scan.complete} entries: it never closes ({url})")
    return notes


def _checked(value: str, part: str, entry: Any, url: str, refused: list[str]) -> str:
    """`value`, or "" (with a warning in `refused`) when its markup is over the limits."""
    try:
        check_fragment(value)
    except MarkupLimitError as exc:
        name = entry.get("link") or entry.get("id") or str(entry.get("title", ""))[:80]
        refused.append(f"{part} of entry {name!r} refused: {exc} ({url})")
        return ""
    return value


def _entry(entry: Any, url: str) -> tuple[FeedEntry, list[str]]:
    """One entry, and a warning for each of its fields refused for its markup."""
    refused: list[str] = []
    content = ""
    if entry.get("content"):
        content = _checked(
            str(entry["content"][0].get("value", "")), "content", entry, url, refused
        )
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
    found = FeedEntry(
        title=_checked(str(entry.get("title", "")), "title", entry, url, refused),
        link=str(entry.get("link", "")),
        guid=entry.get("id"),
        summary=_checked(str(entry.get("summary", "")), "summary", entry, url, refused),
        content=content,
        # dict.get: feedparser's own get() silently maps a missing "updated" to "published".
        published=dict.get(entry, "published"),
        updated=dict.get(entry, "updated"),
        categories=tuple(str(t.get("term")) for t in entry.get("tags", []) if t.get("term")),
        enclosures=enclosures,
    )
    return found, refused


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
    feed was read in spite of (a wrong character-set label), or what was left out of it
    (`Feed.warnings`), is appended to `warnings`.
    """
    feed = parse_feed(body, url)
    if warnings is not None:
        warnings.extend(feed_warnings(feed))
    return entry_items(feed, url, fetched_at, source, stable_guids=stable_guids)


def feed_warnings(feed: Feed) -> list[str]:
    """Everything a feed was read in spite of, or left out, for the crawl record."""
    return ([feed.encoding_warning] if feed.encoding_warning else []) + list(feed.warnings)


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
