"""What a GOV.UK Content API item says, read by the rules GOV.UK's own frontends use.

Each reader cites the alphagov code it follows. The values stay the publisher's strings (ISO
timestamps, "January 2016"); `aggregator.parse.item` turns them into the schema's values.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bs4 import BeautifulSoup, NavigableString

from aggregator.parse.markup_limits import check_fragment

FIRST_PUBLISHED = "First published."
WITHDRAWN = "withdrawn on GOV.UK"

# The release-date forms a statistics announcement shows (alphagov/frontend
# app/models/statistics_announcement.rb: `date_is_exact_format?`, `date_is_one_month_format?`,
# `date_is_two_month_format?`): "20 January 2016 9:30am", "January 2016",
# "January to February 2016".
EXACT_RELEASE = re.compile(r"^\d{1,2}\s+\w+\s+\d{4}\s+\d{1,2}:\d{1,2}\s*(?:am|pm)$", re.I)
DAY_RELEASE = re.compile(r"^\d{1,2}\s+\w+\s+\d{4}$")
MONTH_RELEASE = re.compile(r"^(?P<month>[A-Za-z]+)\s+(?P<year>\d{4})$")
TWO_MONTH_RELEASE = re.compile(r"^(?P<month>[A-Za-z]+)\s+(?:to|and)\s+[A-Za-z]+\s+(?P<year>\d{4})$")


def real_change_note(note: object) -> str | None:
    """A change note that says something ("First published." only marks a new document)."""
    if not isinstance(note, str) or not note.strip() or note.strip() == FIRST_PUBLISHED:
        return None
    return note.strip()


def organisation_title(entry: object) -> str | None:
    """An organisation's name; some payloads carry an HTML entity in it ("&amp;")."""
    if isinstance(entry, dict) and isinstance(entry.get("title"), str) and entry["title"].strip():
        return html.unescape(str(entry["title"])).strip()
    return None


def publisher_of_record(links: object) -> str | None:
    """The organisation of record of a Content API item.

    `links.primary_publishing_organisation`, else the first of `links.organisations`, the order
    GOV.UK's pages credit them in (alphagov/frontend app/models/concerns/
    emphasised_organisations.rb puts the lead first; html_publication_presenter.rb in
    alphagov/government-frontend reads `links.organisations`).
    """
    if not isinstance(links, dict):
        return None
    for group in ("primary_publishing_organisation", "organisations"):
        entries = links.get(group)
        if isinstance(entries, list):
            for entry in entries:
                title = organisation_title(entry)
                if title:
                    return title
    return None


def search_publisher(record: dict[str, Any]) -> str | None:
    """The organisation of record of a Search API result: the first of `organisations`.

    `primary_publishing_organisation`, where a result carries it, is a list of slugs (alphagov/
    search-api config/schema/field_definitions.json: "identifiers", "only populated by
    Whitehall"); the organisation with that slug is taken first.
    """
    orgs = [o for o in record.get("organisations") or [] if isinstance(o, dict)]
    lead = record.get("primary_publishing_organisation")
    slugs = [lead] if isinstance(lead, str) else lead if isinstance(lead, list) else []
    for slug in slugs:
        for org in orgs:
            if org.get("slug") == slug and organisation_title(org):
                return organisation_title(org)
    for org in orgs:
        title = organisation_title(org)
        if title:
            return title
    return None


def change_history(details: dict[str, Any]) -> list[tuple[datetime, str, str]]:
    """(instant, timestamp as written, note) of each entry, oldest first.

    The direction of change history is not guaranteed, so GOV.UK sorts it by timestamp
    (alphagov/government-frontend app/presenters/content_item/updatable.rb, citing
    govuk-content-schemas issue 545).
    """
    entries = []
    for entry in details.get("change_history") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("public_timestamp"), str):
            continue
        stamp = entry["public_timestamp"]
        try:
            when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            continue
        if when.tzinfo is None:
            continue
        entries.append((when, stamp, str(entry.get("note") or "")))
    return sorted(entries, key=lambda e: e[0])


def published_at(data: dict[str, Any]) -> str | None:
    """First publication: `details.first_public_at`, else the first change-history entry, else
    `first_published_at`.

    GOV.UK's frontends read `first_public_at || first_published_at` (alphagov/frontend
    app/models/concerns/updatable.rb), because `first_published_at` can be the date a document
    was migrated or withdrawn; the oldest change-history entry ("First published.") is the
    publication the page lists before that fallback.
    """
    details = data.get("details") or {}
    first_public = details.get("first_public_at")
    if isinstance(first_public, str) and first_public.strip():
        return first_public
    history = change_history(details)
    if history:
        return history[0][1]
    first = data.get("first_published_at")
    return first if isinstance(first, str) and first.strip() else None


def latest_change(data: dict[str, Any], published: str | None) -> tuple[str | None, str | None]:
    """(updated, change note) of a Content API item; a note always comes with its date.

    GOV.UK shows "Last updated" from `public_updated_at` when there has been an update, with
    the newest change-history entry's note (alphagov/frontend app/models/concerns/
    updatable.rb; the history's order is not guaranteed, so it is sorted). A history of one
    entry is the first publication only. Without any history, an update is a
    `public_updated_at` that differs from first publication (`any_updates?`), unnoted.
    """
    details = data.get("details") or {}
    history = change_history(details)
    updated = _str(data.get("public_updated_at"))
    if history:
        if len(history) < 2:
            return None, None
        _, stamp, note = history[-1]
        return updated or stamp, real_change_note(note)
    if updated and published and _differs(updated, published):
        return updated, None
    return None, None


