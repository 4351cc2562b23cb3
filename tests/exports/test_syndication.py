"""Atom, RSS and JSON Feed as real readers take them.

feedparser reads our Atom and RSS with no error (bozo 0) and every field comes back intact;
JSON Feed validates against a JSON Schema written from the 1.1 specification; a BST and a GMT
date round-trip to the same instant; ids never change when an item is updated.
"""

from __future__ import annotations

import calendar
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import jsonschema
import pytest

from aggregator.exports import syndication as feeds
from aggregator.exports.bulletin import clean_text
from aggregator.exports.jsonfeed import jsonfeed
from aggregator.storage.draft_summaries import DraftStore, build_draft
from aggregator.storage.exports import ExportRow, ExportSelection
from aggregator.storage.repository import Repository
from tests.exports.conftest import (
    APPROVED_AT,
    BST_PUBLISHED,
    BST_UPDATED,
    FEED,
    GMT_PUBLISHED,
    HOSTILE_TITLE,
    SEEN,
    export_text,
    page,
)

SCHEMA = json.loads(
    (Path(__file__).resolve().parent / "jsonfeed-1.1.schema.json").read_text(encoding="utf-8")
)
BASE = "https://safeguarding.example.org"


def approved(repository: Repository) -> list[ExportRow]:
    """The approved rows in the feeds' order: most recently reviewed first."""
    return list(repository.iter_export(ExportSelection(order="recent")))


def instant(parsed: Any) -> datetime:
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC)


def one_line(text: str) -> str:
    return " ".join(clean_text(text).split())


def parse(text: str) -> Any:
    parsed = feedparser.parse(text.encode("utf-8"))
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def test_feedparser_reads_our_atom_with_every_field(
    stored: tuple[Repository, list[int]], tmp_path: Path
) -> None:
    repository, _ids = stored
    rows = approved(repository)
    parsed = parse(export_text(repository, "atom", tmp_path))

    assert parsed.version == "atom10"
    feed = parsed.feed
    assert feed.title == FEED.title
    assert feed.id == "tag:safeguarding.example.org,2024:feed/approved"
    assert instant(feed.updated_parsed) == APPROVED_AT
    assert {(link.rel, link.href) for link in feed.links} == {
        ("self", f"{BASE}/feeds/approved.atom"),
        ("alternate", f"{BASE}/"),
    }
    assert feed.author == FEED.author

    assert len(parsed.entries) == len(rows) == 7
    for entry, row in zip(parsed.entries, rows, strict=True):
        item = row.item
        assert entry.id == feeds.entry_id(row, FEED.authority)
        assert entry.id.startswith("tag:safeguarding.example.org,2024:item/")
        assert entry.title == one_line(row.title)
        assert entry.link == item.url
        assert entry.get("summary", "") == one_line(row.summary)
        assert entry.author == item.publisher
        assert [tag.term for tag in entry.tags] == [*item.topics, item.doc_type.value]
        assert instant(entry.published_parsed) == item.published
        assert instant(entry.updated_parsed) == feeds.updated_of(row)
        enclosures = [(e.href, e.get("length")) for e in entry.get("enclosures", [])]
        assert enclosures == [(a.url, str(a.size) if a.size else None) for a in item.attachments]
        related = [(lk.href, lk.title) for lk in entry.links if lk.rel == "related"]
        assert related == [
            (link.url, link.label) for link in item.links if link.url.startswith("https:")
        ]


def test_feedparser_reads_our_rss_with_every_field(
    stored: tuple[Repository, list[int]], tmp_path: Path
) -> None:
    repository, _ids = stored
    rows = approved(repository)
    text = export_text(repository, "rss", tmp_path)
    parsed = parse(text)

    assert parsed.version == "rss20"
    assert parsed.feed.title == FEED.title
    assert parsed.feed.link == f"{BASE}/"
    assert parsed.feed.author == FEED.author
    assert instant(parsed.feed.updated_parsed) == APPROVED_AT
    assert any(
        link.rel == "self" and link.href == f"{BASE}/feeds/approved.rss"
        for link in parsed.feed.links
    )
    assert len(parsed.entries) == len(rows)
    for entry, row in zip(parsed.entries, rows, strict=True):
        item = row.item
        assert entry.title == one_line(row.title)
        assert entry.link == item.url
        assert entry.id == feeds.entry_id(row, FEED.authority)  # as Atom's id, stable
        assert entry.guidislink is False
        assert entry.get("summary", "") == one_line(row.summary)
        assert entry.author == item.publisher
        assert [tag.term for tag in entry.get("tags", [])] == item.topics
        assert instant(entry.published_parsed) == item.published
        if item.attachments:
            [enclosure] = entry.enclosures
            assert enclosure.href == item.attachments[0].url
    assert text.count('isPermaLink="false"') == len(rows)


