"""`aggregator parse`: the crawler's size cap, one-line errors, warnings on stderr."""

from __future__ import annotations

import subprocess
from pathlib import Path

from aggregator.fetch.scrapy_settings import DOWNLOAD_MAXSIZE
from tests.crawling import aggregator_cli
from tests.parse.feeds import FEED_URL, rss, rss_item

ROOT = Path(__file__).resolve().parents[2]


def parse(path: Path) -> subprocess.CompletedProcess[str]:
    return aggregator_cli(
        "parse",
        "feed",
        str(path),
        "--url",
        FEED_URL,
        env={"PATH": "/usr/bin:/bin", "HOME": str(ROOT)},
    )


def test_a_file_over_the_download_cap_is_one_line_error(tmp_path: Path) -> None:
    saved = tmp_path / "huge.xml"
    with saved.open("wb") as out:
        out.truncate(DOWNLOAD_MAXSIZE + 1)  # sparse: costs no disk
    result = parse(saved)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {saved} is larger than the crawler's download cap "
        f"({DOWNLOAD_MAXSIZE:,} bytes): refused\n"
    )


def test_warnings_go_to_stderr_and_items_to_stdout(tmp_path: Path) -> None:
    saved = tmp_path / "cut.xml"
    saved.write_bytes(rss([rss_item(1), rss_item(2)], close=False))
    result = parse(saved)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2
    assert result.stderr == (
        f"warning: feed is cut off after 2 entries: it never closes ({FEED_URL})\n"
    )
