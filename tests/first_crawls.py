"""Each fixture folder's first crawl, run once per test session and shared by the tests that
start from it (the `first_crawls` fixture, tests/conftest.py).

A first crawl is the same whichever test asks for it: one folder (a source's fixtures or one
of its snapshots), served by the loopback fixture server, crawled into an empty SQLite file.
So it runs once, in a process of its own (Twisted's reactor runs once per process), and its
database and the fixture server's request log are kept. A test that goes on from there (a
second crawl, an altered page) works on a copy; the kept file is never written again.

Under `make test`'s workers (pytest-xdist) the workers share one folder, and a lock per
crawl, so each folder is still crawled once per run, whichever worker asks first.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from aggregator.devtools.fixtures import FIXTURES_DIR
from tests import prewarmed
from tests.crawling import ROOT

SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from aggregator.devtools.fixtures import FixtureServer, FixtureSet
    from aggregator.fetch.process import run_crawl
    from aggregator.storage.db import upgrade
    slug, folder, db = sys.argv[1:4]
    upgrade(db)
    with FixtureServer(FixtureSet.load({slug: Path(folder)})) as server:
        run_crawl([slug], db, fixture_server=server.base_url)
    print("\\n".join(server.requests))
    """
)


@dataclass(frozen=True)
class FirstCrawl:
    """A folder crawled once into an empty database: the file, and what was requested."""

    slug: str
    folder: Path
    db: Path
    requests: tuple[str, ...]

    def copy(self, to: Path) -> str:
        """A copy of the crawled database at `to`, for a test to go on from: its URL."""
        shutil.copyfile(self.db, to)
        return f"sqlite:///{to}"


class FirstCrawls:
    """First crawls kept under `root` (shared by every worker of one test run)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def get(self, slug: str, folder: Path | None = None) -> FirstCrawl:
        """The first crawl of `folder` (by default the source's own fixture folder) as
        `slug`: crawled now if no test of this run has crawled it yet."""
        folder = (folder or FIXTURES_DIR / slug).resolve()
        name = f"{slug}-{hashlib.sha256(str(folder).encode()).hexdigest()[:12]}"
        db, log = self.root / f"{name}.db", self.root / f"{name}.requests"
        with open(self.root / f"{name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another worker crawling it: wait for its result
            if not log.exists():  # written last: a crawl that failed half-way is redone
                db.unlink(missing_ok=True)
                requests = crawl_and_log(slug, folder, db)
                log.write_text("\n".join(requests), encoding="utf-8")
        requests = tuple(log.read_text(encoding="utf-8").splitlines())
        return FirstCrawl(slug, folder, db, requests)


def crawl_and_log(slug: str, folder: Path, db: Path) -> list[str]:
    """Crawl `folder` as `slug` into the SQLite file `db` in a process of its own; the URLs
    the fixture server was asked for, in order."""
    result = prewarmed.run(
        [sys.executable, "-c", SCRIPT, slug, str(folder), f"sqlite:///{db}"],
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.splitlines()