def test_json_feed_is_valid_against_the_1_1_schema(
    stored: tuple[Repository, list[int]], tmp_path: Path
) -> None:
    repository, _ids = stored
    rows = approved(repository)
    document = json.loads(export_text(repository, "jsonfeed", tmp_path))
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.validate(document, SCHEMA, cls=jsonschema.Draft202012Validator)

    assert document["feed_url"] == f"{BASE}/feeds/approved.json"
    assert [entry["id"] for entry in document["items"]] == [
        feeds.entry_id(row, FEED.authority) for row in rows
    ]
    for entry, row in zip(document["items"], rows, strict=True):
        assert entry["title"] == one_line(row.title)
        assert entry["url"] == row.item.url
        assert entry["authors"] == [{"name": row.item.publisher}]
        assert entry["_aggregator"]["source"] == row.item.source


@pytest.mark.parametrize(
    "broken",
    [
        {"items": [{"content_text": "no id"}]},
        {"items": [{"id": "x"}]},  # neither content_text nor content_html
        {"items": [{"id": "x", "content_text": "", "date_published": "2024-05-09"}]},
        {"items": [{"id": "x", "content_text": "", "attachments": [{"url": "https://a/b"}]}]},
        {"items": [{"id": 7, "content_text": ""}]},
        {"items": [], "author": {}},
        {"items": [], "titel": "typo"},
        {"items": [], "version": "https://jsonfeed.org/version/1"},
    ],
)
def test_the_schema_refuses_what_the_specification_forbids(broken: dict[str, Any]) -> None:
    document = {"version": "https://jsonfeed.org/version/1.1", "title": "T", **broken}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, SCHEMA, cls=jsonschema.Draft202012Validator)


def test_a_bst_and_a_gmt_date_round_trip_exactly(
    stored: tuple[Repository, list[int]], tmp_path: Path
) -> None:
    repository, _ids = stored
    atom = parse(export_text(repository, "atom", tmp_path))
    rss = parse(export_text(repository, "rss", tmp_path))
    document = json.loads(export_text(repository, "jsonfeed", tmp_path))
    by_title = {e.title: e for e in atom.entries}
    rss_by_title = {e.title: e for e in rss.entries}
    json_by_title = {e["title"]: e for e in document["items"]}

    bst = "Child sexual abuse: mandatory reporting"  # published April (BST), updated 9 May
    gmt = "Multi-agency working and information sharing: learning from case reviews"
    for title, published in ((bst, BST_PUBLISHED), (gmt, GMT_PUBLISHED)):
        assert instant(by_title[title].published_parsed) == published
        assert instant(rss_by_title[title].published_parsed) == published
        assert datetime.fromisoformat(json_by_title[title]["date_published"]) == published
    # written in London time, so the day a reader shows is the publisher's day
    assert json_by_title[bst]["date_published"] == "2024-04-01T00:00:00+01:00"
    assert json_by_title[gmt]["date_published"] == "2024-01-15T00:00:00+00:00"
    assert "<pubDate>Mon, 01 Apr 2024 00:00:00 +0100</pubDate>" in export_text(
        repository, "rss", tmp_path
    )
    assert instant(by_title[bst].updated_parsed) == BST_UPDATED
    assert datetime.fromisoformat(json_by_title[bst]["date_modified"]) == BST_UPDATED


def test_ids_stay_and_updated_moves_when_an_item_is_updated(sqlite_repo: Repository) -> None:
    [first] = sqlite_repo.upsert_items([page()], SEEN)
    sqlite_repo.review(first.item_id, "approve", at=APPROVED_AT)
    [before] = approved(sqlite_repo)

    later = datetime(2024, 6, 3, 8, tzinfo=UTC)
    changed = page(
        title="Keeping children safe in education 2024",
        updated=datetime(2024, 6, 2, 9, tzinfo=UTC),
        change_note="Revised for September.",
    )
    [again] = sqlite_repo.upsert_items([changed], later)
    assert again.outcome == "updated"
    [after] = approved(sqlite_repo)

    assert feeds.entry_id(after) == feeds.entry_id(before)
    assert feeds.updated_of(before) == datetime(2024, 1, 10, tzinfo=UTC)
    assert feeds.updated_of(after) == later  # when we saw the update: newer than its date
    atom = parse("".join(feeds.atom(iter([after]), FEED)))
    assert atom.entries[0].id == feeds.entry_id(after, FEED.authority)
    assert atom.entries[0].title == "Keeping children safe in education 2024"


def test_ids_survive_a_key_change() -> None:
    row = ExportRow(
        id=1,
        item=page(key="gov.uk/new-key", aliases=["key:gov.uk/old key", "govuk-content-id:x"]),
        status="approved",
        reviewed_at=APPROVED_AT,
        changed_at=None,
        shown_updated=None,
    )
    assert feeds.entry_id(row, "example.org,2024") == (
        "tag:example.org,2024:item/home_office/gov.uk/old%20key"
    )


