"""Politeness, tested on its own with the production profile against the loopback server:
one request at a time per host with a delay between them, robots.txt obeyed, and the
identifying User-Agent."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

from aggregator.fetch import scrapy_settings
from aggregator.fetch.process import PROFILES, crawl_settings
from tests import prewarmed
from tests.crawling import ROOT

pytestmark = pytest.mark.slow  # scheduled first (tests/conftest.py)

SCRIPT = """
import json
from pathlib import Path
from aggregator.fetch.process import run_crawl
from aggregator.devtools.fixtures import FixtureServer, FixtureSet, fixture_folders
from aggregator.storage.db import upgrade
db = "sqlite:///{db}"
upgrade(db)
with FixtureServer(FixtureSet.load({{"nspcc": Path("{folder}")}})) as server:
    run_crawl(["nspcc"], db, fixture_server=server.base_url, profile="production",
              DOWNLOAD_DELAY={delay}, AUTOTHROTTLE_ENABLED=False, LOG_LEVEL="WARNING")
print(json.dumps({{"times": server.times, "requests": server.requests}}))
"""


def crawl_with_production_profile(tmp_path: Path, folder: Path, delay: float) -> dict:  # type: ignore[type-arg]
    script = textwrap.dedent(SCRIPT.format(db=tmp_path / "p.db", folder=folder, delay=delay))
    result = prewarmed.run([sys.executable, "-c", script], cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_requests_to_one_host_are_spaced(tmp_path: Path) -> None:
    from aggregator.devtools.fixtures import FIXTURES_DIR

    log = crawl_with_production_profile(tmp_path, FIXTURES_DIR / "nspcc", delay=0.3)
    times = [t for host, t in log["times"] if host == "learning.nspcc.org.uk"]
    assert len(times) > 10
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    # Scrapy randomises the delay between 0.5x and 1.5x of DOWNLOAD_DELAY.
    assert min(gaps) >= 0.3 * 0.5 * 0.9


def test_robots_txt_is_obeyed(tmp_path: Path) -> None:
    import shutil

    from aggregator.devtools.fixtures import FIXTURES_DIR

    folder = tmp_path / "nspcc"
    shutil.copytree(FIXTURES_DIR / "nspcc", folder)
    (folder / "robots.txt").write_text("User-agent: *\nDisallow: /research-resources\n")
    log = crawl_with_production_profile(tmp_path, folder, delay=0)
    assert not [u for u in log["requests"] if "/research-resources" in u]
    assert any("/news/" in u for u in log["requests"])


def test_production_profile_is_polite_and_the_test_profile_is_named() -> None:
    production = crawl_settings("sqlite://", profile="production")
    assert production.getbool("ROBOTSTXT_OBEY")
    assert production.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1
    assert production.getbool("AUTOTHROTTLE_ENABLED")
    assert production.getfloat("DOWNLOAD_DELAY") >= 1
    assert "+https://" in scrapy_settings.USER_AGENT and "aggregator" in scrapy_settings.USER_AGENT
    loopback = crawl_settings("sqlite://", fixture_server="http://127.0.0.1:1")
    assert loopback.getfloat("DOWNLOAD_DELAY") == 0
    assert set(PROFILES) == {"production", "loopback-test"}
