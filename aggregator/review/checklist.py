"""The publish checklist: what is still open before a bulletin goes out (machine drafts
nobody checked, sensitive flags, broken or unchecked links, late discoveries), each point
naming the entry that fixes it; and a published revision as the sentence the composer shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from aggregator.normalise.dates import LONDON
from aggregator.storage.bulletins import BulletinRevision
from aggregator.storage.draft_summaries import StoredDraft
from aggregator.storage.values import StoredItem


class ChecklistEntry(Protocol):
    """What the checklist reads of a composer entry (`aggregator.review.bulletins.Entry`)."""

    @property
    def stored(self) -> StoredItem: ...

    @property
    def item_id(self) -> int: ...

    @property
    def summary_origin(self) -> str: ...

    @property
    def sensitive(self) -> bool: ...

    @property
    def draft(self) -> StoredDraft | None: ...

    @property
    def late(self) -> bool: ...

    @property
    def draft_goes_out(self) -> bool: ...

    def urls(self) -> list[str]: ...


@dataclass(frozen=True)
class CheckPoint:
    """One open point of the publish checklist, with the entry (if any) that fixes it."""

    kind: str  # "draft", "sensitive", "broken-link", "unchecked-link", "late"
    message: str
    item_id: int | None = None


class OpenPointsError(ValueError):
    """Publishing with open checklist points needs the editor's confirmation."""

    def __init__(self, points: Sequence[CheckPoint]) -> None:
        super().__init__(
            f"{len(points)} open point(s) on the publish checklist: fix them, or confirm "
            "publishing with them open"
        )
        self.points = list(points)


def open_points(
    entries: Sequence[ChecklistEntry],
    links: dict[str, tuple[bool, bool, str]] | None,
) -> list[CheckPoint]:
    """What is still open before publishing: machine drafts nobody checked, items the
    sensitivity check flagged, broken or unchecked links, late discoveries. `links` is
    the last link check (url → (ok, skipped, label)); None when none was run."""
    points: list[CheckPoint] = []
    for entry in entries:
        title = entry.stored.title
        if entry.draft_goes_out:
            points.append(
                CheckPoint("draft", f"'{title}': the summary is an unchecked machine draft "
                           "(it goes out labelled as one)", entry.item_id)
            )  # fmt: skip
        if entry.sensitive:
            reasons = ", ".join(entry.draft.sensitivity.reasons) if entry.draft else ""
            held = ""
            if entry.summary_origin == "draft":
                held = ": its draft is held back, the publisher's description goes out"
            points.append(
                CheckPoint("sensitive", f"'{title}' is flagged sensitive ({reasons}){held}",
                           entry.item_id)
            )  # fmt: skip
        if entry.late:
            points.append(
                CheckPoint("late", f"'{title}' is a late discovery (dated before the window)",
                           entry.item_id)
            )  # fmt: skip
        for url in entry.urls():
            result = None if links is None else links.get(url)
            if result is None:
                points.append(
                    CheckPoint("unchecked-link", f"'{title}': link not checked: {url}",
                               entry.item_id)
                )  # fmt: skip
            elif result[1]:
                points.append(
                    CheckPoint("unchecked-link", f"'{title}': {result[2]}: {url}",
                               entry.item_id)
                )  # fmt: skip
            elif not result[0]:
                points.append(
                    CheckPoint("broken-link", f"'{title}': broken link ({result[2]}): {url}",
                               entry.item_id)
                )  # fmt: skip
    return points


def revision_line(revision: BulletinRevision) -> str:
    """A revision as a sentence: "Revision 2, published by ed on 5 June 2024 at 10:42:
    correction: the date was wrong"."""
    local = revision.published_at.astimezone(LONDON)
    who = f" by {revision.published_by}" if revision.published_by else ""
    text = f"Revision {revision.revision}, published{who} on {local.day} {local:%B %Y at %H:%M}"
    if revision.note:
        text += f": correction: {revision.note}"
    if revision.confirmed:
        text += f" (published with {len(revision.confirmed)} open point(s) confirmed)"
    return text
