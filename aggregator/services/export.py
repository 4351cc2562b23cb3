"""Export stored items as a feed, a file or a bulletin: `aggregator export`.

The writers are the exports layer's; this chooses the items (a review status, a source, a
topic, a date, a stored bulletin, what a consumer has not been sent yet), names the output
and runs one export. A consumer's export holds that consumer's lease, so a second one at the
same time raises `ConsumerBusyError` and sends nothing.

A published bulletin is exported as it was published, in every format: the text stored with
its revision (`aggregator.storage.bulletins.frozen_rendering`), byte for byte, whatever was
crawled or edited since; options that would change it (a title, filters, a consumer) are
refused rather than ignored. A draft is rendered from the items as they stand.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from aggregator.exports.run import (
    ExportOptions,
    ExportResult,
    export,
    selection_for,
    write_text,
)
from aggregator.exports.syndication import FeedInfo
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


def export_items(
    url: str, request: ExportRequest, output: Path | None, *, dry_run: bool = False
) -> ExportResult:
    """Run one export to `output` (stdout when None); with a consumer, record what was sent
    unless `dry_run`. KeyError("no bulletin N") for an unknown bulletin."""
    upgrade(url)
    repo = Repository.from_url(url)
    try:
        if request.bulletin_id is not None:
            info = bulletin_info(repo, request.bulletin_id)
            if info.revision > 0:
                return _export_frozen(repo, request, output)
        if request.revision is not None:
            raise ValueError("--revision applies to a published bulletin (--bulletin ID)")
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
        feed = FeedInfo(self_url=request.feed_url or "")
        options = ExportOptions(
            format=request.format,
            title=title or ExportOptions.title,
            excel=request.excel,
            raw_csv=request.raw_csv,
            feed=dataclasses.replace(feed, title=title) if title else feed,
        )
        return export(repo, selection, options, output, dry_run=dry_run)
    finally:
        repo.close()


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
    write_text(text, output)
    revisions = BulletinStore(repo.engine).revisions(request.bulletin_id)
    wanted = revisions[-1] if request.revision is None else revisions[request.revision - 1]
    return ExportResult(count=len(wanted.item_ids), recorded=0)
