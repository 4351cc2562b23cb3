"""The HTML email's client-proofing (#22): a fixed width Outlook keeps and phones shrink,
long strings that wrap, no <style> block, and a warning before Gmail would clip it."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser

import pytest

from aggregator.exports.bulletin import Layout, in_bulletin_order
from aggregator.exports.email_html import (
    EMAIL_SIZE_LIMIT,
    EMAIL_WIDTH,
    email_size_warning,
    iter_email_html,
    render_email,
)
from aggregator.schema import Attachment, Item
from tests.exports.conftest import corpus

LONG_URL = "https://www.example.org/" + "a" * 400 + "?ref=" + "b" * 200
WRAP = ("overflow-wrap:anywhere", "word-break:break-word", "word-wrap:break-word")
TEXT_TAGS = {"h1", "h2", "h3", "p", "a"}


class _Elements(HTMLParser):
    """Every start tag with its attributes, the tag each text run sits directly in, and the
    comments (where Outlook's conditional markup lives)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.open: list[str] = []
        self.text_in: set[str] = set()
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in ("br", "img"):
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open.pop() == tag

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.text_in.add(self.open[-1] if self.open else "(outside)")

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def parsed(fragment: str) -> _Elements:
    elements = _Elements()
    elements.feed(fragment)
    elements.close()
    return elements


def long_items() -> list[Item]:
    """The corpus's approved items plus one whose title, summary and attachment are each a
    single unbroken string hundreds of characters long."""
    long_one = dataclasses.replace(
        corpus()[1],
        key="example.org/long",
        title="Unbroken" + "x" * 300,
        url=LONG_URL,
        summary=f"See {LONG_URL} for the text.",
        attachments=[Attachment(LONG_URL, LONG_URL + ".pdf")],
    )
    return [*corpus()[:7], long_one]


def fragment_of(items: list[Item]) -> str:
    layout = Layout(issue_line="Issue 12, June 2024", intros={"Research and reports": "Reading."})
    logo = ("https://safeguarding.example.org/logo.png", "Safeguarding update")
    return "".join(iter_email_html(in_bulletin_order(items), "Safeguarding update", layout, logo))


def test_the_table_has_a_fixed_width_attribute_and_a_fluid_style() -> None:
    fragment = fragment_of(long_items())
    [(tag, attrs)] = [t for t in parsed(fragment).tags if t[0] == "table"]
    assert 600 <= int(attrs["width"] or 0) <= 640 and attrs["width"] == str(EMAIL_WIDTH)
    style = attrs["style"] or ""
    # the CSS (which browsers and phone clients prefer) shrinks it below the attribute
    assert "width:100%" in style and f"max-width:{EMAIL_WIDTH}px" in style
    assert "table-layout:fixed" in style
    assert 'width="100%"' not in fragment


def test_outlook_gets_a_fixed_width_table_of_its_own() -> None:
    comments = parsed(fragment_of(long_items())).comments
    assert len(comments) == 2
    opening, closing = comments
    assert opening.startswith("[if mso]>") and opening.endswith("<![endif]")
    assert f'<table role="presentation" width="{EMAIL_WIDTH}"' in opening
    assert opening.count("<table") == closing.count("</table>") == 1
    assert opening.count("<td") == closing.count("</td>") == 1


def test_no_style_block_and_every_style_inline() -> None:
    fragment = fragment_of(long_items())
    assert not re.search(r"<style\b", fragment, re.IGNORECASE)
    for tag, attrs in parsed(fragment).tags:
        if tag not in ("br", "tr"):
            assert attrs.get("style"), f"<{tag}> has no inline style"
        assert "class" not in attrs


def test_every_cell_wraps_long_words_for_the_text_in_it() -> None:
    elements = parsed(fragment_of(long_items()))
    # all text sits in headings, paragraphs and links inside the rows' cells; the wrapping
    # rules are inherited, so each cell carries them once for everything in it
    assert elements.text_in <= TEXT_TAGS
    cells = [attrs for tag, attrs in elements.tags if tag == "td"]
    assert cells
    for attrs in cells:
        style = attrs["style"] or ""
        missing = [rule for rule in WRAP if rule not in style]
        assert not missing, f"a <td> lacks {missing}"


def test_long_strings_reach_the_fragment_whole() -> None:
    """Wrapping is the client's job: the fragment keeps the long strings as they are (no
    inserted spaces or soft hyphens that would break a copied URL)."""
    fragment = fragment_of(long_items())
    assert "Unbroken" + "x" * 300 in fragment
    assert f'href="{LONG_URL.replace("&", "&amp;")}"' in fragment


@pytest.mark.parametrize(
    ("size", "warns"),
    [
        (0, False),
        (50 * 1024, False),
        (EMAIL_SIZE_LIMIT, False),
        (EMAIL_SIZE_LIMIT + 1, True),
        (102 * 1024, True),
        (159 * 1024, True),
    ],
)
def test_size_warning_threshold(size: int, warns: bool) -> None:
    warning = email_size_warning(size)
    assert (warning is not None) == warns
    if warning is not None:
        assert "\n" not in warning and warning.startswith("warning:")
        assert "Gmail" in warning and "[Message clipped]" in warning


def test_size_warning_names_the_size_in_whole_kilobytes_rounded_up() -> None:
    assert "the HTML email is 159 KB;" in (email_size_warning(159 * 1024) or "")
    assert "the HTML email is 101 KB;" in (email_size_warning(EMAIL_SIZE_LIMIT + 1) or "")


def test_a_real_bulletin_is_measured_as_sent() -> None:
    """A normal bulletin passes; one of a few hundred entries (like `--status all`) warns."""
    html_text, _plain = render_email(corpus()[:7])
    assert email_size_warning(len(html_text.encode("utf-8"))) is None
    many = [
        dataclasses.replace(item, key=f"{item.key}/{n}", url=f"{item.url}?n={n}")
        for n in range(60)
        for item in corpus()[:7]
    ]
    big, _plain = render_email(many)
    size = len(big.encode("utf-8"))
    assert size > EMAIL_SIZE_LIMIT
    assert f"{-(-size // 1024)} KB" in (email_size_warning(size) or "")
