"""Markup bombs are refused before a tree is built.

A page well under the download size cap can still hold a million elements (an "HTML bomb"):
BeautifulSoup would build a Python object for each, gigabytes of memory and many seconds.
`check_markup` counts elements with lxml's streaming parser (no tree is kept) and stops at the
first element over the limit, so refusing a bomb costs a fraction of a second. Real pages and
feeds have a few thousand elements and a depth of a few dozen.

HTML also arrives inside other documents: a feed entry's escaped description, a JSON API's
`content.rendered` or `details.body`. `check_fragment` holds such a fragment to the same limits
before anything parses it, and `refuse_oversized_fragments` applies it to every text field of
a raw item: a field over the limit is emptied and reported, the item and its neighbours kept.
Nesting is what makes a tree expensive (10,000 nested `div`s cost seconds to build and walk),
so the depth limit matters most here.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from aggregator.parse.raw import RawItem

MAX_ELEMENTS = 50_000
MAX_DEPTH = 512
# The raw item's fields that hold an HTML fragment or text read as one (clean_text, main text).
FRAGMENT_FIELDS = ("title", "summary", "change_note", "body_text")


class MarkupLimitError(ValueError):
    """The markup has more elements, or deeper nesting, than any real page or feed."""


class _Counter:
    """An lxml parser target that counts elements and nesting and stops past the limits."""

    def __init__(self, max_elements: int, max_depth: int) -> None:
        self.max_elements = max_elements
        self.max_depth = max_depth
        self.elements = 0
        self.depth = 0

    def start(self, tag: Any, attrib: Any) -> None:
        self.elements += 1
        self.depth += 1
        if self.elements > self.max_elements:
            raise MarkupLimitError(f"markup has more than {self.max_elements} elements")
        if self.depth > self.max_depth:
            raise MarkupLimitError(f"markup is nested more than {self.max_depth} deep")

    def end(self, tag: Any) -> None:
        self.depth -= 1

    def data(self, text: Any) -> None:
        pass

    def comment(self, text: Any) -> None:
        pass

    def close(self) -> int:
        return self.elements


def check_markup(
    body: bytes, *, max_elements: int = MAX_ELEMENTS, max_depth: int = MAX_DEPTH
) -> int:
    """The number of elements in `body` (HTML or XML); raises MarkupLimitError past a limit.

    The HTML parser is used for both: it reads anything, never fetches, and never expands
    entities. Markup it cannot read at all is left to the real parser to report.
    """
    counter = _Counter(max_elements, max_depth)
    parser = etree.HTMLParser(target=counter, no_network=True)
    try:
        parser.feed(body)
        return int(parser.close())
    except etree.LxmlError:
        return counter.elements


def check_fragment(
    fragment: str, *, max_elements: int = MAX_ELEMENTS, max_depth: int = MAX_DEPTH
) -> int:
    """`check_markup` for an HTML fragment held in a string; text without a "<" holds no
    element and is not parsed at all."""
    if "<" not in fragment:
        return 0
    # Only counted, never kept: a lone surrogate must not stop the count.
    data = fragment.encode("utf-8", errors="replace")
    return check_markup(data, max_elements=max_elements, max_depth=max_depth)


def refuse_oversized_fragments(raw: RawItem) -> list[str]:
    """Empty every field of `raw` whose markup is over the limits; one warning per field,
    naming the item's URL and where it was read."""
    where = raw.url or raw.fetched_from
    found_at = f" (read from {raw.fetched_from})" if raw.fetched_from != where else ""
    warnings: list[str] = []

    def refused(name: str, value: str | None) -> bool:
        if not value:
            return False
        try:
            check_fragment(value)
        except MarkupLimitError as exc:
            warnings.append(f"{name} of {where} refused: {exc}{found_at}")
            return True
        return False

    for name in FRAGMENT_FIELDS:
        if refused(name, getattr(raw, name)):
            setattr(raw, name, None if name == "change_note" else "")
    for attachment in raw.attachments:
        if refused("attachment title", attachment.title):
            attachment.title = ""
    raw.links = [("" if refused("link label", label) else label, url) for label, url in raw.links]
    return warnings
