"""Attacks on the crawl's process and on its fetches (attack suite 26, 27, 29, 30).

The crawls are real: child processes of the crawl service or of the CLI, killed with SIGKILL
by pid, on SQLite and PostgreSQL; and crawls against the loopback fault server
(tests/faults/server.py), extended here with the two hosts these attacks need. The heartbeat
and the due lease are shortened through their environment variables, so a dead crawl is
found in about a second instead of minutes; nothing else differs from production.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from aggregator.devtools.fixtures import FixtureSet, fixture_folders
from aggregator.ops.health import source_statuses
from aggregator.services.due import LEASE_ENV
from aggregator.storage.crawl_state import CrawlState
from aggregator.storage.db import upgrade
from aggregator.storage.repository import CrawlRun, Repository
from aggregator.storage.runs import HEARTBEAT_ENV
from tests.crawling import ROOT, aggregator_cli, crawl_feed_sources
from tests.faults.server import FAULT_DOMAIN, FEED, FaultServer
from tests.prewarmed import Child, popen

pytestmark = pytest.mark.slow  # scheduled first (tests/conftest.py)

SLUG = "dhsc"  # a fixture API source of 32 items: several seconds of crawling to kill
HEARTBEAT = 0.2  # seconds; the lapse is three beats
LEASE = 1.5  # seconds: the due lease, renewed every half second
KILLS = 4
WAIT_LIMIT = 120.0  # a crawl that never reaches the awaited point fails the test, not the suite


def fast_env(db: str, **extra: str) -> dict[str, str]:
    return dict(
        os.environ,
        AGGREGATOR_DATABASE_URL=db,
        **{HEARTBEAT_ENV: str(HEARTBEAT), LEASE_ENV: str(LEASE)},
        **extra,
    )


class EndedEarly(AssertionError):
    """The crawl to be killed ended first (a loaded machine can starve the checks)."""


def wait_for(condition: Callable[[], bool], process: Child | None = None) -> None:
    deadline = time.monotonic() + WAIT_LIMIT
    while not condition():
        if process is not None and process.poll() is not None:
            raise EndedEarly(f"the crawl ended (exit {process.returncode}) before the kill")
        if time.monotonic() > deadline:
            raise AssertionError("waited too long")
        time.sleep(0.02)


def runs_of(db: str, source: str = SLUG) -> list[CrawlRun]:
    repo = Repository.from_url(db)
    try:
        return repo.runs(source=source, limit=100)
    finally:
        repo.close()


def beating_run(db: str, known: set[int]) -> Callable[[], bool]:
    """True once a new run of SLUG is running and has beaten: the crawl is mid-way."""

    def check() -> bool:
        return any(
            r.id not in known and r.stats.status == "running" and r.heartbeat_at is not None
            for r in runs_of(db)
        )

    return check


def lapsed(alive: datetime) -> Callable[[], bool]:
    """True once a run last alive at `alive` has been silent for longer than its lapse."""
    return lambda: (datetime.now(UTC) - alive).total_seconds() > 4 * HEARTBEAT


def item_keys(db: str, source: str = SLUG) -> list[str]:
    repo = Repository.from_url(db)
    try:
        return [s.item.key for s in repo.list_items(source=source)]
    finally:
        repo.close()


def kill(process: Child) -> None:
    process.kill()
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL


def crawl_service(db: str) -> Child:
    command = [sys.executable, "-m", "aggregator.services.crawl", SLUG, "--db", db, "--fixtures"]
    return popen(
        command, env=fast_env(db), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def finish(process: Child) -> None:
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err[-3000:]


@pytest.fixture(scope="module")
def reference_keys(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The items of one clean crawl: what every crawl after the kills must end with."""
    db = f"sqlite:///{tmp_path_factory.mktemp('clean') / 'clean.db'}"
    finish(crawl_service(db))
    keys = item_keys(db)
    assert len(keys) > 20
    return sorted(keys)


