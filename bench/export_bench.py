"""Exports stream: time and peak memory of `aggregator export` per format, 1k to 100k items.

Target (issue 7): memory stays flat from 1k to 100k items. Each export runs in a fresh child
process (`export()` to a file, as `aggregator export -o FILE` does) and reports its wall time
and peak resident memory (VmHWM). The baseline, measured in the same run and the same
kind of child, reads the same approved rows with the bare driver (sqlite3 / psycopg with a
server-side cursor), 500 at a time, and does nothing with them: the ratio says what building
items, reading their aliases, provenance and revisions, and writing the format cost on top.

PASS when every format's peak memory at the largest size is within 20 MiB of its peak at the
smallest (the items themselves grow 100-fold).
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from aggregator.schema import Attachment, DocType, Item, Link, Precision, Sighting
from aggregator.storage.db import upgrade
from aggregator.storage.repository import Repository
from bench.__main__ import Row
from bench.storage_bench import postgres_database

FORMATS = ("atom", "rss", "jsonfeed", "csv", "jsonl", "html", "markdown", "text")
SEEN = datetime(2024, 5, 31, 8, tzinfo=UTC)
BATCH = 1000
FLAT_MIB = 20.0

_WORDS = [
    "child",
    "safeguarding",
    "online",
    "abuse",
    "guidance",
    "report",
    "neglect",
    "trauma",
    "exploitation",
    "schools",
    "families",
    "practitioners",
    "multi-agency",
    "review",
    "learning",
    "contextual",
    "harm",
    "police",
    "health",
]
_TYPES = list(DocType)


def synthetic(start: int, stop: int, seed: int = 11) -> Iterator[Item]:
    """Items numbered start..stop-1, the same for a number whatever the range."""
    for n in range(start, stop):
        rng = random.Random(seed * 1_000_003 + n)
        doc_type = rng.choice(_TYPES)
        url = f"https://www.example.org/publications/{n}"
        published = SEEN - timedelta(days=rng.randint(1, 900), hours=rng.randint(0, 23))
        event = published + timedelta(days=30) if doc_type == DocType.EVENT else None
        yield Item(
            key=f"example.org/publications/{n}",
            source=rng.choice(("home_office", "dhsc", "nspcc", "internet_matters")),
            publisher="Example publisher",
            title=" ".join(rng.choice(_WORDS) for _ in range(8)).capitalize() + f" ({n})",
            url=url,
            summary=" ".join(rng.choice(_WORDS) for _ in range(60)) + ', "quoted" & more.',
            doc_type=doc_type,
            topics=rng.sample(["online safety", "child sexual abuse", "neglect", "trauma"], 2),
            nations=["England"],
            published=published,
            published_precision=Precision.DAY,
            event_start=event,
            event_end=event + timedelta(hours=1) if event else None,
            attachments=[Attachment("Full report", url + ".pdf", "application/pdf", 123_456)],
            links=[Link("Book a free place", url + "/book")] if event else [],
            provenance=[Sighting("bench", "https://www.example.org/feed", SEEN)],
            aliases=[f"feed-guid:{n}"],
        )


def seed(url: str, start: int, stop: int) -> None:
    """Store items start..stop-1 and approve them."""
    repository = Repository.from_url(url)
    try:
        batch: list[Item] = []
        for item in synthetic(start, stop):
            batch.append(item)
            if len(batch) == BATCH:
                repository.upsert_items(batch, SEEN)
                batch = []
        if batch:
            repository.upsert_items(batch, SEEN)
        with repository.engine.begin() as conn:
            # a new item has no review row until an editor decides (storage.reviews.ensure_review)
            conn.execute(
                text(
                    "INSERT INTO reviews (item_id, status, needs_review, updated_at)"
                    " SELECT id, 'approved', :f, :at FROM items"
                    " WHERE id NOT IN (SELECT item_id FROM reviews)"
                ),
                {"f": False, "at": SEEN + timedelta(hours=1)},
            )
    finally:
        repository.close()


# --- the child: one measured export ----------------------------------------------------------


def child(url: str, fmt: str, out: str) -> None:
    """Run one export (or the raw baseline) and print its figures as JSON."""
    started = time.perf_counter()
    count = 0
    if fmt == "raw":
        count = _raw_read(url)
    else:
        from aggregator.exports.run import ExportOptions, export, selection_for
        from aggregator.exports.syndication import FeedInfo
        from aggregator.storage.exports import ExportSelection

        repository = Repository.from_url(url)
        selection = selection_for(repository, ExportSelection(), fmt, None)
        # feeds need a public address for their links (never localhost); any will do here
        options = ExportOptions(format=fmt, feed=FeedInfo(base_url="https://bench.example.org"))
        count = export(repository, selection, options, Path(out)).count
        repository.close()
    seconds = time.perf_counter() - started
    peak_kib = _peak_kib()
    size = Path(out).stat().st_size if fmt != "raw" else 0
    print(json.dumps({"seconds": seconds, "peak_kib": peak_kib, "items": count, "bytes": size}))


def _peak_kib() -> int:
    """This process's peak resident memory. VmHWM, since Linux carries `ru_maxrss` across
    fork and exec (a child would report its parent's peak when that was higher)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


RAW_QUERY = (
    "SELECT i.* FROM items i JOIN reviews r ON r.item_id = i.id"
    " WHERE r.status = 'approved' AND i.withdrawn IS NULL ORDER BY i.id"
)


def _raw_read(url: str) -> int:
    count = 0
    if url.startswith("sqlite"):
        import sqlite3

        lite = sqlite3.connect(url.removeprefix("sqlite:///"))
        found = lite.execute(RAW_QUERY)
        while rows := found.fetchmany(500):
            count += len(rows)
        lite.close()
        return count
    import psycopg

    with (
        psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn,
        conn.cursor(name="raw") as cursor,
    ):
        cursor.execute(RAW_QUERY)
        while batch := cursor.fetchmany(500):
            count += len(batch)
    return count


def measure(url: str, fmt: str, folder: str) -> dict[str, float]:
    out = os.path.join(folder, f"out.{fmt}")
    done = subprocess.run(
        [sys.executable, "-m", "bench.export_bench", "--child", url, fmt, out],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{fmt} export failed: {done.stderr.strip().splitlines()[-1:]}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    if os.path.exists(out):
        os.remove(out)
    return figures


# --- the run ---------------------------------------------------------------------------------


def bench_engine(engine: str, url: str, sizes: tuple[int, ...], folder: str) -> list[Row]:
    upgrade(url)
    results: dict[tuple[str, int], dict[str, float]] = {}
    stored = 0
    for size in sizes:
        started = time.perf_counter()
        seed(url, stored, size)
        stored = size
        print(
            f"  {engine}: {size:,} approved items (seeded in {time.perf_counter() - started:.1f} s)"
        )
        raw = measure(url, "raw", folder)
        results[("raw", size)] = raw
        print(
            f"    {'baseline':<9} {raw['seconds']:7.2f} s  peak {raw['peak_kib'] / 1024:6.1f} MiB"
            f"  (bare driver read of {int(raw['items']):,} rows)"
        )
        for fmt in FORMATS:
            figures = measure(url, fmt, folder)
            results[(fmt, size)] = figures
            assert int(figures["items"]) == size, (fmt, figures)
            print(
                f"    {fmt:<9} {figures['seconds']:7.2f} s  peak {figures['peak_kib'] / 1024:6.1f}"
                f" MiB  {figures['bytes'] / 2**20:8.1f} MiB written  "
                f"{size / figures['seconds']:>8,.0f} items/s  "
                f"×{figures['seconds'] / raw['seconds']:.1f} baseline time"
            )
    small, large = sizes[0], sizes[-1]
    rows: list[Row] = []
    raw_large = results[("raw", large)]
    if small == large:
        print(f"  {engine}: peak memory growth not measured (--quick runs one size)")
        for fmt in FORMATS:
            seconds = results[(fmt, large)]["seconds"]
            rows.append(
                (
                    f"export {fmt}, {large:,} items ({engine}): time",
                    f"{seconds:.1f} s",
                    f"bare read {raw_large['seconds']:.1f} s",
                    raw_large["seconds"] / seconds,
                    "",
                    None,
                )
            )
        return rows
    print(f"  {engine}: peak memory growth {small:,} → {large:,} items (target ≤ {FLAT_MIB} MiB)")
    for fmt in ("raw", *FORMATS):
        growth = (results[(fmt, large)]["peak_kib"] - results[(fmt, small)]["peak_kib"]) / 1024
        verdict = "PASS" if growth <= FLAT_MIB else "FAIL"
        print(f"    {fmt:<9} {growth:+6.1f} MiB  {'' if fmt == 'raw' else verdict}")
        if fmt != "raw":
            seconds = results[(fmt, large)]["seconds"]
            rows.append(
                (
                    f"export {fmt}, {large:,} items ({engine}): time, memory growth",
                    f"{seconds:.1f} s, {growth:+.1f} MiB",
                    f"bare read {raw_large['seconds']:.1f} s",
                    raw_large["seconds"] / seconds,
                    f"growth ≤ {FLAT_MIB} MiB",
                    growth <= FLAT_MIB,
                )
            )
    return rows


def run(quick: bool = False) -> list[Row]:
    # --quick (the smoke test) runs one size: each figure is a fresh process, so a second
    # size would double its time, and memory growth needs the full run's sizes to mean much
    sizes = (1_000,) if quick else (1_000, 10_000, 100_000)
    print(f"Exports, every format, {' / '.join(f'{s:,}' for s in sizes)} approved items:")
    with tempfile.TemporaryDirectory() as folder:
        rows = bench_engine("SQLite", f"sqlite:///{folder}/bench.db", sizes, folder)
        if quick:
            return rows
        try:
            with postgres_database() as url:
                rows += bench_engine("PostgreSQL", url, sizes, folder)
        except Exception as exc:  # no server: say so rather than fail the other figures
            print(f"  PostgreSQL skipped: {exc}")
    return rows


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        run(quick="--quick" in sys.argv)
