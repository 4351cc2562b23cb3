"""HTML detail pages read in layers (issue 18): pages per second through each charity site's
parser, beside building the same pages' trees with BeautifulSoup and lxml alone.

The pages are every detail page among the four HTML sites' fixtures (the snapshot, its
re-skin and the real-shape pages). Each is parsed as a crawl parses it (`SourceParser.parse`
with the detail route: site rules, structured data, labels, the URL, htmldate last); the
baseline, in the same run, only builds the tree (`BeautifulSoup(body, "lxml")`), which every
layered read starts with. The ratio says what reading the fields costs on top of the tree.

PASS when the layered read takes at most 8 times the bare tree build: the generic extractor
(htmldate) runs only on pages no other layer dates, so its cost must not dominate. One
untimed round first: htmldate's date parser loads its locales once per process.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from bs4 import BeautifulSoup

from aggregator.devtools.fixtures import FIXTURES_DIR, read_meta
from aggregator.fetch.spider_loader import parser_class
from aggregator.sources import REGISTRY
from bench.__main__ import Row
from spiders.base import Page

SITES = ("nspcc", "lucy_faithfull", "internet_matters", "uk_trauma_council")
FETCHED = datetime(2025, 11, 3, 9, tzinfo=UTC)
TARGET_RATIO = 8.0


def detail_pages() -> list[tuple[str, Page]]:
    """(slug, page) of every HTML detail page in the four sites' snapshots."""
    found = []
    for slug in SITES:
        parser = parser_class(slug)(REGISTRY[slug])
        for folder in [FIXTURES_DIR / slug, *sorted((FIXTURES_DIR / slug).glob("*/"))]:
            if not (folder / "meta.json").exists():
                continue
            for response in read_meta(folder):
                if "html" not in response.content_type or response.status != 200:
                    continue
                page = Page(
                    response.file.read_bytes(), response.url, FETCHED, response.content_type
                )
                if parser.route(page) == "detail":
                    found.append((slug, page))
    return found


def run(quick: bool = False) -> list[Row]:
    pages = detail_pages()
    rounds = 2 if quick else 10
    parsers = {slug: parser_class(slug)(REGISTRY[slug]) for slug in SITES}
    for slug, page in pages:  # warm-up: htmldate's date parser loads its locales once
        parsers[slug].parse(page, "detail")
    started = time.perf_counter()
    for _ in range(rounds):
        for _, page in pages:
            BeautifulSoup(page.body, "lxml")
    tree = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(rounds):
        for slug, page in pages:
            parsers[slug].parse(page, "detail")
    layered = time.perf_counter() - started
    count = len(pages) * rounds
    ratio = layered / tree
    print(f"{len(pages)} detail pages × {rounds} rounds")
    print(f"  layered read: {count / layered:,.0f} pages/s; tree build alone: {count / tree:,.0f}")
    verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
    print(f"  ratio {ratio:.2f}× (target ≤ {TARGET_RATIO:g}×): {verdict}")
    return [
        (
            "html: layered detail read",
            f"{count / layered:,.0f} pages/s",
            f"{count / tree:,.0f} pages/s (lxml tree)",
            ratio,
            f"≤ {TARGET_RATIO:g}× tree",
            ratio <= TARGET_RATIO,
        )
    ]
