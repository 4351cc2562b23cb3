"""Feeds for readers and downstream tools: Atom 1.0 and RSS 2.0, and the rules every feed keeps.

Each writer takes `ExportRow`s and yields text chunks, one per entry, so a feed of any size is
written without holding it. XML goes through `xml.sax.saxutils.XMLGenerator` (every piece of
scraped text and every attribute is escaped by it; characters XML cannot carry are dropped
first). JSON Feed (`aggregator.exports.jsonfeed`) keeps the same ids, dates and links.

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

Two datings (`FeedInfo.dated`):
- "publisher" (the `approved` feeds, for readers): entries dated as above;
- "approval" (the `approvals` feeds, for RSS-to-email such as Mailchimp, which sends the
  entries whose date is newer than its last send): `published` / RSS `pubDate` /
  `date_published` is when an editor approved the item, and `updated` / `date_modified` the
  newest of that approval, a substantive update seen after it and an editor's later edit. An
  item approved today but published last month is then newer than the last send. The
  publisher's own date keeps its element: `agg:publisherDate` in the aggregator's namespace
  (W3C-DTF at its real precision: "2024-04" for a month). Not a Dublin Core date: the W3C Feed
  Validator reads `dc:date` as a second pubDate, and feedparser maps `dcterms:issued` onto
  the entry's published date, which would put the publisher's date back where the approval
  belongs in Atom and RSS, `_aggregator.publisher_date` in JSON Feed.

A cross-source cluster is one entry (`ExportRow.via`, chosen by the export selection): its
other sightings are `link rel="via"` (Atom, and atom:link in RSS) and `_aggregator.via`.

Links: a feed's self and home links are built from a public base URL (`FeedInfo.base_url`,
else $AGGREGATOR_PUBLIC_URL); with neither, `resolved` raises `PublicUrlMissing` rather than
write a link to a machine nobody else can reach.

The review state for downstream tools (issue 21): a JSON Feed item's `_aggregator` carries
its `status`, the `editor_summary` (null when the editor wrote none) and, when the caller
passes the stored drafts (`drafts=`, as `aggregator export` does; the public feed served by the
review app never does), the machine `draft`, marked as one (`draft_json`).
"""

from __future__ import annotations

import io
import mimetypes
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import format_datetime
from itertools import islice
from urllib.parse import quote, urlsplit
from xml.sax.saxutils import XMLGenerator

from aggregator.exports.bulletin import clean_text, safe_url
from aggregator.normalise.dates import LONDON
from aggregator.schema import Precision, calendar_text, is_calendar_date
from aggregator.settings import env_text, env_url
from aggregator.storage.draft_summaries import StoredDraft
from aggregator.storage.exports import ExportRow, ViaSighting

DraftLookup = Callable[[Sequence[int]], Mapping[int, StoredDraft]]
"""The stored drafts of some item ids (`DraftStore.many`); items without one are absent."""
DRAFT_BATCH = 500
"""Rows whose drafts are read in one query (the size of `iter_export`'s own batches)."""

TAG_AUTHORITY_ENV = "AGGREGATOR_TAG_AUTHORITY"
PUBLIC_URL_ENV = "AGGREGATOR_PUBLIC_URL"
DEFAULT_TAG_AUTHORITY = "safeguarding-aggregator.github.io,2026"
"""`authority,date` of every tag: URI. Set once per deployment and never change it: every
id a reader has stored is built from it."""
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""The `updated` of a feed with no entries (a fixed value, so its ETag is stable)."""

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
AGG_NS = "tag:safeguarding-aggregator.github.io,2026:feeds"
"""The namespace of the aggregator's own feed elements (`agg:publisherDate`); fixed, as
readers match it exactly."""
GENERATOR = "aggregator"

_TAG_SAFE = "/?:@!$&'()*+,;=-._~"  # RFC 4151 pchar, "/" and "?" (alphanumerics always)


def one_line(text: str) -> str:
    """Scraped text as one line: control characters dropped, whitespace runs made one space."""
    return " ".join(clean_text(text).split())


def tag_authority() -> str:
    return env_text(TAG_AUTHORITY_ENV, DEFAULT_TAG_AUTHORITY)


class PublicUrlMissing(ValueError):
    """A feed's links need a public base URL and none was given."""


def public_url() -> str:
    """Where the review app is served for readers ($AGGREGATOR_PUBLIC_URL), without a final
    /; "" when unset."""
    return env_url(PUBLIC_URL_ENV)


