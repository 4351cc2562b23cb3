"""Date parsing for publication dates, feed timestamps and event times.

Every function here is pure: nothing reads the clock, the local timezone or the network, so
the same text always gives the same answer.

Conventions (callers and storage rely on these):

* Every datetime returned is timezone-aware UTC.
* A date without a time is a *calendar day in London* (every source here is a UK publisher).
  It is held as midnight Europe/London converted to UTC, so ``31 May 2024`` (BST) becomes
  the instant 2024-05-30 23:00 UTC and ``5 Jan 2024`` (GMT) 2024-01-05 00:00 UTC: the schema's
  one stored form of a calendar date (``aggregator.schema.calendar_instant``). Its UTC date
  can be the day before, so it is never shown or written by its UTC date: outputs write the
  date itself or London midnight with the London offset (docs/schema.md, "Dates").
* A month-precision date is the first of that month and a year-precision date is 1 January,
  both as London midnight in UTC; ``ParsedDate.precision`` says how much the publisher gave.
  Precision is DAY for anything with a day, including full timestamps.
* A time without a zone is Europe/London wall-clock time. At the changeovers it is resolved
  with ``fold=0``: a time that does not exist (the spring gap, e.g. 01:30 on 31 March 2024) is
  read with the offset in force before the gap (GMT), and an ambiguous time (the autumn
  overlap, e.g. 01:30 on 27 October 2024) is read as the first occurrence (BST).
* Zone labels are taken as written: ``BST`` is +01:00 and ``GMT``/``UTC``/``Z`` are +00:00 even
  when the label is wrong for the season (``GMT`` in July). Any other zone name is rejected
  rather than guessed.
* Nothing is invented: text that is missing its year (``31 May``), carries a two-digit year,
  names a weekday that does not match the date, or cannot be parsed raises ``DateError``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from dateutil import parser as du_parser
from dateutil import tz as du_tz

from aggregator.schema import LONDON, Precision

__all__ = ["LONDON", "DateError", "ParsedDate", "parse_date", "parse_event_range", "to_utc"]


class DateError(ValueError):
    """Text that does not hold a date we can read without guessing."""

    def __init__(self, text: str | None, reason: str = "unparseable date") -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"{reason}: {text!r}")


@dataclass(frozen=True)
class ParsedDate:
    """A parsed publication date and how much of it the publisher gave."""

    value: datetime | None
    precision: Precision


UNDATED = ParsedDate(None, Precision.NONE)

# Labels that sit in front of dates in page text: NSPCC ("Last updated: 31 May 2024",
# "Publication date April 2024", "(Published 2022)", "Published: 2021"), LFF
# ("Published: 01/03/2019"), GOV.UK ("Published 2 November 2023", "Updated 9 May 2024") and the
# LSCP copies ("Date: 30 May 2024"). They are removed repeatedly, so "Last updated: Published
# ..." style stacking also works.
_LABEL_RE = re.compile(
    r"^(?:last\s+updated|first\s+published|publication\s+date|date\s+published|published|"
    r"updated|posted|date)\b\s*(?:on\b)?\s*[:\-–—]?\s*",
    re.IGNORECASE,
)

# The two defaults differ in every field, so comparing the two parses shows which fields the
# text actually gave (dateutil fills the rest from the default, and its own default is today).
_DEFAULT_A = datetime(2000, 1, 1, 0, 0, 0, 0)
_DEFAULT_B = datetime(2001, 2, 15, 1, 1, 1, 1)

# ISO 8601 as used by GOV.UK APIs and feeds. Handled before dateutil because dateutil with
# dayfirst=True reads "2024-05-09" as 5 September.
_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_ISO_DATETIME_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)
# Numeric dates that start with the year are always year-month-day (nobody writes Y-D-M).
_YMD_RE = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_YEAR_RE = re.compile(r"^(\d{4})$")
_FOUR_DIGITS_RE = re.compile(r"(?<!\d)(\d{4})(?!\d)")

# NSPCC writes "02 Sept 2025"; normalise the four-letter form so every parser path accepts it.
_SEPT_RE = re.compile(r"\bsept\b\.?", re.IGNORECASE)

_WEEKDAYS: dict[str, int] = {
    "mon": 0, "monday": 0,
    "tue": 1, "tues": 1, "tuesday": 1,
    "wed": 2, "weds": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3,
    "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5,
    "sun": 6, "sunday": 6,
}  # fmt: skip
_WEEKDAY_RE = re.compile(
    r"\b(" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True)) + r")\b\.?", re.IGNORECASE
)

# Zone labels the UK sources use. BST is not known to dateutil, and for other names dateutil
# would consult the machine's local zone, so we resolve every label ourselves.
_ZONE_OFFSETS: dict[str, int] = {"BST": 3600, "GMT": 0, "UTC": 0, "UT": 0, "Z": 0}


def to_utc(dt: datetime, *, assume: str = "Europe/London") -> datetime:
    """Convert ``dt`` to timezone-aware UTC.

    A naive ``dt`` is wall-clock time in ``assume``. Its ``fold`` (0 unless the caller set it)
    settles the changeover: fold=0 reads a nonexistent spring-gap time with the pre-gap offset
    and an ambiguous autumn time as its first occurrence. Raises ``DateError`` when the UTC
    time falls outside what a datetime can hold (``0001-01-01 BST``).
    """
    if dt.tzinfo is None or dt.utcoffset() is None:
        dt = dt.replace(tzinfo=ZoneInfo(assume))
    try:
        return dt.astimezone(UTC)
    except OverflowError as exc:
        raise DateError(dt.isoformat(), "date out of range") from exc


def _london_midnight(day: date) -> datetime:
    return to_utc(datetime(day.year, day.month, day.day))


def _tzinfos(name: str | None, offset: int | None) -> tzinfo | None:
    """dateutil tz hook: map the labels we trust, refuse everything else."""
    if name is None:
        return None if offset is None else du_tz.tzoffset(None, offset)
    known = _ZONE_OFFSETS.get(name.upper())
    if known is None:
        raise DateError(name, "unknown timezone name")
    if offset not in (None, 0, known):
        # Forms like "GMT+3", whose sign convention differs between writers.
        raise DateError(name, "timezone name with an offset")
    return du_tz.tzoffset(name.upper(), known)


def _clean(text: str) -> str:
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    text = re.sub(r"\s+", " ", text).strip()
    while True:
        stripped = _LABEL_RE.sub("", text, count=1).strip()
        # "(Published 2022)" on NSPCC listing cards: outer parentheses go too.
        if len(stripped) >= 2 and stripped[0] == "(" and stripped[-1] == ")":
            stripped = stripped[1:-1].strip()
        if stripped == text:
            break
        text = stripped
    return _SEPT_RE.sub("Sep", text)


@dataclass(frozen=True)
class _Parts:
    """One parse with a record of which fields the text gave."""

    value: datetime  # naive (London wall time) or aware
    has_year: bool
    has_month: bool
    has_day: bool
    has_time: bool


def _parse_parts(original: str, text: str, dayfirst: bool) -> _Parts:
    """Parse cleaned ``text`` (``original`` is only for error messages)."""
    m = _ISO_DATE_RE.match(text) or _YMD_RE.match(text)
    if m:
        try:
            value = datetime(int(m[1]), int(m[2]), int(m[3]))
        except ValueError as exc:
            raise DateError(original, str(exc)) from exc
        return _Parts(value, True, True, True, False)
    m = _ISO_MONTH_RE.match(text)
    if m:
        try:
            value = datetime(int(m[1]), int(m[2]), 1)
        except ValueError as exc:
            raise DateError(original, str(exc)) from exc
        return _Parts(value, True, True, False, False)
    if _ISO_DATETIME_RE.match(text):
        try:
            value = datetime.fromisoformat(text.replace(",", "."))
        except ValueError as exc:
            raise DateError(original, str(exc)) from exc
        return _Parts(value, True, True, True, True)
    m = _YEAR_RE.match(text)
    if m:
        if int(m[1]) < 1:  # "0000"
            raise DateError(original, "year out of range")
        return _Parts(datetime(int(m[1]), 1, 1), True, False, False, False)

    try:
        a = du_parser.parse(text, default=_DEFAULT_A, dayfirst=dayfirst, tzinfos=_tzinfos)
        b = du_parser.parse(text, default=_DEFAULT_B, dayfirst=dayfirst, tzinfos=_tzinfos)
    except DateError as exc:
        raise DateError(original, exc.reason) from exc
    except (ValueError, OverflowError) as exc:
        raise DateError(original) from exc
    try:
        a.utcoffset()  # dateutil accepts offsets a datetime cannot hold ("2024-05-31 2024-05-31")
    except ValueError as exc:
        raise DateError(original, "timezone offset out of range") from exc

    parts = _Parts(
        value=a,
        has_year=a.year == b.year,
        has_month=a.month == b.month,
        has_day=a.day == b.day,
        # "5pm" gives the hour only and "10:15" hour and minute; either counts as a time.
        has_time=a.hour == b.hour or a.minute == b.minute,
    )
    if parts.has_year and not any(int(y) == a.year for y in _FOUR_DIGITS_RE.findall(text)):
        # A two-digit year: dateutil would pick the century from today's date.
        raise DateError(original, "year must have four digits")
    weekday = _WEEKDAY_RE.search(text)
    if weekday:
        if not parts.has_day:
            # dateutil would move the default date to that weekday: an invented day.
            raise DateError(original, "weekday without a day of the month")
        if _WEEKDAYS[weekday[1].lower()] != a.weekday():
            raise DateError(original, "weekday does not match the date")
    return parts


def _precision(original: str, parts: _Parts) -> Precision:
    if not parts.has_year:
        raise DateError(original, "no year")
    if parts.has_month and parts.has_day:
        return Precision.DAY
    if parts.has_time or parts.has_day:
        raise DateError(original, "incomplete date")
    return Precision.MONTH if parts.has_month else Precision.YEAR


def _to_value(parts: _Parts, precision: Precision) -> datetime:
    v = parts.value
    if precision is Precision.YEAR:
        return _london_midnight(date(v.year, 1, 1))
    if precision is Precision.MONTH:
        return _london_midnight(date(v.year, v.month, 1))
    if not parts.has_time and v.tzinfo is None:
        return _london_midnight(v.date())
    return to_utc(v)


def parse_date(text: str | None, *, dayfirst: bool = True) -> ParsedDate:
    """Parse a publication date as published, labels and all.

    Returns ``ParsedDate(None, Precision.NONE)`` for empty text and raises ``DateError`` for
    text that is not a complete-enough date. ``dayfirst`` settles numeric dates such as
    ``01/03/2019`` (UK sites write day first).
    """
    if text is None or not text.strip():
        return UNDATED
    cleaned = _clean(text)
    if not cleaned:
        # Only a label ("Published:") and no date.
        return UNDATED
    parts = _parse_parts(text, cleaned, dayfirst)
    precision = _precision(text, parts)
    return ParsedDate(_to_value(parts, precision), precision)


# Event ranges: "Thursday May 16, 2024, 05:00 PM – 06:30 PM BST". En and em dashes separate
# with or without spaces; a hyphen or "to" only with spaces (a bare hyphen is inside ISO dates),
# except a hyphen straight after a clock time ("17:00-18:30").
_RANGE_SEP_RE = re.compile(
    r"\s*[–—]\s*|\s+(?:-|to)\s+|(?<=[\s,]\d\d:\d\d)-(?=\d)|(?<=[\s,]\d:\d\d)-(?=\d)"
    r"|(?<=[ap]m)-(?=\d)",
    re.IGNORECASE,
)
_TRAILING_ZONE_RE = re.compile(r"\s+\(?(BST|GMT|UTC|Z)\)?$", re.IGNORECASE)
_TIME_ONLY_RE = re.compile(
    r"^(\d{1,2})(?:[:.](\d{2}))?\s*([ap])?\.?\s*(m)?\.?$",
    re.IGNORECASE,
)


def _split_zone(part: str) -> tuple[str, str | None]:
    m = _TRAILING_ZONE_RE.search(part)
    if not m:
        return part, None
    return part[: m.start()].rstrip(" ,"), m[1].upper()


def _end_time(original: str, text: str) -> time | None:
    """A bare clock time such as "06:30 PM", "5pm" or "18:30"; None if ``text`` is more."""
    m = _TIME_ONLY_RE.match(text)
    if not m:
        return None
    hour, minute, ampm = int(m[1]), int(m[2] or 0), m[3]
    if m[2] is None and ampm is None:
        # A bare number ("17") is not clearly a time.
        raise DateError(original, "end time is not a clock time")
    if ampm is not None:
        if not 1 <= hour <= 12 or m[4] is None:
            raise DateError(original, "bad 12-hour time")
        hour = hour % 12 + (12 if ampm.lower() == "p" else 0)
    if hour > 23 or minute > 59:
        raise DateError(original, "bad time")
    return time(hour, minute)


def _apply_zone(dt: datetime, zone: str | None) -> datetime:
    if zone is None or dt.tzinfo is not None:
        return to_utc(dt)
    return to_utc(dt.replace(tzinfo=du_tz.tzoffset(zone, _ZONE_OFFSETS[zone])))


def parse_event_range(text: str) -> tuple[datetime, datetime | None]:
    """Parse an event's start and optional end, both as UTC.

    Accepts "Thursday May 16, 2024, 05:00 PM – 06:30 PM BST", "16 May 2024, 17:00 - 18:30",
    "16 May 2024 17:00 – 17 May 2024 12:00" and a lone start. A zone label on either side
    (BST/GMT/UTC) applies to both; without one the times are Europe/London. An end that is
    only a time is on the start's day, or the next day when it is earlier than the start (an
    event running past midnight). A side without a time is London midnight of that day.
    """
    if text is None or not text.strip():
        raise DateError(text, "empty event date")
    cleaned = re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()
    cleaned = _SEPT_RE.sub("Sep", cleaned)
    pieces = _RANGE_SEP_RE.split(cleaned)
    if len(pieces) > 2 or any(not p.strip() for p in pieces):
        raise DateError(text, "not a start–end range")

    start_text, start_zone = _split_zone(pieces[0].strip().rstrip(","))
    end_text: str | None = None
    end_zone: str | None = None
    if len(pieces) == 2:
        end_text, end_zone = _split_zone(pieces[1].strip())
    # A label on one side covers both; labels on both sides are each taken as written.
    start_zone = start_zone or end_zone
    end_zone = end_zone or start_zone

    start_parts = _parse_parts(text, start_text, True)
    if _precision(text, start_parts) is not Precision.DAY:
        raise DateError(text, "event start has no day")
    start = _apply_zone(start_parts.value, start_zone)

    if end_text is None:
        return start, None

    clock = _end_time(text, end_text)
    if clock is None:
        end_parts = _parse_parts(text, end_text, True)
        if _precision(text, end_parts) is not Precision.DAY:
            raise DateError(text, "event end has no day")
        end = _apply_zone(end_parts.value, end_zone)
    else:
        # The end's wall time is on the start's day, in the start's zone when it had one.
        local_start = start_parts.value
        end_local = datetime.combine(local_start.date(), clock, tzinfo=local_start.tzinfo)
        end = _apply_zone(end_local, end_zone)
        if end < start:
            end = _apply_zone(end_local + timedelta(days=1), end_zone)
    if end < start:
        raise DateError(text, "event ends before it starts")
    return start, end
