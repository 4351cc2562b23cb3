"""One order for feeds wherever they are read, and one timestamp precision in JSON Lines."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import feedparser
import pytest
from flask import Flask

from aggregator.exports.syndication import entry_id
from aggregator.exports.web import feeds_blueprint
from aggregator.storage.exports import ExportSelection
from aggregator.storage.repository import Repository
from tests.exports.conftest import APPROVED_AT, EDITOR, FEED, export_text

Stored = tuple[Repository, list[int]]
INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


def strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for inner in value.values() for s in strings(inner)]
    if isinstance(value, list):
        return [s for inner in value for s in strings(inner)]
    return []


def test_json_lines_writes_every_instant_to_the_second(stored: Stored, tmp_path: Path) -> None:
    repository, ids = stored
    # review times carry microseconds; the corpus's crawl times do not
    repository.review(
        ids[2], "approve", at=APPROVED_AT + timedelta(microseconds=123456), actor=EDITOR
    )
    records = [
        json.loads(line) for line in export_text(repository, "jsonl", tmp_path).split("\n") if line
    ]
    instants = [s for record in records for s in strings(record) if INSTANT.match(s)]
    assert instants
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", s) for s in instants)
    approved = next(r for r in records if r["id"] == ids[2])
    assert approved["reviewed_at"] == approved["approved_at"] == "2024-05-31T10:30:00+01:00"


@pytest.mark.parametrize(("fmt", "route"), [("atom", "atom"), ("rss", "rss"), ("jsonfeed", "json")])
def test_the_cli_and_the_served_feed_list_entries_in_one_order(
    stored: Stored, tmp_path: Path, fmt: str, route: str
) -> None:
    """Most recently reviewed first, in both (docs/exports.md)."""
    repository, ids = stored
    repository.review(ids[3], "approve", at=APPROVED_AT + timedelta(days=2), actor=EDITOR)
    repository.review(ids[1], "approve", at=APPROVED_AT + timedelta(days=1), actor=EDITOR)
    app = Flask("review-app")
    app.register_blueprint(feeds_blueprint(lambda: repository, info=FEED))
    served = app.test_client().get(f"/feeds/approved.{route}").data.decode("utf-8")
    exported = export_text(repository, fmt, tmp_path)

    def ids_of(text: str) -> list[str]:
        if fmt == "jsonfeed":
            return [item["id"] for item in json.loads(text)["items"]]
        return [entry.id for entry in feedparser.parse(text).entries]

    assert ids_of(served) == ids_of(exported)
    order = ids_of(exported)
    assert len(order) == 7
    newest, second = list(repository.iter_export(ExportSelection(order="recent")))[:2]
    assert (newest.id, second.id) == (ids[3], ids[1])
    assert order[:2] == [entry_id(newest, FEED.authority), entry_id(second, FEED.authority)]
