"""Cheap when nothing changed: conditional GETs get 304s, and a changed listing refetches only
the entries it changed. Requests are counted on the fixture server."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from aggregator.devtools.fixtures import FIXTURES_DIR
from aggregator.sources import REGISTRY
from tests.crawling import ROOT, last_run

SCRIPT = """
from pathlib import Path
from aggregator.fetch.process import run_crawl
from aggregator.devtools.fixtures import FixtureServer, FixtureSet
from aggregator.storage.db import upgrade
db = "sqlite:///{db}"
upgrade(db)
with FixtureServer(FixtureSet.load({{"{slug}": Path("{folder}")}})) as server:
    run_crawl(["{slug}"], db, fixture_server=server.base_url)
print("\\n".join(server.requests))
"""


def crawl_and_log(slug: str, db: Path, folder: Path) -> list[str]:
    script = textwrap.dedent(SCRIPT.format(db=db, slug=slug, folder=folder))
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.splitlines()


@pytest.mark.parametrize("slug", sorted(REGISTRY))
def test_second_crawl_of_an_unchanged_source_is_one_request_per_channel(
    slug: str, tmp_path: Path
) -> None:
    db = tmp_path / "c.db"
    first = crawl_and_log(slug, db, FIXTURES_DIR / slug)
    second = crawl_and_log(slug, db, FIXTURES_DIR / slug)
    primaries = [c.url for c in REGISTRY[slug].channels if c.role == "primary"]
    robots = [u for u in second if u.endswith("/robots.txt")]
    assert sorted(u for u in second if u not in robots) == sorted(primaries)
    assert len(robots) <= len(REGISTRY[slug].all_hosts())
    # Never more than the first crawl; as many only for a source that one feed page holds
    # whole (no detail pages, no page 2): its saving is the 304 below.
    assert len(first) >= len(second)
    run = last_run(f"sqlite:///{db}", slug)
    assert run.stats.responses_by_status.get("304") == len(primaries)
    assert run.stats.status == "ok"


def test_a_changed_listing_refetches_only_the_entry_that_changed(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    crawl_and_log("nspcc", db, FIXTURES_DIR / "nspcc")
    copy = tmp_path / "nspcc"
    shutil.copytree(FIXTURES_DIR / "nspcc", copy)
    listing = copy / "research-resources.html"
    text = listing.read_text(encoding="utf-8")
    # One card's year moves on; every other card reads as before.
    changed = text.replace("(Published 2022)", "(Published 2023)", 1)
    assert changed != text
    listing.write_text(changed, encoding="utf-8")
    second = crawl_and_log("nspcc", db, copy)
    details = [u for u in second if "/research-resources/" in u]
    assert details == [
        "https://learning.nspcc.org.uk/research-resources/schools/"
        "keeping-children-safe-in-education-caspar-briefing"
    ]
    assert "https://learning.nspcc.org.uk/research-resources" in second
