"""Editors' decisions: review status, edits, the audit record and undo.

Review state lives in `reviews`, beside the item and never in the columns a crawl writes, so a
crawl cannot overwrite a decision: a rejected item stays rejected (a tombstone: it never comes
back as new). Every change an editor makes is an event in `review_events` with the state
before and after it, so it can be undone; undo is itself an event.

Edits never overwrite each other: the review app's forms carry the version they were made from,
a digest of the values the form shows (`FormState`: the edit form's title, summary and section;
the decision's status), and a change given `expect_version` is refused with
`StaleVersionError` when the item is at another version by then. The check is made inside the
change's transaction, with the review row locked, so two editors saving at once cannot both
pass it. An undo is refused the same way when a later change has replaced what it would undo.
No column holds the version: it is computed from the values, so no migration was needed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, literal, select, true, update

from aggregator.storage.bulk import LOOKUP_CHUNK, chunks, dialect_insert
from aggregator.storage.clusters import undo_split
from aggregator.storage.db import StoreBase, require_aware, retry_on_conflict, write_transaction
from aggregator.storage.models import REVIEW_STATUSES
from aggregator.storage.tables import ITEMS, REVIEW_EVENTS, REVIEWS
from aggregator.storage.values import ReviewEvent

REVIEW_ACTIONS: dict[str, tuple[str, bool]] = {
    "approve": ("approved", False),
    "reject": ("rejected", False),
    "defer": ("deferred", False),
    "reopen": ("new", True),
}
"""Editor actions: the review status and queue flag each one leaves."""

EDIT_FIELDS = ("title", "summary", "section")
"""The fields of the item page's edit form, as `FormState.edit` names them."""

DECISION_FIELDS = ("status", "needs_review", "reason")
"""The review state a decision (approve, reject, defer, reopen) is made from."""


def version_of(values: Mapping[str, Any]) -> str:
    """The version of a form's values: a short digest that changes when any value does."""
    text = json.dumps(dict(values), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True)
class FormState:
    """What the review app's forms for one item show, and so the versions they carry.

    `edit` holds the edit form's values as the page shows them (the editor's title, else the
    publisher's; the same for the summary; the section, else ""); `decision` the review
    status, whether it needs review, and the rejection reason.
    """

    item_id: int
    edit: dict[str, str]
    decision: dict[str, Any]
    updated_at: datetime | None
    updated_by: str | None

    @property
    def edit_version(self) -> str:
        return version_of({"item": self.item_id, **self.edit})

    @property
    def decision_version(self) -> str:
        return version_of({"item": self.item_id, **self.decision})


class StaleVersionError(ValueError):
    """A change made from a version of the item that is no longer current: another editor (or
    a crawl) changed it after the form was loaded. `current` is the item's state now (None when
    an undo was refused)."""

    def __init__(self, message: str, current: FormState | None = None) -> None:
        super().__init__(message)
        self.current = current


def form_states(conn: Connection, item_ids: Sequence[int]) -> dict[int, FormState]:
    """The forms' values of these items (unknown ids are absent), in batches."""
    found: dict[int, FormState] = {}
    for id_chunk in chunks(sorted(set(item_ids)), LOOKUP_CHUNK):
        rows = conn.execute(
            select(
                ITEMS.c.id,
                ITEMS.c.title,
                ITEMS.c.summary,
                REVIEWS.c.edited_title,
                REVIEWS.c.edited_summary,
                REVIEWS.c.section,
                func.coalesce(REVIEWS.c.status, "new").label("status"),
                func.coalesce(REVIEWS.c.needs_review, true()).label("needs_review"),
                REVIEWS.c.reason,
                REVIEWS.c.updated_at,
                REVIEWS.c.updated_by,
            )
            .outerjoin(REVIEWS, REVIEWS.c.item_id == ITEMS.c.id)
            .where(ITEMS.c.id.in_(id_chunk))
        )
        for row in rows:
            found[row.id] = FormState(
                item_id=row.id,
                edit={
                    "title": row.edited_title or row.title or "",
                    "summary": row.edited_summary or row.summary or "",
                    "section": row.section or "",
                },
                decision={
                    "status": row.status,
                    "needs_review": bool(row.needs_review),
                    "reason": row.reason,
                },
                updated_at=row.updated_at,
                updated_by=row.updated_by,
            )
    return found


