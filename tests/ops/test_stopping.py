"""How the long-running and piped commands stop: the schedule loop's rounds, a worker's SIGTERM,
a Redis that does not answer, a reader that leaves a pipe early, and Ctrl-C.

Each test runs the real CLI in a subprocess on one small source's offline fixtures (a copy of
them, in the test's own folder, so `crawl --due` has that one source to crawl).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from aggregator.cli import exit_codes
from aggregator.devtools.fixtures import FIXTURES_DIR
from aggregator.schema import DocType, Item
from aggregator.sources import REGISTRY
from aggregator.storage.crawl_state import CrawlState
from aggregator.storage.db import upgrade
from aggregator.storage.repository import Repository
from tests.conftest import REDIS_URL
from tests.crawling import ROOT, aggregator_cli

pytestmark = pytest.mark.slow  # scheduled first (tests/conftest.py)

SLUG = "childrens_commissioner"  # three fixture responses: the quickest crawl there is
CLOSED_REDIS = "redis://127.0.0.1:1/0"  # port 1: nothing listens, the connection is refused


def env_for(db: Path, fixtures: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(ROOT),
        "AGGREGATOR_DATABASE_URL": f"sqlite:///{db}",
        "AGGREGATOR_FIXTURES_DIR": str(fixtures),
        **extra,
    }


def one_source(tmp_path: Path) -> Path:
    """A fixtures root holding SLUG only."""
    root = tmp_path / "fixtures"
    shutil.copytree(FIXTURES_DIR / SLUG, root / SLUG)
    return root


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return aggregator_cli(*args, env=env)


def _as_from_a_terminal() -> None:
    """In the child before exec: SIGINT as a terminal's foreground job has it. A test run
    started as a background job of a script inherits SIGINT ignored (POSIX ignores it for
    asynchronous lists without job control), and Python then leaves it ignored: Ctrl-C
    would never reach the command, which is right for a background job but not what the
    Ctrl-C test is about."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "aggregator.cli", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_as_from_a_terminal,
    )


