"""Table-driven tests for aggregator.normalise.dates.

Rows use the real strings recorded in /work/shared/sources.md (sections 0.3, 0.5, 1.2, 1.3,
4.2 and 6.2). Expected values are UTC; date-only text is London midnight in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from aggregator.normalise import DateError, ParsedDate, parse_date, parse_event_range, to_utc
from aggregator.schema import Precision


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


DAY, MONTH, YEAR = Precision.DAY, Precision.MONTH, Precision.YEAR

PARSE_ROWS = [
    # --- day precision, London midnight in UTC ---
    ("31 May 2024", "2024-05-30T23:00", DAY),  # BST
    ("5 Jan 2024", "2024-01-05T00:00", DAY),  # GMT
    # NSPCC news and evergreen pages (sources 1.2, 1.3)
    ("Last updated: 31 May 2024", "2024-05-30T23:00", DAY),
    ("Last updated: 02 Sept 2025", "2025-09-01T23:00", DAY),
    ("02 Sept 2025", "2025-09-01T23:00", DAY),
    ("02 Sept. 2025", "2025-09-01T23:00", DAY),
    ("Last updated: 05 Oct 2020", "2020-10-04T23:00", DAY),
    ("05 Oct 2020", "2020-10-04T23:00", DAY),
    ("Last updated: 16 Mar 2022", "2022-03-16T00:00", DAY),
    ("Last updated: 17 May 2023", "2023-05-16T23:00", DAY),
    # LFF 2019 pages: day-first numeric (sources 4.2)
    ("Published: 01/03/2019", "2019-03-01T00:00", DAY),
    ("Published: 02/10/2019", "2019-10-01T23:00", DAY),
    ("01/03/2019", "2019-03-01T00:00", DAY),
    # stopitnow.org.uk (sources 4.1)
    ("1 September 2022", "2022-08-31T23:00", DAY),
    # GOV.UK visible dates (sources 0.5)
    ("Published 2 November 2023", "2023-11-02T00:00", DAY),
    ("Last updated 9 May 2024", "2024-05-08T23:00", DAY),
    ("Updated 9 May 2024", "2024-05-08T23:00", DAY),
    ("Published 21 March 2024", "2024-03-21T00:00", DAY),
    # LSCP / CASPAR copies (sources 1.5)
    ("Date: 30 May 2024", "2024-05-29T23:00", DAY),
    ("Date: 07 March 2019", "2019-03-07T00:00", DAY),
    # --- month precision: first of the month ---
    ("Publication date April 2024", "2024-03-31T23:00", MONTH),
    ("Publication date May 2021", "2021-04-30T23:00", MONTH),
    ("Publication date January 2025", "2025-01-01T00:00", MONTH),
    ("May 2024", "2024-04-30T23:00", MONTH),
    ("Sept 2024", "2024-08-31T23:00", MONTH),
    ("2024-05", "2024-04-30T23:00", MONTH),
    # --- year precision: 1 January ---
    ("(Published 2022)", "2022-01-01T00:00", YEAR),
    ("Published: 2021", "2021-01-01T00:00", YEAR),
    ("2024", "2024-01-01T00:00", YEAR),
    # --- ISO 8601 (GOV.UK Search and Content APIs, govuk: meta tags) ---
    ("2024-05-09T10:15:00Z", "2024-05-09T10:15", DAY),
    ("2024-05-09T11:15:00+01:00", "2024-05-09T10:15", DAY),
    ("2024-05-09T10:15:00.000+00:00", "2024-05-09T10:15", DAY),
    ("2024-05-09", "2024-05-08T23:00", DAY),  # not 5 September despite dayfirst
    ("2018-12-26T12:23:34+01:00", "2018-12-26T11:23:34", DAY),
    ("2023-04-12T08:39:02+01:00", "2023-04-12T07:39:02", DAY),
    ("2024-05-09T11:15:00", "2024-05-09T10:15", DAY),  # no zone: London
    # --- RFC 822 feed dates ---
    ("Thu, 09 May 2024 10:15:00 +0100", "2024-05-09T09:15", DAY),
    ("Thu, 09 May 2024 09:15:00 GMT", "2024-05-09T09:15", DAY),
    ("Thu, 09 May 2024 10:15:00 BST", "2024-05-09T09:15", DAY),
    ("Thu, 09 May 2024 09:15:00 UTC", "2024-05-09T09:15", DAY),
    ("Thu, 09 May 2024 09:15:00 -0000", "2024-05-09T09:15", DAY),
    # --- times without a zone are London wall-clock time ---
    ("31 May 2024 10:15", "2024-05-31T09:15", DAY),
    ("5 Jan 2024 10:15", "2024-01-05T10:15", DAY),
    # --- a zone label is taken as written, even when wrong for the season ---
    ("15 July 2024 12:00 GMT", "2024-07-15T12:00", DAY),
    ("15 January 2024 12:00 BST", "2024-01-15T11:00", DAY),
    # --- whitespace and non-breaking spaces around real strings ---
    ("  Last updated:\u00a031 May 2024 ", "2024-05-30T23:00", DAY),
]


@pytest.mark.parametrize(("text", "expected", "precision"), PARSE_ROWS)
def test_parse_date(text: str, expected: str, precision: Precision) -> None:
    assert parse_date(text) == ParsedDate(utc(expected), precision)


# BST began 01:00 UTC on 31 March 2024 and ended 01:00 UTC on 27 October 2024.
CHANGEOVER_ROWS = [
    ("30 March 2024 12:00", "2024-03-30T12:00"),  # last GMT day
    ("1 April 2024 12:00", "2024-04-01T11:00"),  # BST
    ("31 March 2024 00:30", "2024-03-31T00:30"),  # before the gap: GMT
    ("31 March 2024 01:30", "2024-03-31T01:30"),  # nonexistent; fold=0 uses pre-gap GMT
    ("31 March 2024 02:30", "2024-03-31T01:30"),  # after the gap: BST
    ("27 October 2024 00:30", "2024-10-26T23:30"),  # still BST
    ("27 October 2024 01:30", "2024-10-27T00:30"),  # ambiguous; fold=0 = first (BST)
    ("27 October 2024 02:30", "2024-10-27T02:30"),  # GMT again
    ("Sun, 27 Oct 2024 01:30:00 GMT", "2024-10-27T01:30"),  # explicit zone wins
    ("Sun, 27 Oct 2024 01:30:00 BST", "2024-10-27T00:30"),
    ("Sun, 27 Oct 2024 01:30:00 +0000", "2024-10-27T01:30"),
    ("Sun, 31 Mar 2024 01:30:00 +0100", "2024-03-31T00:30"),
    ("31 March 2024", "2024-03-31T00:00"),  # midnight is before the gap: GMT
    ("27 October 2024", "2024-10-26T23:00"),  # midnight is still BST
    ("28 October 2024", "2024-10-28T00:00"),
]


@pytest.mark.parametrize(("text", "expected"), CHANGEOVER_ROWS)
def test_parse_date_changeover(text: str, expected: str) -> None:
    assert parse_date(text) == ParsedDate(utc(expected), Precision.DAY)


@pytest.mark.parametrize("text", [None, "", "   ", "\u00a0\n", "Published:", "(Published)"])
def test_parse_date_undated(text: str | None) -> None:
    assert parse_date(text) == ParsedDate(None, Precision.NONE)


ERROR_ROWS = [
    "garbage",
    "not a date at all",
    "31 May",  # no year: never filled in from today
    "02 Sept",
    "May",
    "10:15",
    "Thursday",
    "Thursday May 2024",  # a weekday but no day of the month
    "Fri, 09 May 2024 10:15:00 +0100",  # 9 May 2024 was a Thursday
    "01/03/19",  # two-digit year: the century would come from today's date
    "30 February 2024",
    "2024-13-01",
    "2024-02-30",
    "31 May 2024 EST",  # only BST/GMT/UTC are read
    "31 May 2024 CEST",
    "Last updated: 31 May 2024 Topics: Podcast",  # trailing text is the caller's job
    "2024 10:15",  # a time without a day
]


@pytest.mark.parametrize("text", ERROR_ROWS)
def test_parse_date_errors(text: str) -> None:
    with pytest.raises(DateError) as info:
        parse_date(text)
    assert repr(text) in str(info.value)
    assert info.value.text == text


def test_date_error_is_value_error() -> None:
    assert issubclass(DateError, ValueError)


@pytest.mark.parametrize(
    ("text", "dayfirst", "expected"),
    [
        ("01/03/2019", True, "2019-03-01T00:00"),
        ("01/03/2019", False, "2019-01-03T00:00"),
        ("2019/03/01", True, "2019-03-01T00:00"),  # year first is always Y-M-D
    ],
)
def test_parse_date_dayfirst(text: str, dayfirst: bool, expected: str) -> None:
    assert parse_date(text, dayfirst=dayfirst).value == utc(expected)


def test_parse_date_value_is_utc() -> None:
    value = parse_date("2024-05-09T11:15:00+01:00").value
    assert value is not None
    assert value.tzinfo is UTC


EVENT_ROWS = [
    # UK Trauma Council webinar string from the May 2024 bulletin (sources 6.2)
    (
        "Thursday May 16, 2024, 05:00 PM – 06:30 PM BST",
        "2024-05-16T16:00",
        "2024-05-16T17:30",
    ),
    ("Thursday May 16, 2024, 05:00 PM — 06:30 PM BST", "2024-05-16T16:00", "2024-05-16T17:30"),
    ("Thursday May 16, 2024, 05:00 PM - 06:30 PM BST", "2024-05-16T16:00", "2024-05-16T17:30"),
    ("Thursday May 16, 2024, 05:00 PM to 06:30 PM BST", "2024-05-16T16:00", "2024-05-16T17:30"),
    ("Thursday May 16, 2024, 05:00 PM – 06:30 PM", "2024-05-16T16:00", "2024-05-16T17:30"),
    ("Thursday May 16, 2024, 05:00 PM – 06:30 PM GMT", "2024-05-16T17:00", "2024-05-16T18:30"),
    ("Thursday May 16, 2024, 05:00 PM – 06:30 PM UTC", "2024-05-16T17:00", "2024-05-16T18:30"),
    ("16 May 2024, 17:00 - 18:30", "2024-05-16T16:00", "2024-05-16T17:30"),
    ("16 May 2024, 17:00–18:30", "2024-05-16T16:00", "2024-05-16T17:30"),
    ("16 May 2024 17:00-18:30", "2024-05-16T16:00", "2024-05-16T17:30"),
    ("16 May 2024, 5pm to 6.30pm", "2024-05-16T16:00", "2024-05-16T17:30"),
    ("16 May 2024 17:00 BST – 18:30", "2024-05-16T16:00", "2024-05-16T17:30"),
    # both sides dated
    ("16 May 2024 17:00 – 17 May 2024 12:00", "2024-05-16T16:00", "2024-05-17T11:00"),
    ("16 May 2024 – 17 May 2024", "2024-05-15T23:00", "2024-05-16T23:00"),
    (
        "2024-05-16T17:00:00+01:00 – 2024-05-16T18:30:00+01:00",
        "2024-05-16T16:00",
        "2024-05-16T17:30",
    ),
    # an end earlier than the start runs past midnight
    ("16 May 2024 23:00 – 01:00", "2024-05-16T22:00", "2024-05-17T00:00"),
    # winter events are GMT
    ("Thursday January 16, 2025, 05:00 PM – 06:30 PM", "2025-01-16T17:00", "2025-01-16T18:30"),
    # across the autumn changeover the end's wall time is read in London on its own
    ("27 October 2024 00:30 – 02:30", "2024-10-26T23:30", "2024-10-27T02:30"),
    # nonexistent spring time: fold=0 reads it as GMT
    ("31 March 2024 01:30 – 03:00", "2024-03-31T01:30", "2024-03-31T02:00"),
]


@pytest.mark.parametrize(("text", "start", "end"), EVENT_ROWS)
def test_parse_event_range(text: str, start: str, end: str) -> None:
    assert parse_event_range(text) == (utc(start), utc(end))


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("Thursday May 16, 2024, 05:00 PM BST", "2024-05-16T16:00"),
        ("16 May 2024 17:00", "2024-05-16T16:00"),
        ("16 May 2024", "2024-05-15T23:00"),
        ("2024-05-16T17:00:00-01:00", "2024-05-16T18:00"),  # a negative offset is no range
    ],
)
def test_parse_event_range_start_only(text: str, start: str) -> None:
    assert parse_event_range(text) == (utc(start), None)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "TBC",
        "May 2024",  # no day
        "16 May 17:00 – 18:30",  # no year
        "16 May 2024 17:00 – 18:30 – 19:00",
        "16 May 2024 17:00 – ",
        "16 May 2024 17:00 – 17",  # a bare number is not a time
        "16 May 2024 17:00 – 13:00 PM",
        "17 May 2024 12:00 – 16 May 2024 17:00",  # ends before it starts
        "16 May 2024 17:00 – 18:30 EST",
    ],
)
def test_parse_event_range_errors(text: str) -> None:
    with pytest.raises(DateError):
        parse_event_range(text)


TO_UTC_ROWS = [
    (datetime(2024, 5, 31, 12, 0), "2024-05-31T11:00"),
    (datetime(2024, 1, 5, 12, 0), "2024-01-05T12:00"),
    (datetime(2024, 3, 31, 1, 30), "2024-03-31T01:30"),  # gap, fold=0
    (datetime(2024, 10, 27, 1, 30), "2024-10-27T00:30"),  # overlap, fold=0
    (datetime(2024, 10, 27, 1, 30, fold=1), "2024-10-27T01:30"),  # caller's fold is kept
    (datetime(2024, 5, 31, 12, 0, tzinfo=timezone(timedelta(hours=2))), "2024-05-31T10:00"),
    (datetime(2024, 5, 31, 12, 0, tzinfo=UTC), "2024-05-31T12:00"),
]


@pytest.mark.parametrize(("dt", "expected"), TO_UTC_ROWS)
def test_to_utc(dt: datetime, expected: str) -> None:
    result = to_utc(dt)
    assert result == utc(expected)
    assert result.tzinfo is UTC


def test_to_utc_other_assumed_zone() -> None:
    assert to_utc(datetime(2024, 5, 31, 12, 0), assume="UTC") == utc("2024-05-31T12:00")
    assert to_utc(datetime(2024, 1, 5, 12, 0), assume="Europe/Paris") == utc("2024-01-05T11:00")
