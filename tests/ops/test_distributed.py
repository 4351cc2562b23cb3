"""Distributed crawling: two workers on one Redis queue and one PostgreSQL; one is killed
mid-crawl (SIGKILL), its job is redone by the other, and every item is stored once.

The site is generated (bench/synthetic_site.py): five GOV.UK-shaped organisations registered
through $AGGREGATOR_EXTRA_SOURCES, each a Search API page of 60 results and 60 Content API
pages, so about 300 pages. Short leases and heartbeats keep the redelivery within seconds.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import create_engine, text

from bench.synthetic_site import write_site
from tests.conftest import REDIS_URL
from tests.crawling import ROOT, aggregator_cli
from tests.prewarmed import Child, popen

pytestmark = pytest.mark.slow  # scheduled first (tests/conftest.py)

WORKER_ARGS = ["--threads", "1", "--lease", "4", "--heartbeat-timeout", "3"]


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = aggregator_cli(*args, env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def _worker(env: dict[str, str], log: IO[str], *extra: str) -> Child:
    return popen(
        [sys.executable, "-m", "aggregator.cli", "worker", *WORKER_ARGS, *extra],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_for(condition: object, timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()  # type: ignore[operator]
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _crawl_processes_of(parent: int) -> list[int]:
    """Job crawl processes started by worker `parent` that are still alive."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().split(") ", 1)[1].split()[0]
        except OSError:
            continue
        if b"aggregator.services.crawl" in argv and str(parent).encode() in argv and state != "Z":
            found.append(int(entry.name))
    return found


@pytest.mark.timeout(240)
def test_a_killed_workers_job_is_redone_and_every_item_stored_once(
    tmp_path: Path, pg_url: str, redis_queue: str
) -> None:
    site = write_site(tmp_path / "site", sources=5, feeds=1, entries=60, prefix="dist")
    assert site.pages == 305
    env = dict(
        os.environ,
        **site.env(),
        AGGREGATOR_DATABASE_URL=pg_url,
        AGGREGATOR_REDIS_URL=REDIS_URL,
        AGGREGATOR_QUEUE=redis_queue,
    )
    queued = _cli(env, "crawl", *site.slugs, "--distributed", "--fixtures").stdout
    jobs = dict(re.findall(r"queued (\S+) \(job (\w+)\)", queued))
    assert sorted(jobs) == site.slugs
    # An overlapping run queues nothing: every source is leased to its queued job.
    assert _cli(env, "crawl", *site.slugs, "--distributed", "--fixtures").stdout.strip() == (
        "Nothing due."
    )

    engine = create_engine(pg_url)
    log_a = (tmp_path / "worker-a.log").open("w+")
    log_b = (tmp_path / "worker-b.log").open("w+")
    first = _worker(env, log_a)
    second: Child | None = None
    try:
        # Worker A starts a job; once its crawl is under way (a run recorded, not finished),
        # worker B joins and A is killed.
        def running() -> str | None:
            with engine.connect() as conn:
                return conn.execute(
                    text("SELECT source FROM crawl_runs WHERE finished_at IS NULL")
                ).scalar()

        killed_slug = str(_wait_for(running, 90, "worker A to start a crawl"))
        second = _worker(env, log_b, "--burst")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        # The job's crawl process died with its worker (it would otherwise outlive the lease).
        _wait_for(lambda: not _crawl_processes_of(first.pid), 5, "A's crawl process to end")

        assert second.wait(timeout=150) == 0, log_b.name
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
        log_a.close()
        log_b.close()

    log = (tmp_path / "worker-b.log").read_text()
    killed_job = jobs[killed_slug]
    assert f"job {killed_job}: {killed_slug}: crawled (exit 0)" in log, log[-3000:]
    assert "burst: no job left" in log

    with engine.connect() as conn:
        stored = conn.execute(text("SELECT source, key FROM items")).all()
        runs = conn.execute(
            text("SELECT source, status, finished_at IS NULL FROM crawl_runs ORDER BY id")
        ).all()
        leases = conn.execute(
            text("SELECT count(*) FROM source_state WHERE lease_owner IS NOT NULL")
        )
        held = leases.scalar()
        urls = conn.execute(
            text("SELECT count(*) FROM (SELECT url FROM items GROUP BY url HAVING count(*) > 1) d")
        ).scalar()
    engine.dispose()

    # Every item stored, once.
    expected = sorted((slug, key) for slug, keys in site.keys.items() for key in keys)
    assert len(stored) == site.items == 300
    assert sorted((s, k) for s, k in stored) == expected
    assert urls == 0
    # The killed run never finished; each source has exactly one finished run, which is ok.
    assert [(s, unfinished) for s, _, unfinished in runs if unfinished] == [(killed_slug, True)]
    finished = sorted((s, status) for s, status, unfinished in runs if not unfinished)
    assert finished == [(slug, "ok") for slug in site.slugs]
    assert held == 0
