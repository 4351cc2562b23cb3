"""Internet Matters (www.internetmatters.org): a WordPress site; the hub's research, guidance
and news.

What the site does (sources.md 5):
- The RSS feed (`/feed/`) is read first. Its links carry `utm_*` parameters (canonicalisation
  drops them); its `<guid>` is the shortlink `https://www.internetmatters.org/?p=<id>`, which
  names the WordPress post: it becomes the alias `wp-post:<id>`, never a guid alias. Each
  description ends with WordPress's "The post … appeared first on Internet Matters." line,
  which is not part of the summary.
- The REST API (`/wp-json/wp/v2/posts`) is the second channel: `id`, `link`,
  `title.rendered`, `excerpt.rendered`, and `date_gmt` / `modified_gmt`, which carry no zone
  but are UTC (so a `Z` is appended); `date` / `modified` are site-local (Europe/London).
- The hub listings (`/hub/research/`, `/hub/news-blogs/`, `/hub/guidance/`) come last. Their
  posts live at `/hub/<section>/<slug>/`; a detail page is read from Yoast's `og:` tags,
  `article:published_time` / `article:modified_time`, JSON-LD, and `<link rel="shortlink"
  href="…?p=<id>">` for the post id.
The hub section (the URL path's second segment) gives the type hint `hub-<section>`. Every
channel carries the post's URL, so the canonical URL is the key and the post id an alias.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup, Tag

from aggregator.parse.feed_reader import parse_feed
from aggregator.parse.raw import RawAttachment, RawItem
from spiders.base import (
    FeedKind,
    JsonApiKind,
    ListingKind,
    Page,
    Parsed,
    ParseError,
    canonical_link,
    json_ld,
    ld_value,
    main_element,
    main_text,
    meta_content,
    pdf_links,
)

# /hub/<section>/<slug>/; author, category and tag archives are not posts.
HUB_POST_PATH = re.compile(r"^/hub/(?!author/|category/|tag/|page/)([a-z0-9-]+)/[^/]+/?$")
REST_POSTS_PATH = re.compile(r"^/wp-json/wp/v2/posts/?$")
# The post id: the guid / shortlink `?p=178412`, or the REST link `/wp/v2/posts/178412`.
POST_ID_QUERY = re.compile(r"[?&]p=(\d+)\b")
POST_ID_REST = re.compile(r"/wp-json/wp/v2/posts/(\d+)\b")
# WordPress appends "<p>The post <a>Title</a> appeared first on <a>Site</a>.</p>" to feeds.
APPEARED_FIRST = re.compile(
    r"<p>\s*The post\b(?:(?!<p>).)*?\bappeared first on\b.*?</p>", re.S | re.I
)
ARTICLE_TYPES = ("Article", "NewsArticle", "BlogPosting", "Report", "WebPage")
DOCUMENT_LABELS = ("Download",)
# WordPress serves feeds `posts_per_rss` entries at a time (10 by default) and older ones at
# `?paged=2`, `?paged=3`…; a full page means there may be another.
FEED_PAGE_SIZE = 10
# Yoast's <title> and og:title suffix.
SITE_SUFFIX = re.compile(r"\s+[-–|]\s+Internet Matters\s*$")


class InternetMattersParser(FeedKind, JsonApiKind, ListingKind):
    # The feed guid is a shortlink (`?p=<id>`): kept as the wp-post alias, not as a guid.
    stable_guids = False
    detail_patterns = (HUB_POST_PATH,)

    def route(self, page: Page) -> str:
        """Feed XML, REST JSON, a hub post, or a hub listing: by content, then by URL."""
        head = page.body.lstrip()[:400].lower()
        kind = page.content_type.lower()
        if head.startswith((b"<?xml", b"<rss", b"<feed")) or "rss" in kind or "atom" in kind:
            return "feed"
        if "json" in kind or head.startswith((b"[", b"{")) or REST_POSTS_PATH.match(page.path):
            return "api"
        if HUB_POST_PATH.match(page.path) or b'rel="shortlink"' in page.body:
            return "detail"
        return "listing"

    # RSS feed (primary)

    def parse_feed(self, page: Page, partial: RawItem | None = None) -> Parsed:
        parsed = super().parse_feed(page, partial)
        # With stable_guids off the adapter keeps no guid; read the entries' guids (same
        # bytes, same parser, same order) for the post ids.
        entries = parse_feed(page.body, page.url).entries
        for raw, entry in zip(parsed.items, entries, strict=True):
            self._adjust_feed_entry(page, raw, entry.guid)
        if len(entries) >= FEED_PAGE_SIZE:
            parsed.next_page = _next_feed_page(page.url)
        return parsed

    def _adjust_feed_entry(self, page: Page, raw: RawItem, guid: str | None) -> None:
        raw.summary = _strip_appeared_first(raw.summary)
        raw.body_text = _strip_appeared_first(raw.body_text)
        raw.type_hint = _parse_type_hint(raw.url)
        section = _section(raw.url)
        # Categories that only repeat the hub section ("Research") are not topics.
        raw.topic_hints = [c for c in raw.topic_hints if _section_name(c) != section]
        raw.aliases = _wp_alias(_post_id(guid))
        raw.attachments = raw.attachments + _fragment_documents(page, raw.body_text)

    # REST API (fallback)

    def api_records(self, data: Any, page: Page) -> Iterable[Any]:
        if not isinstance(data, list):
            raise ParseError(f"WordPress REST response is not a list of posts: {page.url}")
        return [r for r in data if isinstance(r, dict) and r.get("link")]

    def api_item(self, record: Any, page: Page) -> tuple[RawItem, str | None]:
        link = str(record["link"])
        content = _rendered(record.get("content"))
        raw = self.raw(
            page,
            link,
            _rendered(record.get("title")),
            summary=_rendered(record.get("excerpt")),
            published=_utc(record.get("date_gmt")) or _local(record.get("date")),
            updated=_utc(record.get("modified_gmt")) or _local(record.get("modified")),
            type_hint=_parse_type_hint(link),
            attachments=_fragment_documents(page, content),
            aliases=_wp_alias(str(record["id"]) if record.get("id") is not None else None),
            body_text=content,
            complete=True,
        )
        return raw, None

    # Hub listings and post pages (fallback)

    def listing_region(self, soup: BeautifulSoup) -> Tag:
        """Links inside <main> only (never menus, footers)."""
        return main_element(soup)

    def listing_hint(self, page: Page, anchor: Tag, url: str) -> RawItem | None:
        """A card: its heading is the title (the link also wraps an image and a kicker)."""
        heading = anchor.find(["h2", "h3", "h4"])
        title = _text(heading) if isinstance(heading, Tag) else _text(anchor)
        if not title:
            return None
        summary = ""
        card = _card(page, anchor, url)
        if card is not None:
            paragraph = card.find("p")
            summary = _text(paragraph) if isinstance(paragraph, Tag) else ""
        return self.raw(page, url, title, summary=summary, type_hint=_parse_type_hint(url))

    def parse_detail(self, page: Page, partial: RawItem | None = None) -> Parsed:
        soup = page.soup()
        ld = json_ld(soup)
        main = main_element(soup)
        url = _parse_url(soup, page)
        raw = self.raw(
            page,
            url,
            _parse_title(soup, main),
            summary=meta_content(soup, "description", "og:description")
            or (partial.summary if partial else ""),
            published=meta_content(soup, "article:published_time")
            or ld_value(ld, "datePublished", ARTICLE_TYPES),
            updated=meta_content(soup, "article:modified_time")
            or ld_value(ld, "dateModified", ARTICLE_TYPES),
            type_hint=_parse_type_hint(url),
            attachments=pdf_links(page, main, DOCUMENT_LABELS),
            aliases=_wp_alias(_parse_post_id(soup)),
            body_text=main_text(main),
            complete=True,
        )
        if partial is not None:
            raw.fetched_from = partial.fetched_from
        return Parsed(items=[raw])


def _card(page: Page, anchor: Tag, url: str) -> Tag | None:
    """The card around a listing link: the smallest ancestor that holds more than the link
    (which may wrap the whole card or sit inside its heading), widened while it shows no
    paragraph and links no other post, so an excerpt in a sibling wrapper still counts."""
    own = len(_text(anchor))
    card: Tag | None = None
    node = anchor.parent
    for _ in range(4):
        if not isinstance(node, Tag) or _links_other_post(page, node, url):
            break
        if len(_text(node)) > own + 5:
            card = node
            if node.find("p") is not None:
                break
        node = node.parent
    return card


def _links_other_post(page: Page, node: Tag, url: str) -> bool:
    for anchor in node.find_all("a", href=True):
        other = urljoin(page.url, str(anchor["href"])).split("#")[0]
        if other != url and HUB_POST_PATH.match(urlsplit(other).path):
            return True
    return False


def _next_feed_page(url: str) -> str:
    """The feed URL with WordPress's `paged` parameter moved on by one."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    current = query.get("paged", "1")
    query["paged"] = str(int(current) + 1 if current.isdigit() else 2)
    return urlunsplit(parts._replace(query=urlencode(query)))