def check_public_url(url: str, what: str) -> str:
    """`url` if it is an absolute http(s) URL with a host, without a final /; else ValueError."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{what} must be an absolute http(s) URL, not {url!r}")
    return url.strip().rstrip("/")


def base_of_feed_url(feed_url: str) -> str:
    """The public base URL a feed's own URL implies: what comes before "/feeds/" (the path
    the review app serves feeds under), else the URL's folder. `--feed-url` sets every link
    of a feed from it, not only the self link."""
    url = check_public_url(feed_url, "--feed-url")
    head, found, _tail = url.partition("/feeds/")
    if found:
        return head
    parts = urlsplit(url)
    folder = parts.path.rsplit("/", 1)[0] if "/" in parts.path else ""
    return f"{parts.scheme}://{parts.netloc}{folder}"


def tag_uri(specific: str, authority: str | None = None) -> str:
    return f"tag:{authority or tag_authority()}:{quote(specific, safe=_TAG_SAFE)}"


def entry_id(row: ExportRow, authority: str | None = None) -> str:
    """The stable id of an item: `tag:<authority>,<date>:item/<source>/<first key>`."""
    return tag_uri(f"item/{row.item.source}/{row.original_key}", authority)


DATINGS = ("publisher", "approval")


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
    dated: str = "publisher"
    """"publisher": entries dated by the publisher (readers); "approval": by the editors'
    approval (RSS-to-email: `approval_date`)."""
    updated: datetime | None = None
    """The feed's last change (the newest entry's review or content change)."""
    authority: str | None = None

    def __post_init__(self) -> None:
        if self.dated not in DATINGS:
            raise ValueError(f"unknown dating {self.dated!r}: expected one of {DATINGS}")

    def resolved(self, kind: str) -> FeedInfo:
        """This info with the URLs and id filled in from the defaults for a `kind` feed."""
        base = self.base_url.rstrip("/") or public_url()
        if not base and not (self.self_url and self.home_url):
            raise PublicUrlMissing(
                "a feed's links need the public address of the review app: set "
                f"{PUBLIC_URL_ENV}=https://… or give --feed-url (no links to localhost)"
            )
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


def approved_of(row: ExportRow) -> datetime:
    """When an editor last approved the item; the last review change if the audit record
    holds no approval (items approved before it was kept)."""
    return row.approved_at or row.reviewed_at


def approval_date(row: ExportRow) -> datetime:
    """An approvals-feed entry's date: the newest of its approval, a substantive update seen
    after it and an editor's edit after it (earlier ones are older than the approval)."""
    dates = (approved_of(row), row.updated_at, row.edited_at)
    return max(d for d in dates if d is not None)


def publisher_date(row: ExportRow) -> str | None:
    """The publisher's date at its real precision, as W3C-DTF (agg:publisherDate): "2024-04" for a
    month, "2024-04-01" for a day, the instant in London time otherwise."""
    published = published_of(row)
    if published is None:
        return None
    precision = row.item.published_precision
    if is_calendar_date(published, precision):
        return calendar_text(published, precision)
    return rfc3339(published)


def entry_dates(row: ExportRow, dated: str) -> tuple[datetime | None, datetime]:
    """(published, updated) of an entry under the feed's dating."""
    if dated == "approval":
        return approved_of(row), approval_date(row)
    return published_of(row), updated_of(row)


def media_type(url: str, given: str | None) -> str:
    """An enclosure's media type: the one given, else guessed from the URL's extension."""
    if given:
        return given
    guessed, _encoding = mimetypes.guess_type(url.split("?", 1)[0])
    return guessed or "application/octet-stream"


# --- XML --------------------------------------------------------------------------------------


class XmlOut:
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


def atom_head(info: FeedInfo, namespaces: Mapping[str, str] | None = None) -> XmlOut:
    """A started Atom document: the feed element and its metadata, for `info` resolved."""
    xml = XmlOut()
    xml.out.startDocument()
    xml.start("feed", {"xmlns": ATOM_NS, "xml:lang": "en-GB", **(namespaces or {})})
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
    return xml


def atom_tail(xml: XmlOut) -> str:
    """The end of an Atom document `atom_head` started."""
    xml.out.ignorableWhitespace("\n")
    xml.end("feed")
    xml.out.ignorableWhitespace("\n")
    xml.out.endDocument()
    return xml.take()


