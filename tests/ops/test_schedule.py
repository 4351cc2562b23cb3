"""Scheduling: only due sources are crawled, overlapping runs never crawl a source twice, and
failing sources back off exponentially."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from aggregator.sources import REGISTRY
from aggregator.storage.db import upgrade
from aggregator.storage.repository import Repository
from tests.crawling import ROOT
from tests.prewarmed import Child, popen

pytestmark = pytest.mark.slow  # scheduled first (tests/conftest.py)


def crawl_due(db: str) -> Child:
    env = dict(os.environ, AGGREGATOR_DATABASE_URL=db)
    return popen(
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


def test_a_long_retry_after_disables_the_source_instead_of_sleeping(tmp_path: Path) -> None:
    import json
    import shutil
    from datetime import UTC, datetime, timedelta

    from aggregator.devtools.fixtures import FIXTURES_DIR
    from aggregator.storage.crawl_state import CrawlState
    from tests.crawling import crawl, last_run

    copy = tmp_path / "fixtures"
    shutil.copytree(FIXTURES_DIR / "dhsc", copy / "dhsc")
    meta_path = copy / "dhsc" / "meta.json"
    meta = json.loads(meta_path.read_text())
    for response in meta["responses"]:
        if "/api/search.json" in response["url"]:
            response["first"] = [{"status": 429, "headers": {"Retry-After": "7200"}}]
    meta_path.write_text(json.dumps(meta))
    db = f"sqlite:///{tmp_path}/ra.db"
    started = datetime.now(UTC)
    crawl(db, "dhsc", fixtures_dir=copy)
    state = CrawlState.from_url(db).states(["dhsc"])["dhsc"]
    assert state.disabled_until is not None
    assert state.disabled_until >= started + timedelta(seconds=7100)
    assert state.disabled_reason and "Retry-After 7200s" in state.disabled_reason
    run = last_run(db, "dhsc")
    assert any("Retry-After 7200s" in e["message"] for e in run.stats.errors)
