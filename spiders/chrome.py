"""What is the article on an HTML page, and what is page chrome.

Where the article is (`main_element`; on a page without landmarks, `content_region`) and its
main text without chrome (`main_text`): menus, banners, footers, cookie and newsletter
blocks, share rows and breadcrumbs, found by structure and by what they say.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from bs4 import BeautifulSoup, Tag

from aggregator.normalise.main_text import element_lines


def main_element(soup: BeautifulSoup) -> Tag:
    """The main content element: <main>, else role=main, else <article>, else <body>."""
    for candidate in (soup.find("main"), soup.find(None, {"role": "main"}), soup.find("article")):
        if isinstance(candidate, Tag):
            return candidate
    body = soup.find("body")
    return body if isinstance(body, Tag) else soup


# --- Regions: where the article is on a page without landmarks -------------------------------

# Elements that are page chrome wherever they appear, unless they hold the article's <h1> or
# sit inside <main>/<article> (an article's own <header> with its date, an in-article <nav>).
SITE_CHROME_TAGS = ("nav", "header", "footer", "script", "style", "noscript", "template")
SITE_CHROME_ROLES = ("navigation", "banner", "contentinfo", "search")
NON_CONTENT = ("script", "style", "noscript", "template")


def strip_site_chrome(soup: BeautifulSoup) -> None:
    """Drop site menus, banners and footers (in place); an article's own <header> (with its
    <h1> and date) or a <nav> inside <main>/<article> is content and stays."""
    found = list(soup.find_all(SITE_CHROME_TAGS)) + list(
        soup.find_all(role=list(SITE_CHROME_ROLES))
    )
    for tag in found:
        if tag.decomposed:
            continue
        if tag.name not in NON_CONTENT and (
            tag.find("h1") is not None or tag.find_parent(["main", "article"]) is not None
        ):
            continue
        tag.decompose()


def content_region(soup: BeautifulSoup) -> Tag:
    """The main content of a page, its chrome stripped: <main>/role=main/<article> if the page
    has one, else the top-level block (a child of <body>) holding the <h1>."""
    strip_site_chrome(soup)
    found = main_element(soup)
    body = soup.find("body")
    h1 = soup.find("h1")
    if found is not body or not isinstance(body, Tag) or not isinstance(h1, Tag):
        return found
    node: Tag = h1
    while isinstance(node.parent, Tag) and node.parent is not body:
        node = node.parent
    return node


# --- Main text: the article's own words, without page chrome ----------------------------------
#
# Why our own rules and not trafilatura (the maintained extractor): run over the 52 charity
# detail pages in fixtures/ (main snapshots and re-skinned variants), trafilatura 2.3.1 kept
# Lucy Faithfull's sidebar and footer ("Registered charity. Company limited by guarantee.") on
# all 7 of its pages, and lost text on 13 pages: standfirsts outside <article> (Internet
# Matters), event times (UK Trauma Council), "Who is it for?" lines. These rules leaked none of
# the cookie, footer, menu, share or newsletter text and lost no content line. Each spider
# already knows its page's main element, so spiders narrow to it and strip what is chrome by
# structure (landmark elements and roles) and by what it says (cookie, share, newsletter and
# breadcrumb blocks, rows of bare links), since the charity sites' class names are unknown.

CHROME_TAGS = (
    "nav", "aside", "footer", "form", "button", "dialog", "select", "input", "textarea",
    "label", "script", "style", "noscript", "template", "svg", "iframe",
)  # fmt: skip
CHROME_ROLES = (
    "navigation", "banner", "contentinfo", "search", "complementary", "dialog", "alertdialog",
    "menu", "menubar", "toolbar",
)  # fmt: skip
# Words in an id, class or aria-label that name a chrome block ("cky-consent-container",
# "zz-share", aria-label="Cookie notice"). Whole hyphen/underscore-separated tokens only, so
# "shared-care" or "socially" are not matched.
CHROME_NAME = re.compile(
    r"(?:^|[\s_-])(cookies?|consent|gdpr|newsletter|subscribe|signup|share|sharing|sharebar|"
    r"social|breadcrumbs?|related|promo|advert|adverts|sidebar|skip-?link)(?:$|[\s_-])",
    re.I,
)
# What chrome says, for blocks whose names say nothing ("ck-bar", "shr", "bc").
COOKIE_TEXT = re.compile(
    r"\b(?:we|this (?:web)?site|our (?:web)?site)\s+uses?\s+(?:\w+\s+){0,3}cookies\b"
    r"|\b(?:accept|reject|allow)\b[^.]{0,40}\bcookies\b"
    r"|^cookies?\s+(?:settings|preferences|policy)$",
    re.I,
)
SHARE_TEXT = re.compile(r"^\s*share(?:\s+(?:this|on|via)\b.*|\s*:.*|\s*)$", re.I | re.S)
NEWSLETTER_TEXT = re.compile(
    r"\b(?:sign\s*up|subscribe)\b[^.]{0,80}\b(?:newsletter|e-?mails?|bulletin|updates)\b"
    r"|\bnewsletter\b[^.]{0,60}\b(?:sign\s*up|subscribe)\b",
    re.I,
)
RELATED_HEADING = re.compile(
    r"^\s*(?:related(?:\s+(?:content|articles|resources|posts|pages|links|reading))?|"
    r"you (?:may|might) also (?:like|be interested in)|more like this|read next|"
    r"popular(?: content)?|latest news)\s*:?\s*$",
    re.I,
)
SKIP_LINK = re.compile(r"^\s*skip to (?:the )?(?:main )?content\b", re.I)
BREADCRUMB_SEPARATORS = re.compile(r"^[\s>›»/|•·→\\-]*$")
# Blocks the text rules look at (a banner, a sign-up box, a menu list, a share row).
TEXT_RULE_BLOCKS = ("div", "section", "p", "ul", "ol", "span")
# Longer link texts are headlines or document titles, not menu entries.
LINK_ROW_LABEL_LIMIT = 40
# A chrome block is short: a long block that merely mentions cookies is content.
CHROME_TEXT_LIMIT = 500


def main_text(scope: Tag, line_filter: re.Pattern[str] | None = None) -> str:
    """The main text of `scope` (left unchanged), one paragraph, heading or list item per line.

    A copy of `scope` loses its chrome (see above), its <h1> (the item's title, kept apart),
    hidden elements and taxonomy links (`rel="tag"` kickers); then lines matching
    `line_filter` (a site's date and label lines) are dropped.
    """
    region = copy.copy(scope)
    strip_chrome(region)
    for h1 in region.find_all("h1"):
        h1.decompose()
    text = element_lines(region)
    if line_filter is None:
        return text
    return "\n".join(line for line in text.split("\n") if not line_filter.match(line))


def strip_chrome(region: Tag) -> None:
    """Remove page chrome inside `region` (in place)."""
    # What a block says is read first, while its buttons and forms are still there ("Accept
    # all cookies", a sign-up form), smallest blocks first, so a cookie sentence takes its own
    # banner and not the article around it.
    for tag in reversed(region.find_all(TEXT_RULE_BLOCKS)):
        if not tag.decomposed and _says_chrome(tag):
            tag.decompose()
    for tag in region.find_all(True):
        if not tag.decomposed and _is_chrome(tag):
            tag.decompose()


def _is_chrome(tag: Tag) -> bool:
    if tag.attrs is None:
        return False
    if tag.name in CHROME_TAGS:
        return True
    if tag.name == "header" and tag.find("h1") is None:
        return True  # a site header; an article's own <header> holds its <h1>
    if str(tag.get("role", "")).lower() in CHROME_ROLES:
        return True
    if tag.name == "a":
        rel: object = tag.get("rel") or []
        rels = [str(r) for r in rel] if isinstance(rel, list) else str(rel).split()
        return "tag" in rels or bool(SKIP_LINK.match(tag.get_text(" ")))
    names = " ".join(
        [str(tag.get("id", "")), " ".join(tag.get("class") or []), str(tag.get("aria-label", ""))]
    )
    return bool(CHROME_NAME.search(names))


def _says_chrome(tag: Tag) -> bool:
    text = " ".join(tag.get_text(" ").split())
    if not text:
        return False
    if len(text) > CHROME_TEXT_LIMIT:
        return False
    links = tag.find_all("a")
    controls = bool(links) or tag.find(["form", "input", "button"]) is not None
    if COOKIE_TEXT.search(text):
        return True
    if controls and SHARE_TEXT.match(text) and len(text) < 120:
        return True
    if controls and NEWSLETTER_TEXT.search(text):
        return True
    if _is_breadcrumb(tag, links, text):
        return True
    if _is_link_row(tag, links, text):
        return True
    heading = tag.find(["h2", "h3", "h4"])
    if isinstance(heading, Tag) and RELATED_HEADING.match(heading.get_text(" ")):
        linked = sum(len(" ".join(a.get_text(" ").split())) for a in links)
        heading_text = len(" ".join(heading.get_text(" ").split()))
        return linked >= (len(text) - heading_text) * 0.5
    return False


def _is_link_row(tag: Tag, links: list[Any], text: str) -> bool:
    """A row or list of three or more short links and nothing else: a menu or a strip of
    sister sites ("NSPCC Childline Shop"), whatever its markup. A sentence is never one."""
    if len(links) < 3 or tag.name not in ("div", "ul", "ol", "p", "section"):
        return False
    labels = [" ".join(a.get_text(" ").split()) for a in links]
    if any(len(label) > LINK_ROW_LABEL_LIMIT for label in labels):
        return False
    return bool(BREADCRUMB_SEPARATORS.match(_without(text, labels)))


def _is_breadcrumb(tag: Tag, links: list[Any], text: str) -> bool:
    """A trail of links from Home with only separators between them ("Home > News")."""
    labels = [" ".join(a.get_text(" ").split()) for a in links]
    if not labels or labels[0].lower() not in ("home", "homepage"):
        return False
    return bool(BREADCRUMB_SEPARATORS.match(_without(text, labels)))


def _without(text: str, labels: list[str]) -> str:
    """`text` with each link label taken out once: what the block says besides its links."""
    for label in labels:
        text = text.replace(label, "", 1)
    return text


# Links that are never onward reading: sharing buttons, social profiles, mail and phone.
