"""Bulletin formats: the HTML email fragment's constraints, its plain-text alternative, and
the `Date:` line rules. The layouts themselves are golden (test_goldens.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from aggregator.exports.bulletin import (
    date_line,
    in_bulletin_order,
    iter_email_html,
    md_escape,
    render_email,
    render_markdown,
)
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
