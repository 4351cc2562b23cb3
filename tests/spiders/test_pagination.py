"""Listings are followed page by page until a page shows nothing new (counted on the server)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.crawling import ROOT

PAGE_2 = "https://learning.nspcc.org.uk/news?page=2"

SCRIPT = """
from aggregator.crawl import run_crawl
from aggregator.fixtures import FixtureServer, FixtureSet, fixture_folders
from aggregator.storage.db import upgrade
db = "sqlite:///{db}"
upgrade(db)
folders = fixture_folders()
with FixtureServer(FixtureSet.load({{"nspcc": folders["nspcc"]}})) as server:
    run_crawl(["nspcc"], db, fixture_server=server.base_url)
print("\\n".join(server.requests))
"""


def crawl_and_log(db: Path) -> list[str]:
    script = textwrap.dedent(SCRIPT.format(db=db))
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.splitlines()


def test_older_pages_are_read_first_time_and_skipped_once_known(tmp_path: Path) -> None:
    first = crawl_and_log(tmp_path / "p.db")
    assert PAGE_2 in first
    assert "https://learning.nspcc.org.uk/news/2024/april/podcast-neglect-adolescents" in first
    second = crawl_and_log(tmp_path / "p.db")
    assert PAGE_2 not in second
    assert "https://learning.nspcc.org.uk/news" in second
