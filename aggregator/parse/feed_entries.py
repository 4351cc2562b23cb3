"""Where a feed's entries are, found in one linear pass over its bytes, without a parser.

The feed adapter (`aggregator.parse.feed_reader`) uses this for two things a parser cannot
say cheaply:
- a very large feed (tens of thousands of entries) is cut to its first `MAX_FEED_ENTRIES`
  entries before feedparser builds anything, so memory stays that of those entries and the
  element limit still refuses a real markup bomb rather than a long but honest feed;
- a feed cut off in transit ends inside an entry or before its root element closes: its last,
  incomplete entry is dropped and the cut is reported, rather than stored with half a summary.

The scan reads the bytes as feedparser will (UTF-8, after its own character-set conversion).
Comments and CDATA sections are stepped over, so an `<item>` quoted in an entry's CDATA is not
an entry. Entries are `item` (RSS 0.9x/2.0, RSS 1.0) and `entry` (Atom) elements, with any
namespace prefix; they do not nest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_FEED_ENTRIES = 2_000
"""Entries read from one feed document. Feeds publish newest first, so these are the newest;
the rest are skipped with a warning (a real feed shows tens, a large archive feed thousands)."""

_TOKEN = re.compile(
    rb"<!--|<!\[CDATA\[|<(/?)(?:[A-Za-z_][\w.-]*:)?(?:item|entry)(?=[\s/>])"
    rb"|</(?:[A-Za-z_][\w.-]*:)?(?:rss|feed|RDF)\s*>"
)
_SECTION_ENDS = {b"<!--": b"-->", b"<![CDATA[": b"]]>"}


@dataclass(frozen=True)
class EntryScan:
    """What one pass over a feed's bytes found."""

    entries: int  # entry start tags
    complete: int  # entries whose end tag (or self-closing start tag) was found
    cut_at: int  # where entry number `limit + 1` starts; -1 when there are no more entries
    tail_at: int  # just after the last entry's end (where the closing tags start); -1: none
    ends_inside_entry: bool  # the document stops before its last entry closes
    root_closed: bool  # the root element's end tag (`</rss>`, `</feed>`, `</rdf:RDF>`) is there

    limit: int  # entries the scan was asked to keep

    @property
    def skipped(self) -> int:
        """Entries past the limit."""
        return max(0, self.entries - self.limit)


def scan_entries(data: bytes, limit: int = MAX_FEED_ENTRIES) -> EntryScan:
    """Count the entries of feed bytes (UTF-8) and find where entry `limit + 1` starts."""
    entries = complete = 0
    cut_at = tail_at = -1
    inside = root_closed = False
    position = 0
    while (token := _TOKEN.search(data, position)) is not None:
        mark = token.group()
        if mark in _SECTION_ENDS:
            end = data.find(_SECTION_ENDS[mark], token.end())
            if end < 0:  # an unterminated comment or CDATA section runs to the end
                break
            position = end + len(_SECTION_ENDS[mark])
            continue
        position = token.end()
        if mark.startswith(b"</") and token.group(1) is None:
            root_closed = True
            continue
        root_closed = False  # an entry after a root end tag: that was not the document's end
        is_start = not token.group(1)
        if is_start:
            entries += 1
            if entries == limit + 1:
                cut_at = token.start()
        tag_end = data.find(b">", token.end())
        if tag_end < 0:  # cut inside the tag itself
            inside = inside or is_start
            break
        position = tag_end + 1
        if not is_start:
            complete += inside
            inside = False
            tail_at = position
        elif data[tag_end - 1 : tag_end] == b"/":  # <item/>: an empty, complete entry
            complete += 1
            tail_at = position
        else:
            inside = True
    return EntryScan(
        entries=entries,
        complete=complete,
        cut_at=cut_at,
        tail_at=tail_at,
        ends_inside_entry=inside,
        root_closed=root_closed,
        limit=limit,
    )


def first_entries(data: bytes, scan: EntryScan) -> bytes:
    """The document with every entry from `scan.cut_at` on removed, its closing tags kept."""
    if scan.cut_at < 0:
        return data
    tail = data[scan.tail_at :] if scan.tail_at > scan.cut_at else b""
    return data[: scan.cut_at] + tail


def without_cdata(data: bytes) -> bytes:
    """`data` with its CDATA sections emptied, in one pass: HTML quoted in an entry is the
    entry's own field (held to the markup limits on its own), not the feed's elements."""
    kept: list[bytes] = []
    position = 0
    while (start := data.find(b"<![CDATA[", position)) >= 0:
        end = data.find(b"]]>", start + 9)
        kept.append(data[position:start])
        if end < 0:
            return b"".join(kept)
        position = end + 3
    kept.append(data[position:])
    return b"".join(kept)
