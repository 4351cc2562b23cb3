"""Flat files for other tools: CSV for mail merges and spreadsheets, JSON Lines for programs.

Both take `ExportRow`s and yield one chunk per item.

CSV: a header row, then one row per item with the fields a merge needs, already worded as the
bulletin words them (`date`, `read_label`). RFC 4180: every record ends in CRLF, a field
holding a comma, a double quote or a line break is quoted and its quotes doubled. UTF-8; with
`excel=True` a byte-order mark first (so Excel reads it as UTF-8). Every CSV defuses formulas:
a field a spreadsheet would run as one (starting with =, +, -, @, a tab, a carriage return or
a line feed: a publisher's title "=HYPERLINK(…)" is hostile input) is prefixed with an
apostrophe, unless `raw=True` asks for the values exactly as stored.

`summary` keeps its line breaks (an editor's paragraphs, a list) as LF inside the quoted
field; `title` is one line. Attachments: `attachment_title` / `attachment_url` are the first
one (what merges written before `attachments` existed use), `attachment_count` how many there
are and `attachments` every one as "Title: URL", joined by "; " as `links` is (text for a
person to read; a program that needs them apart reads JSON Lines). Columns added later come
last, so a consumer that reads by position keeps working.

JSON Lines: one object per line, the item's `Item.to_json()` fields plus the editor's state
(`id`, `status`, `title`/`summary` as edited, `editor_summary`, `section`, the dates feeds
use, `approved_at`, `via`) and, when the caller passes the stored drafts (`drafts=`), the
machine `draft`, marked as one (`syndication.draft_json`: text, checked, sensitive). Every
instant is written to the second, in London time with its offset, as the feeds write them
(review times are stored to the microsecond, crawl times often are not: one precision for
all, so a consumer compares them as strings safely).
"""

from __future__ import annotations

import csv
import io
import json
import re
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
    via_json,
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
    "attachment_count",
    "attachments",
    "via",
)
"""The CSV columns, in order. Instants are RFC 3339 in London time; a calendar date
(`published`, `event_start` of day, month or year precision) is the date as JSON writes it:
"2024-05-31", "2024-04" or "2024"; `date` is the bulletin's "Date:" line; `summary` may hold
line breaks (LF), every other text column is one line. `attachment_title` and `attachment_url`
are the first attachment (empty when there is none), `attachment_count` the number of
attachments ("0" when none) and `attachments` all of them in the publisher's order as
"Title: URL" joined by "; "; `links` is "Label: URL" pairs joined by "; "; lists are joined
by "; ". `via` is the other sightings of a cross-source cluster, the row being the
publisher of record's (one row per publication): "Publisher: URL" joined by "; "."""

# Why one joined column and not numbered ones (attachment_1_url, attachment_2_url, ...):
# the header is written before the first row is read, so numbered columns would need a fixed
# cap (one item has five attachments; nothing bounds it) and would leave most cells empty.
# One text column holds any number, reads in a merge field as a list, and keeps the
# `attachment_title`/`attachment_url` pair for merges that want just the main document.

BOM = "\ufeff"
# A spreadsheet evaluates a cell by how it starts: LibreOffice 7.4 (Debian 12), importing
# with "Evaluate formulas" on, runs "=1+1" but keeps "x\n=1+1", "\n=1+1" and "'=1+1" as
# text (tests/exports/test_csv_readers.py checks the exported rows the same way), so defusing
# the start of the cell is enough: a formula on a later line of a multi-line cell is never
# run. OWASP's CSV injection list adds a leading tab and carriage return for Excel; a leading
# line feed is not on it and Excel could not be tried here, so it is defused too (no column
# this module builds starts with one; only a stored publisher or label could).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_BLANK_LINES = re.compile(r"\n{3,}")


def csv_record(row: ExportRow) -> dict[str, str]:
    """One item as the CSV columns' text values."""
    item = row.item
    shown = row.display_item()
    attachments = [
        (one_line(attachment.title), url)
        for attachment in item.attachments
        if (url := safe_url(attachment.url))
    ]
    first_title, first_url = attachments[0] if attachments else ("", "")
    return {
        "id": str(row.id),
        "section": row.section or "",
        "title": one_line(row.title),
        "summary": multi_line(row.summary),
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
        "attachment_title": first_title,
        "attachment_url": first_url,
        "links": "; ".join(
            f"{link.label}: {link.url}" for link in item.links if safe_url(link.url)
        ),
        "topics": "; ".join(item.topics),
        "nations": "; ".join(item.nations),
        "status": row.status,
        "reviewed_at": rfc3339(row.reviewed_at),
        "attachment_count": str(len(attachments)),
        "attachments": "; ".join(f"{title}: {url}" for title, url in attachments),
        "via": "; ".join(
            f"{one_line(found.publisher)}: {found.url}" for found in row.via if safe_url(found.url)
        ),
    }


def multi_line(text: str) -> str:
    """Text for a cell that may span lines: control characters dropped; CRLF, CR and the
    Unicode line separators made LF (Excel's line break in a cell is CHAR(10), and LibreOffice
    reads a CRLF inside a cell back as LF anyway); spaces within a line and blank-line runs
    made one; no line break or space first or last, so the cell starts with its text."""
    lines = (" ".join(line.split()) for line in clean_text(text).splitlines())
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")


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
        approved_at=jsonable(row.approved_at),
        via=[via_json(found) for found in row.via],
    )
    seconds = to_seconds(record)
    assert isinstance(seconds, dict)
    return seconds


_FRACTION = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.\d+((?:[+-]\d\d:\d\d)|Z)?$")


def to_seconds(value: object) -> object:
    """`value` with every ISO 8601 instant cut to the second (the fraction dropped, as the
    feeds' `rfc3339` drops it), through dicts and lists."""
    if isinstance(value, str):
        return _FRACTION.sub(r"\1\2", value)
    if isinstance(value, dict):
        return {key: to_seconds(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [to_seconds(inner) for inner in value]
    return value


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
