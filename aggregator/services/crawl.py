"""Run a crawl: the chosen sources, live or from the bundled fixtures, into one database.

The CLI (`aggregator crawl`, `aggregator demo`), the due-crawl service and the workers all
crawl through here. Scrapy's reactor runs once per process, so a process that crawls more
than once (a worker, the schedule loop) starts each crawl as a child process; the child's
entry point is this module:

    python -m aggregator.services.crawl [--parent PID] SLUG... --db URL [--fixtures]
        [--snapshot NAME]

It crawls, then prints the run summary table that `aggregator crawl` prints, and exits with
status 3 when a source's run failed (as `aggregator crawl` does). With --parent
it dies with that process (PR_SET_PDEATHSIG on Linux, and a watch on its parent elsewhere),
so a killed worker leaves no crawl behind that would outlive its lease.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from aggregator.devtools.fixtures import FixtureServer, FixtureSet, fixture_folders
from aggregator.fetch import logs
from aggregator.fetch.process import run_crawl
from aggregator.sources import REGISTRY
from aggregator.storage.db import upgrade
from aggregator.storage.repository import Repository
from aggregator.storage.values import RunStats

CHILD_MODULE = "aggregator.services.crawl"
SHOWN_ERRORS = 5
"""Errors listed under a source's summary row; the crawl record keeps them all."""
FAILED_RUN_STATUSES = ("failed", "interrupted")
"""Run statuses that fail a crawl command's exit status (3). A "partial" run stored items
despite errors and an "empty" one fetched but parsed nothing: both are shown in the summary
and judged over time by `aggregator status`, but neither fails the crawl that recorded it."""
SOURCE_FAILED_EXIT = 3
"""The child's exit status when a source failed: aggregator.cli.exit_codes.EX_SOURCE_FAILED,
repeated because a service never imports the CLI layer (docs/architecture.md)."""


def with_fixtures(slugs: Sequence[str], snapshot: str | None = None) -> tuple[list[str], list[str]]:
    """Split `slugs` into those with a fixture folder (in `snapshot`, if named) and those
    without, each in the order given."""
    folders = fixture_folders(snapshot=snapshot)
    return [s for s in slugs if s in folders], [s for s in slugs if s not in folders]


@contextlib.contextmanager
def serving_fixtures(slugs: Sequence[str], snapshot: str | None = None) -> Iterator[str]:
    """The loopback fixture server for `slugs` while the block runs; yields its base URL."""
    folders = fixture_folders(snapshot=snapshot)
    with FixtureServer(FixtureSet.load({s: folders[s] for s in slugs})) as server:
        yield server.base_url


def run(
    slugs: Sequence[str],
    url: str,
    *,
    fixtures: bool = False,
    snapshot: str | None = None,
    progress: bool = False,
) -> None:
    """Crawl `slugs` into `url` in this process, live or from the bundled fixtures through
    the loopback server. Each source's run is recorded in the database."""
    # the command's one-line logging (aggregator.fetch.logs) replaces Scrapy's handler
    scrapy_logs = not logs.installed()
    # the progress line only on a terminal (aggregator.fetch.progress); never in logs or pipes
    shown = progress and sys.stderr.isatty()
    if not fixtures:
        run_crawl(list(slugs), url, LOG_ENABLED=scrapy_logs, AGGREGATOR_PROGRESS=shown)
        return
    with serving_fixtures(slugs, snapshot) as base_url:
        run_crawl(
            list(slugs),
            url,
            fixture_server=base_url,
            LOG_ENABLED=scrapy_logs,
            AGGREGATOR_PROGRESS=shown,
        )


def last_runs(url: str, slugs: Sequence[str]) -> list[tuple[str, RunStats]]:
    """The newest recorded run of each of `slugs` (a source never crawled is left out)."""
    repo = Repository.from_url(url)
    try:
        found = []
        for slug in slugs:
            runs = repo.runs(source=slug, limit=1)
            if runs:
                found.append((slug, runs[0].stats))
        return found
    finally:
        repo.close()


