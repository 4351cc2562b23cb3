"""Calendar dates (issue #17, defect 9): a date of day, month or year precision is its London
date in JSON, never the day before in UTC (docs/schema.md, "Dates")."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregator.normalise.dates import parse_date
from aggregator.schema import (
    Item,
    Precision,
    calendar_instant,
    date_from_json,
    date_json,
    instant_json,
    london_midnight,
)

DAY, MONTH, YEAR, NONE = Precision.DAY, Precision.MONTH, Precision.YEAR, Precision.NONE


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=UTC)


# (what a parser read, its precision, the stored instant, the JSON)
CASES = [
    # 31 May 2024 is in BST: London midnight is 23:00 UTC the day before
    ("31 May 2024", DAY, utc(2024, 5, 30, 23), "2024-05-31"),
    # 5 January is in GMT: London midnight is UTC midnight
    ("5 Jan 2024", DAY, utc(2024, 1, 5), "2024-01-05"),
    ("April 2024", MONTH, utc(2024, 3, 31, 23), "2024-04"),
    ("January 2024", MONTH, utc(2024, 1, 1), "2024-01"),
    ("2024", YEAR, utc(2024, 1, 1), "2024"),
    # the first day of BST (31 March 2024) and of GMT (27 October 2024) start at their own
    # London midnight: GMT for the first, BST for the second
    ("31 March 2024", DAY, utc(2024, 3, 31), "2024-03-31"),
    ("27 October 2024", DAY, utc(2024, 10, 26, 23), "2024-10-27"),
    # a time the publisher gave is kept, written with the London offset: 00:01 BST on
    # 31 May is 23:01 UTC on the 30th, and the date part still reads 31 May
    ("2024-05-31T00:01:00+01:00", DAY, utc(2024, 5, 30, 23, 1), "2024-05-31T00:01:00+01:00"),
    ("2024-05-09T10:15:00.000+01:00", DAY, utc(2024, 5, 9, 9, 15), "2024-05-09T10:15:00+01:00"),
    ("2024-01-09T10:15:00Z", DAY, utc(2024, 1, 9, 10, 15), "2024-01-09T10:15:00+00:00"),
]


@pytest.mark.parametrize(("text", "precision", "stored", "written"), CASES)
def test_a_parsed_date_is_stored_once_and_written_as_its_london_date(
    text: str, precision: Precision, stored: datetime, written: str
) -> None:
    parsed = parse_date(text)
    assert parsed.precision == precision
    assert parsed.value == stored
    assert calendar_instant(parsed.value, precision) == stored  # already the stored form
    assert date_json(stored, precision) == written
    assert date_from_json(written, precision) == stored


@pytest.mark.parametrize(
    ("old", "precision", "stored", "written"),
    [
        # what to_json wrote before: London midnight as a UTC instant, the day before
        ("2024-05-30T23:00:00Z", DAY, utc(2024, 5, 30, 23), "2024-05-31"),
        ("2024-03-31T23:00:00Z", MONTH, utc(2024, 3, 31, 23), "2024-04"),
        ("2023-12-31T23:00:00+00:00", YEAR, utc(2023, 1, 1), "2023"),  # any instant of 2023
        ("2024-01-01T00:00:00Z", YEAR, utc(2024, 1, 1), "2024"),
        # UTC midnight, as some writers store a date alone, is that date too
        ("2024-05-31T00:00:00Z", DAY, utc(2024, 5, 30, 23), "2024-05-31"),
        ("2024-04-01T00:00:00Z", MONTH, utc(2024, 3, 31, 23), "2024-04"),
        # a time of day stays an instant
        ("2024-05-09T09:15:00Z", DAY, utc(2024, 5, 9, 9, 15), "2024-05-09T10:15:00+01:00"),
    ],
)
def test_old_instants_read_as_the_right_day(
    old: str, precision: Precision, stored: datetime, written: str
) -> None:
    value = date_from_json(old, precision)
    assert value == stored
    assert value is not None and date_json(value, precision) == written


def test_calendar_instant_is_idempotent_and_leaves_other_values_alone() -> None:
    for _text, precision, stored, _written in CASES:
        assert calendar_instant(calendar_instant(stored, precision), precision) == stored
    exact = utc(2024, 5, 31)  # UTC midnight with no precision: an exact instant (an event)
    assert calendar_instant(exact, NONE) == exact
    assert calendar_instant(None, DAY) is None
    assert london_midnight(utc(2024, 5, 31).date()) == utc(2024, 5, 30, 23)


def test_instants_are_written_in_london_time() -> None:
    assert instant_json(utc(2024, 5, 30, 23)) == "2024-05-31T00:00:00+01:00"
    assert instant_json(utc(2024, 1, 5, 23, 30)) == "2024-01-05T23:30:00+00:00"
    assert instant_json(utc(2024, 5, 31, 8, 0, 0, 123456)) == "2024-05-31T09:00:00.123456+01:00"


def item(**fields: object) -> Item:
    base: dict[str, object] = {
        "key": "gov.uk/x",
        "source": "home_office",
        "publisher": "Home Office",
        "title": "T",
        "url": "https://www.gov.uk/x",
    }
    return Item(**{**base, **fields})  # type: ignore[arg-type]


def test_item_json_writes_dates_as_dates_and_reads_both_forms() -> None:
    found = item(
        published=utc(2024, 5, 30, 23),
        published_precision=DAY,
        updated=utc(2024, 5, 30, 23, 1),
        event_start=utc(2024, 5, 31),  # UTC midnight: held as London midnight
        event_precision=MONTH,
        closes=utc(2024, 6, 12, 22, 59),
    )
    assert found.event_start == utc(2024, 4, 30, 23)
    data = found.to_json()
    assert data["published"] == "2024-05-31"
    assert data["event_start"] == "2024-05"
    assert data["updated"] == "2024-05-31T00:01:00+01:00"
    assert data["closes"] == "2024-06-12T23:59:00+01:00"
    back = Item.from_json(data)
    assert back == found
    assert back.updated is not None and back.updated.utcoffset() is not None
    assert back.updated.tzinfo == UTC

    old = data | {
        "published": "2024-05-30T23:00:00Z",
        "event_start": "2024-04-30T23:00:00Z",
        "updated": "2024-05-30T23:01:00Z",
        "closes": "2024-06-12T22:59:00Z",
    }
    assert Item.from_json(old) == found


def test_an_item_holds_one_form_of_each_date() -> None:
    utc_midnight = item(published=utc(2024, 5, 31), published_precision=DAY)
    london = item(published=utc(2024, 5, 30, 23), published_precision=DAY)
    assert utc_midnight == london
    month = item(published=utc(2024, 4, 15, 9), published_precision=MONTH)
    assert month.published == utc(2024, 3, 31, 23)
    assert month.to_json()["published"] == "2024-04"
