"""The bulletin composer: a window of approved items in sections the editor orders, summaries
edited in place with a length guide, a live preview in the example's layout, a link check,
the guard against items already sent, late discoveries flagged, the week's source coverage,
and publishing (which freezes the bulletin for the exports). Composing: `bulletins.py`;
the tables: `aggregator.storage.bulletins`.
"""

from __future__ import annotations

from datetime import date, timedelta
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

from aggregator.review.auth import editor_required
from aggregator.review.bulletins import (
    DEFAULT_SECTIONS,
    SUMMARY_GUIDE,
    Bulletin,
    BulletinComposer,
    FrozenError,
    html_document,
    render,
)
from aggregator.review.context import editor_name, now, wants_json
from aggregator.review.linkcheck import LinkResult, check_links
from aggregator.review.queries import known_sources, london_day, week_commencing
from aggregator.review.sanitize import clean_html
from aggregator.sources import REGISTRY

bp = Blueprint("composer", __name__)


def store() -> BulletinComposer:
    return cast(BulletinComposer, current_app.extensions["aggregator_bulletins"])


def _bulletin(bulletin_id: int) -> Bulletin:
    found = store().get(bulletin_id)
    if found is None:
        abort(404, f"no bulletin {bulletin_id}")
    return found


def _guarded(bulletin_id: int, change: Any) -> Any:
    """Run a change of a draft: a published bulletin, or a bad value, is a 409 / 400."""
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
        abort(400, message)
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
    today = london_day(now())
    monday = week_commencing(today)
    return render_template(
        "bulletins.html",
        bulletins=store().all(),
        default_start=monday,
        default_end=monday + timedelta(days=6),
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


def _page(
    bulletin: Bulletin,
    links: dict[str, LinkResult] | None = None,
    status: int = 200,
    error: str | None = None,
) -> Any:
    s = store()
    entries = s.entries(bulletin)
    candidates = s.candidates(bulletin.window_start, bulletin.window_end)
    sent = s.sent_elsewhere(candidates, bulletin.id)
    already = s.repo.stored_items(sorted(sent))
    sections: list[tuple[str, list[Any]]] = []
    for entry in entries:
        if not sections or sections[-1][0] != entry.section:
            sections.append((entry.section, []))
        sections[-1][1].append(entry)
    if bulletin.published:
        html_text = bulletin.rendered_html or ""
    else:
        html_text = render(bulletin.title, entries)[0]
    section_names = list(DEFAULT_SECTIONS) + [
        name for name, _ in sections if name not in DEFAULT_SECTIONS
    ]
    broken = {url for url, result in (links or {}).items() if not result.ok}
    return (
        render_template(
            "composer.html",
            bulletin=bulletin,
            sections=sections,
            section_names=section_names,
            already=[(already[i], sent[i]) for i in sorted(already)],
            coverage=s.coverage(bulletin, sorted(set(REGISTRY) | set(known_sources(s.repo)))),
            preview=clean_html(html_text),
            links=links,
            broken=broken,
            guide=SUMMARY_GUIDE,
            error=error,
        ),
        status,
    )


@bp.get("/bulletins/<int:bulletin_id>")
def show(bulletin_id: int) -> Any:
    return _page(_bulletin(bulletin_id))


@bp.get("/bulletins/<int:bulletin_id>/preview")
def preview(bulletin_id: int) -> Any:
    """The live preview: the rendered bulletin, sanitised, as an HTML fragment."""
    bulletin = _bulletin(bulletin_id)
    if bulletin.published:
        fragment = bulletin.rendered_html or ""
    else:
        fragment = render(bulletin.title, store().entries(bulletin))[0]
    return Response(str(clean_html(fragment)), mimetype="text/html")


@bp.get("/bulletins/<int:bulletin_id>.md")
def markdown(bulletin_id: int) -> Response:
    bulletin = _bulletin(bulletin_id)
    text = bulletin.rendered_markdown or render(bulletin.title, store().entries(bulletin))[1]
    return Response(
        text,
        mimetype="text/markdown",
        headers={"Content-Disposition": f'attachment; filename="bulletin-{bulletin.id}.md"'},
    )


@bp.get("/bulletins/<int:bulletin_id>.html")
def html_file(bulletin_id: int) -> Response:
    bulletin = _bulletin(bulletin_id)
    fragment = bulletin.rendered_html or render(bulletin.title, store().entries(bulletin))[0]
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
    return _guarded(
        bulletin_id,
        lambda: store().set_summary(bulletin_id, item_id, request.form.get("summary", "")),
    )


@bp.post("/bulletins/<int:bulletin_id>/items/<int:item_id>/remove")
@editor_required
def remove_item(bulletin_id: int, item_id: int) -> Any:
    return _guarded(bulletin_id, lambda: store().remove_item(bulletin_id, item_id))


def _check(bulletin: Bulletin) -> dict[str, LinkResult]:
    urls = [url for entry in store().entries(bulletin) for url in entry.urls()]
    return check_links(
        urls,
        timeout=float(current_app.config["LINK_CHECK_TIMEOUT"]),
        loopback_only=bool(current_app.config["LINK_CHECK_LOOPBACK_ONLY"]),
    )


@bp.post("/bulletins/<int:bulletin_id>/check-links")
@editor_required
def check(bulletin_id: int) -> Any:
    bulletin = _bulletin(bulletin_id)
    return _page(bulletin, links=_check(bulletin))


@bp.post("/bulletins/<int:bulletin_id>/publish")
@editor_required
def publish(bulletin_id: int) -> Any:
    bulletin = _bulletin(bulletin_id)
    if bulletin.published:
        abort(409, f"bulletin {bulletin_id} is already published")
    links = _check(bulletin)
    broken = [url for url, result in links.items() if not result.ok]
    if broken and not request.form.get("publish_anyway"):
        message = (
            f"{len(broken)} broken link(s): fix or remove them, or tick "
            "'publish with broken links'."
        )
        return _page(bulletin, links=links, status=409, error=message)
    try:
        published = store().publish(bulletin_id, at=now())
    except (ValueError, FrozenError) as error:
        return _page(bulletin, links=links, status=409, error=str(error))
    hand_to_exports = current_app.config.get("ON_BULLETIN_PUBLISHED")
    if callable(hand_to_exports):
        hand_to_exports(published)
    flash(f"Published '{published.title}'. It is frozen now.", "success")
    return redirect(url_for("composer.show", bulletin_id=bulletin_id))