def wait_for(condition: Callable[[], Any], process: subprocess.Popen[str], what: str) -> Any:
    """Poll `condition` until it holds; fails if `process` ends first or nothing comes."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        if process.poll() is not None:
            _, err = process.communicate()
            pytest.fail(f"the process ended (exit {process.returncode}) before {what}: {err}")
        time.sleep(0.05)
    process.kill()
    pytest.fail(f"gave up waiting for {what}")


def runs_of(db: Path) -> list[tuple[str, str]]:
    if not db.exists():
        return []
    repo = Repository.from_url(f"sqlite:///{db}")
    try:
        return [(r.source, r.stats.status) for r in repo.runs(limit=100)]
    except Exception:  # noqa: BLE001 - the schema is not there yet: no run either
        return []
    finally:
        repo.close()


def held_leases(db: Path) -> list[tuple[str, str | None]]:
    """(source, owner) of the leases in force: an owner recorded with a lease still running
    (an ended one keeps its owner's name, with its end at or before now)."""
    state = CrawlState.from_url(f"sqlite:///{db}")
    now = datetime.now(UTC)
    try:
        return [
            (s.source, s.lease_owner)
            for s in state.held_leases()
            if s.lease_until is not None and s.lease_until > now
        ]
    finally:
        state.engine.dispose()


def due_sources(db: Path) -> list[str]:
    """What `crawl --due` would crawl now, among SLUG."""
    state = CrawlState.from_url(f"sqlite:///{db}")
    try:
        return state.due({SLUG: REGISTRY[SLUG].poll_interval}, datetime.now(UTC))
    finally:
        state.engine.dispose()


def no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr
    assert "Exception ignored" not in stderr, stderr


# --- the schedule loop ------------------------------------------------------------------------


def test_schedule_runs_its_rounds_records_the_runs_and_exits_0(tmp_path: Path) -> None:
    db = tmp_path / "schedule.db"
    env = env_for(db, one_source(tmp_path))
    result = cli(env, "schedule", "--iterations", "2", "--every", "0", "--fixtures")
    assert result.returncode == exit_codes.EX_OK, result.stderr[-3000:]
    no_traceback(result.stderr)
    # Round 1 crawls the source (its summary line), round 2 finds nothing due.
    assert [line.split()[:2] for line in result.stdout.splitlines() if line.startswith(SLUG)] == [
        [SLUG, "ok"]
    ]
    assert result.stdout.strip().endswith("Nothing due.")
    assert runs_of(db) == [(SLUG, "ok")]
    assert held_leases(db) == []  # the round released its lease


def test_ctrl_c_during_the_schedule_loop_is_one_line_and_exit_130(tmp_path: Path) -> None:
    """SIGINT (what Ctrl-C sends) while the loop waits for its next round."""
    db = tmp_path / "interrupted.db"
    env = env_for(db, one_source(tmp_path))
    process = start(env, "schedule", "--iterations", "2", "--every", "3600", "--fixtures")
    wait_for(lambda: runs_of(db) == [(SLUG, "ok")], process, "the first round's run")
    wait_for(lambda: not held_leases(db), process, "the first round's lease released")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == exit_codes.EX_INTERRUPTED, err
    assert err.strip().splitlines()[-1] == "error: interrupted"
    no_traceback(err)
    assert runs_of(db) == [(SLUG, "ok")]  # the second round never started


# --- the worker -------------------------------------------------------------------------------


def test_sigterm_lets_the_workers_job_finish_then_exits_0_holding_no_lease(
    tmp_path: Path, redis_queue: str
) -> None:
    db = tmp_path / "worker.db"
    env = env_for(db, one_source(tmp_path), AGGREGATOR_REDIS_URL=REDIS_URL)
    env["AGGREGATOR_QUEUE"] = redis_queue
    queued = cli(env, "crawl", SLUG, "--distributed", "--fixtures")
    assert queued.returncode == exit_codes.EX_OK, queued.stderr[-3000:]
    reserved = held_leases(db)  # the source is reserved for the queued job
    assert [source for source, _ in reserved] == [SLUG]
    assert (reserved[0][1] or "").startswith("queued:"), reserved
    worker = start(env, "worker", "--heartbeat-timeout", "3")
    # SIGTERM only once the worker has taken the job: its run holds the source's lease.
    wait_for(
        lambda: any((owner or "").startswith("run:") for _, owner in held_leases(db)),
        worker,
        "the worker to take the job",
    )
    worker.send_signal(signal.SIGTERM)
    _, err = worker.communicate(timeout=120)
    assert worker.returncode == exit_codes.EX_OK, err[-3000:]
    no_traceback(err)
    assert runs_of(db) == [(SLUG, "ok")]  # the running job was finished, not dropped
    assert held_leases(db) == []


@pytest.mark.parametrize(
    "args",
    [
        ["worker"],
        ["worker", "--burst"],
        ["crawl", SLUG, "--distributed", "--fixtures"],
    ],
    ids=["worker", "worker-burst", "crawl-distributed"],
)
def test_an_unreachable_redis_is_one_line_and_a_non_zero_exit(
    tmp_path: Path, args: list[str]
) -> None:
    db = tmp_path / "no-redis.db"
    upgrade(f"sqlite:///{db}")
    env = env_for(db, one_source(tmp_path))
    result = cli(env, *args, "--redis", CLOSED_REDIS)
    assert result.returncode == exit_codes.EX_ERROR, result.stderr[-3000:]
    no_traceback(result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and "127.0.0.1:1" in lines[0], lines
    assert held_leases(db) == []  # nothing reserved for a job that was never queued
    assert due_sources(db) == [SLUG]  # so the next crawl --due takes the source
    assert runs_of(db) == []


# --- a reader that leaves early ---------------------------------------------------------------


def test_items_into_a_reader_that_closes_early_exits_without_a_traceback(tmp_path: Path) -> None:
    """`aggregator items | head -1`: far more output than a pipe's buffer, and the reader
    leaves after one line."""
    db = tmp_path / "items.db"
    url = f"sqlite:///{db}"
    upgrade(url)
    repo = Repository.from_url(url)
    try:
        repo.upsert_items(
            [
                Item(
                    key=f"example.org/pub/{n}",
                    source="nspcc",
                    publisher="NSPCC",
                    title=f"Child protection briefing number {n} on neglect and safeguarding",
                    url=f"https://example.org/pub/{n}",
                    summary="Safeguarding guidance for practitioners working with children.",
                    doc_type=DocType.BRIEFING,
                )
                for n in range(3000)
            ],
            datetime(2024, 5, 1, 9, tzinfo=UTC),
        )
    finally:
        repo.close()
    env = env_for(db, tmp_path)
    for extra in ([], ["--json"]):
        process = start(env, "items", "--include-irrelevant", *extra)
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        assert first.strip()
        process.stdout.close()  # the reader leaves: the next writes get EPIPE
        err = process.stderr.read()
        process.wait(timeout=120)
        assert process.returncode == exit_codes.EX_OK, err
        no_traceback(err)
        assert err == ""
