"""Nothing is lost when storing fails (attacks 20 and 32 of ../shared/attack-suite.md).

Real crawls in processes of their own, on real PostgreSQL (and SQLite for the NUL byte):
- a NUL byte in one feed entry, which PostgreSQL refuses in text, costs nothing: normalisation
  removes it and all four entries are stored;
- database connections killed every 0.7 s during a crawl (`pg_terminate_backend`), then a
  clean re-crawl: every item is stored exactly once. Validators are saved only when every item
  of the run was stored, so the re-crawl is not answered with 304s that would hide the rest.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from aggregator.devtools.fixtures import FixtureSet, fixture_folders
from aggregator.storage.repository import Repository
from aggregator.storage.tables import ITEMS
from tests import prewarmed
from tests.crawling import ROOT, last_run
from tests.faults.server import FAULTS, FaultServer
from tests.hostile.test_faults import HEALTHY, crawl

pytestmark = pytest.mark.slow  # scheduled first (tests/conftest.py)

HANG_GUARD = 600  # seconds
KILL_EVERY = 0.7  # seconds, as the attack suite says
SOURCES = ["dhsc", "nspcc", "lucy_faithfull"]


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    running = FaultServer(FixtureSet.load({HEALTHY: fixture_folders()[HEALTHY]}))
    running.start()
    try:
        yield running
    finally:
        running.stop()


def test_attack_20_nul_byte_in_one_entry(db_url: str, server: FaultServer) -> None:
    fault = FAULTS["nul_entry"]
    crawl(server, db_url, ["nul_entry"])
    items = Repository.from_url(db_url).list_items(source=fault.slug)
    titles = sorted(s.item.title for s in items)
    assert titles == [f"Neglect strategy part {n}" for n in range(1, 5)]
    run = last_run(db_url, fault.slug).stats
    assert run.status == "ok" and run.items_new == 4 and not run.errors


def fixture_crawl(db: str) -> subprocess.CompletedProcess[str]:
    return prewarmed.run(
        [sys.executable, "-m", "aggregator.services.crawl", *SOURCES, "--db", db, "--fixtures"],
        cwd=ROOT,
        timeout=HANG_GUARD,
    )


def stored(db: str) -> tuple[set[tuple[str, str]], int]:
    """The (source, key) pairs stored, and the number of item rows."""
    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            pairs = {(r.source, r.key) for r in conn.execute(select(ITEMS.c.source, ITEMS.c.key))}
            rows = conn.execute(select(func.count()).select_from(ITEMS)).scalar_one()
        return pairs, int(rows)
    finally:
        engine.dispose()


class BackendKiller(threading.Thread):
    """Ends every other connection to one database every KILL_EVERY seconds."""

    def __init__(self, db: str) -> None:
        super().__init__(daemon=True)
        self.database = make_url(db).database
        self.admin = create_engine(
            make_url(db).set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
        self.done = threading.Event()
        self.killed = 0

    def run(self) -> None:
        with self.admin.connect() as conn:
            while not self.done.wait(KILL_EVERY):
                self.killed += len(
                    conn.execute(
                        text(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = :db AND pid <> pg_backend_pid()"
                        ),
                        {"db": self.database},
                    ).all()
                )

    def stop(self) -> None:
        self.done.set()
        self.join()
        self.admin.dispose()


def test_attack_32_connections_killed_mid_crawl_then_recrawl(pg_url: str, tmp_path: Path) -> None:
    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    assert fixture_crawl(reference).returncode == 0
    expected, _ = stored(reference)
    assert len(expected) > 50

    killer = BackendKiller(pg_url)
    killer.start()
    try:
        fixture_crawl(pg_url)  # may fail in any way: what matters is what the next crawl does
    finally:
        killer.stop()
    assert killer.killed > 0

    again = fixture_crawl(pg_url)
    assert again.returncode == 0, again.stderr[-3000:]
    pairs, rows = stored(pg_url)
    assert pairs == expected
    assert rows == len(expected)  # each exactly once
