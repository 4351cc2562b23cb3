"""`aggregator export` from the command line: output, consumers, and one-line errors."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aggregator.storage.db import upgrade
from aggregator.storage.export_consumers import take_consumer_lease
from aggregator.storage.repository import Repository
from tests.crawling import aggregator_cli
from tests.exports.conftest import APPROVED_AT, GOLDEN, SEEN, page, store_corpus

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "cli.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    repository = Repository.from_url(url)
    try:
        store_corpus(repository)
    finally:
        repository.close()
    return path


def run(db: Path, *args: str, public_url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(ROOT),
        "AGGREGATOR_DATABASE_URL": f"sqlite:///{db}",
    }
    if public_url is not None:
        env["AGGREGATOR_PUBLIC_URL"] = public_url
    return aggregator_cli("export", *args, env=env)


def test_markdown_to_a_file_matches_the_golden(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "bulletin.md"
    result = run(db, "--format", "markdown", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8") == (GOLDEN / "bulletin.md").read_text("utf-8")


def test_stdout_by_default_and_filters(db: Path) -> None:
    result = run(db, "--format", "jsonl", "--source", "internet_matters")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2
    result = run(db, "--format", "csv", "--topic", "trauma", "--excel")
    assert result.stdout.startswith("\ufeffid,section,title")
    assert len(result.stdout.splitlines()) == 2


def test_a_consumer_gets_items_once(db: Path) -> None:
    dry = run(db, "--format", "jsonl", "--consumer", "mailer", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert len(dry.stdout.splitlines()) == 7
    assert dry.stderr == "7 items would be sent to consumer 'mailer' (dry run: nothing recorded)\n"
    first = run(db, "--format", "jsonl", "--consumer", "mailer")
    assert len(first.stdout.splitlines()) == 7
    assert first.stderr == "7 items sent to consumer 'mailer'\n"
    again = run(db, "--format", "jsonl", "--consumer", "mailer")
    assert again.stdout == "" and again.stderr == "0 items sent to consumer 'mailer'\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "pdf"], "error: unknown format 'pdf' (known: atom, rss, jsonfeed, csv,"),
        (["--format", "atom", "--bulletin", "3"], "error: no bulletin 3"),
        (["--format", "csv", "-o", "/nonexistent/dir/items.csv"], "error: cannot write"),
        (
            ["--format", "atom"],
            "error: --format atom needs the public address of the review app for its links: "
            "set AGGREGATOR_PUBLIC_URL=https://… or give --feed-url",
        ),
        (["--format", "rss", "--feed-url", "feed.rss"], "error: --feed-url must be an absolute"),
        (["--format", "csv", "--feed", "approvals"], "error: --feed approvals applies to atom,"),
        (["--format", "jsonfeed", "--feed", "bulletins"], "error: --feed bulletins is written"),
        (["--format", "csv", "--dry-run"], "error: --dry-run needs --consumer NAME"),
        (["--format", "jsonl", "--raw"], "error: --raw applies to --format csv only"),
    ],
)
def test_errors_are_one_line(db: Path, args: list[str], message: str) -> None:
    result = run(db, *args)
    assert result.returncode == 1
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_a_consumer_already_being_exported_to_exits_75(db: Path) -> None:
    repository = Repository.from_url(f"sqlite:///{db}")
    try:
        take_consumer_lease(repository, "mailer", "another-export", datetime.now(UTC))
    finally:
        repository.close()
    busy = run(db, "--format", "jsonl", "--consumer", "mailer")
    assert busy.returncode == 75
    assert busy.stderr.startswith("error: another export to consumer 'mailer' is running")
    assert busy.stderr.count("\n") == 1
    assert busy.stdout == ""
    dry = run(db, "--format", "jsonl", "--consumer", "mailer", "--dry-run")
    assert dry.returncode == 0 and len(dry.stdout.splitlines()) == 7


def _store_formula_title(db: Path) -> None:
    repository = Repository.from_url(f"sqlite:///{db}")
    try:
        [stored] = repository.upsert_items([page(title='=HYPERLINK("http://x","y")')], SEEN)
        repository.review(stored.item_id, "approve", at=APPROVED_AT)
    finally:
        repository.close()


def test_csv_defuses_formulas_unless_raw_which_warns(db: Path) -> None:
    _store_formula_title(db)
    plain = run(db, "--format", "csv")
    assert plain.returncode == 0, plain.stderr
    assert '"\'=HYPERLINK(""http://x"",""y"")"' in plain.stdout
    assert plain.stderr == ""
    raw = run(db, "--format", "csv", "--raw")
    assert raw.returncode == 0, raw.stderr
    assert '"=HYPERLINK(""http://x"",""y"")"' in raw.stdout
    assert "'=HYPERLINK" not in raw.stdout
    assert raw.stderr.startswith("warning: --raw: CSV cells starting with =")
    assert raw.stderr.count("\n") == 1


@pytest.mark.parametrize("fmt", ["atom", "rss", "jsonfeed"])
def test_feed_url_sets_every_link_of_the_feed(db: Path, fmt: str) -> None:
    """--feed-url is where the feed lives: its self link, and the home page and every other
    link of our own are built from it, so none is left on localhost."""
    own = "https://safeguarding.example.org/alerts/feeds/approved." + fmt
    result = run(db, "--format", fmt, "--feed-url", own)
    assert result.returncode == 0, result.stderr
    assert "localhost" not in result.stdout and "127.0.0.1" not in result.stdout
    assert own in result.stdout
    assert "https://safeguarding.example.org/alerts/" in result.stdout.replace(own, "")


def test_the_public_url_setting_serves_for_every_feed(db: Path) -> None:
    result = run(db, "--format", "rss", public_url="https://alerts.example.org/")
    assert result.returncode == 0, result.stderr
    assert "<link>https://alerts.example.org/</link>" in result.stdout
    assert 'href="https://alerts.example.org/feeds/approved.rss"' in result.stdout
    assert "localhost" not in result.stdout


def test_files_and_bulletins_need_no_public_url(db: Path) -> None:
    """CSV, JSON Lines and bulletins link only to the publishers' pages."""
    for fmt in ("csv", "jsonl", "html", "markdown", "text"):
        result = run(db, "--format", fmt)
        assert result.returncode == 0, (fmt, result.stderr)
        assert "localhost" not in result.stdout


def test_an_email_over_100_kb_is_warned_about(db: Path, tmp_path: Path) -> None:
    small = run(db, "--format", "html", "-o", str(tmp_path / "small.html"))
    assert small.returncode == 0 and small.stderr == ""
    repository = Repository.from_url(f"sqlite:///{db}")
    try:
        items = [
            page(
                key=f"gov.uk/government/publications/guidance-{n}",
                url=f"https://www.gov.uk/government/publications/guidance-{n}",
                title=f"Guidance note {n} on keeping children safe",
                summary="A paragraph the publisher wrote about this guidance. " * 6,
            )
            for n in range(300)
        ]
        for result in repository.upsert_items(items, SEEN):
            repository.review(result.item_id, "approve", at=APPROVED_AT, actor="ed")
    finally:
        repository.close()
    big = run(db, "--format", "html", "-o", str(tmp_path / "big.html"))
    assert big.returncode == 0
    size = (tmp_path / "big.html").stat().st_size
    assert size > 100 * 1024
    assert big.stderr.startswith(f"warning: the HTML email is {-(-size // 1024)} KB;")
    assert big.stderr.count("\n") == 1
