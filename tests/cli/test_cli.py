"""The CLI: every command documented, and bad input is one line on stderr, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from aggregator.cli import main
from tests.crawling import aggregator_cli

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, db: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(ROOT)}
    if db is not None:
        env["AGGREGATOR_DATABASE_URL"] = f"sqlite:///{db}"
    return aggregator_cli(*args, env=env)


def commands() -> list[list[str]]:
    found = []
    for name, command in main.commands.items():
        found.append([name])
        for sub in getattr(command, "commands", {}):
            found.append([name, sub])
    return found


@pytest.mark.parametrize("path", commands(), ids=lambda p: " ".join(p))
def test_every_command_has_help_text(path: list[str]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0
    command = main
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    assert command.help and len(command.help) > 20, f"{' '.join(path)} needs a docstring"


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in commands():
        assert f"aggregator {' '.join(path)}" in readme


def test_parse_feed_reads_any_rss_file(tmp_path: Path) -> None:
    feed = tmp_path / "f.xml"
    feed.write_bytes(
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item>'
        b"<title>Hello</title><link>https://example.org/a/?utm_medium=rss</link>"
        b"<pubDate>Thu, 09 May 2024 10:15:00 GMT</pubDate></item></channel></rss>"
    )
    result = run(
        "parse",
        "feed",
        str(feed),
        "--url",
        "https://example.org/feed",
        "--fetched-at",
        "2024-05-31T08:00:00Z",
    )
    assert result.returncode == 0, result.stderr
    [item] = [json.loads(line) for line in result.stdout.splitlines()]
    assert item["url"] == "https://example.org/a/"  # the publisher's slash kept, utm_ dropped
    # 10:15 UTC on 9 May is 11:15 in London (BST): the instant keeps the London offset.
    assert item["published"] == "2024-05-09T11:15:00+01:00"
    assert item["publisher"] == "example.org"


def test_parse_feed_on_a_non_feed_is_one_line(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>hello</p></body></html>")
    result = run("parse", "feed", str(page), "--url", "https://example.org/")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: not an RSS or Atom feed (https://example.org/)")
    assert "Traceback" not in result.stderr


def test_future_date_is_refused_with_a_reason(tmp_path: Path) -> None:
    feed = tmp_path / "f.xml"
    feed.write_bytes(
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item>'
        b"<title>Later</title><link>https://example.org/b</link>"
        b"<pubDate>Mon, 01 Jul 2024 10:00:00 GMT</pubDate></item></channel></rss>"
    )
    result = run(
        "parse", "feed", str(feed), "--url", "https://e.org/f", "--fetched-at", "2024-05-31"
    )
    assert result.returncode == 0
    assert result.stdout == ""
    assert result.stderr.strip() == "dropped (published after fetch time): https://example.org/b"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["crawl", "nosuchsource"], 2, "unknown source 'nosuchsource'"),
        (["parse", "nosuch", "README.md", "--url", "https://x.org/"], 2, "unknown source"),
        (["parse", "feed", "missing.xml", "--url", "https://x.org/"], 2, "does not exist"),
        (["items", "--since", "yesterday"], 2, "not an ISO 8601 date"),
        (["items", "--source", "nosuch"], 2, "unknown source 'nosuch'"),
        (["nosuchcommand"], 2, "No such command"),
    ],
)
def test_bad_input_is_one_clear_line(
    args: list[str], code: int, message: str, tmp_path: Path
) -> None:
    result = run(*args, db=tmp_path / "x.db")
    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_one_line() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "aggregator.cli",
            "items",
            "--db",
            "postgresql+psycopg://nobody@127.0.0.1:1/x",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.strip().splitlines()) == 1
