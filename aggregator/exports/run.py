"""`aggregator export`: choose the items, stream them through a writer, record the delivery.

Output goes to a file (written beside it under a temporary name and renamed into place once
complete, so a reader never sees half a file) or to stdout. With a consumer, the ids written
are recorded in `export_deliveries` only after the output is complete: an export that fails
part way records nothing and the next run sends the same items again. The ids are kept in a
compact array (8 bytes an item) until then.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import time
import uuid
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import BinaryIO

from aggregator.exports import bulletin, files
from aggregator.exports import syndication as feeds
from aggregator.exports.email_html import iter_email_html
from aggregator.exports.jsonfeed import jsonfeed
from aggregator.exports.via import via_lines
from aggregator.storage.bulletins import bulletin_info
from aggregator.storage.draft_summaries import DraftStore
from aggregator.storage.export_consumers import (
    CONSUMER_LEASE,
    CONSUMER_LEASE_RENEWAL,
    ConsumerBusyError,
    release_consumer_lease,
    renew_consumer_lease,
    take_consumer_lease,
)
from aggregator.storage.exports import ExportRow, ExportSelection
from aggregator.storage.repository import Repository

FORMATS: tuple[str, ...] = ("atom", "rss", "jsonfeed", "csv", "jsonl", "html", "markdown", "text")
BULLETIN_FORMATS = frozenset({"html", "markdown", "text"})
FEED_FORMATS = frozenset({"atom", "rss", "jsonfeed"})
FLUSH_BYTES = 256 * 1024
DRAFT_BATCH = 500
"""Bulletin formats read the drafts of this many rows at a time (one query per batch, the
size of `iter_export`'s own batches), so memory stays that of one batch."""

BULLETIN_SECTIONS = tuple(
    (name, frozenset(str(kind) for kind in kinds)) for name, kinds in bulletin.SECTIONS
)


@dataclass(frozen=True)
class ExportOptions:
    format: str
    title: str = "Safeguarding update"
    excel: bool = False
    raw_csv: bool = False  # CSV values as stored, formulas not defused (`export --raw`)
    feed: feeds.FeedInfo = feeds.FeedInfo()
    unchecked_drafts: str = "label"
    """Bulletin formats: an unchecked machine draft goes out labelled ("label") or is
    replaced by the publisher's description ("publisher"); `bulletin.shown_summary`."""


@dataclass(frozen=True)
class ExportResult:
    count: int
    recorded: int  # deliveries newly recorded for the consumer (0 for a dry run)
    size: int = 0
    """Bytes written."""


def check_format(name: str) -> str:
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r} (known: {', '.join(FORMATS)})")
    return name


def selection_for(
    repository: Repository, selection: ExportSelection, fmt: str, bulletin_id: int | None
) -> ExportSelection:
    """The selection as the format needs it: a bulletin's items in its own order; else
    bulletin order for bulletins, and for feeds the order the served feeds use (most recently
    reviewed first); CSV and JSON Lines keep item-id order (oldest first, stable to diff)."""
    if bulletin_id is not None:
        bulletin_info(repository, bulletin_id)  # KeyError "no bulletin N" if there is none
        return replace(selection, bulletin_id=bulletin_id)
    if fmt in BULLETIN_FORMATS:
        return replace(selection, order="bulletin", sections=BULLETIN_SECTIONS)
    if fmt in FEED_FORMATS:
        return replace(selection, order="recent")
    return selection


def chunks(
    repository: Repository, selection: ExportSelection, options: ExportOptions
) -> Callable[[Iterable[ExportRow]], Iterator[str]]:
    """The writer for `options.format`, ready to take rows."""
    fmt = check_format(options.format)
    # Feeds and CSV carry the publisher's description or the editor's edit, never a machine
    # draft as the summary. The JSON formats, read by tools, also carry the draft, marked as
    # one (`"draft": {"machine_written": true, "checked": …}`), beside the review status.
    if fmt in FEED_FORMATS:
        info = options.feed
        if info.updated is None:
            info = replace(info, updated=repository.export_newest_change(selection))
        if fmt == "jsonfeed":
            return lambda rows: jsonfeed(rows, info, DraftStore(repository.engine).many)
        writer = {"atom": feeds.atom, "rss": feeds.rss}[fmt]
        return lambda rows: writer(rows, info)
    if fmt == "csv":
        return lambda rows: files.csv_rows(rows, excel=options.excel, raw=options.raw_csv)
    if fmt == "jsonl":
        return lambda rows: files.jsonl(rows, drafts=DraftStore(repository.engine).many)
    bulletin_writer = {
        "html": iter_email_html,
        "markdown": bulletin.iter_markdown,
        "text": bulletin.iter_text,
    }[fmt]

    drafts = DraftStore(repository.engine)

    def entries(rows: Iterable[ExportRow]) -> Iterator[bulletin.Placed]:
        for batch in batches(rows, DRAFT_BATCH):
            drafted = drafts.many([row.id for row in batch])
            for row in batch:
                found = drafted.get(row.id)
                summary = bulletin.shown_summary(
                    row.edited_summary,
                    found.draft.text if found else None,
                    row.item.summary,
                    sensitive=found is not None and found.sensitivity.flagged,
                    unchecked=options.unchecked_drafts,
                )
                item = replace(row.display_item(), summary=summary)
                extras = bulletin.EntryExtras(via=via_lines(row.via))
                yield (row.section or bulletin.section_of(item), item, extras)

    return lambda rows: bulletin_writer(entries(rows), options.title)


