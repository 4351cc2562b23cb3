"""A page's main text as lines: one paragraph, heading, list item or table cell per line.

(A definition list's term and definition share a line: "Published: 2024".)

Draft summaries split the main text into sentences, so block structure must survive: a heading
("Key findings") or a bullet without a full stop would otherwise run into the next sentence.
`clean_text` (normalise/text.py) flattens to one paragraph for summaries; this keeps lines.

- `element_lines` reads a parsed element without changing it (spiders call it on their main
  element after removing page chrome, see `spiders.chrome.main_text`).
- `clean_main_text` takes what a parser put in `RawItem.body_text`: lines of plain text from a
  spider, or an HTML fragment (a feed's content, a WordPress `content.rendered`, GOV.UK's
  Content API `details.body`), and returns the same normal form either way.
"""

from __future__ import annotations

import html
import re
import unicodedata
import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, Tag
from bs4.element import PreformattedString

from aggregator.normalise.text import BLOCK_TAGS, DROP_TAGS, INVISIBLE_RE, SPACES_RE

__all__ = ["clean_main_text", "element_lines", "html_to_lines", "normalise_lines"]

# Never reader-visible text: what summaries drop, and embedded players and buttons.
_DROP_TAGS = DROP_TAGS | {"iframe", "object", "button"}
# Elements a browser starts on a new line, as for summaries; <br>, <dt> and <dd> are handled
# on their own by the walk below.
_BLOCK_TAGS = BLOCK_TAGS - {"br", "dd", "dt"}

_LINE_SPACE_RE = re.compile(r"[^\S\n]+")
_ANY_SPACE_RE = re.compile(r"\s+")
# A tag, a closing tag or a comment: only then is body text read as HTML, so plain text that
# mentions "under <5s" stays as written.
_LOOKS_LIKE_HTML = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9-]*[\s/>]|/[a-zA-Z]|!--)")
_END = object()  # marks the end of a block element on the walk's stack


def element_lines(element: Tag) -> str:
    """The text of `element` (not changed), one block per line, whitespace normalised.

    Hidden elements (`hidden`, `aria-hidden="true"`) and non-content elements are skipped.
    """
    pieces: list[str] = []
    # An explicit stack, not recursion: deeply nested markup must not exhaust Python's stack.
    stack: list[object] = [element]
    while stack:
        node = stack.pop()
        if node is _END:
            pieces.append("\n")
        elif isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):  # comments, doctypes, CDATA
                # Line breaks in the source are only whitespace; blocks make the lines.
                pieces.append(_ANY_SPACE_RE.sub(" ", str(node)))
        elif isinstance(node, Tag):
            if node.name in _DROP_TAGS or _hidden(node):
                continue
            if node.name == "br":
                pieces.append("\n")
                continue
            if node.name in _BLOCK_TAGS:
                pieces.append("\n")
                stack.append(_END)
            elif node.name == "dt":
                pieces.append("\n")  # a term starts a line, and its definition continues it:
            elif node.name == "dd":
                pieces.append(" ")  # "Publication date May 2024", "Published: 2024"
            stack.extend(reversed(node.contents))
    return normalise_lines("".join(pieces))


def html_to_lines(fragment: str) -> str:
    """An HTML fragment's text, one block per line."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(fragment, "lxml")
    return element_lines(soup)


def normalise_lines(text: str) -> str:
    """NFC, invisible characters removed, spaces collapsed within each line, lines stripped,
    blank lines dropped."""
    text = unicodedata.normalize("NFC", text)
    text = INVISIBLE_RE.sub("", text)
    text = SPACES_RE.sub(" ", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _LINE_SPACE_RE.sub(" ", text)
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


def clean_main_text(body: str | None) -> str:
    """`RawItem.body_text` (lines of text, or an HTML fragment) as main-text lines."""
    if not body or not body.strip():
        return ""
    if _LOOKS_LIKE_HTML.search(body):
        return html_to_lines(body)
    return normalise_lines(html.unescape(body))


def _hidden(tag: Tag) -> bool:
    if tag.attrs is None:
        return False
    return tag.has_attr("hidden") or str(tag.get("aria-hidden", "")).lower() == "true"
