"""Progress on stderr only when it is a terminal: a per-source line during crawls, a bar
with counts, rate and time left for `classify --all`, `drafts --all` and exports to files.

The terminal is a real pseudo-terminal (`pty`), the command a real subprocess."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_exit_codes import SLUG, run
from tests.prewarmed import popen

pytestmark = pytest.mark.slow  # scheduled first (tests/conftest.py)

ROOT = Path(__file__).resolve().parents[2]


def on_a_terminal(db: Path, *args: str) -> tuple[int, str]:
    """Run the CLI with stderr on a pseudo-terminal; (exit status, what the terminal got)."""
    leader, follower = pty.openpty()
    env = dict(
        os.environ,
        AGGREGATOR_DATABASE_URL=f"sqlite:///{db}",
        COLUMNS="120",
        AGGREGATOR_PUBLIC_URL="https://alerts.example.org",
    )
    process = popen(
        [sys.executable, "-m", "aggregator.cli", *args],
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env=env,
        cwd=ROOT,
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the follower closed: the process is done writing
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    return process.wait(timeout=300), seen.decode("utf-8", errors="replace")


def test_a_crawl_on_a_terminal_shows_each_sources_progress(tmp_path: Path) -> None:
    status, terminal = on_a_terminal(tmp_path / "t.db", "crawl", SLUG, "--fixtures")
    assert status == 0, terminal
    assert f"{SLUG} " in terminal and " pages " in terminal and "(done)" in terminal


def test_long_jobs_on_a_terminal_show_counts_rate_and_time_left(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    crawled = run(db, "crawl", SLUG, "--fixtures")
    assert crawled.returncode == 0, crawled.stderr[-2000:]
    for args, label in (
        (("classify", "--all"), "classifying"),
        (("drafts", "--all"), "drafting"),
        (
            ("export", "--format", "jsonl", "--status", "all", "-o", str(tmp_path / "o.jsonl")),
            "exporting",
        ),
    ):
        status, terminal = on_a_terminal(db, *args)
        assert status == 0, terminal
        assert label in terminal, (args, terminal)
        assert "/s" in terminal  # the rate


def test_off_a_terminal_nothing_is_drawn(tmp_path: Path) -> None:
    db = tmp_path / "n.db"
    assert run(db, "crawl", SLUG, "--fixtures").stderr == ""
    for args in (("classify", "--all"), ("drafts", "--all")):
        result = run(db, *args)
        assert result.returncode == 0 and result.stderr == "", (args, result.stderr)
