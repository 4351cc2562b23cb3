"""Feeds for readers and downstream tools: Atom 1.0, RSS 2.0 and JSON Feed 1.1.

Each writer takes `ExportRow`s and yields text chunks, one per entry, so a feed of any size is
written without holding it. XML goes through `xml.sax.saxutils.XMLGenerator` (every piece of
scraped text and every attribute is escaped by it; characters XML cannot carry are dropped
first); JSON Feed items are `json.dumps` objects.

Identity and dates:
- an entry's id is a `tag:` URI (RFC 4151) built from the item's source and the first key it
  was stored under, never from a timestamp, so it survives every update (and a key change);
- an RSS guid is the same `tag:` id, marked isPermaLink="false": a page the publisher moves
  reaches RSS readers and RSS-to-email as the same entry, never a new one (its link moves);
- dates are written in Europe/London time with their offset (BST +01:00 or GMT +00:00), to
  the second, so the calendar day a reader sees is the publisher's and the instant
  round-trips exactly;
- an entry's `updated` is the newest of its published date, the publisher's date of its last
  substantive update, when we saw that update and when an editor last edited it (a corrected
  title or summary reaches readers): approvals do not move it, a cosmetic "last updated" bump
  does not either; `published` stays the publisher's.

The review state for downstream tools (issue 21): a JSON Feed item's `_aggregator` carries
its `status`, the `editor_summary` (null when the editor wrote none) and, when the caller
passes the stored drafts (`drafts=`, as `aggregator export` does; the public feed served by the
review app never does), the machine `draft`, marked as one (`draft_json`).
"""

from __future__ import annotations

import io
import json
import mimetypes
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import format_datetime
from itertools import islice
from urllib.parse import quote
from xml.sax.saxutils import XMLGenerator

from aggregator.exports.bulletin import clean_text, date_line, safe_url
from aggregator.normalise.dates import LONDON
from aggregator.schema import Precision
from aggregator.storage.draft_summaries import StoredDraft
from aggregator.storage.exports import ExportRow

DraftLookup = Callable[[Sequence[int]], Mapping[int, StoredDraft]]
"""The stored drafts of some item ids (`DraftStore.many`); items without one are absent."""
DRAFT_BATCH = 500
"""Rows whose drafts are read in one query (the size of `iter_export`'s own batches)."""

