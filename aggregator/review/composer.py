"""The bulletin composer: a window of approved items in sections the editor orders, summaries
edited in place with a length guide, section introductions and via wording, per-entry links
(extra ones, and which of the item's own appear), a live preview in the example's layout, a
link check, items already sent left out, late discoveries flagged, the source coverage of the
window, the publish checklist, publishing (which freezes every export format as a revision)
and corrections (a new revision). Every form posts and redirects (Post/Redirect/Get), a
refused publish included, so the back button never resubmits. Composing: `bulletins.py`; the
tables: `aggregator.storage.bulletins`.
"""

from __future__ import annotations

from datetime import date
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
from werkzeug.wrappers import Response

from aggregator.exports.syndication import public_url
from aggregator.review.auth import editor_required
from aggregator.review.bulletins import (
    DEFAULT_SECTIONS,
    SUMMARY_GUIDE,
    VIA_DEFAULT,
    Bulletin,
    BulletinComposer,
    FrozenError,
    OpenPointsError,
    default_window,
    html_document,
    revision_line,
)
from aggregator.review.context import editor_name, now, wants_json
from aggregator.review.linkcheck import check_links
from aggregator.review.queries import known_sources
from aggregator.review.sanitize import clean_html
from aggregator.sources import REGISTRY
from aggregator.storage.bulletins import SummaryConflict

bp = Blueprint("composer", __name__)


def store() -> BulletinComposer:
    return cast(BulletinComposer, current_app.extensions["aggregator_bulletins"])


def _bulletin(bulletin_id: int) -> Bulletin:
    found = store().get(bulletin_id)
    if found is None:
        abort(404, f"no bulletin {bulletin_id}")
    return found


def _guarded(bulletin_id: int, change: Any) -> Any:
    """Run a change of a draft: a published bulletin is a 409; a bad value (an extra link
    that is not http(s)) is a 400 for a script, and for a form the composer again with the
    reason at the top (Post/Redirect/Get)."""
    try:
        change()
    except FrozenError as error:
        if wants_json():
            return jsonify(ok=False, message=str(error)), 409
        abort(409, str(error))
    except (ValueError, KeyError) as error:
        message = str(error.args[0] if error.args else error)
        if wants_json():
            return jsonify(ok=False, message=message), 400
        _bulletin(bulletin_id)  # an unknown bulletin is a 404, not a redirect to one
        flash(f"Not saved: {message}", "error")
    if wants_json():
        return jsonify(ok=True)
    return redirect(url_for("composer.show", bulletin_id=bulletin_id) + _anchor())


def _anchor() -> str:
    anchor = request.form.get("anchor", "")
    return f"#{anchor}" if anchor.replace("-", "").isalnum() else ""


def _step() -> int:
    return -1 if request.form.get("step") == "up" else 1


@bp.get("/bulletins")
def index() -> Any:
    first, last = default_window(store().newest_unsent(), now())
    return render_template(
        "bulletins.html", bulletins=store().all(), default_start=first, default_end=last
    )


@bp.post("/bulletins")
@editor_required
def create() -> Response:
    try:
        first = date.fromisoformat(request.form.get("start", ""))
        last = date.fromisoformat(request.form.get("end", ""))
    except ValueError:
        abort(400, "the window needs a start and an end date (YYYY-MM-DD)")
    title = request.form.get("title", "")
    try:
        bulletin_id = store().create(title, first, last, actor=editor_name(), at=now())
    except ValueError as error:
        abort(400, str(error))
    return redirect(url_for("composer.show", bulletin_id=bulletin_id))


LinkState = dict[str, tuple[bool, bool, str]]
"""The last link check of a bulletin, kept in the editor's session across the redirect:
url → (ok, skipped, label)."""


def _links_key(bulletin_id: int) -> str:
    return f"bulletin-links-{bulletin_id}"


def _saved_links(bulletin_id: int) -> LinkState | None:
    saved = session.get(_links_key(bulletin_id))
    if not isinstance(saved, dict):
        return None
    return {str(url): (bool(v[0]), bool(v[1]), str(v[2])) for url, v in saved.items()}


def _refusal_key(bulletin_id: int) -> str:
    """Why the last publish was refused: shown once, on the page the refusal redirects to."""
    return f"bulletin-refused-{bulletin_id}"


def _page(bulletin: Bulletin) -> Any:
    s = store()
    entries = s.entries(bulletin)
    sections: list[tuple[str, list[Any]]] = []
    for entry in entries:
        if not sections or sections[-1][0] != entry.section:
            sections.append((entry.section, []))
        sections[-1][1].append(entry)
    frozen = bulletin.rendered_html or ""
    html_text = frozen if bulletin.published else s.render(bulletin, entries)[0]
    section_names = list(DEFAULT_SECTIONS) + [
        name for name, _ in sections if name not in DEFAULT_SECTIONS
    ]
    links = _saved_links(bulletin.id)
    broken = {url for url, (ok, skipped, _label) in (links or {}).items() if not ok and not skipped}
    checklist = [] if bulletin.published else s.checklist(entries, links)
    return render_template(
        "composer.html",
        bulletin=bulletin,
        sections=sections,
        section_names=section_names,
        already=s.left_out(bulletin),
        coverage=s.coverage(bulletin, sorted(set(REGISTRY) | set(known_sources(s.repo))), now()),
        preview=clean_html(html_text),
        links=links,
        broken=broken,
        checklist=checklist,
        error=session.pop(_refusal_key(bulletin.id), None),
        revisions=[revision_line(r) for r in s.revisions(bulletin.id)],
        via_default=VIA_DEFAULT,
        guide=SUMMARY_GUIDE,
    )


