"""Scheduling: only due sources are crawled, overlapping runs never crawl a source twice, and
failing sources back off exponentially."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from aggregator.sources import REGISTRY
from aggregator.storage.db import upgrade
from aggregator.storage.repository import Repository
from tests.crawling import ROOT


def crawl_due(db: str) -> subprocess.Popen[str]:
    env = dict(os.environ, AGGREGATOR_DATABASE_URL=db)
    return subprocess.Popen(
        [sys.executable, "-m", "aggregator.cli", "crawl", "--due", "--fixtures"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_overlapping_due_runs_never_crawl_a_source_twice(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/due.db"
    upgrade(db)
    first, second = crawl_due(db), crawl_due(db)
    for process in (first, second):
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-2000:]
    runs = Repository.from_url(db).runs(limit=100)
    per_source = {slug: sum(r.source == slug for r in runs) for slug in REGISTRY}
    assert per_source == dict.fromkeys(REGISTRY, 1)
    # Nothing is due again until each source's interval has passed.
    again = crawl_due(db)
    out, _ = again.communicate(timeout=300)
    assert out.strip() == "Nothing due."
