"""CSV for mail merges (RFC 4180, UTF-8, optional BOM) and JSON Lines."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from aggregator.exports.files import BOM, CSV_FIELDS, defuse_formula, jsonl, multi_line
from aggregator.schema import Attachment
from aggregator.storage.draft_summaries import DraftStore, build_draft
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
    # the publisher's line break stays, as LF inside the quoted field; the title is one line
    assert record["summary"].startswith('Commas, "quotes", a line\nbreak,')
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


FORMULA_TITLES = (
    '=HYPERLINK("http://x")',
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1)",
    "=cmd|' /C calc'!A0",
)
"""Titles a spreadsheet would run. (A leading tab or CR never reaches a cell: the exports'
text cleaning strips it; `defuse_formula` still covers them.)"""


def _titles(data: bytes) -> set[str]:
    text = data.decode("utf-8-sig")
    return {record["title"] for record in csv.DictReader(io.StringIO(text, newline=""))}


def _with_formula_titles(repository: Repository) -> None:
    for number, title in enumerate(FORMULA_TITLES):
        url = f"https://www.gov.uk/government/publications/formula-{number}"
        [result] = repository.upsert_items([page(key=url, url=url, title=title)], SEEN)
        repository.review(result.item_id, "approve", at=APPROVED_AT)


def test_every_csv_defuses_formulas_by_default(
    stored: tuple[Repository, list[int]], tmp_path: Path
) -> None:
    repository, _ids = stored
    _with_formula_titles(repository)
    titles = _titles(_raw(repository, tmp_path))
    assert {t for t in titles if t.startswith("'")} == {"'" + t for t in FORMULA_TITLES}
    assert not any(title.startswith(("=", "+", "-", "@", "\t", "\r")) for title in titles)


def test_excel_csv_has_a_bom_and_defuses_formulas(
    stored: tuple[Repository, list[int]], tmp_path: Path
) -> None:
    repository, _ids = stored
    _with_formula_titles(repository)
    data = _raw(repository, tmp_path, excel=True)
    assert data.startswith(b"\xef\xbb\xbf")
    assert '\'=HYPERLINK("http://x")' in _titles(data)
    assert data[len(BOM.encode("utf-8")) :] == _raw(repository, tmp_path)


def test_raw_csv_keeps_formulas_as_stored(
    stored: tuple[Repository, list[int]], tmp_path: Path
) -> None:
    repository, _ids = stored
    _with_formula_titles(repository)
    titles = _titles(_raw(repository, tmp_path, raw_csv=True))
    assert set(FORMULA_TITLES) <= titles
    assert not any(title.startswith("'") for title in titles)


def test_defuse_formula_prefixes_only_formula_starts() -> None:
    for value in ("=1", "+1", "-1", "@A1", "\t=1", "\r=1", "\n=1"):
        assert defuse_formula(value) == "'" + value
    for value in ("", "Plain title", "1-2", "'quoted", " =1", "email@example.org", "a\n=1"):
        assert defuse_formula(value) == value


MERGE_URL = "https://www.gov.uk/government/publications/mail-merge-check"
MERGE_TITLE = '=HYPERLINK("http://x", "Café, “quoted” — £5")'
MERGE_SUMMARY = (
    'Ministers\' reply, in “three” parts, each with "its own" paragraph:\r\n\r\n\r\n'
    "  First,   the duty.\r\n=SUM(1,2) on a later line stays text.\rLast: Cymraeg, naïve, 日本語 "
)
MERGE_SUMMARY_CELL = (
    'Ministers\' reply, in “three” parts, each with "its own" paragraph:\n\n'
    "First, the duty.\n=SUM(1,2) on a later line stays text.\nLast: Cymraeg, naïve, 日本語"
)
MERGE_ATTACHMENTS = (
    Attachment("Full report, easy read", "https://assets.example.org/a/easy-read.pdf"),
    Attachment('Annex "A": methods', "https://assets.example.org/a/annex-a.pdf"),
    Attachment("Unsafe", "javascript:alert(1)"),
    Attachment("Adroddiad llawn (Cymraeg)", "https://assets.example.org/a/adroddiad.pdf"),
    Attachment("Data tables\n(ODS)", "https://assets.example.org/a/tables.ods"),
    Attachment("Résumé", "https://assets.example.org/a/r%C3%A9sum%C3%A9.pdf?x=1&y=2"),
)
"""Six attachments, five a reader may follow: the javascript: one is left out as links are."""
MERGE_ATTACHMENTS_CELL = (
    "Full report, easy read: https://assets.example.org/a/easy-read.pdf; "
    'Annex "A": methods: https://assets.example.org/a/annex-a.pdf; '
    "Adroddiad llawn (Cymraeg): https://assets.example.org/a/adroddiad.pdf; "
    "Data tables (ODS): https://assets.example.org/a/tables.ods; "
    "Résumé: https://assets.example.org/a/r%C3%A9sum%C3%A9.pdf?x=1&y=2"
)


def store_merge_item(repository: Repository) -> int:
    """An approved item holding what a mail merge trips on: a formula-like title with commas,
    quotes and non-ASCII text, an editor's multi-line summary (CRLF, CR, blank-line runs) and
    five attachments. Its id."""
    item = page(
        key=MERGE_URL,
        url=MERGE_URL,
        title=MERGE_TITLE,
        publisher="Comisiynydd Plant Cymru, Children’s Commissioner",
        attachments=list(MERGE_ATTACHMENTS),
        topics=["online safety", "trauma"],
    )
    [result] = repository.upsert_items([item], SEEN)
    repository.review(result.item_id, "approve", at=APPROVED_AT)
    repository.edit(result.item_id, at=APPROVED_AT, summary=MERGE_SUMMARY)
    return result.item_id


def _records(data: bytes) -> dict[int, dict[str, str]]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    assert tuple(reader.fieldnames or ()) == CSV_FIELDS
    return {int(record["id"]): record for record in reader}


def test_csv_carries_every_attachment_and_the_first_as_before(
    stored: tuple[Repository, list[int]], tmp_path: Path
) -> None:
    repository, ids = stored
    merge_id = store_merge_item(repository)
    records = _records(_raw(repository, tmp_path))
    merge = records[merge_id]
    assert merge["attachment_count"] == "5"
    assert merge["attachments"] == MERGE_ATTACHMENTS_CELL
    assert (merge["attachment_title"], merge["attachment_url"]) == (
        "Full report, easy read",
        "https://assets.example.org/a/easy-read.pdf",
    )
    # one attachment: the first pair and the joined column agree; none: empty cells and "0"
    response = records[ids[0]]
    assert response["attachment_count"] == "1"
    assert response["attachments"] == (
        "Government response (PDF): https://assets.publishing.service.gov.uk/media/response.pdf"
    )
    assert response["attachment_title"] == "Government response (PDF)"
    paper = records[ids[1]]
    assert (paper["attachment_count"], paper["attachments"], paper["attachment_url"]) == (
        "0",
        "",
        "",
    )
    # the columns added for #22 come after the ones merges already use
    assert CSV_FIELDS[-3:] == ("attachment_count", "attachments", "via")


def test_csv_summary_keeps_paragraphs_and_the_title_stays_one_line(
    stored: tuple[Repository, list[int]], tmp_path: Path
) -> None:
    repository, _ids = stored
    merge_id = store_merge_item(repository)
    data = _raw(repository, tmp_path)
    merge = _records(data)[merge_id]
    assert merge["summary"] == MERGE_SUMMARY_CELL
    assert merge["title"] == "'" + MERGE_TITLE  # defused; one line already
    text = data.decode("utf-8")
    # the breaks are LF inside a quoted field (quotes doubled); CRLF ends records only
    quoted = '"' + MERGE_SUMMARY_CELL.replace('"', '""') + '"'
    assert quoted in text
    assert text.count("\r\n") == len(_records(data)) + 1
    assert "\r" not in text.replace("\r\n", "")


def test_multi_line_keeps_line_breaks_and_drops_the_rest() -> None:
    assert multi_line("a\r\nb\rc\nd") == "a\nb\nc\nd"
    assert multi_line("\n\n  One  \t two \n\n\n\n three\x01 \n\n") == "One two\n\nthree"
    assert multi_line("line\u2028separator\u2029paragraph") == "line\nseparator\nparagraph"
    assert multi_line("   ") == ""
    assert multi_line("Plain summary.") == "Plain summary."


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


def _save_two_drafts(repository: Repository, ids: list[int]) -> DraftStore:
    """Drafts for the Lucy Faithfull paper (no editor summary) and the DHSC guide (edited)."""
    items = {row.id: row.item for row in repository.iter_export(ExportSelection())}
    store = DraftStore(repository.engine)
    main_text = "Our new paper looks at how adult material can lead some men to illegal images."
    store.save_drafts(
        {
            ids[1]: build_draft(items[ids[1]], main_text, 90),
            ids[4]: build_draft(items[ids[4]], "", 90),
        },
        APPROVED_AT,
    )
    return store


def test_jsonl_carries_the_editor_summary_the_draft_marked_as_one_and_the_status(
    stored: tuple[Repository, list[int]],
) -> None:
    repository, ids = stored
    store = _save_two_drafts(repository, ids)
    rows = list(repository.iter_export(ExportSelection()))
    records = {
        record["id"]: record
        for record in (json.loads(line) for line in jsonl(rows, drafts=store.many))
    }
    paper = records[ids[1]]
    assert paper["status"] == "approved"
    assert paper["editor_summary"] is None
    assert paper["draft"]["machine_written"] is True
    assert paper["draft"]["checked"] is False  # no editor has written a summary
    assert "The Lucy Faithfull Foundation’s new paper looks at" in paper["draft"]["text"]
    assert paper["draft"]["sensitive"] is False
    assert paper["summary"] == rows[[r.id for r in rows].index(ids[1])].item.summary
    guide = records[ids[4]]
    assert guide["editor_summary"] == guide["summary"]
    assert guide["editor_summary"].startswith("Guidance to help frontline practitioners")
    assert guide["draft"]["checked"] is True
    assert all(records[i]["draft"] is None for i in records if i not in (ids[1], ids[4]))

    # without drafts (the caller did not look them up) there is no draft key at all
    plain = [json.loads(line) for line in jsonl(repository.iter_export(ExportSelection()))]
    assert all("draft" not in record and "editor_summary" in record for record in plain)
