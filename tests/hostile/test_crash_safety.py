"""A crawl killed with SIGKILL leaves a consistent database, and the next crawl loses nothing.

A clean crawl of a few fixture sources gives the reference: its (source, key) pairs and
content hashes. Then, on one database: a crawl killed at a random time (seeded); one killed
a random few milliseconds after its first items are written; a complete crawl; a full
re-crawl (validators forgotten) killed soon after its runs start; a complete crawl. After
every kill the SQLite file passes its integrity and foreign-key checks and holds no duplicate
key or stray item; after every complete crawl the items are exactly the clean crawl's.

Every kill must land mid-crawl, or the test would pass as clean crawls: each kill comes at its
moment or, at the latest, as soon as one of the crawl's runs is recorded finished (the others
are then still running), and after it the process's exit status must be -9 (alive until our
SIGKILL) and some source of the crawl must have no finished run. The kills after the first
(which may land in start-up, before any run exists) must also leave a run recorded "running".
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from aggregator.storage.crawl_state import CrawlState
from aggregator.storage.db import SCHEMA_REVISION, current_revision
from aggregator.storage.repository import Repository
from tests.crawling import ROOT, crawl
from tests.prewarmed import popen

pytestmark = pytest.mark.slow  # scheduled first (tests/conftest.py)

SLUGS = ("dhsc", "nspcc", "internet_matters")  # an API, a paginated listing, a paginated feed
SEED = 7


def snapshot(db: str) -> dict[tuple[str, str], str]:
    stored = Repository.from_url(db).list_items()
    return {(s.item.source, s.item.key): s.content_hash for s in stored}


def forget_validators(db: str) -> None:
    state = CrawlState.from_url(db)
    try:
        for slug in SLUGS:
            assert state.forget_http_entries(slug) > 0, slug
    finally:
        state.engine.dispose()


def check_consistent(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        if ("items",) not in tables:  # killed before the migrations made it
            return
        duplicates = conn.execute(
            "SELECT source, key, COUNT(*) FROM items GROUP BY source, key HAVING COUNT(*) > 1"
        ).fetchall()
        assert duplicates == []


def count(path: Path, table: str) -> int:
    """Rows in `table`, read-only (0 while the file or table does not exist yet)."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    except sqlite3.Error:
        return 0


def runs_after(path: Path, run_id: int) -> list[tuple[str, str]]:
    """(source, status) of the runs recorded after run `run_id`, read-only ([] while the file
    or table does not exist yet)."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as conn:
            rows = conn.execute(
                "SELECT source, status FROM crawl_runs WHERE id > ? ORDER BY id", (run_id,)
            ).fetchall()
    except sqlite3.Error:
        return []
    return [(str(source), str(status)) for source, status in rows]


def last_run_id(path: Path) -> int:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM crawl_runs").fetchone()[0])
    except sqlite3.Error:
        return 0


@dataclass(frozen=True)
class Kill:
    """What a killed crawl left: how it ended, and its runs as recorded right after the kill."""

    note: str
    returncode: int | None
    runs: list[tuple[str, str]]

    @property
    def unfinished(self) -> set[str]:
        """The crawl's sources without a finished run: never empty for a kill mid-crawl."""
        return set(SLUGS) - {source for source, status in self.runs if status != "running"}

    @property
    def running(self) -> list[str]:
        return [source for source, status in self.runs if status == "running"]


