"""Dates as the charity sites show them, read layer by layer (spiders/page_dates.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup

from aggregator.normalise.dates import parse_date
from aggregator.schema import Precision, calendar_text
from spiders.page_dates import (
    PageDates,
    generic_date,
    header_lines,
    is_date_line,
    labelled_dates,
    structured_dates,
    url_date,
)

FETCHED = datetime(2025, 11, 3, 9, tzinfo=UTC)


def shown(text: str | None) -> str | None:
    """A date text as the London calendar date at its own precision."""
    parsed = parse_date(text)
    return calendar_text(parsed.value, parsed.precision) if parsed.value else None


@pytest.mark.parametrize(
    ("lines", "published", "updated"),
    [
        (["Publication date 2021"], "2021", None),  # NSPCC research, year only
        (["Publication date April 2024"], "2024-04", None),
        (["Published: 2020 - updated September 2023"], "2020", "2023-09"),  # a range
        (["Last updated: 02 Sept 2025 Topics: News"], None, "2025-09-02"),  # four-letter Sept
        (["Internet Matters Team | 1st February, 2022"], "2022-02-01", None),  # ordinal byline
        (["Published: 01/03/2019"], "2019-03-01", None),  # day first
        (["Publication date", "August 2024"], "2024-08", None),  # label and value apart
        (["By Jo Writer, 3 March 2023"], "2023-03-03", None),
        (["15 February 2024"], "2024-02-15", None),  # a date line alone
        (["Authors: A. Writer", "Published: 2017"], "2017", None),  # any order
        (["The report published in 2021 found that …"], None, None),  # prose, not a label
        (["2021"], None, None),  # a bare year is no date line
    ],
)
def test_labelled_dates_in_every_format_these_sites_use(
    lines: list[str], published: str | None, updated: str | None
) -> None:
    found = labelled_dates(lines)
    assert (shown(found.published), shown(found.updated)) == (published, updated)


def test_year_and_month_labels_keep_their_precision() -> None:
    assert parse_date(labelled_dates(["Publication date 2021"]).published).precision == (
        Precision.YEAR
    )
    assert parse_date(labelled_dates(["Publication date April 2024"]).published).precision == (
        Precision.MONTH
    )


def test_header_lines_are_around_the_heading_and_short() -> None:
    soup = BeautifulSoup(
        "<main><nav>Home</nav><h1>A title</h1><dl><dt>Publication date</dt><dd>May 2024</dd>"
        f"</dl><p>{'Long prose. ' * 30}</p></main>",
        "lxml",
    )
    lines = header_lines(soup.main)
    assert "Publication date May 2024" in lines
    assert all(len(line) <= 160 for line in lines)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/news/2024/may/podcast", "May 2024"),
        ("/2024/05/31/a-post/", "2024-05-31"),
        ("/2024/05/a-post/", "2024-05"),
        ("/research-resources/2024/x", None),  # a bare year files older work too
        ("/news/covid/x/", None),
    ],
)
def test_the_date_in_the_url(path: str, expected: str | None) -> None:
    assert url_date(path) == expected


def test_structured_dates_from_meta_json_ld_and_microdata() -> None:
    soup = BeautifulSoup(
        '<meta property="article:published_time" content="2024-05-31T09:00:00+01:00">'
        '<span itemprop="dateModified" content="2024-06-02">2 June</span>',
        "lxml",
    )
    assert structured_dates(soup, [], ("Article",)) == PageDates(
        "2024-05-31T09:00:00+01:00", "2024-06-02"
    )
    ld = [{"@type": "Report", "datePublished": "2023-01-10"}]
    assert structured_dates(BeautifulSoup("", "lxml"), ld, ("Report",)).published == "2023-01-10"


def test_the_generic_extractor_keeps_only_what_the_page_shows() -> None:
    def generic(body: str, updated: str | None = None) -> str | None:
        html = f"<html><head><title>A page</title></head><body>{body}</body></html>"
        return generic_date(html, BeautifulSoup(html, "lxml"), FETCHED, updated)

    assert generic("<p>Posted on 12 March 2024 by the team</p>") == "2024-03-12"
    assert generic('<time datetime="2023-04-05">5 April</time>') == "2023-04-05"
    # htmldate reads "2021" as 1 January 2021: a lone year is no day, and no date at all
    assert generic("<p>Copyright 2021 A Charity</p>") is None
    # a modification date is never the publication
    assert generic('<meta property="article:modified_time" content="2024-03-12">') is None
    assert generic("<p>Updated 12 March 2024</p>", updated="12 March 2024") is None


def test_the_generic_extractor_reads_free_text_dates_as_english() -> None:
    html = '<html><body><h1>A page</h1><div class="date">02 Sept 2023</div></body></html>'
    # "Sept" is beyond htmldate's own patterns: this date is read by dateparser
    assert generic_date(html, BeautifulSoup(html, "lxml"), FETCHED) == "2023-09-02"
    import htmldate.extractors

    # ... English alone, not a guess among dateparser's two hundred locales
    assert htmldate.extractors.get_external_parser().languages == ["en"]


def test_label_lines_and_bylines_are_fields_not_summaries() -> None:
    for line in (
        "Last updated: 31 May 2024 Topics: News",
        "Publication date",
        "By Sarah Writer, Child Safety Online Project Officer",
        "Internet Matters Team | 1st February, 2022",
    ):
        assert is_date_line(line), line
    assert not is_date_line("What counts as harmful content online, and what adults can do.")
