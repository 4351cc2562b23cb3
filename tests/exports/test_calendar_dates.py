"""Every output reads a calendar date as its London day (issue #17, defect 9).

31 May 2024, April 2024 and 2024 are stored as London midnight in UTC (2024-05-30T23:00:00Z,
2024-03-31T23:00:00Z, 2024-01-01T00:00:00Z); none of the formats may print the day before.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from aggregator.exports.bulletin import date_line, render_markdown, render_text
from aggregator.exports.files import csv_record, jsonl_record
from aggregator.exports.jsonfeed import jsonfeed
from aggregator.exports.syndication import FeedInfo, atom, rss
from aggregator.review.app import _at_precision, _event_time
from aggregator.schema import DocType, Item, Precision
from aggregator.storage.exports import ExportRow

REVIEWED = datetime(2024, 6, 3, 9, tzinfo=UTC)

# (stored instant, precision, JSON and CSV, feeds' instant, bulletin and review app)
DATES = [
    (
        datetime(2024, 5, 30, 23, tzinfo=UTC),
        Precision.DAY,
        "2024-05-31",
        "2024-05-31T00:00:00+01:00",
        "31 May 2024",
    ),
    (
        datetime(2024, 3, 31, 23, tzinfo=UTC),
        Precision.MONTH,
        "2024-04",
        "2024-04-01T00:00:00+01:00",
        "April 2024",
    ),
    (datetime(2024, 1, 1, tzinfo=UTC), Precision.YEAR, "2024", "2024-01-01T00:00:00+00:00", "2024"),
    (
        datetime(2024, 1, 15, tzinfo=UTC),
        Precision.DAY,
        "2024-01-15",
        "2024-01-15T00:00:00+00:00",
        "15 January 2024",
    ),
]


def row(item: Item) -> ExportRow:
    return ExportRow(
        id=1,
        item=item,
        status="approved",
        reviewed_at=REVIEWED,
        changed_at=None,
        shown_updated=None,
    )


def dated(published: datetime, precision: Precision) -> Item:
    return Item(
        key="www.example.org/report",
        source="nspcc",
        publisher="NSPCC",
        title="A report",
        url="https://www.example.org/report",
        doc_type=DocType.REPORT,
        published=published,
        published_precision=precision,
    )


@pytest.mark.parametrize(("stored", "precision", "as_json", "instant", "shown"), DATES)
def test_a_published_date_is_its_london_day_in_every_output(
    stored: datetime, precision: Precision, as_json: str, instant: str, shown: str
) -> None:
    item = dated(stored, precision)
    export = row(item)
    assert item.to_json()["published"] == as_json
    assert jsonl_record(export)["published"] == as_json
    assert json.loads(json.dumps(jsonl_record(export)))["date"] == shown
    assert csv_record(export)["published"] == as_json
    assert csv_record(export)["date"] == shown
    info = FeedInfo(base_url="https://feeds.example.org")
    assert f"<published>{instant}</published>" in "".join(atom([export], info))
    feed = json.loads("".join(jsonfeed([export], info)))
    assert feed["items"][0]["date_published"] == instant
    assert feed["items"][0]["_aggregator"]["date"] == shown
    # RSS dates are RFC 822, in London time too: the day is right
    day = datetime.fromisoformat(instant).strftime("%d %b %Y")
    assert f"<pubDate>{datetime.fromisoformat(instant):%a}, {day} 00:00:00" in "".join(
        rss([export], info)
    )
    assert date_line(item) == shown
    assert f"Date: {shown}" in render_markdown([item])
    assert f"Date: {shown}" in render_text([item])
    assert _at_precision(item.published, precision) == shown


@pytest.mark.parametrize(("stored", "precision", "as_json", "instant", "shown"), DATES)
def test_a_release_date_is_its_london_day_in_every_output(
    stored: datetime, precision: Precision, as_json: str, instant: str, shown: str
) -> None:
    item = Item(
        key="www.gov.uk/government/statistics/announcements/x",
        source="dfe",
        publisher="Department for Education",
        title="Children looked after in England",
        url="https://www.gov.uk/government/statistics/announcements/x",
        doc_type=DocType.EVENT,
        event_start=stored,
        event_precision=precision,
    )
    export = row(item)
    assert item.to_json()["event_start"] == as_json
    assert csv_record(export)["event_start"] == as_json
    assert csv_record(export)["date"] == shown
    info = FeedInfo(base_url="https://feeds.example.org")
    feed = json.loads("".join(jsonfeed([export], info)))
    assert feed["items"][0]["_aggregator"]["event_start"] == instant
    assert date_line(item) == shown
    assert _event_time(item.event_start, precision) == shown


def test_a_time_the_publisher_gave_keeps_its_time_and_its_london_day() -> None:
    # 00:01 BST on 31 May (GOV.UK publishes at 00:01) is 23:01 UTC on the 30th
    item = dated(datetime(2024, 5, 30, 23, 1, tzinfo=UTC), Precision.DAY)
    export = row(item)
    assert item.to_json()["published"] == "2024-05-31T00:01:00+01:00"
    assert csv_record(export)["published"] == "2024-05-31T00:01:00+01:00"
    assert date_line(item) == "31 May 2024"
    timed = Item(
        key="k", source="s", publisher="P", title="T", url="https://x.example/",
        doc_type=DocType.EVENT, event_start=datetime(2024, 5, 16, 16, tzinfo=UTC),
    )  # fmt: skip
    assert _event_time(timed.event_start) == "16 May 2024 17:00"
    assert csv_record(row(timed))["event_start"] == "2024-05-16T17:00:00+01:00"


def test_instants_in_json_lines_carry_the_london_offset() -> None:
    item = dated(datetime(2024, 5, 30, 23, tzinfo=UTC), Precision.DAY)
    item.updated = datetime(2024, 6, 1, 23, 30, tzinfo=UTC)  # 00:30 BST on 2 June
    record = jsonl_record(row(item))
    assert record["updated"] == "2024-06-02T00:30:00+01:00"
    assert record["reviewed_at"] == "2024-06-03T10:00:00+01:00"
