"""The item page: every field of one item, its draft, evidence, provenance, cluster, revisions
and audit record, and the forms that decide on it and edit it (routes of the queue's
blueprint, `queue.bp`, so the queue and the item page share one namespace of endpoints).

Edits never overwrite each other: see `queue.py`'s module docstring and `conflicts.py`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import (
    abort,
    flash,
    jsonify,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select

from aggregator.exports.bulletin import CLOSING_TYPES, closing_text, release_date_text
from aggregator.review.auth import current_user, editor_required
from aggregator.review.bulletins import DEFAULT_SECTIONS, SUMMARY_GUIDE
from aggregator.review.conflicts import FieldVersions, compare
from aggregator.review.context import now, wants_json
from aggregator.review.draft_views import ORIGINS, drafts, segments
from aggregator.review.history import (
    audit_lines,
    revision_changes,
    revision_headline,
    when,
    words_changed,
)
from aggregator.review.queue import (
    ACTIONS,
    REJECT_REASONS,
    back_or,
    bp,
    past_tense,
    reason_text,
    repo,
    status_phrase,
)
from aggregator.schema import DocType, Precision
from aggregator.storage.draft_summaries import WORD_LIMIT_MAX, WORD_LIMIT_MIN
from aggregator.storage.reviews import EDIT_FIELDS, FormState, StaleVersionError
from aggregator.storage.tables import BULLETIN_ITEMS, BULLETINS

SUMMARY_MAX_CHARS = 1200
"""The longest summary the item page saves: twice the top of the guide (`SUMMARY_GUIDE`, the
example bulletin's 250 to 600 characters). Past it a "summary" is a pasted page, not one."""


def release_note(
    doc_type: str,
    start: datetime | None,
    end: datetime | None,
    precision: str,
    state: str | None,
) -> tuple[str, str] | None:
    """A statistics announcement's badge and line: ("due", "due October 2024 (provisional)"),
    or ("cancelled", "release cancelled (was due October 2024)"), never "due" once cancelled;
    None for any other type. The queue and the item page show it, so an editor can tell
    statistics still to come from statistics published."""
    if doc_type != DocType.STATISTICS_ANNOUNCEMENT:
        return None
    when = release_date_text(start, end, Precision(precision))
    if state == "cancelled":
        return "cancelled", "release cancelled" + (f" (was due {when})" if when else "")
    if not when:
        return "due", "release date not yet announced"
    return "due", f"due {when}" + (f" ({state})" if state else "")


def closing_note(doc_type: str, closes: datetime | None) -> str | None:
    """ "closes 12 June 2024" for a consultation or call for evidence (the London day, as the
    bulletin says it); None otherwise."""
    if doc_type not in CLOSING_TYPES or closes is None:
        return None
    return f"closes {closing_text(closes)}"


bp.add_app_template_global(release_note)
bp.add_app_template_global(closing_note)
bp.add_app_template_global(closing_text, "closing_day_text")


# --- the item page --------------------------------------------------------------------------


def _stored(item_id: int) -> Any:
    found = repo().stored_items([item_id]).get(item_id)
    if found is None:
        abort(404, f"no item {item_id}")
    return found


@bp.get("/items/<int:item_id>")
def item(item_id: int) -> Any:
    stored = _stored(item_id)
    r = repo()
    revisions = r.revisions(item_id)
    changes = {}
    for rev in revisions:
        if rev.id is not None and rev.kind != "new":
            previous, snapshot = r.snapshot_pair(rev.id)
            changes[rev.id] = revision_changes(previous, snapshot) if previous else []
    events = r.events(item_id)
    state = r.form_states([item_id])[item_id]
    with r.engine.connect() as conn:
        in_bulletins = conn.execute(
            select(BULLETINS.c.id, BULLETINS.c.title, BULLETINS.c.status)
            .join(BULLETIN_ITEMS, BULLETIN_ITEMS.c.bulletin_id == BULLETINS.c.id)
            .where(BULLETIN_ITEMS.c.item_id == item_id)
            .order_by(BULLETINS.c.id)
        ).all()
    sections = list(DEFAULT_SECTIONS)
    if stored.section and stored.section not in sections:
        sections.append(stored.section)
    draft = drafts().get(item_id)
    return render_template(
        "item.html",
        stored=stored,
        item=stored.item,
        draft=draft,
        segments=segments(draft.draft) if draft is not None else [],
        origins=ORIGINS,
        default_words=drafts().word_limit(),
        word_range=(WORD_LIMIT_MIN, WORD_LIMIT_MAX),
        classification=r.classification(item_id),
        events=events,
        audit=audit_lines(events),
        revision_history=[
            (rev, revision_headline(rev.kind, rev.seen_at), changes.get(rev.id or 0, []))
            for rev in revisions
        ],
        state=state,
        guide=SUMMARY_GUIDE,
        summary_max=SUMMARY_MAX_CHARS,
        last_change=(
            f"Last changed by {state.updated_by or 'an unnamed editor'}, {when(state.updated_at)}."
            if state.updated_at
            else ""
        ),
        clusters=r.clusters(item_id),
        in_bulletins=in_bulletins,
        reasons=REJECT_REASONS,
        sections=sections,
    )


def _done(item_id: int, message: str, **extra: Any) -> Any:
    if wants_json():
        stored = _stored(item_id)
        return jsonify(
            ok=True,
            message=message,
            item_id=item_id,
            status=stored.status,
            needs_review=stored.needs_review,
            # the row's new version, so the page's next action on it is not a false conflict
            version=repo().form_states([item_id])[item_id].decision_version,
            **extra,
        )
    flash(message, "success")
    return back_or(url_for("queue.item", item_id=item_id))


def _fail(message: str, status: int = 400) -> Any:
    if wants_json():
        return jsonify(ok=False, message=message), status
    abort(status, message)


@bp.post("/items/<int:item_id>/review")
@editor_required
def review(item_id: int) -> Any:
    _stored(item_id)
    action = request.form.get("action", "")
    if action not in ACTIONS:
        return _fail("choose an action")
    reason = None
    try:
        if action == "reject":
            reason = reason_text(request.form.get("reason"), request.form.get("reason_detail"))
        user = current_user()
        assert user is not None
        # the item page's form sends "version"; a queue row's buttons send the whole queue
        # form, where each row's version is "version-<id>"
        expected = request.form.get("version") or request.form.get(f"version-{item_id}")
        event_id = repo().review(
            item_id,
            action,
            at=now(),
            actor=user.username,
            reason=reason,
            expect_version=expected or None,
        )
    except StaleVersionError as stale:
        assert stale.current is not None
        return _decision_conflict(item_id, action, reason, stale.current)
    except ValueError as error:
        return _fail(str(error))
    return _done(item_id, f"{past_tense(action)} item {item_id}.", event_id=event_id)


def _decision_conflict(item_id: int, action: str, reason: str | None, current: FormState) -> Any:
    """A decision made from a stale page: nothing was done; say what the item is now, and let
    the editor apply theirs anyway or keep the other decision."""
    by = f" by {current.updated_by}" if current.updated_by else ""
    at = f", {when(current.updated_at)}" if current.updated_at else ""
    message = (
        f"Item {item_id} was changed after you loaded it: it is now "
        f"{status_phrase(current.decision)}{by}{at}. Nothing was done."
    )
    if wants_json():
        return jsonify(
            ok=False,
            conflict=True,
            message=message,
            item_id=item_id,
            status=current.decision["status"],
            version=current.decision_version,
        ), 409
    yours = past_tense(action).lower() + (f" ({reason})" if reason else "")
    return render_template(
        "conflict.html",
        kind="decision",
        stored=_stored(item_id),
        message=message,
        state=current,
        original=request.form.get("original_status") or "",
        theirs=status_phrase(current.decision) + by + at,
        yours=yours,
        action=action,
        form=request.form,
    ), 409


@bp.post("/items/<int:item_id>/edit")
@editor_required
def edit(item_id: int) -> Any:
    """Save the fields the editor changed, and only those.

    The form carries its version and each field's original value. A field is changed when
    what it sends differs from its original; a form without a version (a script's POST)
    counts the values now stored as its originals. When the item has moved on since the form
    was loaded, fields nobody else changed are still saved; a field both changed differently
    is a conflict, and nothing is saved until the editor has chosen on the conflict page.
    """
    try:
        yours = {name: value for name in EDIT_FIELDS if (value := _sent(name)) is not None}
    except ValueError as error:
        return _fail(str(error))
    version = request.form.get("version") or None
    user = current_user()
    assert user is not None
    # Read, compare, then write only if still at the version read (checked with the row
    # locked): a save landing in between sends this round again, never over it.
    for _attempt in range(3):
        stored = _stored(item_id)
        state = repo().form_states([item_id])[item_id]
        originals = (
            {name: request.form.get(f"original_{name}", state.edit[name]) for name in EDIT_FIELDS}
            if version
            else dict(state.edit)
        )
        fields = compare(EDIT_FIELDS, originals, state.edit, yours)
        if any(f.conflict for f in fields):
            return _edit_conflict(stored, state, fields)
        writes = _writes(stored, [f for f in fields if f.to_write])
        kept = [f.name for f in fields if f.theirs_changed and not f.yours_changed]
        note = f" Kept the {', '.join(kept)} saved by someone else meanwhile." if kept else ""
        if not writes:
            return _done(item_id, "Nothing changed." + note)
        summary = writes.get("summary") or ""
        if len(summary) > SUMMARY_MAX_CHARS:
            return _fail(
                f"The summary is {len(summary):,} characters: at most {SUMMARY_MAX_CHARS:,} "
                f"(aim for {SUMMARY_GUIDE[0]}–{SUMMARY_GUIDE[1]}). Nothing was saved."
            )
        try:
            event_id = repo().edit(
                item_id,
                at=now(),
                actor=user.username,
                expect_version=state.edit_version,
                **writes,
            )
        except StaleVersionError:
            continue
        except ValueError as error:
            return _fail(str(error))
        saved = ", ".join(writes)
        return _done(item_id, f"Saved the {saved} of item {item_id}.{note}", event_id=event_id)
    return _fail("The item kept changing while saving: reload it and try again.", 409)


def _sent(name: str) -> str | None:
    """What the form sent for a field (None: not in the form). On the conflict page a field
    both editors changed is sent as a choice: theirs (its original there) or yours."""
    choice = request.form.get(f"choice_{name}")
    if choice is None:
        if f"mine_{name}" in request.form:
            raise ValueError(f"choose theirs or yours for the {name}")
        return request.form.get(name)
    if choice == "theirs":
        return request.form.get(f"original_{name}", "")
    if choice == "mine":
        return request.form.get(f"mine_{name}", "")
    raise ValueError(f"choose theirs or yours for the {name}, not {choice!r}")


def _writes(stored: Any, fields: list[FieldVersions]) -> dict[str, str]:
    """The edits to store for the changed fields: the publisher's own title or summary is no
    edit (it clears an earlier one), and a value already stored is not written again."""
    publisher = {"title": stored.item.title, "summary": stored.item.summary}
    current = {
        "title": stored.edited_title or "",
        "summary": stored.edited_summary or "",
        "section": stored.section or "",
    }
    writes: dict[str, str] = {}
    for field in fields:
        value = field.yours.replace("\r\n", "\n").strip()
        original = publisher.get(field.name)
        if original and value == original.strip():
            value = ""
        if value != current[field.name]:
            writes[field.name] = value
    return writes


def _edit_conflict(stored: Any, state: FormState, fields: list[FieldVersions]) -> Any:
    """The conflict page for an edit: nothing saved; every field with its three versions, a
    choice for each one both editors changed."""
    message = (
        f"Someone else saved item {stored.id} after you opened it"
        + (f" ({state.updated_by}, {when(state.updated_at)})" if state.updated_at else "")
        + ", and changed "
        + ", ".join(f.name for f in fields if f.conflict)
        + " too. Nothing was saved: choose which version to keep."
    )
    if wants_json():
        return jsonify(
            ok=False,
            conflict=True,
            message=message,
            fields=[
                {"name": f.name, "original": f.original, "theirs": f.theirs, "yours": f.yours}
                for f in fields
                if f.conflict
            ],
            version=state.edit_version,
        ), 409
    return render_template(
        "conflict.html",
        kind="edit",
        stored=stored,
        message=message,
        state=state,
        fields=fields,
        word_runs={f.name: words_changed(f.theirs, f.yours) for f in fields if f.conflict},
        guide=SUMMARY_GUIDE,
        summary_max=SUMMARY_MAX_CHARS,
        form=request.form,
    ), 409


@bp.post("/items/<int:item_id>/undo/<int:event_id>")
@editor_required
def undo(item_id: int, event_id: int) -> Any:
    if event_id not in {e.id for e in repo().events(item_id)}:
        return _fail(f"event {event_id} is not one of item {item_id}'s", 404)
    user = current_user()
    assert user is not None
    try:
        new_event = repo().undo(event_id, at=now(), actor=user.username)
    except StaleVersionError as error:
        return _fail(str(error), 409)
    return _done(item_id, f"Undid event {event_id}.", event_id=new_event)


@bp.post("/items/<int:item_id>/split")
@editor_required
def split(item_id: int) -> Any:
    _stored(item_id)
    user = current_user()
    assert user is not None
    try:
        repo().split(item_id, now(), user.username)
    except KeyError as error:
        return _fail(str(error.args[0] if error.args else error), 404)
    return _done(item_id, f"Item {item_id} split from its cluster; later crawls keep it apart.")