def killed_crawl(db: str, path: Path, when: Callable[[float], bool]) -> Kill:
    """Start a fixture crawl and SIGKILL it (by its pid) as soon as `when(elapsed)` holds, or
    at the latest once one of its runs is recorded finished, while the others still run."""
    env = dict(os.environ, AGGREGATOR_DATABASE_URL=db)
    args = [sys.executable, "-m", "aggregator.cli", "crawl", *SLUGS, "--fixtures"]
    before = last_run_id(path)
    started = time.monotonic()
    process = popen(args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    note = "finished before the kill"
    while process.poll() is None:
        elapsed = time.monotonic() - started
        one_finished = any(status != "running" for _, status in runs_after(path, before))
        if when(elapsed) or one_finished or elapsed > 120:
            process.kill()
            process.wait(timeout=60)
            reason = "a run had finished" if one_finished else "at its moment"
            note = f"killed at {elapsed:.2f} s ({reason})"
            break
        time.sleep(0.005)
    return Kill(note, process.returncode, runs_after(path, before))


def test_sigkill_at_random_points_loses_nothing(tmp_path: Path) -> None:
    clean_db = f"sqlite:///{tmp_path / 'clean.db'}"
    started = time.monotonic()
    crawl(clean_db, *SLUGS)
    duration = time.monotonic() - started
    reference = snapshot(clean_db)
    assert len({source for source, _ in reference}) == len(SLUGS)

    path = tmp_path / "crashed.db"
    db = f"sqlite:///{path}"
    rng = random.Random(SEED)
    log: list[str] = []

    def at(seconds: float) -> Callable[[float], bool]:
        return lambda elapsed: elapsed >= seconds

    def after_rows(table: str, more_than: int, delay: float) -> Callable[[float], bool]:
        seen: list[float] = []

        def when(elapsed: float) -> bool:
            if not seen and count(path, table) > more_than:
                seen.append(elapsed)
            return bool(seen) and elapsed >= seen[0] + delay

        return when

    # 1. Anywhere in a first crawl of an empty database (start-up and migrations included).
    kill(db, path, reference, log, at(rng.uniform(0.1, 1.0) * duration), run_started=False)
    # 2. On what that left, just after the first items are written (in the middle of storing).
    stored = count(path, "items")
    kill(db, path, reference, log, after_rows("items", stored, rng.uniform(0, 0.05)))
    complete(db, path, reference, log)
    # 3. While re-crawling the complete database (each source's run has started). Its
    # conditional-request state is forgotten first, so the re-crawl fetches, parses and
    # rewrites every page: answered by 304s it is over some 50 ms after its runs start, too
    # soon to be killed mid-crawl every time.
    forget_validators(db)
    runs = count(path, "crawl_runs")
    kill(db, path, reference, log, after_rows("crawl_runs", runs, rng.uniform(0, 0.5)))
    complete(db, path, reference, log)
    print(f"\nclean crawl {duration:.1f} s, {len(reference)} items; {'; '.join(log)}")


def kill(
    db: str,
    path: Path,
    reference: dict[tuple[str, str], str],
    log: list[str],
    when: Callable[[float], bool],
    *,
    run_started: bool = True,
) -> None:
    """A crawl killed mid-crawl when `when` says (with `run_started`, after at least one of its
    runs was recorded): the database is consistent and holds no strays."""
    killed = killed_crawl(db, path, when)
    log.append(killed.note)
    # Mid-crawl: the process was alive until the SIGKILL, and had not finished its sources.
    assert killed.returncode == -signal.SIGKILL, log
    assert killed.unfinished, (log, killed.runs)
    if run_started:
        assert killed.running, (log, killed.runs)  # a run recorded "running" at the kill
    log[-1] += f" ({len(killed.running)} run(s) running"
    if path.exists():
        check_consistent(path)
        if current_revision(db) != SCHEMA_REVISION:
            # Killed in start-up, before its migrations had run to the end: nothing can have
            # been stored, and the next crawl (`complete`) must migrate on from here.
            log[-1] += f", schema at {current_revision(db)})"
            return
        partial = snapshot(db)
        assert set(partial) <= set(reference), log
        log[-1] += f", {len(partial)} items stored"
    log[-1] += ")"


def complete(db: str, path: Path, reference: dict[tuple[str, str], str], log: list[str]) -> None:
    """A crawl run to the end: the database then holds exactly the clean crawl's items."""
    crawl(db, *SLUGS)
    log.append("completed")
    check_consistent(path)
    assert snapshot(db) == reference, log  # nothing lost, nothing doubled, nothing stale
    latest = Repository.from_url(db).runs(limit=len(SLUGS))
    assert {r.source for r in latest} == set(SLUGS)
    assert all(r.stats.status != "running" for r in latest)