TAG_AUTHORITY_ENV = "AGGREGATOR_TAG_AUTHORITY"
PUBLIC_URL_ENV = "AGGREGATOR_PUBLIC_URL"
DEFAULT_TAG_AUTHORITY = "safeguarding-aggregator.github.io,2026"
"""`authority,date` of every tag: URI. Set once per deployment and never change it: every
id a reader has stored is built from it."""
DEFAULT_PUBLIC_URL = "http://localhost:5000"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""The `updated` of a feed with no entries (a fixed value, so its ETag is stable)."""

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
JSONFEED_VERSION = "https://jsonfeed.org/version/1.1"
GENERATOR = "aggregator"

_TAG_SAFE = "/?:@!$&'()*+,;=-._~"  # RFC 4151 pchar, "/" and "?" (alphanumerics always)


def one_line(text: str) -> str:
    """Scraped text as one line: control characters dropped, whitespace runs made one space."""
    return " ".join(clean_text(text).split())


def tag_authority() -> str:
    return os.environ.get(TAG_AUTHORITY_ENV) or DEFAULT_TAG_AUTHORITY


def public_url() -> str:
    """Where the review app serves the feeds ($AGGREGATOR_PUBLIC_URL), without a final /."""
    return (os.environ.get(PUBLIC_URL_ENV) or DEFAULT_PUBLIC_URL).rstrip("/")


def tag_uri(specific: str, authority: str | None = None) -> str:
    return f"tag:{authority or tag_authority()}:{quote(specific, safe=_TAG_SAFE)}"


def entry_id(row: ExportRow, authority: str | None = None) -> str:
    """The stable id of an item: `tag:<authority>,<date>:item/<source>/<first key>`."""
    return tag_uri(f"item/{row.item.source}/{row.original_key}", authority)


@dataclass(frozen=True)
class FeedInfo:
    """What a feed says about itself."""

    title: str = "Safeguarding current awareness: approved items"
    description: str = "UK child-safeguarding publications, reviewed and approved by the editors."
    self_url: str = ""
    """This feed's own URL (Atom rel="self", RSS atom:link, JSON Feed feed_url); by default
    `<base_url>/feeds/<name>.<atom|rss|json>`."""
    home_url: str = ""
    """By default `<base_url>/`."""
    base_url: str = ""
    """Where the review app is served; by default $AGGREGATOR_PUBLIC_URL."""
    author: str = "Safeguarding current awareness editors"
    feed_id: str = ""
    """The Atom feed id; by default a tag: URI named after `name`."""
    name: str = "approved"
    updated: datetime | None = None
    """The feed's last change (the newest entry's review or content change)."""
    authority: str | None = None

    def resolved(self, kind: str) -> FeedInfo:
        """This info with the URLs and id filled in from the defaults for a `kind` feed."""
        base = self.base_url.rstrip("/") or public_url()
        suffix = {"atom": "atom", "rss": "rss", "jsonfeed": "json"}[kind]
        return replace(
            self,
            self_url=self.self_url or f"{base}/feeds/{self.name}.{suffix}",
            home_url=self.home_url or f"{base}/",
            base_url=base,
            feed_id=self.feed_id or tag_uri(f"feed/{self.name}", self.authority),
        )


# --- the review state -------------------------------------------------------------------------


def editor_summary(edited: str | None) -> str | None:
    """The editor's own summary, None when there is none (blank counts as none, as in the
    bulletin: an emptied edit falls back to the draft)."""
    return edited if edited and edited.strip() else None


def draft_json(found: StoredDraft | None, edited_summary: str | None) -> dict[str, object] | None:
    """An item's machine draft for downstream tools, marked as a draft, or None if it has none.

    `checked` is whether an editor has written or saved a summary of their own, which then
    replaces the draft everywhere (`exports.bulletin.bulletin_summary`); an unchecked draft is
    machine-written and nobody has read it. `sensitive` is the sensitivity flag, with its
    `sensitive_reasons` ("child death", "case review", "explicit abuse").
    """
    if found is None:
        return None
    return {
        "text": found.draft.text,
        "machine_written": True,
        "checked": editor_summary(edited_summary) is not None,
        "sensitive": found.sensitivity.flagged,
        "sensitive_reasons": list(found.sensitivity.reasons),
        "words": found.draft.words,
        "word_limit": found.draft.word_limit,
        "drafted_at": rfc3339(found.drafted_at),
    }


def with_drafts(
    rows: Iterable[ExportRow], drafts: DraftLookup
) -> Iterator[tuple[ExportRow, StoredDraft | None]]:
    """Each row with its stored draft, read `DRAFT_BATCH` rows at a time (one query each), so
    memory stays that of one batch."""
    iterator = iter(rows)
    while batch := list(islice(iterator, DRAFT_BATCH)):
        found = drafts([row.id for row in batch])
        for row in batch:
            yield row, found.get(row.id)


# --- dates ------------------------------------------------------------------------------------


def _local(value: datetime) -> datetime:
    return value.astimezone(LONDON).replace(microsecond=0)


def rfc3339(value: datetime) -> str:
    """'2024-05-09T10:15:00+01:00': London time with its offset, to the second."""
    return _local(value).isoformat()


def rfc822(value: datetime) -> str:
    """'Thu, 09 May 2024 10:15:00 +0100', as RSS 2.0 wants it."""
    return format_datetime(_local(value))


def published_of(row: ExportRow) -> datetime | None:
    item = row.item
    if item.published is None or item.published_precision == Precision.NONE:
        return None
    return item.published


def updated_of(row: ExportRow) -> datetime:
    """An entry's `updated`: the newest of its published date, the publisher's update date of
    its last substantive version, when we saw a substantive update and when an editor last
    corrected it; first seen if none."""
    dates = (published_of(row), row.shown_updated, row.updated_at, row.edited_at)
    found = [d for d in dates if d is not None]
    if found:
        return max(found)
    return row.item.first_seen or row.reviewed_at


def _media_type(url: str, given: str | None) -> str:
    if given:
        return given
    guessed, _encoding = mimetypes.guess_type(url.split("?", 1)[0])
    return guessed or "application/octet-stream"


# --- XML --------------------------------------------------------------------------------------


class _Xml:
    """An XMLGenerator over a buffer that is emptied after each entry (`take`)."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.out = XMLGenerator(self.buffer, encoding="utf-8", short_empty_elements=True)

    def take(self) -> str:
        value = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return value

    def newline(self, depth: int) -> None:
        self.out.ignorableWhitespace("\n" + "  " * depth)

    def start(self, name: str, attrs: Mapping[str, str] | None = None) -> None:
        self.out.startElement(name, {k: clean_text(v) for k, v in (attrs or {}).items()})  # type: ignore[arg-type]

    def end(self, name: str) -> None:
        self.out.endElement(name)

    def element(
        self, depth: int, name: str, text: str | None, attrs: Mapping[str, str] | None = None
    ) -> None:
        self.newline(depth)
        self.start(name, attrs)
        if text:
            self.out.characters(clean_text(text))
        self.end(name)


