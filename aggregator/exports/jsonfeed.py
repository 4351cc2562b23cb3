"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1): one item per line, `json.dumps` objects.

Ids and dates are the Atom and RSS writers' (`aggregator.exports.syndication`); the
aggregator's own fields sit in the `_aggregator` extension object (JSON Feed's rule for
extensions: a key starting with an underscore): source, document type, nations, the
bulletin's date line, review state, event dates, links and via sightings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator

from aggregator.exports.bulletin import clean_text, date_line, safe_url
from aggregator.exports.syndication import (
    DraftLookup,
    FeedInfo,
    draft_json,
    editor_summary,
    entry_dates,
    entry_id,
    media_type,
    one_line,
    publisher_date,
    rfc3339,
    via_json,
    with_drafts,
)
from aggregator.storage.draft_summaries import StoredDraft
from aggregator.storage.exports import ExportRow

JSONFEED_VERSION = "https://jsonfeed.org/version/1.1"

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
        entry = jsonfeed_item(row, info.authority, info.dated)
        if drafts is not None:
            extension = entry["_aggregator"]
            assert isinstance(extension, dict)
            extension["draft"] = draft_json(found, row.edited_summary)
        encoded = _JSON.encode(entry)
        yield separator + _SURROGATES.sub("", encoded)
        separator = ",\n  "
    yield "\n]}\n"


def jsonfeed_item(
    row: ExportRow, authority: str | None = None, dated: str = "publisher"
) -> dict[str, object]:
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
    published, updated = entry_dates(row, dated)
    if published is not None:
        entry["date_published"] = rfc3339(published)
    entry["date_modified"] = rfc3339(updated)
    entry["authors"] = [{"name": clean_text(item.publisher)}]
    if item.topics:
        entry["tags"] = list(item.topics)
    entry["language"] = "en-GB"
    if item.attachments:
        attachments: list[dict[str, object]] = []
        for attachment in item.attachments:
            found: dict[str, object] = {
                "url": attachment.url,
                "mime_type": media_type(attachment.url, attachment.media_type),
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
    if dated == "approval":
        extension["publisher_date"] = publisher_date(row)
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
    if row.via:
        extension["via"] = [via_json(sighting) for sighting in row.via]
    entry["_aggregator"] = extension
    return entry
