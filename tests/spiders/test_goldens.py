"""Every fixture through its spider, compared with its reviewed golden (ARCHITECTURE 3).

A folder's crawl is its first crawl, shared with the other tests that start from it
(tests/first_crawls.py); its items are read as `make goldens` reads them, with
`aggregator items --json --include-irrelevant` (aggregator.devtools.goldens.crawl_folder).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from aggregator.cli import main
from aggregator.devtools.goldens import ParseCase, load, parse_cases, snapshot_folders
from tests.first_crawls import FirstCrawls

PARSE_CASES = parse_cases()
FOLDERS = snapshot_folders()


@pytest.mark.parametrize("case", PARSE_CASES, ids=[c.id for c in PARSE_CASES])
def test_parse_matches_golden(case: ParseCase) -> None:
    assert case.expected_path.exists(), (
        f"no golden: run `make goldens` and review {case.expected_path}"
    )
    assert case.run() == load(case.expected_path)


@pytest.mark.slow
@pytest.mark.parametrize(("slug", "folder"), FOLDERS, ids=[f"{s}:{f.name}" for s, f in FOLDERS])
def test_crawl_matches_golden(
    slug: str, folder: Path, first_crawls: FirstCrawls, tmp_path: Path
) -> None:
    expected = folder / "crawl.expected.json"
    assert expected.exists(), f"no golden: run `make goldens` and review {expected}"
    db = first_crawls.get(slug, folder).copy(tmp_path / "crawl.db")
    assert stored_items(slug, db) == load(expected)


def stored_items(slug: str, db: str) -> list[dict[str, Any]]:
    """Every stored item of `slug` with its classification, as `make goldens` reads them."""
    args = ["items", "--db", db, "--source", slug, "--json", "--include-irrelevant"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    items = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    for item in items:
        item.pop("id", None)
    return sorted(items, key=lambda i: i["key"])
