"""Lucy Faithfull Foundation (www.lucyfaithfull.org.uk): featured news and the 2019-era archive.

What the site does (sources.md 4); its raw HTML is unknown, so this reads URL patterns, visible
text labels and structured data, never CSS classes:
- The featured-news listing (`/featured-news.htm`) links the current articles at
  `/featured-news/<slug>.htm` (slugs may end in a stray `-`, as in `...-foundation-.htm`) and,
  beside them, older 2019-era articles at a single-segment slug with a trailing slash
  (`/home-secretary-announces-funding-for-the-lucy-faithfull-foundation/`).
- 2019-era pages show `Published: 01/03/2019`: numeric and day first.
- `/featured-news/` pages usually show no date. Structured data is used when present (JSON-LD
  `datePublished`, then `article:published_time`); otherwise the item stays undated. The
  fetch time is never a publication date.
- The site has no <main> or <nav> elements, so "main content" is the top-level block that
  holds the page's <h1>; header menus, cookie bars and footers sit in other blocks. Only links
  there whose path matches an article pattern are followed (never /about-us/ and the like).
- A listing link that fails (404) keeps the listing's title and summary (the spider shell
  records the error and yields the partial item).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from aggregator.parse.raw import RawItem
from spiders.base import (
    ListingKind,
    Page,
    Parsed,
    canonical_link,
    json_ld,
    ld_value,
    main_element,
    main_text,
    meta_content,
    pdf_links,
)

LISTING_PATHS = ("/featured-news.htm", "/featured-news", "/featured-news/")
FEATURED_NEWS_PATH = re.compile(r"^/featured-news/[^/]+\.htm$")
# 2019-era articles: one slug segment with a trailing slash. Headlines are sentences, so the
# slug has at least four words; section pages (/about-us/, /our-work/) have one or two.
LEGACY_ARTICLE_PATH = re.compile(r"^/[a-z0-9]+(?:-[a-z0-9]+){3,}/$")

# "Published: 01/03/2019" (day first; parse_date reads numeric dates day first).
PUBLISHED_LABEL = re.compile(r"Published:?\s*(\d{1,2}/\d{1,2}/\d{4})")
# The visible date line, read above; not part of the main text.
PUBLISHED_LINE = re.compile(r"^Published:?\s*\d{1,2}/\d{1,2}/\d{4}\s*$")
ARTICLE_TYPES = ("NewsArticle", "Article", "BlogPosting", "Report", "WebPage")
# Elements that are page chrome wherever they appear.
CHROME = ("nav", "header", "footer", "script", "style", "noscript", "template")
CHROME_ROLES = ("navigation", "banner", "contentinfo", "search")
NON_CONTENT = ("script", "style", "noscript", "template")
# Link texts that carry no title ("Read more" beside the headline link).
GENERIC_LINK_TEXT = re.compile(r"^(read more|more|continue reading|find out more)\W*$", re.I)
# A linked document labelled as the paper or report makes the page a report announcement.
REPORT_LINK = re.compile(r"^(read|download)\s+(the|our)\s+(full\s+)?(paper|report)\b", re.I)
DOCUMENT_LABELS = ("Download",)


class LucyFaithfullParser(ListingKind):
    detail_patterns = (FEATURED_NEWS_PATH, LEGACY_ARTICLE_PATH)

    def route(self, page: Page) -> str:
        if page.path in LISTING_PATHS:
            return "listing"
        return "detail"

    def listing_region(self, soup: BeautifulSoup) -> Tag:
        """Article links inside the main content only."""
        return _content_region(soup)

    def listing_hint(self, page: Page, anchor: Tag, url: str) -> RawItem | None:
        card = _card(anchor)
        title = _link_title(anchor, card)
        if not title:
            return None
        summary = ""
        if card is not None:
            paragraph = card.find("p")
            summary = _text(paragraph) if isinstance(paragraph, Tag) else ""
        # Everything the listing links is a news item until its page says otherwise.
        return self.raw(page, url, title, summary=summary, type_hint="news")

    def parse_detail(self, page: Page, partial: RawItem | None = None) -> Parsed:
        soup = page.soup()
        ld = json_ld(soup)
        region = _content_region(soup)
        article = _article(region)
        title = _parse_title(soup, article)
        attachments = pdf_links(page, article, DOCUMENT_LABELS)
        raw = self.raw(
            page,
            _parse_url(soup, page),
            title,
            summary=_parse_summary(soup, article, title) or (partial.summary if partial else ""),
            published=_parse_published(article, ld, soup),
            updated=ld_value(ld, "dateModified", ARTICLE_TYPES)
            or meta_content(soup, "article:modified_time"),
            type_hint=_parse_type_hint(article),
            attachments=attachments,
            body_text=main_text(article, PUBLISHED_LINE),
            complete=True,
        )
        if partial is not None:
            # Found on the listing; the detail page only completed it.
            raw.fetched_from = partial.fetched_from
            raw.title = raw.title or partial.title
        return Parsed(items=[raw])


def _strip_chrome(soup: BeautifulSoup) -> None:
    """Drop site menus, banners and footers; an article's own <header> (with its <h1> and
    date) or a <nav> inside <main>/<article> is content and stays."""
    found = list(soup.find_all(CHROME)) + list(soup.find_all(role=list(CHROME_ROLES)))
    for tag in found:
        if tag.decomposed:
            continue
        if tag.name not in NON_CONTENT and (
            tag.find("h1") is not None or tag.find_parent(["main", "article"]) is not None
        ):
            continue
        tag.decompose()


def _content_region(soup: BeautifulSoup) -> Tag:
    """The main content: <main>/role=main/<article> if the page has one, else the top-level
    block (a child of <body>) holding the <h1>."""
    _strip_chrome(soup)
    found = main_element(soup)
    body = soup.find("body")
    h1 = soup.find("h1")
    if found is not body or not isinstance(body, Tag) or not isinstance(h1, Tag):
        return found
    node: Tag = h1
    while isinstance(node.parent, Tag) and node.parent is not body:
        node = node.parent
    return node


def _article(region: Tag) -> Tag:
    """The block that holds the headline and the article text: the nearest ancestor of the
    <h1> (up to `region`) with a paragraph beyond the headline and the date line. An article
    <header> holds only the <h1> (and perhaps the date); the body is beside it."""
    h1 = region.find("h1")
    if not isinstance(h1, Tag):
        return region
    title = _squash(_text(h1))
    node = h1.parent
    while isinstance(node, Tag) and node is not region:
        if any(_is_body_paragraph(p, title) for p in node.find_all("p")):
            return node
        node = node.parent
    return region


def _is_body_paragraph(paragraph: Tag, squashed_title: str) -> bool:
    text = _text(paragraph)
    return bool(text) and not PUBLISHED_LABEL.match(text) and _squash(text) != squashed_title


def _card(anchor: Tag) -> Tag | None:
    """The smallest ancestor of a listing link that holds more than the link itself."""
    node = anchor.parent
    own = len(_text(anchor))
    for _ in range(3):
        if not isinstance(node, Tag):
            return None
        if len(_text(node)) > own + 5:
            return node
        node = node.parent
    return None


def _link_title(anchor: Tag, card: Tag | None) -> str:
    """The anchor's own text, or the card's heading when the anchor says only "Read more"."""
    text = _text(anchor)
    if text and not GENERIC_LINK_TEXT.match(text):
        return text
    if card is not None:
        heading = card.find(["h2", "h3", "h4"])
        if isinstance(heading, Tag):
            return _text(heading)
    return ""


def _parse_url(soup: BeautifulSoup, page: Page) -> str:
    found = canonical_link(soup) or meta_content(soup, "og:url")
    if found and urlsplit(urljoin(page.url, found)).hostname == urlsplit(page.url).hostname:
        return urljoin(page.url, found)
    return page.url


def _parse_title(soup: BeautifulSoup, article: Tag) -> str:
    h1 = article.find("h1") or soup.find("h1")
    if isinstance(h1, Tag) and _text(h1):
        return _text(h1)
    return meta_content(soup, "og:title") or (soup.title.get_text() if soup.title else "")


def _parse_published(article: Tag, ld: list[dict[str, object]], soup: BeautifulSoup) -> str | None:
    """The visible "Published: DD/MM/YYYY", else structured data, else None (undated)."""
    visible = PUBLISHED_LABEL.search(_text(article))
    if visible:
        return visible.group(1)
    return ld_value(ld, "datePublished", ARTICLE_TYPES) or meta_content(
        soup, "article:published_time"
    )


def _parse_summary(soup: BeautifulSoup, article: Tag, title: str) -> str:
    """The meta description, unless it only repeats the title; else the first paragraph."""
    described = meta_content(soup, "description", "og:description")
    if described and _squash(described) != _squash(title):
        return described
    for paragraph in article.find_all("p"):
        if _is_body_paragraph(paragraph, _squash(title)):
            return _text(paragraph)
    return ""


def _parse_type_hint(article: Tag) -> str:
    """News, unless the page links its paper or report ("Read the paper")."""
    for anchor in article.find_all("a", href=True):
        if REPORT_LINK.match(_text(anchor)):
            return "report"
    return "news"


def _text(node: Tag) -> str:
    return " ".join(node.get_text(" ").split())


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", text).lower()


PARSER = LucyFaithfullParser
