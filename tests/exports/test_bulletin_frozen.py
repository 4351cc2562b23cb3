"""A published bulletin is frozen in every export format: `aggregator export --bulletin ID`
gives the bytes published, after a later crawl and after editors' edits, until a correction
publishes a new revision (and the earlier one stays exportable as it was)."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from aggregator.cli import main
from aggregator.devtools.fixtures import FIXTURES_DIR
from aggregator.exports.run import FORMATS
from aggregator.review.bulletins import BulletinComposer
from aggregator.storage.repository import Repository
from tests.crawling import aggregator_cli, crawl
from tests.first_crawls import FirstCrawls

pytestmark = pytest.mark.slow  # scheduled first (tests/conftest.py)

ROOT = Path(__file__).resolve().parents[2]
APPROVED_AT = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
PUBLIC = "https://safeguarding.example.org"


def export_process(db_url: str, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`aggregator export ARGS -o OUT` on `db_url` as its own process, with no other
    AGGREGATOR_* setting: for its exit status and stderr line."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(ROOT),
        "AGGREGATOR_DATABASE_URL": db_url,
    }
    return aggregator_cli("export", *args, "-o", str(out), env=env)


def export(db_url: str, out: Path, *args: str) -> Result:
    """`aggregator export ARGS -o OUT` on `db_url` (in this process), with no other
    AGGREGATOR_* setting: what was published must not depend on them."""
    unset: dict[str, str | None] = {
        name: None for name in os.environ if name.startswith("AGGREGATOR_")
    }
    return CliRunner().invoke(
        main, ["export", *args, "-o", str(out)], env={**unset, "AGGREGATOR_DATABASE_URL": db_url}
    )


def export_all(db_url: str, folder: Path, bulletin_id: int, *extra: str) -> dict[str, bytes]:
    folder.mkdir()
    found: dict[str, bytes] = {}
    for fmt in FORMATS:
        out = folder / f"bulletin.{fmt}"
        result = export(db_url, out, "--format", fmt, "--bulletin", str(bulletin_id), *extra)
        assert result.exit_code == 0, result.output
        found[fmt] = out.read_bytes()
    return found


@pytest.fixture
def published(tmp_path: Path, first_crawls: FirstCrawls) -> tuple[str, int]:
    """The DHSC fixtures as crawled on 1 May 2024, every item approved, in a bulletin for
    the week of 29 April published then."""
    earlier = first_crawls.get("dhsc", FIXTURES_DIR / "dhsc" / "earlier")
    db_url = earlier.copy(tmp_path / "frozen.db")
    repo = Repository.from_url(db_url)
    try:
        for stored in repo.list_items(source="dhsc"):
            repo.review(stored.id, "approve", at=APPROVED_AT, actor="ed")
        composer = BulletinComposer(repo)
        bulletin_id = composer.create(
            "DHSC this week", date(2024, 4, 29), date(2024, 5, 5), actor="ed", at=APPROVED_AT
        )
        assert composer.entries(composer.require(bulletin_id))
        composer.publish(
            bulletin_id, at=APPROVED_AT, actor="ed", confirm_open=True, base_url=PUBLIC
        )
    finally:
        repo.close()
    return db_url, bulletin_id


def test_every_format_is_byte_identical_after_a_recrawl_and_edits(
    published: tuple[str, int], tmp_path: Path
) -> None:
    db_url, bulletin_id = published
    before = export_all(db_url, tmp_path / "before", bulletin_id)
    repo = Repository.from_url(db_url)
    try:
        composer = BulletinComposer(repo)
        [revision] = composer.revisions(bulletin_id)
        # what the CLI gives is what was stored at publication, format by format
        assert before == {fmt: text.encode("utf-8") for fmt, text in revision.renderings.items()}
        assert b"DHSC this week" in before["markdown"] and b"Source: " in before["text"]
    finally:
        repo.close()

    # later: the crawl of 31 May updates items, and an editor retitles one
    crawl(db_url, "dhsc")
    repo = Repository.from_url(db_url)
    try:
        composer = BulletinComposer(repo)
        bulletin = composer.require(bulletin_id)
        first = composer.entries(bulletin)[0]
        repo.edit(first.item_id, at=APPROVED_AT, actor="ed", title="Retitled after publication")
        # the live items did change: rendered now, the bulletin would read differently
        live = composer.renderings(bulletin, composer.entries(bulletin), PUBLIC)
        assert live["markdown"].encode() != before["markdown"]
        assert "Retitled after publication" in live["text"]
    finally:
        repo.close()

    after = export_all(db_url, tmp_path / "after", bulletin_id)
    for fmt in FORMATS:
        assert after[fmt] == before[fmt], fmt


def test_a_correction_is_a_new_revision_and_the_first_stays_as_published(
    published: tuple[str, int], tmp_path: Path
) -> None:
    db_url, bulletin_id = published
    first = export_all(db_url, tmp_path / "first", bulletin_id)
    repo = Repository.from_url(db_url)
    try:
        composer = BulletinComposer(repo)
        composer.start_correction(bulletin_id)
        # while the correction is open, the exports still give what went out
        assert export_all(db_url, tmp_path / "during", bulletin_id) == first
        composer.set_issue_line(bulletin_id, "Corrected issue, week commencing 29 April 2024")
        with pytest.raises(ValueError, match="a correction needs a note"):
            composer.publish(
                bulletin_id, at=APPROVED_AT, actor="ed", confirm_open=True, base_url=PUBLIC
            )
        composer.publish(
            bulletin_id,
            at=APPROVED_AT,
            actor="ed",
            confirm_open=True,
            note="date line fixed",
            base_url=PUBLIC,
        )
        revisions = composer.revisions(bulletin_id)
        assert [(r.revision, r.note) for r in revisions] == [(1, None), (2, "date line fixed")]
        assert revisions[1].confirmed  # the open points the editor published with, kept
    finally:
        repo.close()
    latest = export_all(db_url, tmp_path / "latest", bulletin_id)
    assert b"Corrected issue" in latest["markdown"] and b"Corrected issue" not in first["markdown"]
    assert export_all(db_url, tmp_path / "again", bulletin_id, "--revision", "1") == first


def test_options_that_would_change_a_published_bulletin_are_refused(
    published: tuple[str, int], tmp_path: Path
) -> None:
    db_url, bulletin_id = published
    out = tmp_path / "x.md"
    args = ("--format", "markdown", "--bulletin", str(bulletin_id))
    titled = export_process(db_url, out, *args, "--title", "Another title")
    assert titled.returncode == 1
    assert titled.stderr.strip() == (
        f"error: bulletin {bulletin_id} is published: it is exported exactly as published, "
        "so --title cannot apply"
    )
    missing = export_process(db_url, out, *args, "--revision", "5")
    assert missing.returncode == 1
    assert missing.stderr.strip() == (
        f"error: bulletin {bulletin_id} has no revision 5 (latest: 1)"
    )
    assert not out.exists()
