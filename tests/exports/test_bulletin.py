"""Bulletin formats: the HTML email fragment's constraints, its plain-text alternative, and
the `Date:` line rules. The layouts themselves are golden (test_goldens.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from aggregator.exports.bulletin import (
    closes_line,
    date_line,
    entry_for,
    in_bulletin_order,
    md_escape,
    release_lines,
    render_html,
    render_markdown,
    render_text,
    section_of,
    sectioned,
)
from aggregator.exports.email_html import iter_email_html, render_email
from aggregator.schema import DocType, Item, Link, Precision
from aggregator.storage.repository import Repository
from tests.exports.conftest import corpus, export_text, page

VOID = {"br", "img", "hr", "meta"}


class _Checker(HTMLParser):
    """Collects tags, checks nesting, and notes every attribute."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check(fragment: str) -> _Checker:
    checker = _Checker()
    checker.feed(fragment)
    checker.close()
    assert checker.stack == [], f"unclosed: {checker.stack}"
    return checker


def test_html_email_fragment_is_tables_with_inline_css_and_nothing_active(
    stored: tuple[Repository, list[int]], tmp_path: Path
) -> None:
    repository, _ids = stored
    fragment = export_text(repository, "html", tmp_path)
    checker = check(fragment)
    names = {tag for tag, _attrs in checker.tags}
    assert names <= {"table", "tr", "td", "h1", "h2", "h3", "p", "br", "a"}
    assert checker.tags[0][0] == "table" and checker.tags[0][1]["role"] == "presentation"
    assert not re.search(r"<(html|head|body|style|script|img|link|iframe|form)\b", fragment)
    for tag, attrs in checker.tags:
        assert not any(name.startswith("on") for name in attrs), f"event handler on <{tag}>"
        assert "class" not in attrs and "id" not in attrs
        if tag not in ("br", "tr"):
            assert attrs.get("style"), f"<{tag}> has no inline style"
        if tag == "a":
            assert (attrs["href"] or "").startswith("https://")
    assert "<script>" not in fragment and "&lt;script&gt;" in fragment


def test_images_are_optional() -> None:
    items = corpus()[:2]
    without = "".join(iter_email_html(in_bulletin_order(items)))
    assert "<img" not in without
    logo = ("https://safeguarding.example.org/logo.png", "Safeguarding update")
    with_logo = "".join(iter_email_html(in_bulletin_order(items), logo=logo))
    [(tag, attrs)] = [t for t in check(with_logo).tags if t[0] == "img"]
    assert attrs["alt"] == "Safeguarding update" and attrs["src"] == logo[0]
    # everything but the image is the same with images off
    assert re.sub(r"<tr><td[^>]*><img[^>]*></td></tr>\n", "", with_logo) == without


def test_plain_text_alternative_carries_every_entry_and_link() -> None:
    items = corpus()[:7]
    html, text = render_email(items)
    for item in items:
        title = " ".join(item.title.replace("\x01", "").split())
        assert html.count("<h3") == len(items)
        assert title.split()[0] in text
        assert item.url in text
    for label in ("Read the response", "Download the briefing", "Book a free place"):
        assert label in text and label in html
    assert all(len(line) <= 76 or "://" in line for line in text.splitlines())


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"published_precision": Precision.DAY}, "10 January 2024"),
        ({"published_precision": Precision.MONTH}, "January 2024"),
        ({"published_precision": Precision.YEAR}, "2024"),
        ({"published": None, "published_precision": Precision.NONE}, "Undated"),
        # a substantive update shows its update date, in London time (BST here)
        ({"updated": datetime(2024, 5, 8, 23, 30, tzinfo=UTC)}, "09 May 2024"),
        (
            {
                "doc_type": DocType.EVENT,
                "event_start": datetime(2024, 1, 18, 10, tzinfo=UTC),
                "event_end": datetime(2024, 1, 18, 11, tzinfo=UTC),
            },
            "Thursday January 18, 2024, 10:00 AM – 11:00 AM GMT",
        ),
    ],
)
def test_date_line(changes: dict[str, object], expected: str) -> None:
    assert date_line(page(**changes)) == expected


def test_markdown_escapes_scraped_text_and_drops_unsafe_links() -> None:
    assert md_escape("# *a* [b](c) <i> 1_2 &amp;") == r"\# \*a\* \[b\](c) \<i\> 1\_2 \&amp;"
    item: Item = page(
        title="[Click](javascript:alert(1))", links=[Link("Run", "javascript:alert(1)")]
    )
    text = render_markdown([item])
    assert "javascript:alert(1))" not in text.replace(r"\[Click\](javascript:alert(1))", "")
    assert "[Run]" not in text


# --- consultations' closing dates and statistics announcements (issue #17) -------------------


def consultation(**changes: object) -> Item:
    return page(
        **{
            "title": "Mandatory reporting of child sexual abuse",
            "doc_type": DocType.CONSULTATION,
            "opens": datetime(2024, 5, 1, 9, tzinfo=UTC),
            # 23:59 London time (BST) on 12 June
            "closes": datetime(2024, 6, 12, 22, 59, tzinfo=UTC),
            **changes,
        }
    )