def status_cli(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    return aggregator_cli("status", *args, "--db", db, env=fast_env(db), timeout=120)


def status_line(result: subprocess.CompletedProcess[str], slug: str = SLUG) -> str:
    return next(line for line in result.stdout.splitlines() if line.startswith(f"{slug} "))


# --- 29: SIGKILL a crawl, several times, then re-crawl ------------------------------------------


def test_attack_29_sigkill_a_crawl_then_recrawl(db_url: str, reference_keys: list[str]) -> None:
    upgrade(db_url)
    killed: list[int] = []
    for _attempt in range(3 * KILLS):
        if len(killed) == KILLS:
            break
        known = {r.id for r in runs_of(db_url)}
        process = crawl_service(db_url)
        try:
            wait_for(beating_run(db_url, known), process)
        except EndedEarly:
            process.communicate(timeout=60)
            continue  # a loaded machine starved the check: that crawl is not one of the kills
        kill(process)
        [run] = [r for r in runs_of(db_url) if r.id not in known]
        killed.append(run.id)
        assert run.stats.status == "running"  # nothing recorded an end: the process is gone
        if len(killed) == KILLS - 1:
            # `aggregator status` marks the dead runs once their heartbeat lapsed.
            wait_for(lapsed(run.last_alive))
            result = status_cli(db_url)
            assert result.returncode == 3, result.stderr[-2000:]
            line = status_line(result)
            assert " interrupted " in line and "crawl's process died" in line, line
            assert {r.id for r in runs_of(db_url) if r.stats.status == "interrupted"} == set(killed)
        # Killed mid-store or not, the database holds each key at most once.
        keys = item_keys(db_url)
        assert len(keys) == len(set(keys)) and set(keys) <= set(reference_keys)

    assert len(killed) == KILLS, "the crawl finished before most kills"
    # A clean re-crawl, once the last killed run has been silent past its lapse (a crawl
    # started sooner rightly takes it for alive): it marks that run itself, then stores
    # everything once.
    [last] = [r for r in runs_of(db_url) if r.id == killed[-1]]
    wait_for(lapsed(last.last_alive))
    finish(crawl_service(db_url))
    assert sorted(item_keys(db_url)) == reference_keys
    runs = {r.id: r for r in runs_of(db_url)}
    for run_id in killed:
        assert runs[run_id].stats.status == "interrupted"
        assert runs[run_id].heartbeat_at is not None  # it beat while it lived
        assert any("crawl's process died" in e["message"] for e in runs[run_id].stats.errors)
    # The rest (the final crawl, and any that ended before its kill) ended cleanly.
    assert max(runs) not in killed
    assert {r.stats.status for r in runs.values() if r.id not in killed} == {"ok"}


# --- 30: SIGKILL `crawl --due`: the lease it held is visible, then lapses -----------------------


def killed_due_crawl(db: str, state: CrawlState) -> tuple[list[str], bool]:
    """Start `crawl --due` of SLUG, check its lease while it crawls, SIGKILL it. Returns the
    command and whether the kill landed mid-crawl (on a loaded machine the crawl can finish
    before the checks or between them and the kill: the caller then tries again on a fresh
    database)."""
    due = [sys.executable, "-m", "aggregator.cli", "crawl", SLUG, "--due", "--fixtures"]
    process = popen([*due, "--db", db], env=fast_env(db), cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        return due, _checked_then_killed(db, state, process)
    except EndedEarly:
        return due, False


def _checked_then_killed(db: str, state: CrawlState, process: Child) -> bool:
    """The lease checks of a running `crawl --due`, then SIGKILL: whether it died mid-crawl."""
    wait_for(beating_run(db, set()), process)
    [held] = state.held_leases()
    assert held.source == SLUG and held.lease_owner and held.lease_owner.endswith(f":{process.pid}")
    assert held.lease_until is not None
    # Renewed while the crawl runs: the expiry moves on.
    # (No lease at all: the crawl ended meanwhile, and wait_for says so.)
    wait_for(
        lambda: any(lease.lease_until > held.lease_until for lease in state.held_leases()),  # type: ignore[operator]
        process,
    )

    [crawling] = [s for s in source_statuses(db, datetime.now(UTC)) if s.health.source == SLUG]
    assert crawling.health.state == "crawling"
    assert crawling.health.reason.startswith(f"crawling (lease held by {held.lease_owner} until ")

    process.kill()  # a process that just ended is not signalled
    process.wait(timeout=60)
    killed = process.returncode == -signal.SIGKILL
    return killed and runs_of(db)[0].stats.status == "running"


def test_attack_30_sigkill_crawl_due_leaves_no_silent_lease(
    tmp_path: Path, reference_keys: list[str]
) -> None:
    for attempt in range(5):
        db = f"sqlite:///{tmp_path / f'due-{attempt}.db'}"
        upgrade(db)
        state = CrawlState.from_url(db)
        due, killed_running = killed_due_crawl(db, state)
        # Mid-crawl means items were left to store: a kill after the last store but before
        # the run's end leaves nothing new for the next crawl, which health reads as stale.
        mid_crawl = killed_running and len(item_keys(db)) < len(reference_keys)
        if mid_crawl:
            break
        state.engine.dispose()
    assert mid_crawl, "the crawl finished before every kill"
    [left] = state.held_leases()  # the dead process never released it
    assert left.lease_until is not None
    wait_for(lambda: datetime.now(UTC) > left.lease_until)  # type: ignore[operator]

    result = status_cli(db, "--verbose")
    assert result.returncode == 3, result.stderr[-2000:]
    line = status_line(result)
    assert " interrupted " in line and "lease lapsed: held by" in line, line
    assert "Leases held: 1" in result.stdout
    lines = result.stdout.splitlines()
    [lease_line] = lines[lines.index("Leases held: 1") + 1 :]
    assert str(left.lease_owner) in lease_line and "(lapsed, never released)" in lease_line

    # The source is due again: the next `crawl --due` takes it, crawls it and releases it.
    again = subprocess.run(
        [*due, "--db", db], env=fast_env(db), cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0, again.stderr[-3000:]
    assert state.held_leases() == []
    statuses = [r.stats.status for r in runs_of(db)]
    assert statuses == ["ok", "interrupted"]  # newest first
    assert sorted(item_keys(db)) == reference_keys  # the re-crawl stored the rest, once
    after = status_cli(db, "--verbose")
    assert "Leases held: 0" in after.stdout
    assert status_line(after).split()[1] == "ok"
    state.engine.dispose()


# --- 26 and 27: hostile responses from the fault server -----------------------------------------

FILE_REDIRECT_HOST = f"file-redirect.{FAULT_DOMAIN}"
WRONG_TYPE_HOST = f"wrong-type.{FAULT_DOMAIN}"
FILE_TARGET = "file:///etc/passwd"


class ProcessAttackServer(FaultServer):
    """The fault server, with a 302 to file:///etc/passwd and a feed served as image/png."""

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        base = super()._handler()

        class Handler(base):  # type: ignore[misc, valid-type]
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                host, _, rest = urlsplit(self.path).path.lstrip("/").partition("/")
                if host not in (FILE_REDIRECT_HOST, WRONG_TYPE_HOST) or rest == "robots.txt":
                    super().do_GET()
                    return
                self.close_connection = True
                if host == FILE_REDIRECT_HOST:
                    self.head("302 Found", f"Location: {FILE_TARGET}", "Content-Length: 0")
                else:
                    self.head("200 OK", "Content-Type: image/png", f"Content-Length: {len(FEED)}")
                    self.raw(FEED)

        return Handler


@pytest.fixture(scope="module")
def attack_server() -> Iterator[ProcessAttackServer]:
    server = ProcessAttackServer(FixtureSet.load({SLUG: fixture_folders()[SLUG]}))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def crawl_hostile(server: FaultServer, db: str, channels: dict[str, str]) -> None:
    """Crawl SLUG beside throwaway feed sources, one per hostile channel, through the fixture
    handler (the SSRF-guarded handler) in a process of its own."""
    crawl_feed_sources(
        db,
        channels,
        beside=(SLUG,),
        timeout=300,
        fixture_server=server.base_url,
        DOWNLOAD_TIMEOUT=10,
    )


def test_attack_26_non_http_redirect_recorded(
    attack_server: ProcessAttackServer, tmp_path: Path, reference_keys: list[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'redirect.db'}"
    url = f"https://{FILE_REDIRECT_HOST}/feed"
    crawl_hostile(attack_server, db, {"fault_file_redirect": url})
    [run] = runs_of(db, "fault_file_redirect")[:1]
    assert run.stats.status == "failed"
    assert {
        "url": url,
        "message": f"RedirectRefusedError: redirect refused: non-HTTP target {FILE_TARGET}",
    } in run.stats.errors, run.stats.errors
    assert not any(e["message"] == "HTTP 302" for e in run.stats.errors)
    assert item_keys(db, "fault_file_redirect") == []
    # The healthy source beside it lost nothing.
    assert sorted(item_keys(db)) == reference_keys
    assert runs_of(db)[0].stats.status == "ok"


def test_attack_27_wrong_content_type(
    attack_server: ProcessAttackServer, tmp_path: Path, reference_keys: list[str]
) -> None:
    """A feed served as image/png is read as the feed it is (a feed channel is parsed from its
    bytes, never trusted by its label): its one item stored, no crash, no harm beside it."""
    db = f"sqlite:///{tmp_path / 'type.db'}"
    url = f"https://{WRONG_TYPE_HOST}/feed"
    crawl_hostile(attack_server, db, {"fault_wrong_type": url})
    [run] = runs_of(db, "fault_wrong_type")[:1]
    assert run.stats.status == "ok", run.stats.errors
    assert item_keys(db, "fault_wrong_type") == ["lscp.example.org/neglect"]
    assert sorted(item_keys(db)) == reference_keys
    assert runs_of(db)[0].stats.status == "ok"
