"""An item's history as the item page tells it: the audit record and the revisions, in
sentences an editor reads ("Approved by demo, 10:42 on 5 June 2024.", "Type: consultation
response → consultation"), not as field dumps (`status=approved needs_review=False`).

Pure functions of the stored events and snapshots; times are London's.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from aggregator.review.queries import LONDON
from aggregator.storage.values import ReviewEvent

LONG_TEXT = 80
"""Texts longer than this (both versions together) are shown as a word diff, not in full."""

_DECIDED = {
    "approve": "Approved",
    "reject": "Rejected",
    "defer": "Deferred",
    "reopen": "Reopened",
    "split": "Split from its cluster",
}
_UNDONE = {
    "approve": "the approval",
    "reject": "the rejection",
    "defer": "the deferral",
    "reopen": "the reopening",
    "edit": "the edit",
    "split": "the split",
    "keep_withdrawn": "the withdrawn item's inclusion",
    "undo": "the undo",
}
_FIELD_LABELS = {
    "title": "Title",
    "url": "Address",
    "publisher": "Publisher",
    "summary": "Summary",
    "doc_type": "Type",
    "topics": "Topics",
    "nations": "Nations",
    "published": "Published",
    "published_precision": "Publication date precision",
    "updated": "Updated",
    "change_note": "Change note",
    "event_start": "Event starts",
    "event_end": "Event ends",
    "event_precision": "Event date precision",
    "release_state": "Release",
    "opens": "Opens",
    "closes": "Closes",
    "attachments": "Attachments",
    "links": "Links",
    "withdrawn": "Withdrawn",
    "withdrawn_reason": "Withdrawal reason",
}
_DATE_FIELDS = {"published", "updated", "event_start", "event_end", "opens", "closes", "withdrawn"}
_WORD_FIELDS = {"doc_type", "published_precision", "event_precision", "release_state"}
_IGNORED = {"first_seen", "last_seen", "provenance", "aliases", "key", "source"}


def when(at: datetime) -> str:
    """ "10:42 on 5 June 2024", in London."""
    local = at.astimezone(LONDON)
    return f"{local:%H:%M} on {local.day} {local:%B %Y}"


# --- the audit record -----------------------------------------------------------------------


def audit_sentence(event: ReviewEvent, undone: ReviewEvent | None = None) -> str:
    """One editor action as a sentence: "Rejected by ed, 10:00 on 5 June 2024: not UK."
    `undone` is the event an undo undid, when it is known."""
    by = f"by {event.actor or 'an unnamed editor'}, {when(event.at)}"
    after: Mapping[str, Any] = event.detail.get("after") or {}
    before: Mapping[str, Any] = event.detail.get("before") or {}
    if event.action == "reject":
        reason = after.get("reason")
        return f"Rejected {by}" + (f": {reason}." if reason else ".")
    if event.action == "reopen":
        return f"Reopened {by}: back in the queue."
    if event.action in _DECIDED:
        return f"{_DECIDED[event.action]} {by}."
    if event.action == "edit":
        changes = [_edit_phrase(name, before.get(name), after[name]) for name in after]
        return f"Edited {by}: " + "; ".join(changes) + "."
    if event.action == "keep_withdrawn":
        if after.get("include_withdrawn"):
            return f"Let into bulletins although withdrawn, {by}."
        return f"Held back again as withdrawn, {by}."
    if event.action == "undo":
        undid = event.detail.get("undid")
        if undone is None:
            return f"Undone {by}: event {undid}."
        return f"Undone {by}: {_UNDONE.get(undone.action, undone.action)} of {when(undone.at)}."
    return f"{event.action.replace('_', ' ').capitalize()} {by}."


def _edit_phrase(name: str, old: Any, new: Any) -> str:
    label = {"edited_title": "title", "edited_summary": "summary"}.get(name, name)
    if name == "section":
        return f"section set to “{new}”" if new else "section cleared (it follows the type)"
    if new is None:
        return f"{label} back to the publisher's"
    if name == "edited_summary" or len(str(old or "")) + len(str(new)) > LONG_TEXT:
        verb = "rewritten" if old else "written"
        return f"{label} {verb} ({len(str(new)):,} characters)"
    if old is None:
        return f"{label} “{new}” (was the publisher's)"
    return f"{label} “{old}” → “{new}”"


def audit_lines(events: Iterable[ReviewEvent]) -> dict[int, str]:
    """Each event's sentence, by event id (an undo names what it undid)."""
    listed = list(events)
    by_id = {event.id: event for event in listed}
    return {
        event.id: audit_sentence(event, by_id.get(event.detail.get("undid") or -1))
        for event in listed
    }


