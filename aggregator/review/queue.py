"""The editors' queue (the item page is `item_page.py`, on this module's blueprint).

Triage: items found (or substantively updated) that need an editor, newest day first, by
source, strongest relevance first (`queries.queue_page`), with filters, full-text search,
keyset paging, bulk actions and keyboard shortcuts (static/queue.js). The item page shows
every field, the draft summary beside the publisher's description (static/item.js copies it
into the summary field), the sensitivity reminder, the classification's evidence,
provenance, cluster, revisions and the audit record in sentences (`history.py`); every action
goes through the repository, which records who did what and when, and can undo it.

Edits never overwrite each other. Every form that changes an item carries the version it was
made from (`storage.reviews.FormState`: a digest of the values it shows, no stored column):
the item page's edit form (with the original value of each field), its decision form, and
each row of the queue (for its buttons, bulk actions and keys). Only fields the editor changed
are written; a save against a newer version writes them when nobody else changed the same
field, and otherwise gets the conflict page (templates/conflict.html: the original, theirs and
yours, field by field) where the editor chooses (`conflicts.py`). A bulk action skips and
reports every item changed since the queue page was loaded.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from aggregator.classify.nations import NATIONS, UK_WIDE
from aggregator.classify.vocabulary import Vocabulary
from aggregator.review.auth import current_user, editor_required, users
from aggregator.review.context import now
from aggregator.review.draft_views import drafts
from aggregator.review.queries import (
    PAGE_SIZE,
    QUEUE_STATUSES,
    RELEVANCE_CHOICES,
    Cursor,
    QueueFilters,
    known_sources,
    queue_page,
    updates_of,
)
from aggregator.schema import DocType
from aggregator.storage.repository import Repository
from aggregator.storage.reviews import StaleVersionError

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


def back_or(default: str) -> Response:
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
    # the query string goes with it: /?q=mandatory searches as /queue?q=mandatory does
    query = request.query_string.decode("utf-8", "replace")
    return redirect(url_for("queue.index") + (f"?{query}" if query else ""))


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
        # each row's decision version, for its buttons, the bulk actions and the keys
        versions={i: state.decision_version for i, state in repo().form_states(shown).items()},
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
    return back_or(url_for("queue.index"))


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
        return back_or(url_for("queue.index"))
    reason = None
    if action == "reject":
        try:
            reason = reason_text(request.form.get("reason"), request.form.get("reason_detail"))
        except ValueError as error:
            abort(400, str(error))
    user = current_user()
    assert user is not None
    done = 0
    skipped: list[str] = []
    for item_id in ids:
        # the version each row was loaded at: an item changed since is skipped, not decided
        expected = request.form.get(f"version-{item_id}") or None
        try:
            repo().review(
                item_id,
                action,
                at=now(),
                actor=user.username,
                reason=reason,
                expect_version=expected,
            )
            done += 1
        except StaleVersionError as stale:
            now_is = status_phrase(stale.current.decision) if stale.current else "changed"
            skipped.append(f"item {item_id} (now {now_is})")
        except KeyError:
            continue
    flash(f"{past_tense(action)} {done} item{'s' if done != 1 else ''}.", "success")
    if skipped:
        flash(
            "Not changed, because someone changed them after this page was loaded: "
            + "; ".join(skipped)
            + ". Look at them again.",
            "warning",
        )
    return back_or(url_for("queue.index"))


def status_phrase(decision: dict[str, Any]) -> str:
    """A review state as the conflict messages say it: "rejected (not UK)", "new"."""
    status = str(decision.get("status"))
    text = f"{status} ({decision['reason']})" if decision.get("reason") else status
    if decision.get("needs_review") and status != "new":
        text += ", back in the queue"
    return text


def past_tense(action: str) -> str:
    return {
        "approve": "Approved",
        "reject": "Rejected",
        "defer": "Deferred",
        "reopen": "Reopened",
    }[action]
