"""Markup bombs are refused before a tree is built.

A page well under the download size cap can still hold a million elements (an "HTML bomb"):
BeautifulSoup would build a Python object for each, gigabytes of memory and many seconds.
`check_markup` counts elements with lxml's streaming parser (no tree is kept) and stops at the
first element over the limit, so refusing a bomb costs a fraction of a second. Real pages and
feeds have a few thousand elements and a depth of a few dozen.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

MAX_ELEMENTS = 50_000
MAX_DEPTH = 512


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
