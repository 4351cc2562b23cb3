"""Draft summaries in the review app: redrafting an item at another length, the editors'
default length (a small settings page), and how the item page marks a draft's sentences.

The drafts themselves are made by `aggregator.drafting` from the publisher's own sentences
and stored by `aggregator.storage.draft_summaries.DraftStore`, apart from the publisher's
description and the editor's text: nothing here writes either of those. Copying a draft into
the summary is done in the browser (static/item.js) and saved through the item page's
ordinary edit form.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    url_for,
)
from werkzeug.wrappers import Response

from aggregator.drafting import Draft, UsedSentence
from aggregator.review.auth import editor_required
from aggregator.review.context import editor_name, now, wants_json
from aggregator.storage.draft_summaries import (
    WORD_LIMIT_MAX,
    WORD_LIMIT_MIN,
    DraftStore,
    UnknownItemError,
)

bp = Blueprint("drafting", __name__)

ORIGINS = {"summary": "standfirst", "main_text": "main text"}
"""How the page names where a sentence came from: the publisher's standfirst (the item's
summary) or the page's main text."""


def drafts() -> DraftStore:
    return cast(DraftStore, current_app.extensions["aggregator_drafts"])


@dataclass(frozen=True)
class Segment:
    """A run of a draft's text, and the sentence it is (None: the opening or a joint)."""

    text: str
    sentence: UsedSentence | None = None

    @property
    def origin(self) -> str:
        return ORIGINS.get(self.sentence.origin, self.sentence.origin) if self.sentence else ""


def segments(draft: Draft) -> list[Segment]:
    """The draft's text cut into the opening and the sentences it used, in order, so the page
    can mark each with its origin. The sentences are looked up in the text as stored; if one
    cannot be found (a draft written by an older drafter, say) the text is one plain segment
    and the page still lists the sentences beside it."""
    text = draft.text
    found: list[Segment] = []
    position = 0
    for sentence in draft.sentences:
        start = text.find(sentence.text, position) if sentence.text else -1
        if start < 0:
            return [Segment(text)]
        if start > position:
            found.append(Segment(text[position:start]))
        found.append(Segment(sentence.text, sentence))
        position = start + len(sentence.text)
    if position < len(text):
        found.append(Segment(text[position:]))
    return found


def _number(name: str) -> int:
    value = request.form.get(name, "").strip()
    try:
        return int(value)
    except ValueError:
        abort(400, f"{name}: a whole number of words, not {value!r}")


@bp.post("/items/<int:item_id>/redraft")
@editor_required
def redraft(item_id: int) -> Any:
    """Rebuild this item's draft at another length (the default length is not changed)."""
    words = _number("words")
    try:
        stored = drafts().redraft(item_id, word_limit=words, at=now())
    except UnknownItemError:
        abort(404, f"no item {item_id}")
    except ValueError as error:  # a length outside the allowed range
        if wants_json():
            return jsonify(ok=False, message=str(error)), 400
        abort(400, str(error))
    message = (
        f"Redrafted item {item_id} at {stored.draft.word_limit} words ({stored.draft.words} used)."
    )
    if wants_json():
        return jsonify(
            ok=True,
            message=message,
            item_id=item_id,
            text=stored.draft.text,
            words=stored.draft.words,
            word_limit=stored.draft.word_limit,
            hit_limit=stored.draft.hit_limit,
        )
    flash(message, "success")
    return redirect(url_for("queue.item", item_id=item_id) + "#draft")


@bp.get("/settings")
def settings() -> Any:
    return render_template(
        "settings.html",
        word_limit=drafts().word_limit(),
        word_range=(WORD_LIMIT_MIN, WORD_LIMIT_MAX),
    )


@bp.post("/settings/draft-words")
@editor_required
def set_draft_words() -> Response:
    """The default length of new drafts. Drafts already made keep their length until they
    are redrafted."""
    words = _number("words")
    try:
        drafts().set_word_limit(words, editor_name(), now())
    except ValueError as error:
        abort(400, str(error))
    flash(f"New drafts will be at most {words} words.", "success")
    return redirect(url_for("drafting.settings"))