def announcement(**changes: object) -> Item:
    return page(
        **{
            "title": "Children looked after in England: 2024",
            "doc_type": DocType.STATISTICS_ANNOUNCEMENT,
            "published": datetime(2024, 4, 2, 8, 30, tzinfo=UTC),
            "published_precision": Precision.DAY,
            "event_start": datetime(2024, 11, 1, 0, tzinfo=UTC),  # London midnight (GMT)
            "event_precision": Precision.MONTH,
            "release_state": "provisional",
            **changes,
        }
    )


def every_format(items: list[Item]) -> list[str]:
    html_text, plain = render_email(items)
    return [render_markdown(items), render_text(items), render_html(items), html_text, plain]


@pytest.mark.parametrize(
    ("closes", "expected"),
    [
        (datetime(2024, 6, 12, 22, 59, tzinfo=UTC), "Closes 12 June 2024"),
        # London midnight is the end of the day before, as GOV.UK shows it ("11:59pm on …")
        (datetime(2024, 6, 12, 23, 0, tzinfo=UTC), "Closes 12 June 2024"),
        # in winter London is UTC: 23:30 UTC is still 12 January
        (datetime(2024, 1, 12, 23, 30, tzinfo=UTC), "Closes 12 January 2024"),
        # 00:30 BST on 13 June is the 13th in London, though the 12th in UTC
        (datetime(2024, 6, 12, 23, 30, tzinfo=UTC), "Closes 13 June 2024"),
    ],
)
def test_closes_line_is_the_london_day(closes: datetime, expected: str) -> None:
    assert closes_line(consultation(closes=closes)) == expected
    assert closes_line(consultation(doc_type=DocType.CALL_FOR_EVIDENCE, closes=closes)) == expected


def test_closing_date_in_every_format() -> None:
    items = [consultation(), consultation(doc_type=DocType.CALL_FOR_EVIDENCE, title="Evidence")]
    for text in every_format(items):
        assert text.count("Closes 12 June 2024") == 2
        assert "Consultations and government responses" in text or "CONSULTATIONS" in text
    # a response, or a consultation without a closing date, says nothing of closing
    for item in (consultation(doc_type=DocType.CONSULTATION_RESPONSE), consultation(closes=None)):
        assert closes_line(item) is None
        assert "Closes" not in render_markdown([item])
    assert entry_for(consultation()).date == "10 January 2024"


def test_calls_for_evidence_sit_beside_consultations() -> None:
    items = [consultation(doc_type=DocType.CALL_FOR_EVIDENCE), announcement()]
    sections = [name for name, _members in sectioned(items)]
    assert sections == ["Consultations and government responses", "Events and webinars"]
    assert section_of(page(doc_type=DocType.TRANSPARENCY)) == "Research and reports"
    assert entry_for(consultation(doc_type=DocType.CALL_FOR_EVIDENCE)).links[0][0] == (
        "Read the call for evidence"
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, "Release date: November 2024 (provisional)"),
        (
            {
                "event_start": datetime(2024, 11, 21, 9, 30, tzinfo=UTC),
                "event_precision": Precision.NONE,
                "release_state": "confirmed",
            },
            "Release date: 21 November 2024 9:30am (confirmed)",
        ),
        (
            {"event_start": datetime(2024, 6, 4, 23, tzinfo=UTC), "event_precision": Precision.DAY},
            "Release date: 5 June 2024 (provisional)",
        ),
        (
            {"event_end": datetime(2024, 12, 1, 0, tzinfo=UTC)},
            "Release date: November to December 2024 (provisional)",
        ),
        ({"event_start": None}, "Release date not yet announced"),
    ],
)
def test_an_announcement_says_its_release_date_and_state(
    changes: dict[str, object], expected: str
) -> None:
    item = announcement(**changes)
    assert release_lines(item) == (expected,)
    entry = entry_for(item)
    assert entry.notes == (expected,)
    # `Date:` is when it was announced: never a release read as an event or as published
    assert entry.date == date_line(announcement(event_start=None, event_end=None))
    assert "April 2024" in entry.date
    assert entry.links[0][0] == "Read the release announcement"
    for text in every_format([item]):
        assert expected in text


def test_a_cancelled_announcement_is_never_presented_as_upcoming() -> None:
    item = announcement(release_state="cancelled", change_note="The survey was not run this year.")
    lines = release_lines(item)
    assert lines == (
        "Release cancelled: The survey was not run this year.",
        "Proposed release was November 2024",
    )
    for text in every_format([item]):
        assert "Release cancelled: The survey was not run this year." in text
        assert "Release date" not in text and "provisional" not in text
        assert "Friday" not in text and "12:00 AM" not in text  # never an event's time
    bare = announcement(release_state="cancelled", event_start=None, change_note=None)
    assert release_lines(bare) == ("Release cancelled",)


def test_announcements_go_with_events() -> None:
    item = announcement()
    assert section_of(item) == "Events and webinars"
    assert "Events and webinars" in render_markdown([item])
