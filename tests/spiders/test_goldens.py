"""Every fixture through its spider, compared with its reviewed golden (ARCHITECTURE 3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregator.devtools.goldens import ParseCase, crawl_folder, load, parse_cases, snapshot_folders

PARSE_CASES = parse_cases()
FOLDERS = snapshot_folders()


@pytest.mark.parametrize("case", PARSE_CASES, ids=[c.id for c in PARSE_CASES])
def test_parse_matches_golden(case: ParseCase) -> None:
    assert case.expected_path.exists(), (
        f"no golden: run `make goldens` and review {case.expected_path}"
    )
    assert case.run() == load(case.expected_path)


@pytest.mark.parametrize(("slug", "folder"), FOLDERS, ids=[f"{s}:{f.name}" for s, f in FOLDERS])
def test_crawl_matches_golden(slug: str, folder: Path) -> None:
    expected = folder / "crawl.expected.json"
    assert expected.exists(), f"no golden: run `make goldens` and review {expected}"
    assert crawl_folder(slug, folder) == load(expected)