def _post_id(text: str | None) -> str | None:
    if not text:
        return None
    match = POST_ID_QUERY.search(text) or POST_ID_REST.search(text)
    return match.group(1) if match else None


def _wp_alias(post_id: str | None) -> list[str]:
    return [f"wp-post:{post_id}"] if post_id else []


def _parse_post_id(soup: BeautifulSoup) -> str | None:
    """The id in `<link rel="shortlink">`, else in the REST `<link rel="alternate">`."""
    for link in soup.find_all("link", href=True):
        rel = link.get("rel")
        rels = list(rel) if isinstance(rel, list) else [str(rel)]
        if "shortlink" in rels or "alternate" in rels:
            found = _post_id(str(link["href"]))
            if found:
                return found
    return None


def _section(url: str) -> str | None:
    """The hub section of a post URL (`research` in /hub/research/<slug>/)."""
    match = HUB_POST_PATH.match(urlsplit(url).path)
    return match.group(1) if match else None


def _section_name(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def _parse_type_hint(url: str) -> str | None:
    section = _section(url)
    return f"hub-{section}" if section else None


def _parse_url(soup: BeautifulSoup, page: Page) -> str:
    found = canonical_link(soup) or meta_content(soup, "og:url")
    if found and urlsplit(urljoin(page.url, found)).hostname == urlsplit(page.url).hostname:
        return urljoin(page.url, found)
    return page.url


def _parse_title(soup: BeautifulSoup, main: Tag) -> str:
    title = meta_content(soup, "og:title")
    if title:
        return SITE_SUFFIX.sub("", title)
    h1 = main.find("h1")
    if isinstance(h1, Tag) and _text(h1):
        return _text(h1)
    return soup.title.get_text() if soup.title else ""


def _strip_appeared_first(fragment: str) -> str:
    return APPEARED_FIRST.sub("", fragment).strip()


def _fragment_documents(page: Page, fragment: str) -> list[RawAttachment]:
    """Documents linked from an HTML fragment (feed content, REST `content.rendered`)."""
    if not fragment or "<a" not in fragment:
        return []
    return pdf_links(page, BeautifulSoup(fragment, "lxml"), DOCUMENT_LABELS)


def _rendered(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("rendered") or "")
    return str(value or "")


def _utc(value: Any) -> str | None:
    """A REST `*_gmt` timestamp: it has no zone but is UTC."""
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip() + "Z"


def _local(value: Any) -> str | None:
    """A REST site-local timestamp (no zone: parse_date reads it as Europe/London)."""
    return value.strip() if isinstance(value, str) and value.strip() else None


def _text(node: Tag) -> str:
    return " ".join(node.get_text(" ").split())


PARSER = InternetMattersParser
