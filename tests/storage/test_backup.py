"""`aggregator db backup` / `restore`: a backup taken from a live database restores exactly."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from aggregator.storage.repository import Repository
from tests.crawling import aggregator_cli, crawl
from tests.first_crawls import FirstCrawls

pytestmark = pytest.mark.slow  # scheduled first (tests/conftest.py)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return aggregator_cli(*args)


def test_backup_then_restore_gives_back_every_item(
    tmp_path: Path, first_crawls: FirstCrawls
) -> None:
    db = first_crawls.get("nspcc").copy(tmp_path / "live.db")
    before = sorted((s.item.key, s.content_hash) for s in Repository.from_url(db).list_items())
    assert cli("db", "backup", str(tmp_path / "copy.db"), "--db", db).returncode == 0

    crawl(db, "uk_trauma_council")  # the live database moves on
    assert len(Repository.from_url(db).list_items()) > len(before)

    result = cli("db", "restore", str(tmp_path / "copy.db"), "--db", db)
    assert result.returncode == 0, result.stderr
    after = sorted((s.item.key, s.content_hash) for s in Repository.from_url(db).list_items())
    assert after == before


def test_postgres_url_is_refused_in_one_line() -> None:
    result = cli("db", "backup", "/tmp/x.db", "--db", "postgresql+psycopg://u@127.0.0.1/x")
    assert result.returncode == 1
    assert result.stderr.startswith("error: backup and restore are for SQLite files")
