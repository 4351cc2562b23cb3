"""Plain-text cleaning for titles and summaries.

Summaries end up as one paragraph in a bulletin, so ``clean_text`` flattens block structure to
single spaces rather than keeping line breaks. Text is otherwise kept as published: curly
quotes, dashes and internal punctuation are not "fixed".
"""

from __future__ import annotations

import html
import re
import unicodedata
import warnings
from collections.abc import Iterable

from bs4 import (
    BeautifulSoup,
    CData,
    MarkupResemblesLocatorWarning,
    NavigableString,
    PageElement,
    Tag,
)

from aggregator.sources import REGISTRY

__all__ = ["clean_text", "clean_title", "site_suffix_pattern", "truncate_words"]

try:  # lxml is a project dependency; html.parser keeps this working without it.
    import lxml  # noqa: F401

    _PARSER = "lxml"
except ImportError:  # pragma: no cover - exercised only without lxml
    _PARSER = "html.parser"

# Elements whose text is never reader-visible content. "svg" covers decorative icons whose
# <title> leaks into page text (UK Trauma Council pages end in repeated "Decor").
DROP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "svg"})

# Elements that start a new line in a browser; their boundaries become a space so that
# "<p>a</p><p>b</p>" reads "a b" while inline "un<em>believ</em>able" stays one word.
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "details",
        "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "li", "main", "nav",
        "ol", "option", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot",
        "th", "thead", "tr", "ul", "legend", "body", "html",
    }
)  # fmt: skip

# Invisible characters that only affect line breaking or joining: zero-width space,
# non-joiner, joiner, word joiner, byte-order mark and soft hyphen. And the bidirectional
# embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069): in a title they
# make text display in another order than it reads ("Report\u202efdp.exe"), a spoofing
# trick; the Unicode algorithm orders right-to-left scripts correctly without them.
INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u202a-\u202e\u2066-\u2069]")
# Non-breaking and fixed-width spaces read as ordinary spaces.
SPACES_RE = re.compile("[\u00a0\u2007\u202f]")
_WS_RE = re.compile(r"\s+")
# The strings get_text() reads: not comments, doctypes, nor script, style or ruby annotations.
_TEXT_STRINGS = (NavigableString, CData)


# Site names appended to <title> and og:title, as the registry declares them per source. Only
# stripped after a spaced separator at the very end, so a title that merely mentions the NSPCC
# keeps it.
def site_suffix_pattern(names: Iterable[str]) -> re.Pattern[str]:
    """` - <site name>` at the end of a title, for any of `names` (longest first)."""
    alternatives = sorted({name.strip() for name in names if name.strip()}, key=len, reverse=True)
    words = "|".join(r"\s+".join(map(re.escape, name.split())) for name in alternatives)
    return re.compile(rf"\s+[-–—|]\s+(?:{words or '(?!)'})\s*$", re.IGNORECASE)


_SITE_SUFFIX_RE = site_suffix_pattern(
    name for source in REGISTRY.values() for name in source.site_names
)

_ELLIPSIS = "…"
# Punctuation that looks wrong directly before an ellipsis ("word,…").
_TRAILING_PUNCT = " \t\n,;:.-–—"
# Characters that end a word, so a cut just before them keeps the whole word.
_BOUNDARY_PUNCT = ",;:.!?)]}”"


def _html_to_text(fragment: str) -> str:
    with warnings.catch_warnings():
        # Short plain strings that look like a URL or a file name trigger this warning.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(fragment, _PARSER)
    # One walk with an explicit stack: linear in the elements whatever their shape (inserting
    # a space before each block is quadratic in a parent's children: 49,000 sibling <p>s took
    # minutes), and deep nesting cannot exhaust Python's stack.
    pieces: list[str] = []
    stack: list[PageElement | str] = [soup]
    while stack:
        node = stack.pop()
        if isinstance(node, Tag):
            if node.name in DROP_TAGS:
                continue
            if node.name in BLOCK_TAGS:  # a block's boundaries read as spaces
                pieces.append(" ")
                stack.append(" ")
            stack.extend(reversed(node.contents))
        elif isinstance(node, str) and (type(node) is str or type(node) in _TEXT_STRINGS):
            pieces.append(str(node))
    return "".join(pieces)


def clean_text(fragment: str | None) -> str:
    """An HTML fragment (or plain text) as one paragraph of plain text.

    Scripts, styles and other non-content elements are dropped, block boundaries become
    spaces, entities are unescaped once, the text is NFC-normalised, non-breaking spaces become
    spaces, zero-width characters are removed and whitespace is collapsed and stripped.
    """
    if not fragment:
        return ""
    text = _html_to_text(fragment) if "<" in fragment else html.unescape(fragment)
    text = unicodedata.normalize("NFC", text)
    text = INVISIBLE_RE.sub("", text)
    text = SPACES_RE.sub(" ", text)
    return _WS_RE.sub(" ", text).strip()


def clean_title(title: str | None) -> str:
    """``clean_text`` plus removal of site-name suffixes such as " - GOV.UK"."""
    text = clean_text(title)
    while True:
        stripped = _SITE_SUFFIX_RE.sub("", text).rstrip()
        if stripped == text or not stripped:
            return text
        text = stripped


def truncate_words(text: str, limit: int) -> str:
    """Shorten ``text`` to at most ``limit`` characters, cutting at a word boundary.

    ``limit`` counts characters, including the "…" added when text is cut. Text that fits is
    returned unchanged. A first word longer than the limit is cut mid-word rather than
    returning nothing.
    """
    if limit < 0:
        raise ValueError(f"limit must not be negative: {limit}")
    if len(text) <= limit:
        return text
    if limit == 0:
        return ""
    room = limit - len(_ELLIPSIS)
    head = text[:room]
    if not (text[room].isspace() or text[room] in _BOUNDARY_PUNCT):
        # The cut falls inside a word: drop that partial word.
        partial = re.search(r"\s\S*$", head)
        if partial is not None:
            head = head[: partial.start()]
    head = head.rstrip(_TRAILING_PUNCT)
    if not head:
        # One word longer than the limit: a hard cut beats returning only "…".
        head = text[:room].rstrip()
    return head + _ELLIPSIS
