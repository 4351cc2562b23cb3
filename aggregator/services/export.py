"""Export stored items as a feed, a file or a bulletin: `aggregator export`.

The writers are the exports layer's; this chooses the items (a review status, a source, a
topic, a date, a stored bulletin, what a consumer has not been sent yet), names the output
and runs one export. A consumer's export holds that consumer's lease, so a second one at the
same time raises `ConsumerBusyError` and sends nothing.

Feeds need the public address their links point to: `--feed-url` (every link follows it)
or $AGGREGATOR_PUBLIC_URL; without either the export is refused before anything is written.
`feed` chooses the feed: "approved" (dated by publishers), "approvals" (dated by approval, for
RSS-to-email) or "bulletins" (the published bulletins, Atom or RSS).

A published bulletin is exported as it was published, in every format: the text stored with
its revision (`aggregator.storage.bulletins.frozen_rendering`), byte for byte, whatever was
crawled or edited since; options that would change it (a title, filters, a consumer) are
refused rather than ignored. A draft is rendered from the items as they stand.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from aggregator.exports.bulletin_feed import BULLETINS_FEED, bulletins_atom, bulletins_rss
from aggregator.exports.run import (
    FEED_FORMATS,
    ExportOptions,
    ExportResult,
    export,
    selection_for,
    write_text,
)
from aggregator.exports.syndication import FeedInfo, base_of_feed_url, public_url
from aggregator.storage.bulletin_revisions import published_bulletins
from aggregator.storage.bulletins import BulletinStore, bulletin_info, frozen_rendering
from aggregator.storage.db import upgrade
from aggregator.storage.exports import ExportSelection, ExportStatus
from aggregator.storage.repository import Repository


@dataclass(frozen=True)
class ExportRequest:
    format: str
    status: ExportStatus = "approved"
    source: str | None = None
    topic: str | None = None
    since: datetime | None = None
    bulletin_id: int | None = None
    consumer: str | None = None
    excel: bool = False
    raw_csv: bool = False  # CSV formulas kept as stored (not defused)
    title: str | None = None  # the bulletin's or feed's; a stored bulletin's own by default
    feed_url: str | None = None
    revision: int | None = None  # a published bulletin's revision (its latest by default)
    feed: str = "approved"  # approved, approvals (dated by approval) or bulletins
    drafts: str | None = None
    """Bulletin formats: "label" or "publisher" for unchecked machine drafts; None: a stored
    bulletin's own choice, else "label"."""


FEEDS: dict[str, str] = {"approved": "publisher", "approvals": "approval", "bulletins": ""}
"""The feeds `aggregator export` writes, with their dating."""
BULLETIN_FEED_SIZE = 20


def feed_base(request: ExportRequest) -> str:
    """The public base URL of a feed's links: from --feed-url, else $AGGREGATOR_PUBLIC_URL;
    ValueError (one line) with neither: no feed leaves the machine linking to localhost."""
    if request.feed_url:
        return base_of_feed_url(request.feed_url)
    base = public_url()
    if not base:
        raise ValueError(
            f"--format {request.format} needs the public address of the review app for its "
            "links: set AGGREGATOR_PUBLIC_URL=https://… or give --feed-url"
        )
    return base


def export_items(
    url: str,
    request: ExportRequest,
    output: Path | None,
    *,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ExportResult:
    """Run one export to `output` (stdout when None); with a consumer, record what was sent
    unless `dry_run`. KeyError("no bulletin N") for an unknown bulletin."""
    if request.feed not in FEEDS:
        raise ValueError(f"unknown feed {request.feed!r} (known: {', '.join(FEEDS)})")
    if request.feed != "approved" and request.format not in FEED_FORMATS:
        raise ValueError(f"--feed {request.feed} applies to atom, rss and jsonfeed")
    if request.feed == "bulletins" and request.format == "jsonfeed":
        raise ValueError("--feed bulletins is written as atom or rss")
    if request.bulletin_id is None and request.format in FEED_FORMATS:
        feed_base(request)  # refused before anything is touched
    upgrade(url)
    repo = Repository.from_url(url)
    try:
        if request.feed == "bulletins":
            return _export_bulletins_feed(repo, request, feed_base(request), output)
        if request.bulletin_id is not None:
            info = bulletin_info(repo, request.bulletin_id)
            if info.revision > 0:
                return _export_frozen(repo, request, output)
        if request.revision is not None:
            raise ValueError("--revision applies to a published bulletin (--bulletin ID)")
        base = feed_base(request) if request.format in FEED_FORMATS else ""
        title = request.title
        if request.bulletin_id is not None and title is None:
            title = bulletin_info(repo, request.bulletin_id).title
        selection = ExportSelection(
            status=request.status,
            source=request.source,
            topic=request.topic,
            since=request.since,
            consumer=request.consumer,
        )
        selection = selection_for(repo, selection, request.format, request.bulletin_id)
        feed = FeedInfo(
            self_url=request.feed_url or "",
            base_url=base,
            name=request.feed,
            dated=FEEDS[request.feed],
        )
        unchecked = request.drafts or "label"
        if request.bulletin_id is not None and request.drafts is None:
            unchecked = bulletin_info(repo, request.bulletin_id).unchecked_drafts
        options = ExportOptions(
            format=request.format,
            title=title or ExportOptions.title,
            excel=request.excel,
            raw_csv=request.raw_csv,
            feed=dataclasses.replace(feed, title=title) if title else feed,
            unchecked_drafts=unchecked,
        )
        return export(repo, selection, options, output, dry_run=dry_run, progress=progress)
    finally:
        repo.close()


def _export_bulletins_feed(
    repo: Repository, request: ExportRequest, base: str, output: Path | None
) -> ExportResult:
    """The feed of published bulletins (Atom or RSS), each with its frozen email HTML."""
    bulletins = published_bulletins(repo, BULLETIN_FEED_SIZE)
    info = dataclasses.replace(BULLETINS_FEED, base_url=base, self_url=request.feed_url or "")
    if request.title:
        info = dataclasses.replace(info, title=request.title)
    writer = bulletins_atom if request.format == "atom" else bulletins_rss
    size = write_text(writer(bulletins, info), output)
    return ExportResult(count=len(bulletins), recorded=0, size=size)


def _export_frozen(repo: Repository, request: ExportRequest, output: Path | None) -> ExportResult:
    """A published bulletin's stored text, written as it is (to a file or stdout)."""
    assert request.bulletin_id is not None
    changing = [
        name
        for name, value in (
            ("--title", request.title),
            ("--source", request.source),
            ("--topic", request.topic),
            ("--since", request.since),
            ("--consumer", request.consumer),
            ("--feed-url", request.feed_url),
            ("--excel", request.excel or None),
            ("--raw", request.raw_csv or None),
            ("--drafts", request.drafts),
            ("--status", None if request.status == "approved" else request.status),
        )
        if value is not None
    ]
    if changing:
        raise ValueError(
            f"bulletin {request.bulletin_id} is published: it is exported exactly as "
            f"published, so {', '.join(changing)} cannot apply"
        )
    text = frozen_rendering(repo, request.bulletin_id, request.format, request.revision)
    size = write_text(text, output)
    revisions = BulletinStore(repo.engine).revisions(request.bulletin_id)
    wanted = revisions[-1] if request.revision is None else revisions[request.revision - 1]
    return ExportResult(count=len(wanted.item_ids), recorded=0, size=size)
