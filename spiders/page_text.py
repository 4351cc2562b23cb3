"""A page's structured data and visible text, read the same way for every HTML source.

The title and the subtitle that completes it, the standfirst (never a label line or a byline),
the lead paragraph, labelled values and listing cards. What the markup declares (meta tags,
JSON-LD, the canonical link) is `spiders/structured.py`'s; dates are `spiders/page_dates.py`'s.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bs4 import BeautifulSoup, Tag

from spiders.page_dates import is_date_line
from spiders.structured import meta_content

# --- Visible text: titles, standfirsts, labelled values, cards -------------------------------


def text_of(node: Tag) -> str:
    """The node's text with one space between words, and none before punctuation that
    followed an inline element ("the guide (PDF)." not "the guide (PDF) .")."""
    return INLINE_SPACE.sub(r"\1", " ".join(node.get_text(" ").split()))


INLINE_SPACE = re.compile(r"\s+([,.;:!?](?:\s|$))")


def heading(scope: Tag, soup: BeautifulSoup | None = None) -> str:
    """The text of the <h1> in `scope` (else, given the page, the page's first <h1>), or ""."""
    h1 = scope.find("h1") or (soup.find("h1") if soup is not None else None)
    return text_of(h1) if isinstance(h1, Tag) else ""


def document_title(soup: BeautifulSoup) -> str:
    """The page's <title>, as written."""
    return soup.title.get_text() if soup.title else ""


def site_suffix(site: str) -> re.Pattern[str]:
    """The " - <site>" (or " | <site>") a site appends to its page titles."""
    return re.compile(rf"\s+[-–|]\s+{re.escape(site)}\s*$")


# Elements that may hold a standfirst or a subtitle; a <div> counts only when it holds no
# other block (then it is a paragraph in all but name).
TEXT_BLOCKS = ("p", "div", "h2", "h3", "h4", "h5", "h6", "span", "time", "strong", "li", "dd", "dt")
INNER_BLOCKS = ("p", "div", "section", "article", "ul", "ol", "dl", "table", "h2", "h3", "h4")
# A standfirst is a sentence or two; shorter lines after the <h1> are kickers and labels.
STANDFIRST_CHARS = 40
# Class words that name a standfirst in any house style.
LEAD_CLASS = re.compile(r"lead|standfirst|intro|summary|strap|dek|excerpt|subheading", re.I)
SUBTITLE_CHARS = 80
KICKER_CHARS = 40
# A subtitle that names a yearly document ("Index Report 2023", "Year 4 annual index report")
# completes the title: without it, yearly reports would share one title.
YEARLY_DOCUMENT = re.compile(r"\b(report|edition|annual|index|review)\b", re.I)
YEAR = re.compile(r"\b(19|20)\d{2}\b")


def blocks_after(h1: Tag, scope: Tag, limit: int = 12) -> Iterator[tuple[Tag, str]]:
    """The text blocks after the <h1> inside `scope`, in order, with their text (empty
    blocks and wrappers of other blocks left out)."""
    seen = 0
    for node in h1.find_all_next(TEXT_BLOCKS):
        if scope not in node.parents or h1 in node.parents:
            continue
        if node.name == "div" and node.find(INNER_BLOCKS) is not None:
            continue
        if node.name in ("span", "strong", "time") and node.find_parent(TEXT_BLOCKS) is not None:
            continue  # inline text of a block already seen
        said = text_of(node)
        if not said:
            continue
        yield node, said
        seen += 1
        if seen >= limit:
            return


def subtitle(scope: Tag, title_tags: tuple[str, ...] = ()) -> str:
    """The subtitle that completes the <h1> ("Index Report 2023" under "Children's Wellbeing
    in a Digital World"): the short line right after it, not a label or a sentence, that
    names a year or a yearly document, or that the page's own titles (`title_tags`:
    og:title, <title>) carry together with the <h1>."""
    h1 = scope.find("h1")
    if not isinstance(h1, Tag):
        return ""
    title = text_of(h1)
    for node, said in blocks_after(h1, scope, limit=1):
        if node.name == "li" or len(said) > SUBTITLE_CHARS or said.endswith((".", "?", "!")):
            return ""
        if is_date_line(said) or said == title:
            return ""
        together = squash(title + said)
        if YEAR.search(said) or (len(said) <= KICKER_CHARS and YEARLY_DOCUMENT.search(said)):
            return said
        if any(together in squash(t) for t in title_tags if t):
            return said
    return ""


def titled(title: str, sub: str) -> str:
    """A title and its subtitle as one title ("Title: Subtitle")."""
    return f"{title} {sub}" if title.endswith((":", "–", "-", "—")) else f"{title}: {sub}"


def standfirst(scope: Tag, title: str, skip: re.Pattern[str] | None = None, sub: str = "") -> str:
    """The standfirst: the first paragraph after the <h1> that is not the title, its
    subtitle (`sub`), a kicker, a byline or a label line ("Last updated: …", "Publication
    date …", or a site's own `skip` lines), if it comes before the article's first section
    heading, and set apart from the body (`stands_apart`)."""
    h1 = scope.find("h1")
    if not isinstance(h1, Tag):
        return ""
    for node, said in blocks_after(h1, scope, limit=8):
        if said in (title, sub) or squash(said) == squash(title) or is_date_line(said):
            continue
        if skip is not None and skip.search(said):
            continue
        if node.name in ("h2", "h3", "h4", "h5", "h6"):
            return ""
        if len(said) >= STANDFIRST_CHARS and node.name in ("p", "div"):
            return (lead_block(node) or said) if stands_apart(node, h1) else ""
    return ""


def lead_block(paragraph: Tag) -> str:
    """The whole of a wrapper named as a lead ("hero__intro") holding two or three
    paragraphs and nothing else: the standfirst is all of it."""
    parent = paragraph.parent
    names = " ".join(parent.get("class") or []) if isinstance(parent, Tag) else ""
    children = [c for c in parent.children if isinstance(c, Tag)] if isinstance(parent, Tag) else []
    if not LEAD_CLASS.search(names) or not 2 <= len(children) <= 3:
        return ""
    if any(c.name != "p" for c in children):
        return ""
    return " ".join(text_of(c) for c in children)


def stands_apart(node: Tag, h1: Tag) -> bool:
    """Whether the first paragraph after the <h1> is set apart as a standfirst rather than
    opening the body: it sits beside the <h1>, alone in its wrapper, or in an element named
    as a lead. Otherwise it is only the body's first paragraph, which comes after the meta
    description."""
    parent = node.parent
    if not isinstance(parent, Tag) or parent is h1.parent:
        return True
    if not any(p is not node for p in parent.find_all("p")):
        return True
    names = " ".join(str(c) for tag in (node, parent) for c in (tag.get("class") or []))
    return bool(LEAD_CLASS.search(names))


def labelled(pattern: re.Pattern[str], text: str) -> str | None:
    """The value a labelled line shows ("Published: 01/03/2019"): the pattern's first group."""
    match = pattern.search(text)
    return match.group(1).strip() if match else None


def card(anchor: Tag) -> Tag | None:
    """The smallest ancestor of a listing link (up to three up) that holds more than the link
    itself: the card its summary and date are read from."""
    node = anchor.parent
    own = len(text_of(anchor))
    for _ in range(3):
        if not isinstance(node, Tag):
            return None
        if len(text_of(node)) > own + 5:
            return node
        node = node.parent
    return None


def card_summary(node: Tag | None, skip: re.Pattern[str] | None = None) -> str:
    """The text of the first <p> in a card that is not a `skip` line (its date), or ""."""
    for paragraph in node.find_all("p") if node is not None else []:
        if skip is None or not skip.search(paragraph.get_text()):
            return text_of(paragraph)
    return ""


def squash(text: str) -> str:
    """Text without case, spaces or punctuation: to tell whether one line repeats another."""
    return re.sub(r"\W+", "", text).lower()


def is_body_paragraph(paragraph: Tag, title: str, skip: re.Pattern[str] | None = None) -> bool:
    """A paragraph of the article's text: not empty, not the title again, not a `skip` line."""
    said = text_of(paragraph)
    return bool(said) and not (skip and skip.match(said)) and squash(said) != squash(title)


def lead_paragraph(scope: Tag, title: str, skip: re.Pattern[str] | None = None) -> str:
    """The first substantial paragraph of the article's text: never a label line or byline."""
    for paragraph in scope.find_all("p"):
        said = text_of(paragraph)
        substantial = len(said) >= STANDFIRST_CHARS and not is_date_line(said)
        if substantial and is_body_paragraph(paragraph, title, skip):
            return said
    return ""


def description(soup: BeautifulSoup, title: str) -> str:
    """The meta description (Yoast's, Open Graph's), unless it only repeats the title."""
    described = meta_content(soup, "description", "og:description")
    return described if described and squash(described) != squash(title) else ""