def ensure_review(conn: Connection, item_id: int, at: datetime) -> None:
    """Give an item that has none its review row, as "new" and needing review (what an item
    without one reads as), so an editor's change can update it. Nothing if there is no item."""
    default = select(
        ITEMS.c.id,
        literal("new").label("status"),
        true().label("needs_review"),
        literal(at, REVIEWS.c.updated_at.type).label("updated_at"),
    ).where(ITEMS.c.id == item_id)
    conn.execute(
        dialect_insert(conn, REVIEWS)
        .from_select(["item_id", "status", "needs_review", "updated_at"], default)
        .on_conflict_do_nothing(index_elements=["item_id"])
    )


Guard = Callable[[Connection, Mapping[Any, Any]], None]
"""A check made inside a change's transaction, with the review row locked (and given it):
it raises to refuse the change."""


def _version_guard(item_id: int, form: str, expected: str) -> Guard:
    """Refuse a change unless the item's `form` ("edit" or "decision") is at `expected`."""

    def check(conn: Connection, _row: Mapping[Any, Any]) -> None:
        state = form_states(conn, [item_id]).get(item_id)
        if state is None:
            raise KeyError(f"no item {item_id}")
        current = state.edit_version if form == "edit" else state.decision_version
        if current != expected:
            raise StaleVersionError(
                f"item {item_id} was changed after this form was loaded", current=state
            )

    return check