def batches(rows: Iterable[ExportRow], size: int) -> Iterator[list[ExportRow]]:
    """Consecutive lists of up to `size` rows, read lazily (itertools.batched is 3.12+)."""
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def write(pieces: Iterable[str], out: BinaryIO) -> int:
    """Encode and write, in blocks of about 256 KiB; the number of bytes written."""
    pending: list[bytes] = []
    size = total = 0
    for piece in pieces:
        data = piece.encode("utf-8", errors="replace")
        pending.append(data)
        size += len(data)
        total += len(data)
        if size >= FLUSH_BYTES:
            out.write(b"".join(pending))
            pending, size = [], 0
    out.write(b"".join(pending))
    out.flush()
    return total


def export(
    repository: Repository,
    selection: ExportSelection,
    options: ExportOptions,
    output: Path | None,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ExportResult:
    """Write one export; with `selection.consumer`, record what was sent (unless a dry run).

    An export to a consumer holds the consumer's lease from before it selects anything until
    it has recorded what it sent, so two exports never send the same items; a second export
    raises `ConsumerBusyError` with nothing written. A dry run records nothing and takes no
    lease. `progress(done, total)` is told as items are written."""
    consumer = None if dry_run else selection.consumer
    if consumer is None:
        return _export(repository, selection, options, output, None, now, progress)
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    take_consumer_lease(repository, consumer, owner, datetime.now(UTC))
    try:
        lease = _Lease(consumer, owner)
        return _export(repository, selection, options, output, lease, now, progress)
    finally:
        release_consumer_lease(repository, consumer, owner)


@dataclass
class _Lease:
    """The consumer lease an export holds, renewed while rows stream out."""

    consumer: str
    owner: str
    # time.monotonic() of the next renewal (the lease was just taken)
    renew_at: float = field(
        default_factory=lambda: time.monotonic() + CONSUMER_LEASE_RENEWAL.total_seconds()
    )

    def keep(self, repository: Repository) -> None:
        now = time.monotonic()
        if now < self.renew_at:
            return
        self.renew_at = now + CONSUMER_LEASE_RENEWAL.total_seconds()
        until = datetime.now(UTC) + CONSUMER_LEASE
        if not renew_consumer_lease(repository, self.consumer, self.owner, until):
            raise ConsumerBusyError(
                f"export to consumer {self.consumer!r} lost its lease (it stalled for longer "
                f"than {CONSUMER_LEASE}); stopped, nothing recorded: the next run sends it all"
            )


def _export(
    repository: Repository,
    selection: ExportSelection,
    options: ExportOptions,
    output: Path | None,
    lease: _Lease | None,
    now: datetime | None,
    progress: Callable[[int, int], None] | None = None,
) -> ExportResult:
    writer = chunks(repository, selection, options)
    sent = array("q")
    total = repository.export_count(selection) if progress is not None else 0

    def tracked(rows: Iterable[ExportRow]) -> Iterator[ExportRow]:
        for row in rows:
            if lease is not None:
                lease.keep(repository)
            sent.append(row.id)
            sent.extend(row.folded_ids)  # a cluster's other selected members went with it
            if progress is not None:
                progress(len(sent), total)
            yield row

    pieces = writer(tracked(repository.iter_export(selection)))
    size = write_text(pieces, output)
    recorded = 0
    if lease is not None:
        recorded = repository.record_deliveries(lease.consumer, sent, now or datetime.now(UTC))
    return ExportResult(len(sent), recorded, size)


def write_text(text: str | Iterable[str], output: Path | None) -> int:
    """Text (a published bulletin's stored rendering, a feed) to a file, replaced once
    complete, or to stdout (UTF-8); the number of bytes written."""
    pieces = [text] if isinstance(text, str) else text
    if output is None:
        return write(pieces, sys.stdout.buffer)
    return _write_file(pieces, output)


def _write_file(pieces: Iterable[str], output: Path) -> int:
    folder = output.parent if str(output.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{output.name}.", dir=folder)
    except OSError as error:
        raise OSError(f"cannot write {output}: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            size = write(pieces, out)
        os.chmod(temporary, _file_mode())
        os.replace(temporary, output)
        return size
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise OSError(f"cannot write {output}: {error.strerror or error}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _file_mode() -> int:
    """The mode `open()` would give a new file under the current umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
