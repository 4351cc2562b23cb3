"""`scrapy crawl <slug>` and `scrapy list` as first-class commands: a database that cannot
take the crawl is refused in one line before any spider opens, and `-s AGGREGATOR_FIXTURES=1`
crawls the bundled fixtures."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from aggregator.sources import REGISTRY
from aggregator.storage.db import upgrade
from aggregator.storage.repository import Repository
from tests.crawling import python_module


def scrapy(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, AGGREGATOR_DATABASE_URL=f"sqlite:///{db}")
    return python_module("scrapy", *args, env=env)


@pytest.mark.parametrize(
    ("migrated_to", "message"),
    [
        (None, "has no schema yet: run `aggregator db upgrade`"),
        ("0016", "is at migration 0016, this version needs"),
    ],
    ids=["unmigrated", "outdated"],
)
def test_a_database_that_cannot_take_the_crawl_is_refused_in_one_line(
    tmp_path: Path, migrated_to: str | None, message: str
) -> None:
    db = tmp_path / "crawl.db"
    if migrated_to is not None:
        upgrade(f"sqlite:///{db}", migrated_to)
    result = scrapy(db, "crawl", "ofsted", "-s", "AGGREGATOR_FIXTURES=1")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and message in errors[0]
    assert "Traceback" not in result.stderr
    assert "no such table" not in result.stderr
    assert "Spider opened" not in result.stderr  # refused before any spider started


def test_scrapy_crawl_stores_the_bundled_fixtures_and_records_the_run(tmp_path: Path) -> None:
    db = tmp_path / "crawl.db"
    upgrade(f"sqlite:///{db}")
    result = scrapy(
        db,
        "crawl",
        "ofsted",
        "-s",
        "AGGREGATOR_FIXTURES=1",
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "AUTOTHROTTLE_ENABLED=0",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    repository = Repository.from_url(f"sqlite:///{db}")
    try:
        assert repository.list_items(source="ofsted")
        (run,) = repository.runs(source="ofsted")
        assert run.stats.status == "ok"
    finally:
        repository.close()


def test_scrapy_list_names_every_registered_source(tmp_path: Path) -> None:
    result = scrapy(tmp_path / "unused.db", "list")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == sorted(REGISTRY)
