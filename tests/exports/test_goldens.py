"""Every format, golden: the reviewed corpus exported through `aggregator export`'s runner.

The same golden holds on SQLite and PostgreSQL. GOLDENS is the one table of what each golden
holds: these tests compare against it, and `make goldens` (tests/regenerate_goldens.py) writes
from it. Tests never write a golden; read the diff `make goldens` leaves before committing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from aggregator.exports.syndication import FeedInfo
from aggregator.storage.repository import Repository
from tests.exports.conftest import FEED, check_golden, export_text

# Dated by approval, with the publisher's date at its own precision in agg:publisherDate.
APPROVALS_FEED = dataclasses.replace(FEED, name="approvals", dated="approval")


@dataclass(frozen=True)
class GoldenExport:
    """One golden file (under tests/exports/golden/) and the export that produces it."""

    name: str
    fmt: str
    feed: FeedInfo = FEED
    options: Mapping[str, Any] = field(default_factory=dict)  # more ExportOptions fields

    def produce(self, repository: Repository, tmp_path: Path) -> str:
        """The export's text, run to a file under `tmp_path` as `aggregator export` does."""
        return export_text(repository, self.fmt, tmp_path, feed=self.feed, **self.options)


GOLDENS = [
    GoldenExport("approved.atom", "atom"),
    GoldenExport("approved.rss", "rss"),
    GoldenExport("approved.json", "jsonfeed"),
    GoldenExport("approved.csv", "csv"),
    GoldenExport("approved.jsonl", "jsonl"),
    GoldenExport("bulletin.html", "html"),
    GoldenExport("bulletin.md", "markdown"),
    GoldenExport("bulletin.txt", "text"),
    GoldenExport("approved-excel.csv", "csv", options={"excel": True}),
    GoldenExport("approvals.rss", "rss", feed=APPROVALS_FEED),
    GoldenExport("approvals.atom", "atom", feed=APPROVALS_FEED),
]


@pytest.mark.parametrize("golden", GOLDENS, ids=[golden.name for golden in GOLDENS])
def test_export_matches_golden(
    golden: GoldenExport, stored: tuple[Repository, list[int]], tmp_path: Path
) -> None:
    repository, _ids = stored
    check_golden(golden.name, golden.produce(repository, tmp_path))


def test_every_golden_file_has_its_export() -> None:
    """A golden no export produces would never be compared (nor rewritten by `make goldens`)."""
    on_disk = {path.name for path in (Path(__file__).parent / "golden").iterdir()}
    assert on_disk == {golden.name for golden in GOLDENS}
