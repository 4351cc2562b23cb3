"""Listings and feeds are followed page by page until a page shows nothing new.

Requests are counted on the fixture server: the first crawl reads the older pages, a second
crawl of the same unchanged source stops at page 1.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.crawling import ROOT
from tests.source_kinds import second_pages

SCRIPT = """
from aggregator.fetch.process import run_crawl
from aggregator.devtools.fixtures import FixtureServer, FixtureSet, fixture_folders
from aggregator.storage.db import upgrade
db = "sqlite:///{db}"
upgrade(db)
folders = fixture_folders()
with FixtureServer(FixtureSet.load({{"{slug}": folders["{slug}"]}})) as server:
    run_crawl(["{slug}"], db, fixture_server=server.base_url)
print("\\n".join(server.requests))
"""

# (slug, page-2 URL) for every source whose fixtures hold page 2 of a primary channel.
CASES = second_pages()


def crawl_and_log(slug: str, db: Path) -> list[str]:
    script = textwrap.dedent(SCRIPT.format(db=db, slug=slug))
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.splitlines()


def test_some_source_is_paginated() -> None:
    assert CASES, "no fixture holds page 2 of a primary channel"


@pytest.mark.parametrize(("slug", "page_2"), CASES, ids=[c[0] for c in CASES])
def test_older_pages_are_read_first_time_and_skipped_once_known(
    slug: str, page_2: str, tmp_path: Path
) -> None:
    first = crawl_and_log(slug, tmp_path / "p.db")
    assert page_2 in first
    second = crawl_and_log(slug, tmp_path / "p.db")
    assert page_2 not in second
    assert len(second) < len(first)
