"""A cross-source cluster is one entry in every export format: the publisher of record's
item, with the other sightings as "via" lines, links or fields, never a second entry."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import feedparser
import pytest

from aggregator.dedupe.clusters import Match
from aggregator.exports.run import FORMATS, ExportOptions, export, selection_for
from aggregator.schema import DocType
from aggregator.storage.exports import ExportSelection
from aggregator.storage.repository import Repository
from tests.exports.conftest import APPROVED_AT, EDITOR, SEEN, export_text, page

Stored = tuple[Repository, list[int]]
SIGHTING_URL = "https://www.nspcc.org.uk/about-us/news-opinion/2024/mandatory-reporting-response/"
SIGHTING_TITLE = "Our reaction to the mandatory reporting response"


@pytest.fixture
def clustered(stored: Stored) -> tuple[Repository, int, int]:
    """The Home Office's consultation response (item 1) and the NSPCC's news story about it,
    both approved and clustered; (repository, lead id, sighting id)."""
    repository, ids = stored
    news = page(
        key="nspcc.org.uk/about-us/news-opinion/2024/mandatory-reporting-response",
        source="nspcc",
        publisher="NSPCC",
        url=SIGHTING_URL,
        title=SIGHTING_TITLE,
        doc_type=DocType.NEWS,
    )
    (result,) = repository.upsert_items([news], SEEN)
    sighting = result.item_id
    repository.review(sighting, "approve", at=APPROVED_AT + timedelta(minutes=5), actor=EDITOR)
    repository.merge(sighting, Match(ids[0], "links to the response", "link", 0.9), SEEN)
    (cluster,) = repository.clusters(ids[0])
    lead = cluster.publisher_item_id
    assert lead == ids[0]  # the government department is the publisher of record
    return repository, lead, sighting


def test_every_format_shows_the_cluster_once_with_its_sighting(
    clustered: tuple[Repository, int, int], tmp_path: Path
) -> None:
    repository, _lead, _sighting = clustered
    for fmt in FORMATS:
        out = export_text(repository, fmt, tmp_path)
        assert SIGHTING_URL in out, fmt  # the sighting is there, as a via line or field
        assert out.count(SIGHTING_URL) == 1, fmt  # once: a via line, never its own entry
        assert out.count(SIGHTING_TITLE) <= 1, fmt  # only on its via line, never an entry


def test_feed_entries_and_rows_count_the_publication_once(
    clustered: tuple[Repository, int, int], tmp_path: Path
) -> None:
    repository, lead, sighting = clustered
    atom = feedparser.parse(export_text(repository, "atom", tmp_path))
    rss = feedparser.parse(export_text(repository, "rss", tmp_path))
    assert len(atom.entries) == len(rss.entries) == 7  # seven approved publications
    for document in (atom, rss):
        (entry,) = [e for e in document.entries if e.title.startswith("Child sexual abuse")]
        via = [link for link in entry.links if link.rel == "via"]
        assert [(link.href, link.title) for link in via] == [
            (SIGHTING_URL, f"NSPCC: {SIGHTING_TITLE}")
        ]
    feed = json.loads(export_text(repository, "jsonfeed", tmp_path))
    (item,) = [i for i in feed["items"] if i["title"].startswith("Child sexual abuse")]
    assert item["_aggregator"]["via"] == [
        {"item_id": sighting, "publisher": "NSPCC", "title": SIGHTING_TITLE, "url": SIGHTING_URL}
    ]
    lines = [json.loads(line) for line in export_text(repository, "jsonl", tmp_path).splitlines()]
    assert [record["id"] for record in lines].count(sighting) == 0
    assert next(r for r in lines if r["id"] == lead)["via"][0]["url"] == SIGHTING_URL
    rows = list(csv.DictReader(io.StringIO(export_text(repository, "csv", tmp_path))))
    assert len(rows) == 7
    assert next(r for r in rows if r["id"] == str(lead))["via"] == f"NSPCC: {SIGHTING_URL}"


def test_bulletin_formats_word_the_sighting_as_the_example_does(
    clustered: tuple[Repository, int, int], tmp_path: Path
) -> None:
    repository, _lead, _sighting = clustered
    text = " ".join(export_text(repository, "text", tmp_path).split())  # unwrapped
    assert f"Read the report via the NSPCC: {SIGHTING_TITLE} {SIGHTING_URL}" in text
    markdown = export_text(repository, "markdown", tmp_path)
    assert f"Read the report via the NSPCC: [{SIGHTING_TITLE}]({SIGHTING_URL})" in markdown


def test_a_consumer_is_sent_the_cluster_once_and_never_its_sighting_later(
    clustered: tuple[Repository, int, int], tmp_path: Path
) -> None:
    repository, _lead, sighting = clustered
    selection = selection_for(repository, ExportSelection(consumer="mailer"), "jsonl", None)
    first = export(repository, selection, ExportOptions(format="jsonl"), tmp_path / "a.jsonl")
    assert first.count == 8 and first.recorded == 8  # seven entries, eight items
    again = export(repository, selection, ExportOptions(format="jsonl"), tmp_path / "b.jsonl")
    assert again.count == 0
    assert str(sighting) not in (tmp_path / "b.jsonl").read_text(encoding="utf-8")


def test_when_only_the_sighting_is_selected_it_is_the_entry(
    clustered: tuple[Repository, int, int], tmp_path: Path
) -> None:
    """A filter that takes the sighting but not the publisher of record (another source)
    still shows the publication once: the sighting, with the record as its via line."""
    repository, lead, sighting = clustered
    selection = ExportSelection(source="nspcc")
    rows = list(repository.iter_export(selection))
    assert [row.id for row in rows if row.id == sighting] == [sighting]
    (row,) = [row for row in rows if row.id == sighting]
    assert [found.item_id for found in row.via] == [lead]
