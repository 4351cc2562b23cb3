"""The one item schema every source fills (ARCHITECTURE 2, documented in docs/schema.md).

Sources fill these fields; they never add fields. Review state (status, edits, audit) and
classification evidence live beside the item in storage, never inside it, so a crawl can never
overwrite an editor's decision.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Precision(StrEnum):
    """How much of a date the publisher actually gave."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    NONE = "none"


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
    the publisher gave: a month-precision date is stored as the first of that month.
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

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: datetimes as ISO 8601 UTC, enums as their values."""
        return {f.name: jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Item:
        """The inverse of `to_json`."""
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
            published=_dt(data.get("published")),
            published_precision=Precision(data.get("published_precision", "none")),
            updated=_dt(data.get("updated")),
            change_note=data.get("change_note"),
            first_seen=_dt(data.get("first_seen")),
            last_seen=_dt(data.get("last_seen")),
            event_start=_dt(data.get("event_start")),
            event_end=_dt(data.get("event_end")),
            event_precision=Precision(data.get("event_precision", "none")),
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
    """A field value as `Item.to_json` writes it: datetimes as ISO 8601 (UTC as "Z"), enums as
    their values, the schema's dataclasses as dicts, lists element by element."""
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, StrEnum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def _dt(value: str | None) -> datetime | None:
    if value is None:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _dt_required(value: str) -> datetime:
    parsed = _dt(value)
    assert parsed is not None
    return parsed