def _differs(a: str, b: str) -> bool:
    try:
        left = datetime.fromisoformat(a.replace("Z", "+00:00"))
        right = datetime.fromisoformat(b.replace("Z", "+00:00"))
    except ValueError:
        return a != b
    if (left.tzinfo is None) != (right.tzinfo is None):
        return True
    return left != right


def html_text(fragment: object) -> str:
    """HTML as one line of text, each link's address in brackets after its words."""
    if not isinstance(fragment, str) or not fragment.strip():
        return ""
    check_fragment(fragment)  # a markup bomb fails the page, recorded with its URL
    soup = BeautifulSoup(fragment, "lxml")
    for anchor in soup.find_all("a", href=True):
        href = str(anchor["href"]).strip()
        words = anchor.get_text(" ", strip=True)
        if href and not href.startswith("#") and href != words:
            anchor.append(NavigableString(f" ({_absolute(href)})"))
    return " ".join(soup.get_text(" ").split()).replace(" .", ".").replace(" ,", ",")


def _absolute(href: str) -> str:
    on_site = href.startswith("/") and not href.startswith("//")
    return "https://www.gov.uk" + href if on_site else href


def withdrawal(data: dict[str, Any]) -> tuple[str | None, str | None]:
    """(withdrawn_at, reason) from `withdrawn_notice`: its time and its explanation with links
    kept as text (alphagov/frontend app/models/concerns/withdrawable.rb). An empty notice
    (`{}`) is no withdrawal."""
    notice = data.get("withdrawn_notice")
    if not isinstance(notice, dict) or not notice:
        return None, None
    at = notice.get("withdrawn_at")
    reason = html_text(notice.get("explanation")) or WITHDRAWN
    return (at if isinstance(at, str) and at.strip() else None), reason


@dataclass(frozen=True)
class Release:
    """A statistics announcement's release, as its page states it."""

    date: str | None  # the release date as text GOV.UK's own parser reads
    precision: str | None  # "day", "month"; None: an exact instant
    state: str | None  # provisional, confirmed or cancelled
    change_note: str | None
    updated: str | None


def release(data: dict[str, Any]) -> Release:
    """The release date, its precision and state, and any change to it.

    alphagov/frontend app/models/statistics_announcement.rb: the date is `details.display_date`
    (`release_date`), the state `details.state`; a cancellation has `cancelled_at` and
    `cancellation_reason`; a changed date keeps `previous_display_date` and the reason in
    `latest_change_note`. `release_timestamp` (content_schemas/formats/
    statistics_announcement.jsonnet) stands in when the display date cannot be read.
    """
    details = data.get("details") or {}
    state = details.get("state") if isinstance(details.get("state"), str) else None
    display = str(details.get("display_date") or "").strip()
    date, precision = _release_date(display)
    if date is None and isinstance(details.get("release_timestamp"), str):
        date, precision = details["release_timestamp"], None
    if state == "cancelled":
        reason = details.get("cancellation_reason")
        cancelled_at = details.get("cancelled_at")
        note = (
            f"Cancelled: {reason.strip()}"
            if isinstance(reason, str) and reason.strip()
            else ("Cancelled.")
        )
        return Release(
            date, precision, state, note, _str(cancelled_at) or _str(data.get("public_updated_at"))
        )
    previous = details.get("previous_display_date")
    if isinstance(previous, str) and previous.strip():
        reason = real_change_note(details.get("latest_change_note"))
        note = f"Release date changed from {previous.strip()} to {display}"
        note = f"{note}: {reason}" if reason else f"{note}."
        return Release(date, precision, state, note, _str(data.get("public_updated_at")))
    return Release(date, precision, state, None, None)


def search_release(record: dict[str, Any]) -> Release:
    """The release of a statistics announcement from its Search API result.

    Whitehall indexes an announcement with `release_timestamp`, `statistics_announcement_state`
    and `metadata` {confirmed, display_date, change_note, previous_display_date,
    cancellation_reason, cancelled_at} (alphagov/whitehall app/models/
    statistics_announcement.rb, `searchable` and its search metadata): read as the Content
    API's details are.
    """
    found = record.get("metadata")
    metadata: dict[str, Any] = found if isinstance(found, dict) else {}
    details = {
        "display_date": metadata.get("display_date"),
        "state": record.get("statistics_announcement_state"),
        "cancellation_reason": metadata.get("cancellation_reason"),
        "cancelled_at": metadata.get("cancelled_at"),
        "previous_display_date": metadata.get("previous_display_date"),
        "latest_change_note": metadata.get("change_note"),
        "release_timestamp": record.get("release_timestamp"),
    }
    return release({"details": details, "public_updated_at": record.get("public_timestamp")})


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _release_date(display: str) -> tuple[str | None, str | None]:
    text = " ".join(display.split())
    if EXACT_RELEASE.match(text):
        return text, None
    if DAY_RELEASE.match(text):
        return text, "day"
    # "January to February 2016": released between the two, so known to the first month.
    match = MONTH_RELEASE.match(text) or TWO_MONTH_RELEASE.match(text)
    if match:
        return f"{match['month']} {match['year']}", "month"
    return None, None


def consultation_dates(details: dict[str, Any]) -> tuple[str | None, str | None]:
    """(opens, closes) of a consultation or call for evidence: `details.opening_date` and
    `details.closing_date` (alphagov/government-frontend app/presenters/
    consultation_presenter.rb `opening_date_time`, `closing_date_time`)."""
    return _str(details.get("opening_date")), _str(details.get("closing_date"))
