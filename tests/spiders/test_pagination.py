"""Listings and feeds are followed page by page until a page shows nothing new.

Requests are counted on the fixture server: the first crawl reads the older pages, a second
crawl of the same unchanged source stops at page 1. The first crawl is the folder's shared one
(tests/first_crawls.py); the second runs on a copy of its database.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.first_crawls import FirstCrawls, crawl_and_log
from tests.source_kinds import second_pages

pytestmark = pytest.mark.slow  # scheduled first (tests/conftest.py)

# (slug, page-2 URL) for every source whose fixtures hold page 2 of a primary channel.
CASES = second_pages()


def test_some_source_is_paginated() -> None:
    assert CASES, "no fixture holds page 2 of a primary channel"


@pytest.mark.parametrize(("slug", "page_2"), CASES, ids=[c[0] for c in CASES])
def test_older_pages_are_read_first_time_and_skipped_once_known(
    slug: str, page_2: str, tmp_path: Path, first_crawls: FirstCrawls
) -> None:
    crawled = first_crawls.get(slug)
    first = crawled.requests
    assert page_2 in first
    db = tmp_path / "p.db"
    crawled.copy(db)
    second = crawl_and_log(slug, crawled.folder, db)
    assert page_2 not in second
    assert len(second) < len(first)
