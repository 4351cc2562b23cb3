"""The one item schema every source fills (ARCHITECTURE 2, documented in docs/schema.md).

Sources fill these fields; they never add fields. Review state (status, edits, audit) and
classification evidence live beside the item in storage, never inside it, so a crawl can never
overwrite an editor's decision.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
"""Every source is a UK publisher: a date without a time is a calendar day in London."""


class Precision(StrEnum):
    """How much of a date the publisher actually gave."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    NONE = "none"


CALENDAR_PRECISIONS: frozenset[Precision] = frozenset(
    {Precision.DAY, Precision.MONTH, Precision.YEAR}
)
"""Precisions whose value can be a calendar date (see `calendar_instant`)."""


class DocType(StrEnum):
    """The controlled list of document types."""

    NEWS = "news"
    REPORT = "report"
    GUIDANCE = "guidance"
    STATUTORY_GUIDANCE = "statutory_guidance"
    CONSULTATION = "consultation"
    CONSULTATION_RESPONSE = "consultation_response"
    BRIEFING = "briefing"
    STATISTICS = "statistics"
    EVALUATION = "evaluation"
    EVENT = "event"
    PODCAST = "podcast"
    RESOURCE = "resource"
    POLICY_PAPER = "policy_paper"
    CALL_FOR_EVIDENCE = "call_for_evidence"
    # Statistics not yet published: a release date (provisional or confirmed) or a cancellation.
    STATISTICS_ANNOUNCEMENT = "statistics_announcement"
    TRANSPARENCY = "transparency"  # FOI releases, transparency data
    OTHER = "other"


@dataclass(frozen=True)
class Attachment:
    """A document behind the page (a PDF, an accessible HTML version)."""

    title: str
    url: str
    media_type: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class Link:
    """A typed onward link, rendered in bulletins as '<label>: <title>'."""

    label: str
    url: str


@dataclass(frozen=True)
class Sighting:
    """Where one sighting of the item came from."""

    source: str
    url: str
    fetched_at: datetime


@dataclass
class Item:
    """One publication, normalised.

    Every datetime is timezone-aware UTC. `published_precision` says how much of `published`
    the publisher gave: a month-precision date is stored as the first of that month. A calendar
    date (`published` of day, month or year precision without a time of day, and `event_start`
    likewise by `event_precision`) is held as the UTC instant of London midnight of that date
    (`calendar_instant`), and written to JSON as the date itself (`date_json`).
    """

    key: str
    source: str
    publisher: str
    title: str
    url: str
    summary: str = ""
    doc_type: DocType = DocType.OTHER
    topics: list[str] = field(default_factory=list)
    nations: list[str] = field(default_factory=list)
    published: datetime | None = None
    published_precision: Precision = Precision.NONE
    updated: datetime | None = None
    change_note: str | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    event_start: datetime | None = None
    event_end: datetime | None = None
    # How much of `event_start` is known: a statistics release "June 2024 (provisional)" is
    # month precision; NONE means the time is exact, as for every event with a clock time.
    event_precision: Precision = Precision.NONE
    # A statistics announcement's state: "provisional", "confirmed" or "cancelled".
    release_state: str | None = None
    # When a consultation or call for evidence opens and closes (instants, UTC).
    opens: datetime | None = None
    closes: datetime | None = None
    attachments: list[Attachment] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    provenance: list[Sighting] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    withdrawn: datetime | None = None
    withdrawn_reason: str | None = None

    def __post_init__(self) -> None:
        # One stored form per calendar date, whoever built the item (a parser, a stored row,
        # old JSON): so the same date always hashes, compares and prints the same.
        self.published = calendar_instant(self.published, self.published_precision)
        self.event_start = calendar_instant(self.event_start, self.event_precision)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: enums as their values, instants as ISO 8601 in London time with
        the offset, and a calendar date (`published`, `event_start` by their precision) as the
        date itself: "2024-05-31", "2024-04" or "2024" (`date_json`)."""
        found = {f.name: jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}
        found["published"] = date_json(self.published, self.published_precision)
        found["event_start"] = date_json(self.event_start, self.event_precision)
        return found

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Item:
        """The inverse of `to_json`. Also reads what it wrote before calendar dates (every
        datetime as a UTC instant, "2024-05-30T23:00:00Z"): an instant of a calendar date's
        precision is read as its London date."""
        published_precision = Precision(data.get("published_precision", "none"))
        event_precision = Precision(data.get("event_precision", "none"))
        return cls(
            key=data["key"],
            source=data["source"],
            publisher=data["publisher"],
            title=data["title"],
            url=data["url"],
            summary=data.get("summary", ""),
            doc_type=DocType(data.get("doc_type", "other")),
            topics=list(data.get("topics", [])),
            nations=list(data.get("nations", [])),
            published=date_from_json(data.get("published"), published_precision),
            published_precision=published_precision,
            updated=_dt(data.get("updated")),
            change_note=data.get("change_note"),
            first_seen=_dt(data.get("first_seen")),
            last_seen=_dt(data.get("last_seen")),
            event_start=date_from_json(data.get("event_start"), event_precision),
            event_end=_dt(data.get("event_end")),
            event_precision=event_precision,
            release_state=data.get("release_state"),
            opens=_dt(data.get("opens")),
            closes=_dt(data.get("closes")),
            attachments=[Attachment(**a) for a in data.get("attachments", [])],
            links=[Link(**link) for link in data.get("links", [])],
            provenance=[
                Sighting(s["source"], s["url"], _dt_required(s["fetched_at"]))
                for s in data.get("provenance", [])
            ],
            aliases=list(data.get("aliases", [])),
            withdrawn=_dt(data.get("withdrawn")),
            withdrawn_reason=data.get("withdrawn_reason"),
        )


def field_names() -> list[str]:
    """The schema's field names in declaration order (docs/schema.md must list the same)."""
    return [f.name for f in dataclasses.fields(Item)]


