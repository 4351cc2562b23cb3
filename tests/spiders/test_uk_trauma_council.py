"""UK Trauma Council: behaviour the goldens do not show by themselves."""

from __future__ import annotations

from datetime import UTC, datetime

from aggregator.devtools.fixtures import FIXTURES_DIR
from aggregator.parse.offline import parse_saved
from aggregator.schema import Item, Precision
from aggregator.sources import get_source
from spiders.base import Page
from spiders.uk_trauma_council import UkTraumaCouncilParser

FOLDER = FIXTURES_DIR / "uk_trauma_council"
SITE = "https://uktraumacouncil.org"
FETCHED = datetime(2024, 5, 31, 8, 0, tzinfo=UTC)
HTML = "text/html; charset=utf-8"
DECOR = (
    '<div aria-hidden="true"><svg><title>Decor</title></svg><svg><title>Decor</title></svg></div>'
)


def _items(file: str, url: str, body: bytes | None = None) -> list[Item]:
    data = body if body is not None else (FOLDER / file).read_bytes()
    return parse_saved("uk_trauma_council", data, url, FETCHED, HTML).items


def test_bst_event_range_is_event_time_in_utc_not_publication() -> None:
    [item] = _items(
        "unpacking-complex-trauma-webinar.html", f"{SITE}/news/unpacking-complex-trauma-webinar"
    )
    # "Thursday May 16, 2024, 05:00 PM – 06:30 PM BST"
    assert item.event_start == datetime(2024, 5, 16, 16, 0, tzinfo=UTC)
    assert item.event_end == datetime(2024, 5, 16, 17, 30, tzinfo=UTC)
    assert item.published is None
    assert item.published_precision == Precision.NONE
    assert item.doc_type.value == "event"
    assert [(link.label, link.url) for link in item.links] == [
        (
            "Book a free place",
            "https://www.eventbrite.co.uk/e/unpacking-complex-trauma-tickets-123456789",
        )
    ]


def test_gmt_event_under_resource_path_is_recognised_by_content() -> None:
    [item] = _items(
        "trauma-informed-schools-live-session.html",
        f"{SITE}/resource/trauma-informed-schools-live-session",
    )
    # "Tuesday November 12, 2024, 04:00 PM – 05:00 PM GMT": after the fetch, which is fine
    # for an event.
    assert item.event_start == datetime(2024, 11, 12, 16, 0, tzinfo=UTC)
    assert item.event_end == datetime(2024, 11, 12, 17, 0, tzinfo=UTC)
    assert item.doc_type.value == "event"
    assert item.published is None


def test_event_at_an_unknown_path_with_a_booking_site_link() -> None:
    body = (
        "<html><head><title>Supporting bereaved pupils | UK Trauma Council</title></head><body>"
        "<main><h1>Supporting bereaved pupils</h1><p>16 October 2024, 15:30 - 17:00</p>"
        '<p><a href="https://www.eventbrite.co.uk/e/42">Register now</a></p></main>'
        f"{DECOR}</body></html>"
    ).encode()
    [item] = _items("", f"{SITE}/events/supporting-bereaved-pupils", body)
    assert item.title == "Supporting bereaved pupils"
    assert item.doc_type.value == "event"
    assert item.event_start == datetime(2024, 10, 16, 14, 30, tzinfo=UTC)  # BST wall time
    assert [link.label for link in item.links] == ["Register now"]


def test_resource_with_only_a_modified_time_is_undated_but_updated() -> None:
    [item] = _items(
        "childhood-trauma-and-the-brain.html", f"{SITE}/resource/childhood-trauma-and-the-brain"
    )
    assert item.published is None
    assert item.updated == datetime(2024, 3, 12, 10, 24, 51, tzinfo=UTC)
    assert item.doc_type.value == "resource"
    assert item.event_start is None


def test_structured_publication_date_is_used_when_present() -> None:
    body = (
        b"<html><head>"
        b'<script type="application/ld+json">{"@type": "Article", "datePublished": '
        b'"2024-02-01T10:00:00+00:00"}</script></head><body><main><h1>A resource</h1>'
        b"<p>Standfirst.</p></main></body></html>"
    )
    [item] = _items("", f"{SITE}/resource/a-resource", body)
    assert item.published == datetime(2024, 2, 1, 10, 0, tzinfo=UTC)
    assert item.doc_type.value == "resource"


def test_decor_text_never_reaches_summary_or_body() -> None:
    body = (
        "<html><head><title>Guide | UK Trauma Council</title></head><body><main>"
        "<h1>Guide</h1><p>What the guide covers, in a sentence of our own.</p>"
        f"{DECOR}</main>{DECOR}</body></html>"
    ).encode()
    parser = UkTraumaCouncilParser(get_source("uk_trauma_council"))
    [raw] = parser.parse(Page(body, f"{SITE}/resource/guide", FETCHED, HTML)).items
    assert raw.summary == "What the guide covers, in a sentence of our own."
    assert "Decor" not in raw.body_text
    assert raw.title == "Guide"


def test_listing_follows_main_content_links_only() -> None:
    parser = UkTraumaCouncilParser(get_source("uk_trauma_council"))
    page = Page((FOLDER / "resources.html").read_bytes(), f"{SITE}/resources", FETCHED, HTML)
    parsed = parser.parse(page)
    urls = [f.url for f in parsed.follow]
    assert len(urls) == 4  # the two oldest are on page 2, behind rel="next"
    assert parsed.next_page == f"{SITE}/resources?page=2"
    assert all(u.startswith((f"{SITE}/resource/", f"{SITE}/news/")) for u in urls)
    assert not {f"{SITE}/about", f"{SITE}/news", f"{SITE}/privacy"} & set(urls)
    hints = {f.url.rsplit("/", 1)[1]: f.partial.type_hint for f in parsed.follow if f.partial}
    # The card kicker "Live session" marks an event before its page is read.
    assert hints["unpacking-complex-trauma-webinar"] == "event"
    assert hints["traumatic-bereavement-clinical-guide"] == "resource"


def test_registry_channels_are_the_listing_then_the_sitemap() -> None:
    listing, sitemap = get_source("uk_trauma_council").channels
    assert (listing.url, listing.role) == (f"{SITE}/resources", "primary")
    assert (sitemap.url, sitemap.role) == (f"{SITE}/sitemap.xml", "fallback")
