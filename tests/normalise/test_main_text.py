"""Main text keeps its block structure: one paragraph, heading or list item per line."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from aggregator.normalise.main_text import clean_main_text, element_lines


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("", ""),
        ("   \n ", ""),
        # Plain text from a spider: lines kept, spaces collapsed, blank lines dropped.
        ("  First  line.\n\n\nSecond\u00a0line.  ", "First line.\nSecond line."),
        ("Under <5s and 5 > 3: kept as written.", "Under <5s and 5 > 3: kept as written."),
        ("Fish &amp; chips", "Fish & chips"),
        # HTML (a feed's content, GOV.UK's details.body).
        (
            "<h2>Key findings</h2><p>One.</p><ul><li>Two</li><li>Three</li></ul>",
            "Key findings\nOne.\nTwo\nThree",
        ),
        # Source line breaks inside a paragraph are spaces; <br> breaks the line.
        (
            "<p>A sentence\n   that wraps.</p><p>Line one<br>line two</p>",
            "A sentence that wraps.\nLine one\nline two",
        ),
        # Inline elements stay inside their line.
        ("<p>un<em>believ</em>able <a href='x'>link</a> text</p>", "unbelievable link text"),
        # A definition's term and definition share a line.
        (
            "<dl><dt>Published:</dt><dd>2024</dd><dt>Authors</dt><dd>NSPCC</dd></dl>",
            "Published: 2024\nAuthors NSPCC",
        ),
        # Scripts, buttons, hidden and decorative elements never reach the text.
        (
            "<p>Kept.</p><script>x()</script><button>Accept</button><p hidden>Gone</p>"
            "<div aria-hidden='true'>Decor</div><svg><title>Decor</title></svg><!-- note -->",
            "Kept.",
        ),
        ("<table><tr><th>Nation</th><td>England</td></tr></table>", "Nation\nEngland"),
        ("<p>Zero\u200bwidth and soft\u00adhyphen</p>", "Zerowidth and softhyphen"),
    ],
)
def test_clean_main_text(body: str, expected: str) -> None:
    assert clean_main_text(body) == expected


def test_element_lines_leaves_the_tree_unchanged() -> None:
    soup = BeautifulSoup("<main><h2>Title</h2><p>Body <b>bold</b>.</p></main>", "lxml")
    before = str(soup)
    assert element_lines(soup) == "Title\nBody bold."
    assert str(soup) == before


def test_deep_nesting_does_not_exhaust_the_stack() -> None:
    depth = 5000
    soup = BeautifulSoup("<div>" * depth + "<p>deep</p>" + "</div>" * depth, "lxml")
    assert element_lines(soup) == "deep"