def jsonable(value: Any) -> Any:
    """A field value as `Item.to_json` writes it: datetimes as ISO 8601 in London time with
    the offset (`instant_json`), enums as their values, the schema's dataclasses as dicts,
    lists element by element. (Calendar dates are `Item.to_json`'s: a bare datetime does not
    carry its precision.)"""
    if isinstance(value, datetime):
        return instant_json(value)
    if isinstance(value, StrEnum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


# --- calendar dates ----------------------------------------------------------------------------
#
# A publication date without a time ("31 May 2024", "April 2024", "2024") names a day in
# London. Held as an instant it is London midnight in UTC, 2024-05-30T23:00:00Z in summer,
# whose UTC date is the day before: so it is never written as a UTC instant, but as the date
# ("2024-05-31") or, where a format needs an instant, as London midnight with its offset
# ("2024-05-31T00:00:00+01:00"). docs/schema.md states the rule.

_CALENDAR_JSON_RE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_MIDNIGHT = time(0)


def london_midnight(day: date) -> datetime:
    """The UTC instant at which `day` starts in London."""
    return datetime(day.year, day.month, day.day, tzinfo=LONDON).astimezone(UTC)


def calendar_instant(value: datetime | None, precision: Precision | str) -> datetime | None:
    """The stored form of a value of `precision`: a calendar date becomes the UTC instant of
    London midnight of its London date (month precision the first of the month, year
    precision 1 January). A day-precision value with a time of day stays as it is, except UTC
    midnight, which is how some writers store a date alone: it is read as that date.
    Idempotent; None, naive values and other precisions are returned unchanged."""
    if value is None or value.tzinfo is None or precision not in CALENDAR_PRECISIONS:
        return value
    local = value.astimezone(LONDON)
    if precision == Precision.YEAR:
        return london_midnight(date(local.year, 1, 1))
    if precision == Precision.MONTH:
        return london_midnight(date(local.year, local.month, 1))
    utc = value.astimezone(UTC)
    if local.time() == _MIDNIGHT:
        return utc
    if utc.time() == _MIDNIGHT:
        return london_midnight(utc.date())
    return utc


def is_calendar_date(value: datetime, precision: Precision | str) -> bool:
    """Whether `value` of `precision` is a date without a time: month or year precision, or
    day precision at London midnight."""
    if precision in (Precision.MONTH, Precision.YEAR):
        return True
    return precision == Precision.DAY and value.astimezone(LONDON).time() == _MIDNIGHT


def calendar_text(value: datetime, precision: Precision | str) -> str:
    """The London date of `value` at `precision`: "2024-05-31", "2024-05" or "2024"."""
    local = value.astimezone(LONDON)
    if precision == Precision.YEAR:
        return f"{local.year:04d}"
    if precision == Precision.MONTH:
        return f"{local.year:04d}-{local.month:02d}"
    return local.date().isoformat()


def instant_json(value: datetime) -> str:
    """An instant as ISO 8601 in London time with its offset ("2024-05-09T10:15:00+01:00"):
    the same instant as UTC, and its date part is the day a UK reader saw."""
    if value.tzinfo is None:
        return value.isoformat()
    return value.astimezone(LONDON).isoformat()


def date_json(value: datetime | None, precision: Precision | str) -> str | None:
    """A `published` (or `event_start`) value as JSON: the calendar date when it is one
    (`is_calendar_date`), else the instant (`instant_json`)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.isoformat()
    local = value.astimezone(LONDON)  # once: this runs for every item written
    if precision == Precision.YEAR:
        return f"{local.year:04d}"
    if precision == Precision.MONTH:
        return f"{local.year:04d}-{local.month:02d}"
    if precision == Precision.DAY and local.time() == _MIDNIGHT:
        return local.date().isoformat()
    return local.isoformat()


def date_from_json(text: str | None, precision: Precision | str) -> datetime | None:
    """The inverse of `date_json`, which also reads the instants written before calendar dates
    (UTC, "2024-05-30T23:00:00Z"): every form of a date gives its `calendar_instant`."""
    if text is None:
        return None
    m = _CALENDAR_JSON_RE.fullmatch(text)
    if m:
        value = london_midnight(date(int(m[1]), int(m[2] or 1), int(m[3] or 1)))
    else:
        value = _dt_required(text)
    return calendar_instant(value, precision)


def _dt(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    # Instants are written with the London offset; items hold UTC (a value with no offset was
    # written as UTC).
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _dt_required(value: str) -> datetime:
    parsed = _dt(value)
    assert parsed is not None
    return parsed
