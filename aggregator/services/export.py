"""Export stored items as a feed, a file or a bulletin: `aggregator export`.

The writers are the exports layer's; this chooses the items (a review status, a source, a
topic, a date, a stored bulletin, what a consumer has not been sent yet), names the output
and runs one export. A consumer's export holds that consumer's lease, so a second one at the
same time raises `ConsumerBusyError` and sends nothing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from aggregator.exports.run import ExportOptions, ExportResult, export, selection_for
from aggregator.exports.syndication import FeedInfo
from aggregator.storage.bulletins import bulletin_info
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


def export_items(
    url: str, request: ExportRequest, output: Path | None, *, dry_run: bool = False
) -> ExportResult:
    """Run one export to `output` (stdout when None); with a consumer, record what was sent
    unless `dry_run`. KeyError("no bulletin N") for an unknown bulletin."""
    upgrade(url)
    repo = Repository.from_url(url)
    try:
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