@bp.get("/bulletins/<int:bulletin_id>")
def show(bulletin_id: int) -> Any:
    return _page(_bulletin(bulletin_id))


def _rendered(bulletin: Bulletin) -> tuple[str, str]:
    """(HTML fragment, Markdown): as frozen for a published bulletin, else as it stands."""
    if bulletin.published:
        return bulletin.rendered_html or "", bulletin.rendered_markdown or ""
    s = store()
    return s.render(bulletin, s.entries(bulletin))


@bp.get("/bulletins/<int:bulletin_id>/preview")
def preview(bulletin_id: int) -> Any:
    """The live preview: the rendered bulletin, sanitised, as an HTML fragment."""
    bulletin = _bulletin(bulletin_id)
    fragment = _rendered(bulletin)[0]
    return Response(str(clean_html(fragment)), mimetype="text/html")


@bp.get("/bulletins/<int:bulletin_id>.md")
def markdown(bulletin_id: int) -> Response:
    bulletin = _bulletin(bulletin_id)
    text = _rendered(bulletin)[1]
    return Response(
        text,
        mimetype="text/markdown",
        headers={"Content-Disposition": f'attachment; filename="bulletin-{bulletin.id}.md"'},
    )


@bp.get("/bulletins/<int:bulletin_id>.html")
def html_file(bulletin_id: int) -> Response:
    bulletin = _bulletin(bulletin_id)
    fragment = _rendered(bulletin)[0]
    return Response(
        html_document(bulletin.title, str(clean_html(fragment))),
        mimetype="text/html",
        headers={"Content-Disposition": f'attachment; filename="bulletin-{bulletin.id}.html"'},
    )


@bp.post("/bulletins/<int:bulletin_id>/title")
@editor_required
def set_title(bulletin_id: int) -> Any:
    return _guarded(
        bulletin_id, lambda: store().set_title(bulletin_id, request.form.get("title", ""))
    )


@bp.post("/bulletins/<int:bulletin_id>/refresh")
@editor_required
def refresh(bulletin_id: int) -> Any:
    def change() -> None:
        added, removed = store().refresh(bulletin_id)
        flash(f"Took in {added} newly approved item(s); dropped {removed}.", "success")

    return _guarded(bulletin_id, change)


@bp.post("/bulletins/<int:bulletin_id>/sections/move")
@editor_required
def move_section(bulletin_id: int) -> Any:
    return _guarded(
        bulletin_id,
        lambda: store().move_section(bulletin_id, request.form.get("section", ""), _step()),
    )


@bp.post("/bulletins/<int:bulletin_id>/items/<int:item_id>/move")
@editor_required
def move_item(bulletin_id: int, item_id: int) -> Any:
    return _guarded(bulletin_id, lambda: store().move_item(bulletin_id, item_id, _step()))


@bp.post("/bulletins/<int:bulletin_id>/items/<int:item_id>/section")
@editor_required
def set_section(bulletin_id: int, item_id: int) -> Any:
    name = request.form.get("new_section", "").strip() or request.form.get("section", "")
    return _guarded(bulletin_id, lambda: store().set_section(bulletin_id, item_id, name))


@bp.post("/bulletins/<int:bulletin_id>/items/<int:item_id>/summary")
@editor_required
def set_summary(bulletin_id: int, item_id: int) -> Any:
    """Save an entry's summary. The form carries the summary it was made from (`original`):
    a save over another editor's newer text is refused, showing theirs, never overwriting it."""
    summary = request.form.get("summary", "")
    original = request.form.get("original")  # None: a script that does not say
    try:
        return _guarded(
            bulletin_id, lambda: store().set_summary(bulletin_id, item_id, summary, original)
        )
    except SummaryConflict as conflict:
        theirs = conflict.stored or "(none: the item's own summary)"
        if wants_json():
            return jsonify(
                ok=False, conflict=True, stored=conflict.stored or "", message=str(conflict)
            ), 409
        flash(
            f"Not saved: {conflict}. Theirs: “{theirs}”. Yours: “{' '.join(summary.split())}”. "
            "Copy what you want to keep into the summary and save again.",
            "error",
        )
        return redirect(url_for("composer.show", bulletin_id=bulletin_id) + f"#entry-{item_id}")


