"""The editors' queue and the item page.

Triage: items found (or substantively updated) that need an editor, newest day first, by
source, strongest relevance first (`queries.queue_page`), with filters, full-text search,
keyset paging, bulk actions and keyboard shortcuts (static/queue.js). The item page shows
every field, the draft summary beside the publisher's description (static/item.js copies it
into the summary field), the sensitivity reminder, the classification's evidence,
provenance, cluster, revisions with their diffs and the audit record; every action goes
through the repository, which records who did what and when, and can undo it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import select
from werkzeug.wrappers import Response

from aggregator.classify.nations import NATIONS, UK_WIDE
from aggregator.classify.vocabulary import Vocabulary
from aggregator.exports.bulletin import CLOSING_TYPES, closing_text, release_date_text
from aggregator.review.auth import current_user, editor_required, users
from aggregator.review.bulletins import DEFAULT_SECTIONS
from aggregator.review.context import now, wants_json
from aggregator.review.draft_views import ORIGINS, drafts, segments
from aggregator.review.queries import (
    PAGE_SIZE,
    QUEUE_STATUSES,
    RELEVANCE_CHOICES,
    REVIEWS,
    Cursor,
    QueueFilters,
    known_sources,
    queue_page,
    updates_of,
)
from aggregator.schema import DocType, Precision
from aggregator.storage.draft_summaries import WORD_LIMIT_MAX, WORD_LIMIT_MIN
from aggregator.storage.repository import Repository
from aggregator.storage.tables import BULLETIN_ITEMS, BULLETINS

bp = Blueprint("queue", __name__)

REJECT_REASONS: tuple[tuple[str, str], ...] = (
    ("out_of_scope", "Out of scope"),
    ("duplicate", "Duplicate of…"),
    ("not_uk", "Not UK"),
    ("broken_link", "Broken link"),
    ("other", "Other"),
)
_REASON_TEXT = {
    "out_of_scope": "out of scope",
    "duplicate": "duplicate of",
    "not_uk": "not UK",
    "broken_link": "broken link",
    "other": "other",
}
ACTIONS = ("approve", "reject", "defer", "reopen")


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


def repo() -> Repository:
    return cast(Repository, current_app.extensions["aggregator_repo"])


def reason_text(code: str | None, detail: str | None) -> str:
    """The stored reason of a rejection: "duplicate of item 12", "other: a press release"."""
    detail = " ".join((detail or "").split())
    if code not in _REASON_TEXT:
        raise ValueError("choose a reason for the rejection")
    if code == "duplicate":
        if not detail:
            raise ValueError("say which item it duplicates")
        return f"duplicate of {'item ' + detail if detail.isdigit() else detail}"
    if code == "other":
        if not detail:
            raise ValueError("say why it is rejected")
        return f"other: {detail}"
    text = _REASON_TEXT[code]
    return f"{text}: {detail}" if detail else text


def _back(default: str) -> Response:
    target = request.form.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        target = default
    return redirect(target)


# --- the queue ------------------------------------------------------------------------------


def _date_arg(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400, f"{name}: not a date (YYYY-MM-DD): {value!r}")


def _filters(baseline: datetime | None) -> QueueFilters:
    args = request.args
    min_relevance = None
    if args.get("min_relevance", "").strip():
        try:
            min_relevance = float(args["min_relevance"])
        except ValueError:
            abort(400, "min_relevance: not a number")
    try:
        return QueueFilters(
            status=args.get("status") or "queue",
            relevance=args.get("relevance") or "relevant",
            min_relevance=min_relevance,
            source=args.get("source") or None,
            doc_type=args.get("type") or None,
            topic=args.get("topic") or None,
            nation=args.get("nation") or None,
            found_from=_date_arg("from"),
            found_to=_date_arg("to"),
            q=(args.get("q") or "").strip() or None,
            since=baseline if args.get("fresh") else None,
        )
    except ValueError as error:
        abort(400, str(error))


def _baseline() -> datetime | None:
    """When this editor last looked at the queue before this login session (what arrived
    after it is marked new); the first look of a session moves the stored time on."""
    user = current_user()
    assert user is not None
    if "queue_baseline" not in session:
        prior = user.last_seen_queue_at
        session["queue_baseline"] = prior.isoformat() if prior else ""
        users().saw_queue(user.id, now())
    stored = session.get("queue_baseline") or ""
    return datetime.fromisoformat(stored) if stored else None


def _facets() -> dict[str, Any]:
    cache = current_app.extensions["aggregator_facets"]
    stamp = now()
    if cache.get("at") is None or (stamp - cache["at"]).total_seconds() > 300:
        cache["sources"] = known_sources(repo())
        cache["at"] = stamp
    return {
        "sources": cache["sources"],
        "doc_types": [d.value for d in DocType],
        "topics": Vocabulary.load().topics,
        "nations": [*NATIONS, UK_WIDE],
        "statuses": QUEUE_STATUSES,
        "relevances": RELEVANCE_CHOICES,
    }


@bp.get("/")
def home() -> Response:
    return redirect(url_for("queue.index"))


@bp.get("/queue")
def index() -> Any:
    baseline = _baseline()
    filters = _filters(baseline)
    cursor = None
    if request.args.get("after"):
        try:
            cursor = Cursor.decode(request.args["after"])
        except ValueError as error:
            abort(400, str(error))
    try:
        size = int(request.args.get("size") or PAGE_SIZE)
    except ValueError:
        abort(400, "size: not a number")
    page = queue_page(repo(), filters, cursor, size)
    shown = [row.id for row in page.rows] + [row.id for row in page.pinned]
    next_args: dict[str, Any] = request.args.to_dict()
    if page.next_cursor is not None:
        next_args["after"] = page.next_cursor.encode()
    first_args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "after"}
    return render_template(
        "queue.html",
        page=page,
        filters=filters,
        args=request.args,
        baseline=baseline,
        updated=updates_of(repo(), shown),
        # one batched read of the page's drafts (never one per row): the queue shows a draft
        # where the editor has written no summary, and the sensitivity flag
        drafts=drafts().many(shown),
        next_url=url_for("queue.index", **next_args) if page.next_cursor else None,
        first_url=url_for("queue.index", **first_args) if cursor else None,
        reasons=REJECT_REASONS,
        facets=_facets(),
        here=request.full_path.rstrip("?"),
    )


@bp.post("/queue/seen")
def mark_seen() -> Response:
    """Everything now in the queue counts as seen: only later arrivals are marked new."""
    user = current_user()
    assert user is not None
    stamp = now()
    users().saw_queue(user.id, stamp)
    session["queue_baseline"] = stamp.isoformat()
    return _back(url_for("queue.index"))


@bp.post("/queue/bulk")
@editor_required
def bulk() -> Response:
    action = request.form.get("action", "")
    if action not in ACTIONS:
        abort(400, "choose an action")
    try:
        ids = sorted({int(v) for v in request.form.getlist("ids")})
    except ValueError:
        abort(400, "bad item id")
    if not ids:
        flash("Nothing selected.", "warning")
        return _back(url_for("queue.index"))
    reason = None
    if action == "reject":
        try:
            reason = reason_text(request.form.get("reason"), request.form.get("reason_detail"))
        except ValueError as error:
            abort(400, str(error))
    user = current_user()
    assert user is not None
    done = 0
    for item_id in ids:
        try:
            repo().review(item_id, action, at=now(), actor=user.username, reason=reason)
            done += 1
        except KeyError:
            continue
    flash(f"{_past(action)} {done} item{'s' if done != 1 else ''}.", "success")
    return _back(url_for("queue.index"))


def _past(action: str) -> str:
    return {
        "approve": "Approved",
        "reject": "Rejected",
        "defer": "Deferred",
        "reopen": "Reopened",
    }[action]


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
    diffs = {
        rev.id: r.diff(rev.id) for rev in revisions if rev.id is not None and rev.kind != "new"
    }
    with r.engine.connect() as conn:
        in_bulletins = conn.execute(
            select(BULLETINS.c.id, BULLETINS.c.title, BULLETINS.c.status)
            .join(BULLETIN_ITEMS, BULLETIN_ITEMS.c.bulletin_id == BULLETINS.c.id)
            .where(BULLETIN_ITEMS.c.item_id == item_id)
            .order_by(BULLETINS.c.id)
        ).all()
        review_row = conn.execute(
            select(REVIEWS.c.updated_at, REVIEWS.c.updated_by).where(REVIEWS.c.item_id == item_id)
        ).first()
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
        events=r.events(item_id),
        revisions=revisions,
        diffs=diffs,
        clusters=r.clusters(item_id),
        in_bulletins=in_bulletins,
        review_row=review_row,
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
            **extra,
        )
    flash(message, "success")
    return _back(url_for("queue.item", item_id=item_id))


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
        event_id = repo().review(item_id, action, at=now(), actor=user.username, reason=reason)
    except ValueError as error:
        return _fail(str(error))
    return _done(item_id, f"{_past(action)} item {item_id}.", event_id=event_id)


@bp.post("/items/<int:item_id>/edit")
@editor_required
def edit(item_id: int) -> Any:
    stored = _stored(item_id)
    changes: dict[str, str] = {}
    for name, current in (
        ("title", stored.edited_title or ""),
        ("summary", stored.edited_summary or ""),
        ("section", stored.section or ""),
    ):
        if name in request.form:
            value = request.form[name].strip()
            original = {"title": stored.item.title, "summary": stored.item.summary}.get(name)
            if original and value == original.strip():
                value = ""  # the publisher's own text: no edit (clears an earlier one)
            if value != current:
                changes[name] = value
    if not changes:
        return _done(item_id, "Nothing changed.")
    user = current_user()
    assert user is not None
    try:
        event_id = repo().edit(item_id, at=now(), actor=user.username, **changes)
    except ValueError as error:
        return _fail(str(error))
    return _done(item_id, f"Saved the {', '.join(changes)} of item {item_id}.", event_id=event_id)


@bp.post("/items/<int:item_id>/undo/<int:event_id>")
@editor_required
def undo(item_id: int, event_id: int) -> Any:
    if event_id not in {e.id for e in repo().events(item_id)}:
        return _fail(f"event {event_id} is not one of item {item_id}'s", 404)
    user = current_user()
    assert user is not None
    new_event = repo().undo(event_id, at=now(), actor=user.username)
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
