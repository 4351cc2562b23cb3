"""The HTML kind and its shared helpers: what every HTML site's module builds on."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup, Tag

from aggregator.sources import Channel, ChannelKind, Source, SourceKind
from spiders.base import Page
from spiders.chrome import content_region
from spiders.html import HtmlKind, article_block, booking_link, event_range
from spiders.loader import parser_for
from spiders.page_text import description, labelled, lead_paragraph, site_suffix, standfirst
from spiders.structured import same_site_url

FETCHED = datetime(2024, 5, 31, 8, tzinfo=UTC)
SITE = "https://site.example.org"
SOURCE = Source(
    slug="example_site",
    publisher="Example Site",
    homepage=f"{SITE}/",
    channels=(Channel(ChannelKind.LISTING, f"{SITE}/news"),),
    spider="example_site",
)


class ExampleParser(HtmlKind):
    listing_paths = ("/news",)
    detail_patterns = (re.compile(r"^/news/[^/]+$"),)
    card_date = re.compile(r"\(Published (\d{4})\)")
    listed_type = "news"


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "lxml")


def test_an_html_site_needs_a_module_of_its_own() -> None:
    assert SOURCE.kind == SourceKind.HTML
    bare = Source("bare", "Bare", f"{SITE}/", SOURCE.channels, kind=SourceKind.HTML)
    with pytest.raises(LookupError, match="needs its own module"):
        parser_for(bare)


def test_listing_paths_route_and_cards_give_title_date_and_summary() -> None:
    parser = ExampleParser(SOURCE)
    assert parser.route(Page(b"", f"{SITE}/news/", FETCHED)) == "listing"
    assert parser.route(Page(b"", f"{SITE}/news/a-story", FETCHED)) == "detail"
    html = (
        "<main><div><h3>A story about neglect</h3><p>(Published 2022)</p><p>What we found.</p>"
        f'<a href="{SITE}/news/a-story">Read more</a></div>'
        f'<a href="{SITE}/about">About</a></main>'
    ).encode()
    parsed = parser.parse(Page(html, f"{SITE}/news", FETCHED))
    [follow] = parsed.follow
    assert follow.url == f"{SITE}/news/a-story"
    partial = follow.partial
    assert partial is not None
    # "Read more" says nothing: the card's heading is the title; the date line is no summary.
    assert (partial.title, partial.published, partial.summary, partial.type_hint) == (
        "A story about neglect",
        "2022",
        "What we found.",
        "news",
    )


def test_detail_defaults_read_the_structured_layer() -> None:
    html = (
        "<html><head><title>T</title>"
        '<meta name="description" content="The description.">'
        f'<link rel="canonical" href="{SITE}/news/a-story?ref=x">'
        '<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle",'
        ' "datePublished": "2024-05-01", "dateModified": "2024-05-02"}]}</script></head>'
        "<body><header>Site menu</header><main><h1>A story</h1><p>Body text.</p>"
        '<a href="/files/report.pdf">The report</a></main></body></html>'
    ).encode()
    [raw] = ExampleParser(SOURCE).parse(Page(html, f"{SITE}/news/a-story", FETCHED)).items
    assert (raw.url, raw.title, raw.summary) == (
        f"{SITE}/news/a-story?ref=x",
        "A story",
        "The description.",
    )
    assert (raw.published, raw.updated) == ("2024-05-01", "2024-05-02")
    assert [a.url for a in raw.attachments] == [f"{SITE}/files/report.pdf"]
    assert raw.body_text == "Body text.\nThe report"
    assert raw.complete


LONG = "A standfirst of our own, long enough to be a sentence an editor would quote."


def test_a_canonical_link_to_another_host_is_not_the_url() -> None:
    page = Page(b"", f"{SITE}/news/a", FETCHED)
    other = soup('<link rel="canonical" href="https://elsewhere.example/a">')
    assert same_site_url(other, page) == f"{SITE}/news/a"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (f"<h1>Title</h1><p>{LONG}</p><p>Body.</p>", LONG),
        # A label line between the heading and the standfirst is a field, never the summary.
        (f"<h1>Title</h1><p>Last updated: 31 May 2024 Topics: News</p><p>{LONG}</p>", LONG),
        (f"<h1>Title</h1><p>Publication date 2021</p><div>{LONG}</div><p>Body.</p>", LONG),
        (f"<h1>Title</h1><p>Authors: A. Writer</p><p>{LONG}</p>", LONG),
        (f"<h1>Title</h1><h2>A section</h2><p>{LONG}</p>", ""),
        ("<h1>Title</h1><p>Short kicker</p>", ""),
        (f"<p>{LONG}</p>", ""),
    ],
)
def test_standfirst_is_the_first_paragraph_after_the_heading(html: str, expected: str) -> None:
    assert standfirst(soup(html), "Title", re.compile("^Authors")) == expected


def test_labelled_values_and_site_suffixes() -> None:
    assert labelled(re.compile(r"Published:?\s*(\d{4})"), "Home Published: 2024 Topics") == "2024"
    assert labelled(re.compile(r"Published:?\s*(\d{4})"), "no date") is None
    assert site_suffix("Example Site").sub("", "A story | Example Site") == "A story"
    assert site_suffix("Example Site").sub("", "A story - Example Site ") == "A story"


def test_description_unless_it_repeats_the_title_and_the_lead_paragraph() -> None:
    page = soup(
        '<meta name="description" content="A Story!"><div><h1>A story</h1>'
        f"<p>Published: 01/03/2019</p><p>Short.</p><p>{LONG}</p></div>"
    )
    assert description(page, "A story") == ""
    assert description(soup('<meta name="description" content="Other">'), "A story") == "Other"
    assert lead_paragraph(page, "A story") == LONG


def test_content_region_and_article_block_without_landmarks() -> None:
    page = soup(
        "<body><div><nav>Menu</nav></div><div><div><header><h1>Headline</h1>"
        "<p>Published: 01/03/2019</p></header><p>First paragraph.</p></div></div>"
        "<footer>Registered charity</footer></body>"
    )
    region = content_region(page)
    assert "Registered charity" not in region.get_text() and "Menu" not in region.get_text()
    block = article_block(region, re.compile(r"Published"))
    assert isinstance(block, Tag) and "First paragraph." in block.get_text()
    assert block.find("h1") is not None


def test_event_ranges_and_booking_links() -> None:
    assert event_range("Join us Thursday May 16, 2024 , 05:00 PM – 06:30 PM BST online") == (
        "Thursday May 16, 2024, 05:00 PM – 06:30 PM BST"
    )
    assert event_range("16 May 2024, 17:00 - 18:30") == "16 May 2024, 17:00 - 18:30"
    assert event_range("Published 16 May 2024") is None
    page = Page(b"", f"{SITE}/news/a", FETCHED)
    links = soup('<a href="/about">About</a><a href="https://www.eventbrite.co.uk/e/1">Tickets</a>')
    assert booking_link(page, links) == ("Tickets", "https://www.eventbrite.co.uk/e/1")
    assert booking_link(page, soup('<a href="/register">Register now</a>')) == (
        "Register now",
        f"{SITE}/register",
    )
