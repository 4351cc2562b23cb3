"""Editors' decisions: review status, edits, the audit record and undo.

Review state lives in `reviews`, beside the item and never in the columns a crawl writes, so a
crawl cannot overwrite a decision: a rejected item stays rejected (a tombstone: it never comes
back as new). Every change an editor makes is an event in `review_events` with the state
before and after it, so it can be undone; undo is itself an event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, literal, select, true, update

from aggregator.storage.bulk import dialect_insert
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


class ReviewStore(StoreBase):
    """Review state and its audit record."""

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
    ) -> int:
        """Approve, reject (with a reason), defer or reopen an item; the audit event's id.

        A crawl never changes what this writes: a rejected item stays rejected (a tombstone:
        it never comes back as new) and is not re-queued by updates.
        """
        if action not in REVIEW_ACTIONS:
            known = ", ".join(sorted(REVIEW_ACTIONS))
            raise ValueError(f"unknown action {action!r}: expected one of {known}")
        if action == "reject" and not reason:
            raise ValueError("a rejection needs a reason")
        status, needs_review = REVIEW_ACTIONS[action]
        changes = {"status": status, "needs_review": needs_review, "reason": reason}
        return self._change_review(item_id, action, changes, at=at, actor=actor)

    def edit(
        self,
        item_id: int,
        *,
        at: datetime,
        actor: str | None = None,
        title: str | None = None,
        summary: str | None = None,
        section: str | None = None,
    ) -> int:
        """Set the editor's title, summary or bulletin section (a crawl never overwrites them;
        an empty string clears an edit)."""
        changes: dict[str, Any] = {}
        fields = (("edited_title", title), ("edited_summary", summary), ("section", section))
        for name, value in fields:
            if value is not None:
                changes[name] = value.strip() or None
        if not changes:
            raise ValueError("nothing to edit: give a title, summary or section")
        return self._change_review(item_id, "edit", changes, at=at, actor=actor)

    def keep_withdrawn(
        self, item_id: int, keep: bool, *, at: datetime, actor: str | None = None
    ) -> int:
        """Let a withdrawn item into bulletins and feeds after all (or stop it again)."""
        return self._change_review(
            item_id, "keep_withdrawn", {"include_withdrawn": keep}, at=at, actor=actor
        )

    def undo(self, event_id: int, *, at: datetime, actor: str | None = None) -> int:
        """Put back the review state an earlier action changed; recorded as its own event."""
        with self.engine.connect() as conn:
            event = conn.execute(
                select(REVIEW_EVENTS).where(REVIEW_EVENTS.c.id == event_id)
            ).first()
        if event is None:
            raise KeyError(f"no review event {event_id}")
        if event.action == "split":
            return undo_split(self.engine, event, at=at, actor=actor)
        before = dict(event.detail.get("before") or {})
        return self._change_review(
            event.item_id, "undo", before, at=at, actor=actor, undid=event_id
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
