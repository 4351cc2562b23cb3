"""The crawl: our whole path beside `scrapy bench`, one worker beside two, and feed parsing.

Targets (issue 9), on the 2-core machine with the loopback test profile (no per-host delay):
- the whole path (spider, normalise, classify, validate, dedupe, store) over a generated
  GOV.UK-shaped site of 2,000 detail pages and 50 feeds (bench/synthetic_site.py: 10
  organisations, each 5 Search API pages of 40 results, each result's Content API page) runs
  at ≥ 20 % of the page rate `scrapy bench` reaches in the same command, and stores
  ≥ 2,000 items per minute. The baseline is `.venv/bin/scrapy bench` run in a subprocess (in
  an empty folder, so with Scrapy's defaults, not this project's settings) for a short
  CLOSESPIDER_TIMEOUT; its pages/min is read from its closing stats (responses received over
  the spider's elapsed time). Ours is read from the crawl records the same way: requests and
  stored items over the time from the first spider opening to the last one closing. The
  fixture server runs in its own process, as `scrapy bench`'s does; the database is a fresh
  PostgreSQL (SQLite when no server answers).
- the same site crawled through the queue (`aggregator crawl --distributed`, then
  `aggregator worker --burst`) by one worker and by two, each job a fresh crawl process:
  items per minute from the first worker starting to the last one ending, and the ratio.
- feed parsing in MB/s: a GOV.UK organisation Atom feed of 5,000 entries through the feed
  adapter (`aggregator.parse.feed_reader.feed_items`), beside bare `feedparser.parse` of the
  same bytes.
Peak memory is the largest peak resident set (VmHWM) of the measured process or any process it
started (a worker's crawl processes, `scrapy bench`'s server).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FULL: dict[str, Any] = {"sources": 10, "feeds": 5, "entries": 40}
QUICK: dict[str, Any] = {"sources": 2, "feeds": 1, "entries": 15}
FEED_ENTRIES, QUICK_FEED_ENTRIES = 5_000, 300
SCRAPY_BENCH_SECONDS, QUICK_SCRAPY_BENCH_SECONDS = 10, 2
TARGET_SHARE = 0.20
TARGET_ITEMS_PER_MINUTE = 2_000
REDIS_URL = os.environ.get("AGGREGATOR_REDIS_URL", "redis://127.0.0.1:6379/0")

Row = tuple[str, str, str, float | None, str, bool | None]


@dataclass
class Measured:
    code: int
    output: str
    seconds: float
    peak_mib: float


def measured(
    command: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT, timeout: float = 900
) -> Measured:
    """Run `command` to the end; its exit code, output, wall time and peak RSS: the largest
    VmHWM of it or any process it started, sampled every 50 ms (ru_maxrss would count the
    parent's memory that a child shares until it execs)."""
    with tempfile.TemporaryFile("w+") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        peaks: dict[int, float] = {}
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.05):
                for pid in _process_tree(process.pid):
                    peaks[pid] = max(peaks.get(pid, 0.0), _high_water_mib(pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        watchdog = threading.Timer(timeout, process.kill)
        watchdog.start()
        try:
            process.wait()
        finally:
            watchdog.cancel()
            done.set()
            sampler.join()
        seconds = time.perf_counter() - started
        out.seek(0)
        return Measured(process.returncode, out.read(), seconds, max(peaks.values(), default=0))


def _process_tree(pid: int) -> list[int]:
    found, at = [pid], 0
    while at < len(found):
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{found[at]}/task").iterdir():
                found += [int(c) for c in (task / "children").read_text().split()]
        at += 1
    return found


def _high_water_mib(pid: int) -> float:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _check(run: Measured, what: str) -> Measured:
    if run.code != 0:
        raise RuntimeError(f"{what} exited {run.code}: {run.output[-2000:]}")
    return run


# --- the baseline: scrapy bench -----------------------------------------------------------------


def scrapy_bench(seconds: int) -> tuple[float, float]:
    """`scrapy bench` for `seconds`: (pages per minute, peak MiB)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPY_")}
    with tempfile.TemporaryDirectory() as empty:  # no scrapy.cfg: Scrapy's default settings
        run = _check(
            measured(
                [str(BIN / "scrapy"), "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}"],
                env=env,
                cwd=Path(empty),
                timeout=seconds + 120,
            ),
            "scrapy bench",
        )
    pages = re.search(r"'response_received_count': (\d+)", run.output)
    elapsed = re.search(r"'elapsed_time_seconds': ([\d.]+)", run.output)
    if not pages or not elapsed:
        raise RuntimeError(f"no closing stats in scrapy bench's log: {run.output[-2000:]}")
    return int(pages.group(1)) / float(elapsed.group(1)) * 60, run.peak_mib


# --- our whole path -----------------------------------------------------------------------------


@contextlib.contextmanager
def database(prefer_postgres: bool, folder: Path) -> Iterator[str]:
    """A fresh, migrated database: PostgreSQL if asked and a server answers, else SQLite."""
    from aggregator.storage.db import upgrade
    from bench.storage_bench import postgres_database

    with contextlib.ExitStack() as stack:
        url = None
        if prefer_postgres:
            try:
                url = stack.enter_context(postgres_database())
            except Exception as exc:  # noqa: BLE001 - no server: say so, use SQLite
                print(f"  (PostgreSQL unavailable, using SQLite: {exc})")
        url = url or f"sqlite:///{folder / f'crawl-{secrets.token_hex(4)}.db'}"
        upgrade(url)
        yield url


@contextlib.contextmanager
def fixture_server(site_env: dict[str, str]) -> Iterator[str]:
    """The site's fixture server in a process of its own; its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.crawl_bench", "serve"],
        env=dict(os.environ, **site_env),
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=30)


@dataclass
class CrawlFigures:
    items: int
    requests: int
    window: float
    wall: float
    peak_mib: float

    @property
    def items_per_minute(self) -> float:
        return self.items / self.window * 60

    @property
    def pages_per_minute(self) -> float:
        return self.requests / self.window * 60


def crawl_records(url: str) -> tuple[int, int, float]:
    """(stored items, requests, seconds from the first run's start to the last one's end)."""
    from sqlalchemy import func, select

    from aggregator.storage.models import CrawlRunRow, ItemRow
    from aggregator.storage.repository import Repository

    repo = Repository.from_url(url)
    try:
        with repo.engine.connect() as conn:
            items = conn.execute(select(func.count()).select_from(ItemRow)).scalar_one()
            first, last, requests = conn.execute(
                select(
                    func.min(CrawlRunRow.started_at),
                    func.max(CrawlRunRow.finished_at),
                    func.sum(CrawlRunRow.requests),
                )
            ).one()
    finally:
        repo.close()
    if first is None or last is None:
        raise RuntimeError("no finished crawl run recorded")
    return int(items), int(requests or 0), (last - first).total_seconds()


def whole_path(site: Any, url: str) -> CrawlFigures:
    env = dict(os.environ, **site.env())
    with fixture_server(site.env()) as server:
        run = _check(
            measured(
                [sys.executable, "-m", "bench.crawl_bench", "crawl", url, server, *site.slugs],
                env=env,
            ),
            "the crawl",
        )
    items, requests, window = crawl_records(url)
    if items != site.items:
        raise RuntimeError(f"stored {items} items, expected {site.items}: {run.output[-2000:]}")
    return CrawlFigures(items, requests, window, run.seconds, run.peak_mib)


def through_workers(site: Any, url: str, workers: int) -> CrawlFigures:
    """Queue the site's sources and crawl them with `workers` burst workers."""
    from aggregator.ops.distributed import JobQueue

    namespace = f"aggbench-{secrets.token_hex(4)}"
    env = dict(
        os.environ,
        **site.env(),
        AGGREGATOR_DATABASE_URL=url,
        AGGREGATOR_REDIS_URL=REDIS_URL,
        AGGREGATOR_QUEUE=namespace,
    )
    cli = [sys.executable, "-m", "aggregator.cli"]
    try:
        _check(measured([*cli, "crawl", *site.slugs, "--distributed", "--fixtures"], env), "queue")
        started = time.perf_counter()
        runs: list[Measured] = []

        def work() -> None:
            runs.append(measured([*cli, "worker", "--burst", "--threads", "1"], env))

        threads = [threading.Thread(target=work) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
    finally:
        queue = JobQueue(REDIS_URL, namespace)
        queue.delete_all()
        queue.close()
    for run in runs:
        _check(run, "a worker")
    items, requests, _ = crawl_records(url)
    if items != site.items:
        raise RuntimeError(f"workers stored {items} items, expected {site.items}")
    return CrawlFigures(items, requests, wall, wall, max(r.peak_mib for r in runs))


def redis_reachable() -> bool:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


# --- feed parsing -------------------------------------------------------------------------------


def feed_parsing(entries: int) -> dict[str, float]:
    run = _check(
        measured([sys.executable, "-m", "bench.crawl_bench", "feed", str(entries)]), "feed"
    )
    figures: dict[str, float] = json.loads(run.output.strip().splitlines()[-1])
    figures["peak_mib"] = run.peak_mib
    return figures


def _feed_child(entries: int) -> None:
    from datetime import UTC, datetime

    import feedparser

    from aggregator.parse.feed_reader import feed_items
    from bench.synthetic_site import govuk_atom_feed

    body = govuk_atom_feed(entries)
    url = "https://www.gov.uk/government/organisations/synthetic-org-feed.atom"
    when = datetime(2024, 5, 31, 8, tzinfo=UTC)

    def best(fn: Any, repeats: int = 3) -> float:
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
        return min(times)

    adapter = best(lambda: feed_items(body, url, when, "bench", stable_guids=False))
    bare = best(lambda: feedparser.parse(io.BytesIO(body)))
    found = len(feed_items(body, url, when, "bench", stable_guids=False))
    if found != entries:
        raise RuntimeError(f"the adapter read {found} of {entries} entries")
    mb = len(body) / 1e6
    print(json.dumps({"mb": mb, "adapter_s": adapter, "feedparser_s": bare}))


# --- the report ---------------------------------------------------------------------------------


def run(quick: bool = False) -> list[Row]:
    from bench.synthetic_site import write_site

    sizes = QUICK if quick else FULL
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        site = write_site(folder / "site", **sizes)
        feeds = sizes["sources"] * sizes["feeds"]
        print(
            f"Crawl of a generated GOV.UK-shaped site: {site.items:,} detail pages, {feeds} "
            f"feeds, {len(site.slugs)} sources ({site.pages + len(site.slugs):,} requests with "
            "robots.txt), loopback test profile",
            flush=True,
        )
        # --quick (the smoke test) runs the baseline beside our crawl to stay short: its
        # figures show that both run, not how fast.
        baseline: list[tuple[float, float]] = []
        side = threading.Thread(
            target=lambda: baseline.append(
                scrapy_bench(QUICK_SCRAPY_BENCH_SECONDS if quick else SCRAPY_BENCH_SECONDS)
            )
        )
        side.start()
        if not quick:
            side.join()
        with database(not quick, folder) as url:
            engine = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
            ours = whole_path(site, url)
        side.join()
        if not baseline:
            raise RuntimeError("scrapy bench failed (see above)")
        base_rate, base_peak = baseline[0]
        print(f"  scrapy bench: {base_rate:,.0f} pages/min, peak {base_peak:.0f} MiB", flush=True)
        share = ours.pages_per_minute / base_rate
        print(
            f"  whole path on {engine}: {ours.items:,} items, {ours.requests:,} requests in "
            f"{ours.window:.1f} s ({ours.wall:.1f} s with process start): "
            f"{ours.items_per_minute:,.0f} items/min, {ours.pages_per_minute:,.0f} pages/min "
            f"= {share:.0%} of scrapy bench; peak {ours.peak_mib:.0f} MiB",
            flush=True,
        )
        rows.append(
            (
                f"crawl: whole path, pages/min ({engine})",
                f"{ours.pages_per_minute:,.0f}",
                f"scrapy bench {base_rate:,.0f}",
                share,
                f"≥ {TARGET_SHARE:.0%} of scrapy bench",
                share >= TARGET_SHARE,
            )
        )
        rows.append(
            (
                f"crawl: whole path, items/min ({engine})",
                f"{ours.items_per_minute:,.0f}",
                "",
                None,
                f"≥ {TARGET_ITEMS_PER_MINUTE:,}",
                ours.items_per_minute >= TARGET_ITEMS_PER_MINUTE,
            )
        )
        rows.append(
            (
                "crawl: whole path, peak RSS",
                f"{ours.peak_mib:.0f} MiB",
                f"scrapy bench {base_peak:.0f} MiB",
                ours.peak_mib / base_peak,
                "",
                None,
            )
        )

        if quick:
            print("  one worker against two: not measured (--quick)")
        elif not redis_reachable():
            print(f"  one worker against two: skipped, no Redis at {REDIS_URL}")
        else:
            found: dict[int, CrawlFigures] = {}
            for workers in (1, 2):
                with database(True, folder) as url:
                    found[workers] = through_workers(site, url, workers)
                figures = found[workers]
                print(
                    f"  {workers} worker(s): {figures.items:,} items in {figures.wall:.1f} s, "
                    f"{figures.items_per_minute:,.0f} items/min, peak {figures.peak_mib:.0f} MiB"
                    " per worker",
                    flush=True,
                )
            one, two = found[1], found[2]
            speedup = two.items_per_minute / one.items_per_minute
            rows.append(
                (
                    "crawl: 2 workers, items/min",
                    f"{two.items_per_minute:,.0f}",
                    f"1 worker {one.items_per_minute:,.0f}",
                    speedup,
                    "> 1 worker",
                    speedup > 1.0,
                )
            )
            rows.append(
                (
                    "crawl: worker peak RSS",
                    f"{two.peak_mib:.0f} MiB",
                    f"scrapy bench {base_peak:.0f} MiB",
                    two.peak_mib / base_peak,
                    "",
                    None,
                )
            )

    feed = feed_parsing(QUICK_FEED_ENTRIES if quick else FEED_ENTRIES)
    rate, bare = feed["mb"] / feed["adapter_s"], feed["mb"] / feed["feedparser_s"]
    print(
        f"  feed parsing: {feed['mb']:.1f} MB GOV.UK Atom feed of "
        f"{QUICK_FEED_ENTRIES if quick else FEED_ENTRIES:,} entries: adapter {rate:.2f} MB/s, "
        f"bare feedparser {bare:.2f} MB/s, peak {feed['peak_mib']:.0f} MiB",
        flush=True,
    )
    rows.append(
        ("feeds: parse, MB/s", f"{rate:.2f}", f"feedparser {bare:.2f}", rate / bare, "", None)
    )
    rows.append(("feeds: parse, peak RSS", f"{feed['peak_mib']:.0f} MiB", "", None, "", None))
    return rows


def _serve() -> None:
    """Serve the fixture folders of $AGGREGATOR_FIXTURES_DIR until stdin closes."""
    from aggregator.devtools.fixtures import FixtureServer, FixtureSet, fixture_folders

    with FixtureServer(FixtureSet.load(fixture_folders())) as server:
        print(server.base_url, flush=True)
        sys.stdin.read()


def _crawl(url: str, server: str, slugs: list[str]) -> None:
    from aggregator.fetch.process import run_crawl

    run_crawl(slugs, url, fixture_server=server)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "serve":
        _serve()
    elif command == "crawl":
        _crawl(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif command == "feed":
        _feed_child(int(sys.argv[2]))
    else:
        for row in run(quick="--quick" in sys.argv):
            print(row)
