"""The HTML email rendered in Chromium at a phone's width (320 px) and the email's own (640 px):
a very long unbroken URL and title wrap inside the screen instead of widening it (#22).

Chromium stands in for the WebKit/Blink engines of phone mail apps and webmail; Outlook on
Windows (Word's renderer) cannot be run here, which is what the fixed width attribute and
the `<!--[if mso]>` table in the fragment are for.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from aggregator.exports.bulletin import Layout, in_bulletin_order
from aggregator.exports.email_html import EMAIL_WIDTH, iter_email_html
from aggregator.schema import Attachment, Item, Link
from tests.conftest import Screenshots
from tests.exports.conftest import corpus
from tests.review.browser import launched, new_page  # skips the module without Chromium

pytestmark = pytest.mark.browser

LONG_URL = (
    "https://www.example.org/government/publications/"
    + "a-very-long-path-segment-without-any-spaces-" * 12
    + "?utm_source="
    + "x" * 300
)
LONG_TITLE = "Safeguarding" + "Unbrokenwordwithoutanyspaces" * 15

# Every element's right edge and the page's scroll width, as the reader's screen sees them.
MEASURE = """() => {
    const rights = Array.from(document.querySelectorAll('body *'), (element) => {
        const box = element.getBoundingClientRect();
        return [element.tagName.toLowerCase() + ':' + (element.textContent || '').slice(0, 40),
                box.right];
    });
    return {scrollWidth: document.documentElement.scrollWidth, rights: rights};
}"""


def long_items() -> list[Item]:
    """A few corpus items and one whose title, summary, link texts and URLs are one long
    unbroken string each."""
    long_one = dataclasses.replace(
        corpus()[2],
        key="example.org/long",
        title=LONG_TITLE,
        url=LONG_URL,
        summary=f"The report is at {LONG_URL} and nowhere else.",
        attachments=[Attachment(LONG_URL, LONG_URL + ".pdf")],
        links=[Link(LONG_URL, LONG_URL + "#book")],
    )
    return [*corpus()[:4], long_one]


def email_document(items: list[Item]) -> str:
    """The fragment as a mail client shows it: inside a minimal page of its own."""
    layout = Layout(issue_line=LONG_TITLE, intros={"Research and reports": LONG_URL})
    fragment = "".join(iter_email_html(in_bulletin_order(items), LONG_TITLE, layout))
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Bulletin</title></head><body>{fragment}</body></html>"
    )


@pytest.fixture(scope="module")
def browser() -> Any:
    with launched() as running:
        yield running


@pytest.mark.parametrize("width", [320, EMAIL_WIDTH])
def test_nothing_overflows_the_screen(browser: Any, width: int, screenshots: Screenshots) -> None:
    page = new_page(browser, width=width, height=800)
    try:
        page.set_content(email_document(long_items()))
        screenshots.take(page, f"email-{width}.png", full_page=True)
        measured = page.evaluate(MEASURE)
        # the long strings are on the page (so they are what is being measured)
        assert LONG_TITLE[:60] in page.inner_text("h1")
        assert page.locator(f'a[href="{LONG_URL}"]').count() == 1
    finally:
        page.context.close()
    assert measured["scrollWidth"] <= width
    wider = [(what, right) for what, right in measured["rights"] if right > width + 1]
    assert not wider, f"at {width} px these reach past the screen: {wider[:5]}"


def test_the_table_keeps_its_width_on_a_desktop(browser: Any) -> None:
    """On a wide screen the table stops at the email's width rather than filling it."""
    page = new_page(browser, width=1280, height=800)
    try:
        page.set_content(email_document(long_items()))
        table_width = page.evaluate(
            "() => document.querySelector('table').getBoundingClientRect().width"
        )
    finally:
        page.context.close()
    assert table_width == EMAIL_WIDTH
