"""Every spider outlives a redesign: a re-skinned copy of its pages parses to the same items.

`fixtures/<slug>/variant/` re-skins some of the main snapshot's pages: the same real URLs and the
same visible text, with new class names, ids and wrapper elements (and, for the WordPress feed
and REST API, reordered elements and keys). Parsing a variant page must give the items its main
page gives, field for field, on the fields a bulletin relies on. Both sides must give items: a page
whose main page is meant to give none (its committed golden is `[]`, e.g. an evergreen page) is
checked apart, for the same non-empty drop reasons on both sides, so no case passes as `[] == []`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from aggregator.devtools.fixtures import FIXTURES_DIR, FixtureResponse, read_meta
from aggregator.devtools.goldens import NOT_PARSED
from aggregator.parse.offline import parse_saved
from tests.source_kinds import VARIANT, html_slugs, reskinned_slugs

# Every source whose variant/ re-skins HTML pages: found on disk, never listed by hand.
SLUGS = reskinned_slugs()
FIELDS = (
    "title",
    "url",
    "key",
    "published",
    "published_precision",
    "updated",
    "doc_type",
    "summary",
    "event_start",
    "event_end",
)


def test_every_html_source_has_a_reskin_to_check() -> None:
    assert SLUGS, "no fixtures/<slug>/variant/ re-skins HTML pages"
    assert set(html_slugs()) <= set(SLUGS), "an HTML source's variant/ re-skins no HTML page"


def variant_folder(slug: str) -> Path:
    return FIXTURES_DIR / slug / VARIANT


def parsed_responses(folder: Path) -> list[FixtureResponse]:
    return [r for r in read_meta(folder) if r.status == 200 and r.file.name not in NOT_PARSED]


def main_response(slug: str, url: str) -> FixtureResponse:
    found = [r for r in read_meta(FIXTURES_DIR / slug) if r.url == url]
    assert found, f"{slug}: the variant maps {url}, which the main snapshot does not"
    return found[0]


def main_gives_no_items(slug: str, url: str) -> bool:
    """True when the main page's committed golden (`<page>.expected.json`) holds no item: the
    page is meant to be dropped. Read from the golden, not from parsing, so a parser that
    stops finding items cannot move its page to the dropped cases."""
    page = main_response(slug, url).file
    golden = page.with_name(page.stem + ".expected.json")
    assert golden.exists(), f"{slug}: {page.name} has no golden {golden.name}"
    return json.loads(golden.read_text(encoding="utf-8")) == []


def variant_cases(*, dropped: bool) -> list[Any]:
    """(slug, variant response) of every variant page whose main page gives items, or with
    `dropped`, of those whose main page is meant to give none."""
    cases = []
    for slug in SLUGS:
        for response in parsed_responses(variant_folder(slug)):
            if main_gives_no_items(slug, response.url) == dropped:
                cases.append(pytest.param(slug, response, id=f"{slug}:{response.file.name}"))
    return cases


def compared(slug: str, response: FixtureResponse) -> tuple[list[dict[str, Any]], list[str]]:
    """The compared fields of each item the response gives (by key), and its drop reasons."""
    result = parse_saved(
        slug,
        response.file.read_bytes(),
        response.url,
        response.fetched_at,
        response.content_type,
    )
    items = []
    for item in result.items:
        data = item.to_json()
        view = {name: data[name] for name in FIELDS}
        view["attachments"] = [a["url"] for a in data["attachments"]]
        items.append(view)
    items.sort(key=lambda i: (i["key"], i["url"]))
    return items, sorted(reason for reason, _ in result.dropped)


@pytest.mark.parametrize(("slug", "variant"), variant_cases(dropped=False))
def test_variant_page_gives_the_items_of_the_main_page(slug: str, variant: FixtureResponse) -> None:
    main = main_response(slug, variant.url)
    main_items, main_dropped = compared(slug, main)
    variant_items, variant_dropped = compared(slug, variant)

    assert main_items, f"{slug}: the main page {main.file.name} gives no item"
    assert variant_items, f"{slug}: the variant page {variant.file.name} gives no item"
    assert variant_dropped == main_dropped
    assert [i["key"] for i in variant_items] == [i["key"] for i in main_items]
    differences = [
        f"{m['key']}: {name}: main {m[name]!r}, variant {v[name]!r}"
        for m, v in zip(main_items, variant_items, strict=True)
        for name in (*FIELDS, "attachments")
        if m[name] != v[name]
    ]
    assert not differences, "\n".join(differences)


@pytest.mark.parametrize(("slug", "variant"), variant_cases(dropped=True))
def test_variant_page_is_dropped_for_the_reason_of_the_main_page(
    slug: str, variant: FixtureResponse
) -> None:
    """A page meant to give no item (its main golden is `[]`): both sides give none, and both
    drop it for the same reasons, at least one, so the parser did look at it and refuse it."""
    main_items, main_dropped = compared(slug, main_response(slug, variant.url))
    variant_items, variant_dropped = compared(slug, variant)
    assert main_items == [] and variant_items == []
    assert main_dropped, f"{slug}: the main page gives neither an item nor a drop reason"
    assert variant_dropped == main_dropped


def test_most_variant_pages_give_items() -> None:
    """The dropped cases stay the exception: every re-skinned source has pages giving items."""
    with_items = {case.values[0] for case in variant_cases(dropped=False)}
    assert with_items == set(SLUGS)
    assert len(variant_cases(dropped=True)) < len(variant_cases(dropped=False))


def html_responses(folder: Path) -> list[FixtureResponse]:
    return [r for r in read_meta(folder) if "html" in r.content_type.lower()]


def class_names(files: list[Path]) -> set[str]:
    names: set[str] = set()
    for path in files:
        for tag in BeautifulSoup(path.read_bytes(), "lxml").find_all(class_=True):
            names.update(tag.get_attribute_list("class"))
    return names


@pytest.mark.parametrize("slug", SLUGS)
def test_variant_pages_share_no_class_name_with_the_main_pages(slug: str) -> None:
    variant_responses = html_responses(variant_folder(slug))
    variant_pages = [r.file for r in variant_responses]
    main_pages = [main_response(slug, r.url).file for r in variant_responses]
    assert variant_pages
    variant_classes = class_names(variant_pages)
    assert variant_classes, f"{slug}: the variant pages have no class names at all"
    assert not variant_classes & class_names(main_pages)


@pytest.mark.parametrize("slug", SLUGS)
def test_variant_is_a_synthetic_copy_of_the_main_snapshot(slug: str) -> None:
    folder = variant_folder(slug)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    main_meta = json.loads((FIXTURES_DIR / slug / "meta.json").read_text(encoding="utf-8"))
    assert meta["synthetic"] is True
    assert meta["variant_of"] == ".."
    assert meta["fetched_at"] == main_meta["fetched_at"]
    assert (folder / "README.md").exists()
    responses = read_meta(folder)
    assert any(r.file.name == "robots.txt" for r in responses)
    for response in responses:
        assert response.file.exists(), response.file
        main_response(slug, response.url)
    assert len(parsed_responses(folder)) >= 4  # an entry point and at least three details
