"""What kind of change an update upstream is, and a readable diff of it.

An item seen again with different content is one item with a revision history. Each change is
classed so that editors only see the ones that matter:

- *substantive*: a new title, URL or document type, a new attachment or onward link, a
  publisher's change note, a summary reworded, new publication or event dates (a GOV.UK
  consultation outcome added brings a change note, a new type and new attachments);
- *cosmetic*: nothing but the "last updated" stamp moved (the NSPCC bumps it on evergreen
  edits), attachment titles or sizes retouched, the URL written differently for the same page
  (the publisher's trailing slash kept), or whitespace and markup (which the content hash
  already ignores).

Substantive updates go back to the editors' queue with this diff; cosmetic ones are recorded
as revisions but do not.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from aggregator.normalise.urls import url_key

ChangeKind = Literal["substantive", "cosmetic"]

# A change to any of these alone makes an update substantive.
SUBSTANTIVE_ON_ANY_CHANGE = (
    "title",
    "url",
    "doc_type",
    "summary",
    "published",
    "event_start",
    "event_end",
    # A statistics release confirmed, moved or cancelled, or a consultation's dates moved, is
    # news to the editor even when the publisher writes no change note.
    "event_precision",
    "release_state",
    "opens",
    "closes",
)


def change_kind(
    old: Mapping[str, Any], new: Mapping[str, Any], changed: Sequence[str]
) -> ChangeKind:
    """Classify an update from the changed field names and the two versions' values."""
    if "url" in changed and _same_page(old.get("url"), new.get("url")):
        # The same page written as its publisher writes it (a trailing slash kept): no news.
        changed = [name for name in changed if name != "url"]
    if any(name in SUBSTANTIVE_ON_ANY_CHANGE for name in changed):
        return "substantive"
    if "change_note" in changed and new.get("change_note"):
        return "substantive"
    for name in ("attachments", "links"):
        if name in changed and _urls(new.get(name)) - _urls(old.get(name)):
            return "substantive"
    return "cosmetic"


def _same_page(old: Any, new: Any) -> bool:
    try:
        return bool(old and new) and url_key(str(old)) == url_key(str(new))
    except ValueError:
        return False


def _urls(entries: Any) -> set[str]:
    return {str(e.get("url")) for e in entries or [] if isinstance(e, Mapping)}


@dataclass(frozen=True)
class FieldDiff:
    field: str
    before: str
    after: str
    text: str  # one readable line: "title: 'Old' → 'New'", or a word diff for long text


def diff_snapshots(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[FieldDiff]:
    """Field-by-field differences between two item snapshots (`Item.to_json()` dicts)."""
    diffs = []
    for name in after:
        if name in ("first_seen", "last_seen", "provenance", "aliases"):
            continue
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if name in ("attachments", "links"):
            added = sorted(_urls(new) - _urls(old))
            removed = sorted(_urls(old) - _urls(new))
            parts = [f"+ {u}" for u in added] + [f"- {u}" for u in removed]
            text = f"{name}: " + ("; ".join(parts) if parts else "titles or sizes changed")
            diffs.append(FieldDiff(name, _show(old), _show(new), text))
        elif isinstance(old, str) and isinstance(new, str) and len(old) + len(new) > 80:
            diffs.append(FieldDiff(name, old, new, f"{name}: {word_diff(old, new)}"))
        else:
            diffs.append(
                FieldDiff(name, _show(old), _show(new), f"{name}: {_show(old)} → {_show(new)}")
            )
    return diffs


def word_diff(old: str, new: str) -> str:
    """Words removed as [-…-] and added as {+…+}, the rest as it was."""
    a, b = old.split(), new.split()
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.extend(a[i1:i2])
            continue
        if op in ("delete", "replace"):
            out.append("[-" + " ".join(a[i1:i2]) + "-]")
        if op in ("insert", "replace"):
            out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(out)


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return (
            ", ".join(str(v.get("url") if isinstance(v, Mapping) else v) for v in value) or "(none)"
        )
    return repr(value) if isinstance(value, str) else str(value)
