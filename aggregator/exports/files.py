"""Flat files for other tools: CSV for mail merges and spreadsheets, JSON Lines for programs.

Both take `ExportRow`s and yield one chunk per item.

CSV: a header row, then one row per item with the fields a merge needs, already worded as the
bulletin words them (`date`, `read_label`). RFC 4180: every record ends in CRLF, a field
holding a comma, a double quote or a line break is quoted and its quotes doubled. UTF-8; with
`excel=True` a byte-order mark first (so Excel reads it as UTF-8). Every CSV defuses formulas:
a field a spreadsheet would run as one (starting with =, +, -, @, a tab or a carriage return:
a publisher's title "=HYPERLINK(…)" is hostile input) is prefixed with an apostrophe, unless
`raw=True` asks for the values exactly as stored.

JSON Lines: one object per line, the item's `Item.to_json()` fields plus the editor's state
(`id`, `status`, `title`/`summary` as edited, `editor_summary`, `section`, the dates feeds
use) and, when the caller passes the stored drafts (`drafts=`), the machine `draft`, marked
as one (`syndication.draft_json`: text, checked, sensitive).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime

from aggregator.exports.bulletin import READ_LABELS, clean_text, date_line, safe_url
from aggregator.exports.syndication import (
    DraftLookup,
    draft_json,
    editor_summary,
    one_line,
    rfc3339,
    updated_of,
    with_drafts,
)
from aggregator.schema import Precision, calendar_text, is_calendar_date, jsonable
from aggregator.storage.exports import ExportRow

CSV_FIELDS: tuple[str, ...] = (
    "id",
    "section",
    "title",
    "summary",
    "publisher",
    "source",
    "doc_type",
    "date",
    "published",
    "published_precision",
    "updated",
    "event_start",
    "event_end",
    "url",
    "read_label",
    "attachment_title",
    "attachment_url",
    "links",
    "topics",
    "nations",
    "status",
    "reviewed_at",
)
"""The CSV columns, in order. Instants are RFC 3339 in London time; a calendar date
(`published`, `event_start` of day, month or year precision) is the date as JSON writes it:
"2024-05-31", "2024-04" or "2024"; `date` is the bulletin's "Date:" line; `links` is
"Label: URL" pairs joined by "; "; lists are joined by "; "."""

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_record(row: ExportRow) -> dict[str, str]:
    """One item as the CSV columns' text values."""
    item = row.item
    shown = row.display_item()
    first = item.attachments[0] if item.attachments else None
    return {
        "id": str(row.id),
        "section": row.section or "",
        "title": one_line(row.title),
        "summary": one_line(row.summary),
        "publisher": item.publisher,
        "source": item.source,
        "doc_type": str(item.doc_type),
        "date": date_line(shown),
        "published": date_cell(item.published, item.published_precision),
        "published_precision": str(item.published_precision),
        "updated": rfc3339(row.shown_updated) if row.shown_updated else "",
        "event_start": date_cell(item.event_start, item.event_precision),
        "event_end": rfc3339(item.event_end) if item.event_end else "",
        "url": item.url,
        "read_label": READ_LABELS[item.doc_type],
        "attachment_title": first.title if first else "",
        "attachment_url": first.url if first else "",
        "links": "; ".join(
            f"{link.label}: {link.url}" for link in item.links if safe_url(link.url)
        ),
        "topics": "; ".join(item.topics),
        "nations": "; ".join(item.nations),
        "status": row.status,
        "reviewed_at": rfc3339(row.reviewed_at),
    }


def date_cell(value: datetime | None, precision: Precision) -> str:
    """A `published` or `event_start` cell: the calendar date when it is one (as in JSON),
    else the instant in London time; empty when there is none."""
    if value is None:
        return ""
    if is_calendar_date(value, precision):
        return calendar_text(value, precision)
    return rfc3339(value)


def defuse_formula(value: str) -> str:
    """`value` with an apostrophe first when a spreadsheet would run it as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_rows(rows: Iterable[ExportRow], excel: bool = False, raw: bool = False) -> Iterator[str]:
    """The CSV text: header first, one chunk per item. Formulas are defused unless `raw`;
    `excel` adds the byte-order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect="excel", lineterminator="\r\n")

    def take() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return value

    writer.writerow(CSV_FIELDS)
    yield (BOM if excel else "") + take()
    for row in rows:
        values = [clean_text(value) for value in csv_record(row).values()]
        writer.writerow(values if raw else [defuse_formula(v) for v in values])
        yield take()


def jsonl_record(row: ExportRow) -> dict[str, object]:
    """One item's JSON Lines object, without the draft (`jsonl` adds it when given drafts)."""
    record: dict[str, object] = {"id": row.id, **row.item.to_json()}
    record.update(
        title=row.title,
        summary=row.summary,
        editor_summary=editor_summary(row.edited_summary),
        original_title=row.item.title if row.edited_title else None,
        original_summary=row.item.summary if row.edited_summary else None,
        section=row.section,
        status=row.status,
        date=date_line(row.display_item()),
        shown_updated=jsonable(row.shown_updated),
        entry_updated=jsonable(updated_of(row)),
        reviewed_at=jsonable(row.reviewed_at),
    )
    return record


def jsonl(rows: Iterable[ExportRow], drafts: DraftLookup | None = None) -> Iterator[str]:
    """One JSON object per line (UTF-8, not ASCII-escaped; line separators escaped). With
    `drafts`, each object's `draft` is the item's machine draft (null when it has none)."""
    for row, found in with_drafts(rows, drafts) if drafts else ((r, None) for r in rows):
        record = jsonl_record(row)
        if drafts is not None:
            record["draft"] = draft_json(found, row.edited_summary)
        line = json.dumps(record, ensure_ascii=False)
        # U+2028/U+2029 are line breaks to some line readers: keep one object per line
        yield line.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n"