def runs_since(url: str, slugs: Sequence[str], since: datetime) -> dict[str, RunStats | None]:
    """Each of `slugs`' newest run if it started at or after `since`, else None: a crawl whose
    process died before recording its run leaves nothing newer."""
    repo = Repository.from_url(url)
    try:
        found: dict[str, RunStats | None] = {}
        for slug in slugs:
            runs = repo.runs(source=slug, limit=1)
            found[slug] = runs[0].stats if runs and runs[0].started_at >= since else None
        return found
    finally:
        repo.close()


def failed_sources(runs: dict[str, RunStats | None]) -> list[str]:
    """The sources of `runs` (from `runs_since`) whose run failed, was interrupted, or was
    never recorded: what makes a crawl command exit with status 3."""
    return [s for s, r in runs.items() if r is None or r.status in FAILED_RUN_STATUSES]


def format_runs(runs: Sequence[tuple[str, RunStats]]) -> list[str]:
    """The run summary table: a header, a row per source, its first errors under it. The one
    text form, shared by `aggregator crawl`, `aggregator demo` and a worker's crawl log."""
    width = max([20] + [len(slug) for slug, _ in runs])  # the longest slug still lines up
    lines = [
        f"{'source':<{width}} {'status':<8} {'new':>4} {'upd':>4} {'same':>5} {'drop':>5}"
        f" {'err':>4} {'reqs':>5} {'304':>4}"
    ]
    for slug, r in runs:
        lines.append(
            f"{slug:<{width}} {r.status:<8} {r.items_new:>4} {r.items_updated:>4} "
            f"{r.items_unchanged:>5} {r.items_dropped:>5} {len(r.errors):>4}"
            f" {r.requests:>5} {r.responses_by_status.get('304', 0):>4}"
        )
        lines += [f"    error: {e['url']}: {e['message']}" for e in r.errors[:SHOWN_ERRORS]]
    return lines


# --- the child process ------------------------------------------------------------------------


def child_command(
    slug: str, db_url: str, *, parent: int, fixtures: bool = False, snapshot: str | None = None
) -> list[str]:
    """The command line that crawls `slug` in a fresh process which dies with `parent`."""
    command = [sys.executable, "-m", CHILD_MODULE, "--parent", str(parent), slug, "--db", db_url]
    command += ["--fixtures"] if fixtures else []
    command += ["--snapshot", snapshot] if snapshot else []
    return command


def die_with_parent(parent: int) -> None:
    """End this process when `parent` (the worker) ends, however it ends."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(0.5)

    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=watch, daemon=True).start()


def main(argv: Sequence[str] | None = None) -> int:
    """Crawl the named sources and print their run summaries (see the module docstring)."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {CHILD_MODULE}", description="Crawl sources into a database."
    )
    parser.add_argument("--parent", type=int, default=None, help="Die when this process ends.")
    parser.add_argument("slugs", nargs="+", metavar="SLUG")
    parser.add_argument("--db", required=True, help="Database URL.")
    parser.add_argument("--fixtures", action="store_true", help="Crawl the bundled fixtures.")
    parser.add_argument("--snapshot", default=None, help="With --fixtures: a snapshot folder.")
    args = parser.parse_args(argv)
    if args.parent is not None:
        die_with_parent(args.parent)
    unknown = [s for s in args.slugs if s not in REGISTRY]
    if unknown:
        parser.error(f"unknown source {unknown[0]!r} (known: {', '.join(sorted(REGISTRY))})")
    upgrade(args.db)
    slugs = list(args.slugs)
    if args.fixtures:
        slugs, missing = with_fixtures(slugs, args.snapshot)
        if missing:
            parser.error(f"no fixtures for: {', '.join(missing)}")
    started = datetime.now(UTC)
    logs.configure()
    with logs.crawl_log() as log:
        run(slugs, args.db, fixtures=args.fixtures, snapshot=args.snapshot)
    for line in format_runs(last_runs(args.db, slugs)):
        print(line)
    if log.worth_reading:
        print(f"log: {log.path}", file=sys.stderr)
    failed = failed_sources(runs_since(args.db, slugs, started))
    if failed:
        print(f"error: source run failed: {', '.join(failed)}", file=sys.stderr)
        return SOURCE_FAILED_EXIT
    return 0


if __name__ == "__main__":
    sys.exit(main())
