"""CSV for mail merges (RFC 4180, UTF-8, optional BOM) and JSON Lines."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from aggregator.exports.files import BOM, CSV_FIELDS
from aggregator.storage.exports import ExportSelection
from aggregator.storage.repository import Repository
from tests.exports.conftest import APPROVED_AT, HOSTILE_TITLE, SEEN, export_text, page


def _raw(repository: Repository, tmp_path: Path, **options: Any) -> bytes:
    export_text(repository, "csv", tmp_path, **options)
    return (tmp_path / "out.csv").read_bytes()


def test_csv_is_rfc_4180_with_a_header_and_one_row_per_item(
    stored: tuple[Repository, list[int]], tmp_path: Path
) -> None:
    repository, _ids = stored
    rows = list(repository.iter_export(ExportSelection()))
    data = _raw(repository, tmp_path)
    assert not data.startswith(BOM.encode("utf-8"))
    text = data.decode("utf-8")
    # every record ends in CRLF, and no bare LF appears outside a quoted field
    assert text.endswith("\r\n")
    assert text.count("\r\n") == len(rows) + 1
    records = list(csv.reader(io.StringIO(text, newline="")))
    assert tuple(records[0]) == CSV_FIELDS
    assert len(records) == len(rows) + 1
    by_id = {int(record[0]): dict(zip(CSV_FIELDS, record, strict=True)) for record in records[1:]}
    hostile = next(r for r in rows if r.item.title == HOSTILE_TITLE)
    record = by_id[hostile.id]
    assert record["title"] == 'Apps & "games" <script>alert(1)</script> ]]> *not* [emphasis]'
    assert record["summary"].startswith('Commas, "quotes", a line break,')
    assert '"Apps & ""games""' in text  # quotes doubled inside a quoted field
    event = next(r for r in rows if r.item.event_start is not None)
    assert by_id[event.id]["date"] == "Thursday May 16, 2024, 05:00 PM – 06:30 PM BST"
    assert by_id[event.id]["links"] == (
        "Book a free place: https://uktraumacouncil.org/event/book?id=42&ref=mail"
    )
    edited = next(r for r in rows if r.edited_title)
    assert by_id[edited.id]["title"] == edited.edited_title
    assert by_id[edited.id]["section"] == "Parent-infant relationships"


def test_csv_keeps_line_breaks_inside_quoted_fields(
    sqlite_repo: Repository, tmp_path: Path
) -> None:
    [result] = sqlite_repo.upsert_items([page(publisher="Line\nbreak, Ltd")], SEEN)
    sqlite_repo.review(result.item_id, "approve", at=APPROVED_AT)
    text = _raw(sqlite_repo, tmp_path).decode("utf-8")
    assert '"Line\nbreak, Ltd"' in text
    [record] = list(csv.DictReader(io.StringIO(text, newline="")))
    assert record["publisher"] == "Line\nbreak, Ltd"


def test_excel_csv_has_a_bom_and_defuses_formulas(
    stored: tuple[Repository, list[int]], tmp_path: Path
) -> None:
    repository, _ids = stored
    [result] = repository.upsert_items([page(title='=HYPERLINK("http://x")')], SEEN)
    repository.review(result.item_id, "approve", at=APPROVED_AT)
    data = _raw(repository, tmp_path, excel=True)
    assert data.startswith(b"\xef\xbb\xbf")
    records = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    titles = {record["title"] for record in records}
    assert '\'=HYPERLINK("http://x")' in titles
    plain = list(csv.DictReader(io.StringIO(_raw(repository, tmp_path).decode(), newline="")))
    assert '=HYPERLINK("http://x")' in {record["title"] for record in plain}


def test_jsonl_is_one_item_object_per_line(
    stored: tuple[Repository, list[int]], tmp_path: Path
) -> None:
    repository, _ids = stored
    rows = list(repository.iter_export(ExportSelection()))
    lines = export_text(repository, "jsonl", tmp_path).splitlines()
    assert len(lines) == len(rows)
    records = [json.loads(line) for line in lines]
    assert [record["id"] for record in records] == [row.id for row in rows]
    edited = next(r for r in records if r["original_title"])
    assert edited["title"].endswith("(practitioner guide)")
    assert edited["section"] == "Parent-infant relationships"
    assert all(record["status"] == "approved" for record in records)