# --- revisions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One changed field of a revision. `sentence` says it all ("Type: consultation response →
    consultation"); a long text changed also has its word diff in `words`: (kind, text) runs,
    kind "same", "removed" or "added"."""

    name: str
    sentence: str
    words: list[tuple[str, str]] = field(default_factory=list)


def revision_headline(kind: str, seen_at: datetime) -> str:
    """ "First version, seen 08:00 on 4 June 2024" and the like."""
    what = {
        "new": "First version",
        "update": "Changed by the publisher",
        "cosmetic": "Touched up by the publisher (not sent back to the queue)",
    }.get(kind, kind.capitalize())
    return f"{what}, seen {when(seen_at)}"


def revision_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """What changed from one version of an item to the next, field by field, in sentences."""
    changes: list[Change] = []
    for name in after:
        if name in _IGNORED:
            continue
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        label = _FIELD_LABELS.get(name, name.replace("_", " ").capitalize())
        if name in ("attachments", "links"):
            changes.append(Change(name, f"{label}: {_entries_change(old, new)}"))
        elif name in ("topics", "nations"):
            changes.append(Change(name, f"{label}: {_set_change(old, new)}"))
        elif (
            isinstance(old, str)
            and isinstance(new, str)
            and name not in _DATE_FIELDS
            and len(old) + len(new) > LONG_TEXT
        ):
            changes.append(Change(name, f"{label} reworded:", words_changed(old, new)))
        elif not old:
            changes.append(Change(name, f"{label}: {_shown(name, new)} (was none)"))
        elif not new:
            changes.append(Change(name, f"{label}: removed (was {_shown(name, old)})"))
        else:
            changes.append(Change(name, f"{label}: {_shown(name, old)} → {_shown(name, new)}"))
    return changes


def words_changed(old: str, new: str) -> list[tuple[str, str]]:
    """The word diff of two texts as runs: ("same", …), ("removed", …), ("added", …)."""
    a, b = old.split(), new.split()
    runs: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append(("same", " ".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            runs.append(("removed", " ".join(a[i1:i2])))
        if op in ("insert", "replace"):
            runs.append(("added", " ".join(b[j1:j2])))
    return runs


def _shown(name: str, value: Any) -> str:
    if name in _DATE_FIELDS:
        return _date_shown(str(value))
    if name in _WORD_FIELDS:
        return str(value).replace("_", " ")
    if isinstance(value, str):
        return f"“{value}”"
    return str(value)


def _date_shown(value: str) -> str:
    """A snapshot's date as a reader writes it: "2024" and "April 2024" (a date of year or
    month precision), "9 May 2024", or an instant as "9 May 2024 14:00" in London."""
    try:
        if len(value) == 4:
            return value
        if len(value) == 7:
            return date.fromisoformat(value + "-01").strftime("%B %Y")
        if len(value) == 10:
            day = date.fromisoformat(value)
            return f"{day.day} {day:%B %Y}"
        local = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(LONDON)
    except ValueError:
        return value
    text = f"{local.day} {local:%B %Y}"
    return text if (local.hour, local.minute) == (0, 0) else f"{text} {local:%H:%M}"


def _set_change(old: Any, new: Any) -> str:
    before, after = set(old or []), set(new or [])
    parts = []
    if after - before:
        parts.append("added " + ", ".join(sorted(after - before)))
    if before - after:
        parts.append("removed " + ", ".join(sorted(before - after)))
    return "; ".join(parts) or "reordered"


def _entries_change(old: Any, new: Any) -> str:
    """Attachments or links added and removed, by address, each with its title or label."""

    def by_url(entries: Any) -> dict[str, str]:
        found: dict[str, str] = {}
        for entry in entries or []:
            if isinstance(entry, Mapping) and entry.get("url"):
                found[str(entry["url"])] = str(entry.get("title") or entry.get("label") or "")
        return found

    before, after = by_url(old), by_url(new)
    parts = [f"added {_entry(after[url], url)}" for url in sorted(set(after) - set(before))]
    parts += [f"removed {_entry(before[url], url)}" for url in sorted(set(before) - set(after))]
    return "; ".join(parts) or "titles or sizes changed"


def _entry(name: str, url: str) -> str:
    return f"“{name}” ({url})" if name else url
