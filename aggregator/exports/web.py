"""The public feeds, served by the review app: `feeds_blueprint(repository_factory)`.

Routes (readable without login; only approved items, withdrawn ones left out unless an
editor kept them):

- `/feeds/approved.atom`, `.rss`, `.json`: the most recently reviewed approved items, dated
  by their publishers (for feed readers);
- `/feeds/approvals.atom`, `.rss`, `.json`: the same items dated by the editors' approval
  (for RSS-to-email: an item approved today is newer than yesterday's send, whenever it was
  published; `aggregator.exports.syndication`);
- `/feeds/bulletins.rss`, `.atom`: the published bulletins, one entry each with its whole
  email HTML (`aggregator.exports.bulletin_feed`), for a weekly RSS-driven campaign;

  A feed entry's summary is the editor's edit, else the publisher's own description, never
  the machine draft (`aggregator.drafting.writer`): a draft is for bulletins, where an editor checks
  it before it goes out, not for a public feed read as the publisher's words.
- `/feeds/bulletins/<id>.html` and `.md`: a published bulletin, frozen as it was published
  (a draft answers 404).

Links are built from $AGGREGATOR_PUBLIC_URL, else from the request's own host.
Responses are gzip-compressed when the request accepts it (`Accept-Encoding: gzip`), with
their own ETag, so a cache never mixes the two.

Each response carries an ETag (a hash of the body) and Last-Modified (the newest approval or
content change among the items in it) and answers a matching `If-None-Match`, or, without
one, an `If-Modified-Since` not older than Last-Modified, with 304 Not Modified and no body.

The review app registers it (`app.register_blueprint(feeds_blueprint(factory))`) and must let
these URLs through its login check. `repository_factory` is called once per request and
should return the app's shared `Repository`; the blueprint never closes it.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import cast

from flask import Blueprint, Response, abort, request
from sqlalchemy import Table, select

from aggregator.exports import syndication as feeds
from aggregator.exports.bulletin_feed import BULLETINS_FEED, bulletins_atom, bulletins_rss
from aggregator.exports.jsonfeed import jsonfeed
from aggregator.storage.bulletin_revisions import published_bulletins
from aggregator.storage.exports import ExportSelection
from aggregator.storage.models import BulletinRow
from aggregator.storage.repository import Repository

FEED_SIZE = 100
"""How many items a served feed holds: the most recently approved."""

CACHE_CONTROL = "public, no-cache"
"""Caches may keep a copy but must revalidate it (a cheap 304) before using it."""

ATOM_TYPE = "application/atom+xml; charset=utf-8"
RSS_TYPE = "application/rss+xml; charset=utf-8"
JSONFEED_TYPE = "application/feed+json; charset=utf-8"
TYPES = {"atom": ATOM_TYPE, "rss": RSS_TYPE, "json": JSONFEED_TYPE}
BULLETIN_FEED_SIZE = 20
"""How many published bulletins the bulletins feed holds: the most recent."""
ITEM_FEEDS = {"approved": "publisher", "approvals": "approval"}
"""The item feeds served, by name, with their dating (`FeedInfo.dated`)."""


def feeds_blueprint(
    repository_factory: Callable[[], Repository],
    *,
    info: feeds.FeedInfo | None = None,
    size: int = FEED_SIZE,
) -> Blueprint:
    """A Blueprint serving the approved items as Atom and JSON Feed, with conditional GET."""
    blueprint = Blueprint("feeds", __name__)
    base_info = info or feeds.FeedInfo()
    selection = ExportSelection(status="approved", order="recent", limit=size)

    def base_url() -> str:
        return base_info.base_url or feeds.public_url() or request.url_root.rstrip("/")

    @blueprint.get("/feeds/<any(approved, approvals):name>.<any(atom, rss, json):kind>")
    def item_feed(name: str, kind: str) -> Response:
        repository = repository_factory()
        updated = repository.export_newest_change(selection)
        feed_info = replace(
            base_info,
            name=name,
            dated=ITEM_FEEDS[name],
            base_url=base_url(),
            self_url=base_info.self_url or request.base_url,
            updated=updated,
        )
        writer = {"atom": feeds.atom, "rss": feeds.rss, "json": jsonfeed}[kind]
        body = "".join(writer(repository.iter_export(selection), feed_info)).encode("utf-8")
        return conditional(body, TYPES[kind], updated)

    @blueprint.get("/feeds/bulletins.<any(atom, rss):kind>")
    def bulletin_feed(kind: str) -> Response:
        bulletins = published_bulletins(repository_factory(), BULLETIN_FEED_SIZE)
        info = replace(BULLETINS_FEED, base_url=base_url(), self_url=request.base_url)
        writer = bulletins_atom if kind == "atom" else bulletins_rss
        body = "".join(writer(bulletins, info)).encode("utf-8")
        changed = max((b.published_at for b in bulletins), default=None)
        return conditional(body, TYPES[kind], changed)

    @blueprint.get("/feeds/bulletins/<int:bulletin_id>.html")
    def published_html(bulletin_id: int) -> Response:
        return published(bulletin_id, "rendered_html", "text/html; charset=utf-8")

    @blueprint.get("/feeds/bulletins/<int:bulletin_id>.md")
    def published_markdown(bulletin_id: int) -> Response:
        return published(bulletin_id, "rendered_markdown", "text/markdown; charset=utf-8")

    def published(bulletin_id: int, column: str, content_type: str) -> Response:
        """A published bulletin as it was frozen; drafts are never public (404 as if absent)."""
        table = cast(Table, BulletinRow.__table__)
        with repository_factory().engine.connect() as conn:
            row = conn.execute(
                select(table.c[column], table.c.published_at).where(
                    table.c.id == bulletin_id, table.c.status == "published"
                )
            ).first()
        if row is None or row[0] is None:
            abort(404)
        return conditional(str(row[0]).encode("utf-8"), content_type, row[1])

    return blueprint


def etag_of(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:40]


def wants_gzip() -> bool:
    """The request accepts gzip (`Accept-Encoding: gzip`, not refused with q=0)."""
    return request.accept_encodings["gzip"] > 0


def conditional(body: bytes, content_type: str, last_modified: datetime | None) -> Response:
    """A 200 with validators, or a 304 when the request's validators still match; gzipped
    (with its own ETag) when the client accepts it."""
    etag = etag_of(body)
    if wants_gzip():
        # mtime=0: the same body always compresses to the same bytes
        body = gzip.compress(body, compresslevel=6, mtime=0)
        etag += "-gzip"
    response = Response(body, content_type=content_type)
    if etag.endswith("-gzip"):
        response.headers["Content-Encoding"] = "gzip"
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified.replace(microsecond=0)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["Vary"] = "Accept-Encoding"
    response.make_conditional(request)  # turns it into a 304 in place when validators match
    return response