def atom(rows: Iterable[ExportRow], info: FeedInfo) -> Iterator[str]:
    """An Atom 1.0 feed (RFC 4287)."""
    info = info.resolved("atom")
    xml = _Xml()
    xml.out.startDocument()
    xml.start("feed", {"xmlns": ATOM_NS, "xml:lang": "en-GB"})
    xml.element(1, "id", info.feed_id)
    xml.element(1, "title", info.title)
    xml.element(1, "subtitle", info.description)
    xml.element(1, "updated", rfc3339(info.updated or EPOCH))
    xml.element(
        1, "link", None, {"rel": "self", "type": "application/atom+xml", "href": info.self_url}
    )
    xml.element(1, "link", None, {"rel": "alternate", "type": "text/html", "href": info.home_url})
    xml.newline(1)
    xml.start("author")
    xml.element(2, "name", info.author)
    xml.newline(1)
    xml.end("author")
    xml.element(1, "generator", GENERATOR)
    yield xml.take()
    for row in rows:
        _atom_entry(xml, row, info)
        yield xml.take()
    xml.out.ignorableWhitespace("\n")
    xml.end("feed")
    xml.out.ignorableWhitespace("\n")
    xml.out.endDocument()
    yield xml.take()


def _atom_entry(xml: _Xml, row: ExportRow, info: FeedInfo) -> None:
    item = row.item
    xml.newline(1)
    xml.start("entry")
    xml.element(2, "id", entry_id(row, info.authority))
    xml.element(2, "title", one_line(row.title), {"type": "text"})
    xml.element(2, "link", None, {"rel": "alternate", "type": "text/html", "href": item.url})
    for attachment in item.attachments:
        attrs = {
            "rel": "enclosure",
            "href": attachment.url,
            "type": _media_type(attachment.url, attachment.media_type),
            "title": attachment.title,
        }
        if attachment.size:
            attrs["length"] = str(attachment.size)
        xml.element(2, "link", None, attrs)
    for link in item.links:
        if safe_url(link.url):
            xml.element(2, "link", None, {"rel": "related", "href": link.url, "title": link.label})
    published = published_of(row)
    if published is not None:
        xml.element(2, "published", rfc3339(published))
    xml.element(2, "updated", rfc3339(updated_of(row)))
    xml.newline(2)
    xml.start("author")
    xml.element(3, "name", item.publisher)
    xml.newline(2)
    xml.end("author")
    for topic in item.topics:
        xml.element(2, "category", None, {"term": topic})
    xml.element(
        2,
        "category",
        None,
        {"term": str(item.doc_type), "scheme": tag_uri("doc_type", info.authority)},
    )
    if row.summary:
        xml.element(2, "summary", one_line(row.summary), {"type": "text"})
    xml.newline(1)
    xml.end("entry")


def rss(rows: Iterable[ExportRow], info: FeedInfo) -> Iterator[str]:
    """An RSS 2.0 feed, with an atom:link to itself and dc:creator for the publisher."""
    info = info.resolved("rss")
    xml = _Xml()
    xml.out.startDocument()
    xml.start("rss", {"version": "2.0", "xmlns:atom": ATOM_NS, "xmlns:dc": DC_NS})
    xml.newline(1)
    xml.start("channel")
    xml.element(2, "title", info.title)
    xml.element(2, "link", info.home_url)
    xml.element(2, "description", info.description)
    xml.element(2, "language", "en-gb")
    xml.element(2, "lastBuildDate", rfc822(info.updated or EPOCH))
    xml.element(2, "generator", GENERATOR)
    xml.element(2, "dc:creator", info.author)
    xml.element(
        2,
        "atom:link",
        None,
        {"href": info.self_url, "rel": "self", "type": "application/rss+xml"},
    )
    yield xml.take()
    for row in rows:
        _rss_item(xml, row, info.authority)
        yield xml.take()
    xml.newline(1)
    xml.end("channel")
    xml.out.ignorableWhitespace("\n")
    xml.end("rss")
    xml.out.ignorableWhitespace("\n")
    xml.out.endDocument()
    yield xml.take()


