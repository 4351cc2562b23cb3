"""Run a real crawl of fixtures in a subprocess (Twisted's reactor runs once per process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from aggregator.storage.repository import CrawlRun, Repository

ROOT = Path(__file__).resolve().parent.parent


def crawl(
    db_url: str,
    *slugs: str,
    snapshot: str | None = None,
    fixtures_dir: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, AGGREGATOR_DATABASE_URL=db_url)
    if fixtures_dir is not None:
        env["AGGREGATOR_FIXTURES_DIR"] = str(fixtures_dir)
    args = [sys.executable, "-m", "aggregator.cli", "crawl", *slugs, "--fixtures"]
    if snapshot:
        args += ["--snapshot", snapshot]
    result = subprocess.run(args, env=env, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def last_run(db_url: str, slug: str) -> CrawlRun:
    return Repository.from_url(db_url).runs(source=slug, limit=1)[0]


def stored(db_url: str, slug: str) -> list[dict[str, Any]]:
    return [
        json.loads(json.dumps(s.item.to_json()))
        for s in Repository.from_url(db_url).list_items(source=slug)
    ]