class ReviewStore(StoreBase):
    """Review state and its audit record."""

    def form_states(self, item_ids: Sequence[int]) -> dict[int, FormState]:
        """The review app's form values and versions of these items (see `FormState`)."""
        with self.engine.connect() as conn:
            return form_states(conn, item_ids)

    def set_review_status(
        self,
        item_id: int,
        status: str,
        *,
        updated_at: datetime,
        updated_by: str | None = None,
        reason: str | None = None,
    ) -> None:
        """Record an editor's decision; the item no longer needs review."""
        if status not in REVIEW_STATUSES:
            raise ValueError(f"unknown review status {status!r}: expected one of {REVIEW_STATUSES}")
        require_aware(updated_at, "updated_at")
        with write_transaction(self.engine) as conn:
            ensure_review(conn, item_id, updated_at)
            result = conn.execute(
                update(REVIEWS)
                .where(REVIEWS.c.item_id == item_id)
                .values(
                    status=status,
                    needs_review=False,
                    reason=reason,
                    updated_at=updated_at,
                    updated_by=updated_by,
                )
            )
            if result.rowcount != 1:
                raise KeyError(f"no review for item {item_id}")

    # --- editors' decisions, with their audit record ----------------------------------------

    def review(
        self,
        item_id: int,
        action: str,
        *,
        at: datetime,
        actor: str | None = None,
        reason: str | None = None,
        expect_version: str | None = None,
    ) -> int:
        """Approve, reject (with a reason), defer or reopen an item; the audit event's id.

        A crawl never changes what this writes: a rejected item stays rejected (a tombstone:
        it never comes back as new) and is not re-queued by updates. With `expect_version`
        (a `FormState.decision_version`), a decision on an item whose review state has changed
        since raises `StaleVersionError` and changes nothing.
        """
        if action not in REVIEW_ACTIONS:
            known = ", ".join(sorted(REVIEW_ACTIONS))
            raise ValueError(f"unknown action {action!r}: expected one of {known}")
        if action == "reject" and not reason:
            raise ValueError("a rejection needs a reason")
        status, needs_review = REVIEW_ACTIONS[action]
        changes = {"status": status, "needs_review": needs_review, "reason": reason}
        guard = _version_guard(item_id, "decision", expect_version) if expect_version else None
        return self._change_review(item_id, action, changes, at=at, actor=actor, guard=guard)

    def edit(
        self,
        item_id: int,
        *,
        at: datetime,
        actor: str | None = None,
        title: str | None = None,
        summary: str | None = None,
        section: str | None = None,
        expect_version: str | None = None,
    ) -> int:
        """Set the editor's title, summary or bulletin section (a crawl never overwrites them;
        an empty string clears an edit). Only the fields given are written. With
        `expect_version` (a `FormState.edit_version`), an edit of an item whose form values
        have changed since raises `StaleVersionError` and changes nothing."""
        changes: dict[str, Any] = {}
        fields = (("edited_title", title), ("edited_summary", summary), ("section", section))
        for name, value in fields:
            if value is not None:
                changes[name] = value.strip() or None
        if not changes:
            raise ValueError("nothing to edit: give a title, summary or section")
        guard = _version_guard(item_id, "edit", expect_version) if expect_version else None
        return self._change_review(item_id, "edit", changes, at=at, actor=actor, guard=guard)

    def keep_withdrawn(
        self, item_id: int, keep: bool, *, at: datetime, actor: str | None = None
    ) -> int:
        """Let a withdrawn item into bulletins and feeds after all (or stop it again)."""
        return self._change_review(
            item_id, "keep_withdrawn", {"include_withdrawn": keep}, at=at, actor=actor
        )

    def undo(self, event_id: int, *, at: datetime, actor: str | None = None) -> int:
        """Put back the review state an earlier action changed; recorded as its own event.

        Refused (`StaleVersionError`) when a later change has replaced what the action wrote:
        undoing it then would silently overwrite that later change (undo that one first)."""
        with self.engine.connect() as conn:
            event = conn.execute(
                select(REVIEW_EVENTS).where(REVIEW_EVENTS.c.id == event_id)
            ).first()
        if event is None:
            raise KeyError(f"no review event {event_id}")
        if event.action == "split":
            return undo_split(self.engine, event, at=at, actor=actor)
        before = dict(event.detail.get("before") or {})
        after = dict(event.detail.get("after") or {})

        def still_as_left(_conn: Connection, row: Mapping[Any, Any]) -> None:
            replaced = sorted(name for name in after if row.get(name) != after[name])
            if replaced:
                raise StaleVersionError(
                    f"cannot undo event {event_id}: its {', '.join(replaced)} "
                    "changed again since; undo the later change first"
                )

        return self._change_review(
            event.item_id, "undo", before, at=at, actor=actor, undid=event_id, guard=still_as_left
        )

    def events(self, item_id: int) -> list[ReviewEvent]:
        """The audit record of an item, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(REVIEW_EVENTS)
                .where(REVIEW_EVENTS.c.item_id == item_id)
                .order_by(REVIEW_EVENTS.c.id)
            ).all()
        return [ReviewEvent(r.id, r.item_id, r.at, r.actor, r.action, dict(r.detail)) for r in rows]

    def _change_review(
        self,
        item_id: int,
        action: str,
        changes: dict[str, Any],
        *,
        at: datetime,
        actor: str | None,
        undid: int | None = None,
        guard: Guard | None = None,
    ) -> int:
        require_aware(at, "at")

        def change() -> int:
            with write_transaction(self.engine) as conn:
                ensure_review(conn, item_id, at)
                # Locked on PostgreSQL (SQLite's BEGIN IMMEDIATE already excludes other
                # writers), so the audit's "before" is what this change replaced.
                current = conn.execute(
                    select(REVIEWS).where(REVIEWS.c.item_id == item_id).with_for_update()
                ).first()
                if current is None:
                    raise KeyError(f"no item {item_id}")
                if guard is not None:
                    guard(conn, current._mapping)
                before = {name: current._mapping[name] for name in changes}
                conn.execute(
                    update(REVIEWS)
                    .where(REVIEWS.c.item_id == item_id)
                    .values(**changes, updated_at=at, updated_by=actor)
                )
                detail: dict[str, Any] = {"before": before, "after": changes}
                if undid is not None:
                    detail["undid"] = undid
                return int(
                    conn.execute(
                        insert(REVIEW_EVENTS)
                        .values(item_id=item_id, at=at, actor=actor, action=action, detail=detail)
                        .returning(REVIEW_EVENTS.c.id)
                    ).scalar_one()
                )

        # A crawler updating the same item may deadlock with this: the editor's change is
        # then made again, never lost.
        return retry_on_conflict(change)