def _rss_item(xml: _Xml, row: ExportRow, authority: str | None) -> None:
    item = row.item
    xml.newline(2)
    xml.start("item")
    xml.element(3, "title", one_line(row.title))
    xml.element(3, "link", item.url)
    if row.summary:
        xml.element(3, "description", one_line(row.summary))
    xml.element(3, "guid", entry_id(row, authority), {"isPermaLink": "false"})
    xml.element(3, "pubDate", rfc822(published_of(row) or updated_of(row)))
    xml.element(3, "dc:creator", item.publisher)
    for topic in item.topics:
        xml.element(3, "category", topic)
    if item.attachments:  # RSS readers take one enclosure per item
        first = item.attachments[0]
        xml.element(
            3,
            "enclosure",
            None,
            {
                "url": first.url,
                "length": str(first.size or 0),
                "type": _media_type(first.url, first.media_type),
            },
        )
    xml.newline(2)
    xml.end("item")


# --- JSON Feed --------------------------------------------------------------------------------

_JSON = json.JSONEncoder(ensure_ascii=False, indent=None, separators=(", ", ": "))
_SURROGATES = re.compile("[\ud800-\udfff]")


def jsonfeed(
    rows: Iterable[ExportRow], info: FeedInfo, drafts: DraftLookup | None = None
) -> Iterator[str]:
    """A JSON Feed 1.1 document, one item per line. With `drafts`, each item's
    `_aggregator.draft` is its machine draft (null when it has none); without, there is no
    `draft` key (the public feed)."""
    info = info.resolved("jsonfeed")
    head = {
        "version": JSONFEED_VERSION,
        "title": info.title,
        "home_page_url": info.home_url,
        "feed_url": info.self_url,
        "description": info.description,
        "language": "en-GB",
        "authors": [{"name": info.author}],
    }
    yield _JSON.encode(head)[:-1] + ', "items": ['
    separator = "\n  "
    pairs: Iterable[tuple[ExportRow, StoredDraft | None]] = (
        with_drafts(rows, drafts) if drafts is not None else ((row, None) for row in rows)
    )
    for row, found in pairs:
        entry = jsonfeed_item(row, info.authority)
        if drafts is not None:
            extension = entry["_aggregator"]
            assert isinstance(extension, dict)
            extension["draft"] = draft_json(found, row.edited_summary)
        encoded = _JSON.encode(entry)
        yield separator + _SURROGATES.sub("", encoded)
        separator = ",\n  "
    yield "\n]}\n"


def jsonfeed_item(row: ExportRow, authority: str | None = None) -> dict[str, object]:
    item = row.item
    summary = one_line(row.summary)
    entry: dict[str, object] = {
        "id": entry_id(row, authority),
        "url": item.url,
        "title": one_line(row.title),
        "content_text": summary,
    }
    if summary:
        entry["summary"] = summary
    published = published_of(row)
    if published is not None:
        entry["date_published"] = rfc3339(published)
    entry["date_modified"] = rfc3339(updated_of(row))
    entry["authors"] = [{"name": clean_text(item.publisher)}]
    if item.topics:
        entry["tags"] = list(item.topics)
    entry["language"] = "en-GB"
    if item.attachments:
        attachments: list[dict[str, object]] = []
        for attachment in item.attachments:
            found: dict[str, object] = {
                "url": attachment.url,
                "mime_type": _media_type(attachment.url, attachment.media_type),
                "title": clean_text(attachment.title),
            }
            if attachment.size:
                found["size_in_bytes"] = attachment.size
            attachments.append(found)
        entry["attachments"] = attachments
    extension: dict[str, object] = {
        "source": item.source,
        "doc_type": str(item.doc_type),
        "nations": list(item.nations),
        "date": date_line(row.display_item()),
        "published_precision": str(item.published_precision),
    }
    if row.section:
        extension["section"] = row.section
    extension["status"] = row.status
    extension["editor_summary"] = editor_summary(row.edited_summary)
    if item.event_start is not None:
        extension["event_start"] = rfc3339(item.event_start)
    if item.event_end is not None:
        extension["event_end"] = rfc3339(item.event_end)
    links = [{"label": link.label, "url": link.url} for link in item.links if safe_url(link.url)]
    if links:
        extension["links"] = links
    entry["_aggregator"] = extension
    return entry