def atom(rows: Iterable[ExportRow], info: FeedInfo) -> Iterator[str]:
    """An Atom 1.0 feed (RFC 4287)."""
    info = info.resolved("atom")
    xml = atom_head(info, {"xmlns:agg": AGG_NS} if info.dated == "approval" else None)
    yield xml.take()
    for row in rows:
        _atom_entry(xml, row, info)
        yield xml.take()
    yield atom_tail(xml)


def _atom_entry(xml: XmlOut, row: ExportRow, info: FeedInfo) -> None:
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
            "type": media_type(attachment.url, attachment.media_type),
            "title": attachment.title,
        }
        if attachment.size:
            attrs["length"] = str(attachment.size)
        xml.element(2, "link", None, attrs)
    for link in item.links:
        if safe_url(link.url):
            xml.element(2, "link", None, {"rel": "related", "href": link.url, "title": link.label})
    for sighting in row.via:
        xml.element(2, "link", None, _via_attrs(sighting))
    published, updated = entry_dates(row, info.dated)
    if published is not None:
        xml.element(2, "published", rfc3339(published))
    xml.element(2, "updated", rfc3339(updated))
    if info.dated == "approval" and publisher_date(row):
        xml.element(2, "agg:publisherDate", publisher_date(row))
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


def _via_attrs(sighting: ViaSighting) -> dict[str, str]:
    """A via link: RFC 4287's rel="via", "the source of the information provided in the
    entry", titled with the sighting's publisher and title."""
    title = f"{one_line(sighting.publisher)}: {one_line(sighting.title)}"
    return {"rel": "via", "type": "text/html", "href": sighting.url, "title": title}


def rss_head(info: FeedInfo, namespaces: Mapping[str, str] | None = None) -> XmlOut:
    """A started RSS 2.0 document: the channel and its metadata, with an atom:link to itself,
    for `info` resolved."""
    xml = XmlOut()
    xml.out.startDocument()
    root = {"version": "2.0", "xmlns:atom": ATOM_NS, "xmlns:dc": DC_NS, **(namespaces or {})}
    xml.start("rss", root)
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
        2, "atom:link", None, {"href": info.self_url, "rel": "self", "type": "application/rss+xml"}
    )
    return xml


def rss_tail(xml: XmlOut) -> str:
    """The end of an RSS document `rss_head` started."""
    xml.newline(1)
    xml.end("channel")
    xml.out.ignorableWhitespace("\n")
    xml.end("rss")
    xml.out.ignorableWhitespace("\n")
    xml.out.endDocument()
    return xml.take()


def rss(rows: Iterable[ExportRow], info: FeedInfo) -> Iterator[str]:
    """An RSS 2.0 feed, with an atom:link to itself and dc:creator for the publisher."""
    info = info.resolved("rss")
    xml = rss_head(info, {"xmlns:agg": AGG_NS} if info.dated == "approval" else None)
    yield xml.take()
    for row in rows:
        _rss_item(xml, row, info)
        yield xml.take()
    yield rss_tail(xml)


def _rss_item(xml: XmlOut, row: ExportRow, info: FeedInfo) -> None:
    item = row.item
    xml.newline(2)
    xml.start("item")
    xml.element(3, "title", one_line(row.title))
    xml.element(3, "link", item.url)
    if row.summary:
        xml.element(3, "description", one_line(row.summary))
    xml.element(3, "guid", entry_id(row, info.authority), {"isPermaLink": "false"})
    published, updated = entry_dates(row, info.dated)
    # RSS has one date: RSS-to-email compares it with its last send, so the approvals feed
    # gives the entry's newest approval or change
    xml.element(3, "pubDate", rfc822(updated if info.dated == "approval" else published or updated))
    if info.dated == "approval" and publisher_date(row):
        xml.element(3, "agg:publisherDate", publisher_date(row))
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
                "type": media_type(first.url, first.media_type),
            },
        )
    for sighting in row.via:
        xml.element(3, "atom:link", None, _via_attrs(sighting))
    xml.newline(2)
    xml.end("item")


def via_json(sighting: ViaSighting) -> dict[str, object]:
    """A via sighting for JSON readers (JSON Feed `_aggregator.via`, JSON Lines `via`)."""
    return {
        "item_id": sighting.item_id,
        "publisher": clean_text(sighting.publisher),
        "title": one_line(sighting.title),
        "url": sighting.url,
    }
