"""Exit statuses for cron and systemd: a crawl exits 3 when a source's run failed and 0 only
when every run succeeded, and `aggregator --help` lists every status.

Each test runs the real CLI in a subprocess on one small source's offline fixtures; a failing
source is a copy of its fixtures whose pages answer HTTP 500 (robots.txt still answers).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from aggregator.cli import exit_codes
from aggregator.devtools.fixtures import FIXTURES_DIR
from aggregator.storage.repository import Repository
from tests.conftest import REDIS_URL
from tests.crawling import aggregator_cli

pytestmark = pytest.mark.slow  # scheduled first (tests/conftest.py)

ROOT = Path(__file__).resolve().parents[2]
SLUG = "childrens_commissioner"  # three fixture responses: the quickest crawl there is


def run(
    db: Path, *args: str, fixtures_dir: Path | None = None, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(ROOT),
        "AGGREGATOR_DATABASE_URL": f"sqlite:///{db}",
        **extra_env,
    }
    if fixtures_dir is not None:
        env["AGGREGATOR_FIXTURES_DIR"] = str(fixtures_dir)
    return aggregator_cli(*args, env=env)


def failing_fixtures(tmp_path: Path) -> Path:
    """A fixtures root holding SLUG only, every page of which answers HTTP 500."""
    root = tmp_path / "fixtures"
    shutil.copytree(FIXTURES_DIR / SLUG, root / SLUG)
    meta_path = root / SLUG / "meta.json"
    meta = json.loads(meta_path.read_text())
    for response in meta["responses"]:
        if not response["url"].endswith("/robots.txt"):
            response["status"] = 500
    meta_path.write_text(json.dumps(meta))
    return root


def last_status(db: Path) -> str:
    repo = Repository.from_url(f"sqlite:///{db}")
    try:
        return repo.runs(source=SLUG, limit=1)[0].stats.status
    finally:
        repo.close()


def test_a_crawl_whose_sources_all_succeed_exits_0(tmp_path: Path) -> None:
    db = tmp_path / "ok.db"
    result = run(db, "crawl", SLUG, "--fixtures")
    assert result.returncode == exit_codes.EX_OK, result.stderr[-3000:]
    assert last_status(db) == "ok"
    assert "source run failed" not in result.stderr


def test_a_crawl_with_a_failed_source_exits_3_and_names_it(tmp_path: Path) -> None:
    db = tmp_path / "failed.db"
    result = run(db, "crawl", SLUG, "--fixtures", fixtures_dir=failing_fixtures(tmp_path))
    assert result.returncode == exit_codes.EX_SOURCE_FAILED == 3, result.stderr[-3000:]
    assert last_status(db) == "failed"
    assert re.search(rf"^{SLUG} +failed ", result.stdout, re.MULTILINE), result.stdout
    assert f"error: source run failed: {SLUG}" in result.stderr.splitlines()


def test_crawl_due_exits_3_for_a_failed_source_then_0_when_nothing_is_due(
    tmp_path: Path,
) -> None:
    db = tmp_path / "due.db"
    broken = failing_fixtures(tmp_path)
    first = run(db, "crawl", SLUG, "--due", "--fixtures", fixtures_dir=broken)
    assert first.returncode == exit_codes.EX_SOURCE_FAILED, first.stderr[-3000:]
    assert f"error: source run failed: {SLUG}" in first.stderr.splitlines()
    # The failed source now backs off: nothing is crawled, so nothing failed.
    again = run(db, "crawl", SLUG, "--due", "--fixtures", fixtures_dir=broken)
    assert again.returncode == exit_codes.EX_OK, again.stderr[-3000:]
    assert again.stdout.strip() == "Nothing due."


def test_schedule_exits_3_after_its_rounds_when_a_round_had_a_failed_source(
    tmp_path: Path,
) -> None:
    db = tmp_path / "schedule.db"
    result = run(
        db,
        "schedule",
        "--iterations",
        "2",
        "--every",
        "0",
        "--fixtures",
        fixtures_dir=failing_fixtures(tmp_path),
    )
    assert result.returncode == exit_codes.EX_SOURCE_FAILED, result.stderr[-3000:]
    rounds = [line for line in result.stderr.splitlines() if line.startswith("round ")]
    # Round 1 crawls and fails; in round 2 the source backs off, so nothing is due.
    assert rounds == ["round 1: a source failed (exit 3)"]


def test_a_burst_worker_exits_3_when_a_job_had_a_failed_source(
    tmp_path: Path, redis_queue: str
) -> None:
    db = tmp_path / "worker.db"
    broken = failing_fixtures(tmp_path)
    queue = {"AGGREGATOR_REDIS_URL": REDIS_URL, "AGGREGATOR_QUEUE": redis_queue}
    queued = run(db, "crawl", SLUG, "--distributed", "--fixtures", fixtures_dir=broken, **queue)
    assert queued.returncode == exit_codes.EX_OK, queued.stderr[-3000:]
    assert queued.stdout.startswith(f"queued {SLUG} (job ")
    worker = run(db, "worker", "--burst", "--heartbeat-timeout", "3", fixtures_dir=broken, **queue)
    assert worker.returncode == exit_codes.EX_SOURCE_FAILED, worker.stderr[-3000:]
    assert last_status(db) == "failed"
    assert f"error: source run failed: {SLUG}" in worker.stderr.splitlines()


def test_help_lists_every_exit_code() -> None:
    result = aggregator_cli("--help", timeout=60)
    assert result.returncode == 0, result.stderr
    section = result.stdout.split("Exit codes:", 1)[1].split("Options:", 1)[0]
    listed = [int(m) for m in re.findall(r"^\s+(\d+)\s", section, re.MULTILINE)]
    assert listed == [0, 1, 2, 3, 75, 130]
    constants = sorted(
        value
        for name, value in vars(exit_codes).items()
        if name.startswith("EX_") and isinstance(value, int)
    )
    assert listed == constants


def test_the_readme_lists_every_exit_code() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    listed = [int(m) for m in re.findall(r"^\| *`?(\d+)`? *\|", table, re.MULTILINE)]
    assert listed == [0, 1, 2, 3, 75, 130]