@bp.post("/bulletins/<int:bulletin_id>/items/<int:item_id>/remove")
@editor_required
def remove_item(bulletin_id: int, item_id: int) -> Any:
    return _guarded(bulletin_id, lambda: store().remove_item(bulletin_id, item_id))


@bp.post("/bulletins/<int:bulletin_id>/issue-line")
@editor_required
def set_issue_line(bulletin_id: int) -> Any:
    return _guarded(
        bulletin_id,
        lambda: store().set_issue_line(bulletin_id, request.form.get("issue_line", "")),
    )


@bp.post("/bulletins/<int:bulletin_id>/unchecked-drafts")
@editor_required
def set_unchecked_drafts(bulletin_id: int) -> Any:
    """Label unchecked machine drafts as drafts, or show the publisher's description."""
    return _guarded(
        bulletin_id,
        lambda: store().set_unchecked_drafts(bulletin_id, request.form.get("unchecked", "")),
    )


@bp.post("/bulletins/<int:bulletin_id>/sections/text")
@editor_required
def set_section_text(bulletin_id: int) -> Any:
    return _guarded(
        bulletin_id,
        lambda: store().set_section_wording(
            bulletin_id,
            request.form.get("section", ""),
            request.form.get("intro", ""),
            request.form.get("via", ""),
        ),
    )


@bp.post("/bulletins/<int:bulletin_id>/items/<int:item_id>/links")
@editor_required
def set_links(bulletin_id: int, item_id: int) -> Any:
    return _guarded(
        bulletin_id,
        lambda: store().set_links(
            bulletin_id, item_id, request.form.getlist("show"), request.form.get("extra", "")
        ),
    )


def _check(bulletin: Bulletin) -> dict[str, tuple[bool, bool, str]]:
    """Check every link the bulletin shows; the results are kept in the session (the page
    after the redirect shows them, and the publish checklist reads them)."""
    urls = [url for entry in store().entries(bulletin) for url in entry.urls()]
    results = check_links(
        urls,
        timeout=float(current_app.config["LINK_CHECK_TIMEOUT"]),
        loopback_only=bool(current_app.config["LINK_CHECK_LOOPBACK_ONLY"]),
    )
    state = {url: (r.ok, r.skipped, r.label) for url, r in results.items()}
    session[_links_key(bulletin.id)] = {url: list(value) for url, value in state.items()}
    return state


def _back(bulletin_id: int, anchor: str = "") -> Response:
    return redirect(url_for("composer.show", bulletin_id=bulletin_id) + anchor, code=303)


@bp.post("/bulletins/<int:bulletin_id>/check-links")
@editor_required
def check(bulletin_id: int) -> Any:
    links = _check(_bulletin(bulletin_id))
    broken = sum(1 for ok, skipped, _label in links.values() if not ok and not skipped)
    flash(f"Checked {len(links)} link(s): {broken} broken.", "error" if broken else "success")
    return _back(bulletin_id, "#link-check")


@bp.post("/bulletins/<int:bulletin_id>/publish")
@editor_required
def publish(bulletin_id: int) -> Any:
    """Publish (Post/Redirect/Get whatever happens): the links are checked first; open
    checklist points refuse it unless the editor confirmed them (stored with the revision)."""
    bulletin = _bulletin(bulletin_id)
    if bulletin.published:
        flash(f"Bulletin {bulletin_id} is already published: nothing changed.", "error")
        return _back(bulletin_id)
    links = _check(bulletin)
    try:
        published = store().publish(
            bulletin_id,
            at=now(),
            actor=editor_name(),
            links=links,
            confirm_open=bool(request.form.get("publish_anyway")),
            note=request.form.get("note", ""),
            base_url=public_url() or request.url_root,
        )
    except OpenPointsError as refused:
        broken = sum(1 for p in refused.points if p.kind == "broken-link")
        message = str(refused)
        if broken:
            message = f"{broken} broken link(s) and " + message
        session[_refusal_key(bulletin_id)] = f"Not published: {message}."
        return _back(bulletin_id, "#checklist")
    except (ValueError, FrozenError) as error:
        session[_refusal_key(bulletin_id)] = f"Not published: {error}."
        return _back(bulletin_id, "#checklist")
    hand_to_exports = current_app.config.get("ON_BULLETIN_PUBLISHED")
    if callable(hand_to_exports):
        hand_to_exports(published)
    flash(
        f"Published '{published.title}' as revision {published.revision}. It is frozen now.",
        "success",
    )
    return _back(bulletin_id)


@bp.post("/bulletins/<int:bulletin_id>/correct")
@editor_required
def correct(bulletin_id: int) -> Any:
    """Reopen a published bulletin for a correction; what went out stays as it was until the
    correction is published as the next revision."""
    try:
        store().start_correction(bulletin_id)
    except ValueError as error:
        flash(str(error), "error")
        return _back(bulletin_id)
    flash(
        "Correcting: change what needs changing, then publish with a note. Exports give the "
        "last published revision until then.",
        "success",
    )
    return _back(bulletin_id)
