"""Network faults and hostile responses: the crawl completes, nothing else is lost.

Each fault (tests/faults/server.py) is crawled as a throwaway registry source together with a
healthy fixture source, in one crawl in a subprocess, against the loopback fault server. For
each: the crawl completes within a generous hang guard (the fault's fetch is bounded by the
download timeout, shortened here to 5 s, and the slow parse by the CPU budget, shortened to
3 s as in test_cpu_budget.py); the healthy source's items are all stored; the
fault source's crawl record names the fault; and the crawl's peak memory grows by less than
150 MB over a crawl of the healthy source alone.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from aggregator.devtools.fixtures import FixtureSet, fixture_folders
from aggregator.storage.repository import Repository
from tests import prewarmed
from tests.crawling import last_run
from tests.faults.server import FAULTS, FaultServer, compression_bomb

pytestmark = pytest.mark.slow  # scheduled first (tests/conftest.py)

ROOT = Path(__file__).resolve().parents[2]
HEALTHY = "dhsc"
DOWNLOAD_TIMEOUT = 5
CPU_BUDGET = 3.0  # seconds of parse per response for the slow parse (20 in production)
HANG_GUARD = 180  # seconds: a hung crawl fails the test instead of stalling the suite
MEMORY_GROWTH_LIMIT_MB = 150


@dataclass
class CrawlResult:
    db: str
    peak_mb: float
    seconds: float


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    folders = fixture_folders()
    running = FaultServer(FixtureSet.load({HEALTHY: folders[HEALTHY]}))
    for encoding in ("gzip", "deflate", "br"):
        # Compressed once, before any crawl: compressing 1 GB on the first request could
        # take longer than the crawl's download timeout on a loaded machine.
        compression_bomb(encoding)
    running.start()
    try:
        yield running
    finally:
        running.stop()


def crawl(
    server: FaultServer, db_path: Path | str, faults: list[str], **overrides: Any
) -> CrawlResult:
    """Crawl the healthy source and `faults` into `db_path` (a SQLite file, or a database URL)."""
    db = db_path if isinstance(db_path, str) else f"sqlite:///{db_path}"
    config = {
        "db": db,
        "server": server.base_url,
        "healthy": [HEALTHY],
        "faults": faults,
        "overrides": {"DOWNLOAD_TIMEOUT": DOWNLOAD_TIMEOUT, **overrides},
    }
    started = time.monotonic()
    result = prewarmed.run(
        [sys.executable, "-m", "tests.faults.crawl", json.dumps(config)],
        cwd=ROOT,
        timeout=HANG_GUARD,
    )
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stderr[-3000:]
    peak_kb = json.loads(result.stdout.strip().splitlines()[-1])["peak_kb"]
    return CrawlResult(db, peak_kb / 1024, seconds)


def keys(db: str, source: str) -> set[str]:
    return {s.item.key for s in Repository.from_url(db).list_items(source=source)}


@pytest.fixture(scope="module")
def baseline(server: FaultServer, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    return crawl(server, tmp_path_factory.mktemp("baseline") / "a.db", [])


@pytest.fixture(scope="module")
def baseline_keys(baseline: CrawlResult) -> set[str]:
    found = keys(baseline.db, HEALTHY)
    assert len(found) > 20
    return found


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_is_survived_recorded_and_bounded(
    name: str,
    server: FaultServer,
    baseline: CrawlResult,
    baseline_keys: set[str],
    tmp_path: Path,
) -> None:
    fault = FAULTS[name]
    # One retry for the 429, to see Retry-After honoured; everything else fails at once.
    retries = 1 if name == "http_429" else 0
    # Only the slow parse gets the short budget: the long-text fault's honest parse of 20 MB
    # must not be cut short by it on a loaded machine.
    budget = {"AGGREGATOR_CPU_BUDGET": CPU_BUDGET} if name == "slow_parse" else {}
    result = crawl(server, tmp_path / "f.db", [name], RETRY_TIMES=retries, **budget)
    growth = result.peak_mb - baseline.peak_mb
    print(
        f"\n{name:<16} {result.seconds:5.1f} s  peak {result.peak_mb:6.1f} MB"
        f"  (+{growth:5.1f} MB over {baseline.peak_mb:.1f} MB)"
    )

    # The healthy source lost nothing.
    assert keys(result.db, HEALTHY) == baseline_keys
    assert last_run(result.db, HEALTHY).stats.status == "ok"

    # The fault's own record names it, against its URL.
    run = last_run(result.db, fault.slug).stats
    messages = [e["message"] for e in run.errors if e["url"].startswith(f"https://{fault.host}")]
    stored = keys(result.db, fault.slug)
    if not fault.names:  # survived without a fault to record: every item stored
        assert run.status == "ok" and not run.errors, run.errors
        assert len(stored) == fault.items
        return
    assert any(fault.names.lower() in m.lower() for m in messages), run.errors
    if fault.stores_items:
        assert run.status == "partial" and stored
    else:
        assert run.status == "failed" and not stored

    assert growth < MEMORY_GROWTH_LIMIT_MB

    hits = server.hits[name]
    if name == "http_429":
        # Retried once, no sooner than its Retry-After: 1 asked.
        assert len(hits) == 2 and hits[1] - hits[0] >= 0.95
    elif name != "redirect_loop":
        assert len(hits) == 1  # abandoned, not retried (the hung fetches at the timeout)
