"""Every format, golden: the reviewed corpus exported through `aggregator export`'s runner.

The same golden holds on SQLite and PostgreSQL. Regenerate with AGGREGATOR_UPDATE_GOLDENS=1
and read the diff before committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregator.storage.repository import Repository
from tests.exports.conftest import check_golden, export_text

FILES = {
    "atom": "approved.atom",
    "rss": "approved.rss",
    "jsonfeed": "approved.json",
    "csv": "approved.csv",
    "jsonl": "approved.jsonl",
    "html": "bulletin.html",
    "markdown": "bulletin.md",
    "text": "bulletin.txt",
}


@pytest.mark.parametrize("fmt", list(FILES))
def test_export_matches_golden(
    fmt: str, stored: tuple[Repository, list[int]], tmp_path: Path
) -> None:
    repository, _ids = stored
    check_golden(FILES[fmt], export_text(repository, fmt, tmp_path))


def test_excel_csv_golden(stored: tuple[Repository, list[int]], tmp_path: Path) -> None:
    repository, _ids = stored
    check_golden("approved-excel.csv", export_text(repository, "csv", tmp_path, excel=True))