def test_a_moved_page_keeps_its_rss_guid() -> None:
    """RSS readers and RSS-to-email key entries by guid: a page the publisher moves (a new URL
    and key, the old key kept as an alias) is the same entry, with its new link."""

    def rss_of(item: Any) -> Any:
        row = ExportRow(
            id=1,
            item=item,
            status="approved",
            reviewed_at=APPROVED_AT,
            changed_at=None,
            shown_updated=None,
        )
        return parse("".join(feeds.rss(iter([row]), FEED))).entries[0]

    before = rss_of(page(key="gov.uk/old", url="https://www.gov.uk/old"))
    moved = page(key="gov.uk/new", url="https://www.gov.uk/new", aliases=["key:gov.uk/old"])
    after = rss_of(moved)
    assert after.id == before.id and after.id.startswith("tag:")
    assert (before.link, after.link) == ("https://www.gov.uk/old", "https://www.gov.uk/new")


def test_writers_stream_one_chunk_per_entry(sqlite_repo: Repository) -> None:
    results = sqlite_repo.upsert_items(
        [page(key=f"k/{n}", url=f"https://www.gov.uk/k/{n}") for n in range(5)], SEEN
    )
    for result in results:
        sqlite_repo.review(result.item_id, "approve", at=APPROVED_AT)
    for writer in (feeds.atom, feeds.rss, jsonfeed):
        chunks = list(writer(sqlite_repo.iter_export(ExportSelection()), FEED))
        assert len(chunks) == 5 + 2


def test_hostile_text_is_escaped_and_characters_xml_cannot_carry_are_dropped(
    stored: tuple[Repository, list[int]], tmp_path: Path
) -> None:
    repository, _ids = stored
    text = export_text(repository, "atom", tmp_path)
    assert "\x01" not in text and "<script>" not in text
    [entry] = [e for e in parse(text).entries if e.title.startswith("Apps")]
    assert entry.title == one_line(HOSTILE_TITLE)
    assert "javascript:" not in " ".join(link.href for link in entry.links)


def test_json_feed_carries_the_review_state_and_drafts_only_when_given(
    stored: tuple[Repository, list[int]],
) -> None:
    repository, ids = stored
    items = {row.id: row.item for row in approved(repository)}
    store = DraftStore(repository.engine)
    store.save_drafts(
        {ids[5]: build_draft(items[ids[5]], "For this briefing we read case reviews.", 90)},
        APPROVED_AT,
    )
    document = json.loads("".join(jsonfeed(approved(repository), FEED, store.many)))
    jsonschema.validate(document, SCHEMA, cls=jsonschema.Draft202012Validator)
    by_id = dict(zip([row.id for row in approved(repository)], document["items"], strict=True))
    briefing = by_id[ids[5]]["_aggregator"]
    assert briefing["status"] == "approved"
    assert briefing["editor_summary"] is None
    draft = briefing["draft"]
    assert draft["machine_written"] is True and draft["checked"] is False
    assert draft["text"].startswith("The NSPCC has published")
    assert "we read" not in draft["text"]
    assert draft["sensitive"] is True and draft["sensitive_reasons"] == ["case review"]
    # the feed's own summary stays the publisher's (or the editor's), never the draft
    assert by_id[ids[5]]["content_text"] == one_line(items[ids[5]].summary)
    edited = by_id[ids[4]]["_aggregator"]
    assert edited["editor_summary"].startswith("Guidance to help frontline practitioners")
    assert edited["draft"] is None

    # the public feed (no drafts passed) has the status and the editor's summary, no draft
    public = json.loads("".join(jsonfeed(approved(repository), FEED)))
    assert all("draft" not in entry["_aggregator"] for entry in public["items"])
    assert all(entry["_aggregator"]["status"] == "approved" for entry in public["items"])


def test_an_editors_correction_moves_updated_and_published_stays(
    sqlite_repo: Repository,
) -> None:
    """Readers refresh an entry when its `updated` moves: an editor's corrected title does
    move it (Atom `updated`, JSON Feed `date_modified`); an approval alone does not; the
    publisher's `published` never moves."""
    [first] = sqlite_repo.upsert_items([page()], SEEN)
    sqlite_repo.review(first.item_id, "approve", at=APPROVED_AT)
    [approved_only] = approved(sqlite_repo)
    assert feeds.updated_of(approved_only) < APPROVED_AT  # the approval is not an update

    corrected_at = datetime(2024, 6, 4, 15, tzinfo=UTC)
    sqlite_repo.edit(first.item_id, title="Corrected title", at=corrected_at, actor="ed")
    [corrected] = approved(sqlite_repo)
    assert feeds.updated_of(corrected) == corrected_at
    assert feeds.published_of(corrected) == feeds.published_of(approved_only)
    atom = parse("".join(feeds.atom(iter([corrected]), FEED))).entries[0]
    assert atom.title == "Corrected title"
    assert instant(atom.updated_parsed) == corrected_at
    json_item = json.loads("".join(jsonfeed(iter([corrected]), FEED)))["items"][0]
    assert datetime.fromisoformat(json_item["date_modified"]) == corrected_at
    assert (
        json_item["date_published"]
        == json.loads("".join(jsonfeed(iter([approved_only]), FEED)))["items"][0]["date_published"]
    )
