"""NSPCC Learning behaviour the goldens do not show on their own."""

from __future__ import annotations

from datetime import UTC, datetime

from aggregator.devtools.fixtures import FIXTURES_DIR, read_meta
from aggregator.parse.offline import parse_saved
from aggregator.schema import DocType, Item, Precision

FETCHED = datetime(2024, 5, 31, 8, tzinfo=UTC)
FOLDER = FIXTURES_DIR / "nspcc"
URLS = {r.file.name: r.url for r in read_meta(FOLDER)}


def parse(name: str, html: bytes | None = None) -> tuple[list[Item], list[tuple[str, str]]]:
    body = html if html is not None else (FOLDER / name).read_bytes()
    result = parse_saved(
        "nspcc", body, URLS.get(name, f"https://learning.nspcc.org.uk/{name}"), FETCHED
    )
    return result.items, result.dropped


def test_evergreen_topic_pages_are_not_publications() -> None:
    for name in ("multi-agency-working-child-protection.html", "monthly-case-reviews-update.html"):
        items, dropped = parse(name)
        assert items == []
        assert dropped == [("evergreen page, not a publication", URLS[name])]


def test_listing_cards_give_year_precision_until_the_detail_page_is_read() -> None:
    items, _ = parse("research-resources.html")
    kcsie = next(i for i in items if "keeping-children-safe" in i.url)
    assert kcsie.published_precision == Precision.YEAR
    assert kcsie.published == datetime(2022, 1, 1, tzinfo=UTC)


def test_publication_month_is_month_precision_and_download_link_is_an_attachment() -> None:
    [item], _ = parse("multi-agency-working-information-sharing.html")
    assert item.published_precision == Precision.MONTH
    assert item.published == datetime(2024, 3, 31, 23, tzinfo=UTC)  # 1 April 2024, London
    assert item.doc_type == DocType.BRIEFING
    assert item.attachments[0].url.endswith(".pdf")


def test_last_updated_in_the_url_month_is_the_publication_day() -> None:
    [item], _ = parse("podcast-supporting-deaf-children.html")
    assert item.published == datetime(2024, 5, 30, 23, tzinfo=UTC)  # 31 May 2024, London
    assert item.published_precision == Precision.DAY
    assert item.updated is None
    assert item.doc_type == DocType.PODCAST


def test_last_updated_after_the_url_month_is_an_update() -> None:
    [item], _ = parse("child-protection-statistics-updated.html")
    assert item.published_precision == Precision.MONTH
    assert item.updated is not None and item.updated > item.published  # type: ignore[operator]


def test_caspar_briefing_title_makes_a_briefing() -> None:
    [item], _ = parse("keeping-children-safe-in-education-caspar-briefing.html")
    assert item.doc_type == DocType.BRIEFING


def test_labels_survive_a_redesign_with_no_classes() -> None:
    html = b"""<html><body><main><h1>Podcast: a new episode</h1>
    <div>Last updated: 02 Sept 2023 Topics: Podcast</div><p>Body text.</p></main></body></html>"""
    url = "https://learning.nspcc.org.uk/news/2023/september/podcast-new-episode"
    result = parse_saved("nspcc", html, url, FETCHED)
    [item] = result.items
    assert item.published == datetime(2023, 9, 1, 23, tzinfo=UTC)
    assert item.doc_type == DocType.PODCAST
