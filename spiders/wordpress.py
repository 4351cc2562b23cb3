"""The WordPress kind: feed, then REST API, then listing pages; a WordPress site is a registry
entry, and a module of its own only for its quirks (a subclass of `WordPressParser`).

What every WordPress site does:
- The RSS feed (`/feed/`) serves `posts_per_rss` entries a page (10 by default) and older ones
  at `?paged=2`, `?paged=3`…; its `<guid>` is the shortlink `…/?p=<id>`, which names the post:
  it becomes the alias `wp-post:<id>`, never a guid alias. Each description ends with the
  "The post … appeared first on <site>." line, which is not part of the summary.
- The REST API (`/wp-json/wp/v2/posts`) gives `id`, `link`, `title.rendered`,
  `excerpt.rendered` and `date_gmt` / `modified_gmt`, which carry no zone but are UTC (so a
  `Z` is appended); `date` / `modified` are site-local (Europe/London).
- A post page carries Yoast's `og:` tags, `article:published_time` / `article:modified_time`,
  JSON-LD, and `<link rel="shortlink" href="…?p=<id>">` for the post id; its <title> and
  og:title end with " - <site>".
- Posts live at a permalink (`post_path`): `/<section>/<slug>/` or a dated
  `/<yyyy>/<mm>/<dd>/<slug>/` by default. The section (the URL's, else the first feed
  category) is the type hint; categories that only repeat the section are not topics.
Every channel carries the post's URL, so the canonical URL is the key and the post id an alias.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup, Tag

from aggregator.parse.feed_reader import parse_feed
from aggregator.parse.markup_limits import MarkupLimitError, check_fragment
from aggregator.parse.raw import RawAttachment, RawItem
from aggregator.schema import DocType
from spiders.base import FeedKind, JsonApiKind, Page, Parsed, ParseError
from spiders.chrome import main_element
from spiders.documents import document_links
from spiders.html import Detail, HtmlKind
from spiders.page_text import text_of
from spiders.sitemaps import is_sitemap
from spiders.structured import same_site_url

# A post's permalink: `/<section>/<slug>/` (group 1: the section) or `/<yyyy>/<mm>/<dd>/<slug>/`;
# author, category, tag and page archives and WordPress's own paths are not posts.
POST_PATH = re.compile(
    r"^/(?!(?:author|category|tag|page|feed|comments|wp-[a-z-]+)/)"
    r"(?:\d{4}/\d{2}/(?:\d{2}/)?|([a-z0-9-]+)/)[^/]+/?$"
)
REST_POSTS_PATH = re.compile(r"^/wp-json/wp/v2/posts/?$")
# The post id: the guid / shortlink `?p=178412`, or the REST link `/wp/v2/posts/178412`.
POST_ID_QUERY = re.compile(r"[?&]p=(\d+)\b")
POST_ID_REST = re.compile(r"/wp-json/wp/v2/posts/(\d+)\b")
# WordPress appends "<p>The post <a>Title</a> appeared first on <a>Site</a>.</p>" to feeds.
APPEARED_FIRST = re.compile(
    r"<p>\s*The post\b(?:(?!<p>).)*?\bappeared first on\b.*?</p>", re.S | re.I
)
# A full feed page may have another after it.
FEED_PAGE_SIZE = 10


class WordPressParser(FeedKind, JsonApiKind, HtmlKind):
    # The feed guid is a shortlink (`?p=<id>`): kept as the wp-post alias, not as a guid.
    stable_guids = False
    post_path: ClassVar[re.Pattern[str]] = POST_PATH

    def route(self, page: Page) -> str:
        """Feed XML, REST JSON, a post, or a listing: by content, then by URL."""
        head = page.body.lstrip()[:400].lower()
        kind = page.content_type.lower()
        if is_sitemap(page.body):
            return "sitemap"
        if head.startswith((b"<?xml", b"<rss", b"<feed")) or "rss" in kind or "atom" in kind:
            return "feed"
        if "json" in kind or head.startswith((b"[", b"{")) or REST_POSTS_PATH.match(page.path):
            return "api"
        if self.post_path.match(page.path) or b'rel="shortlink"' in page.body:
            return "detail"
        return "listing"

    def section(self, url: str) -> str | None:
        """The section a post URL files it in (the post path's first group), if any."""
        match = self.post_path.match(urlsplit(url).path)
        return match.group(1) if match and match.re.groups else None

    def resolve_type(self, label: str | None, url: str) -> tuple[DocType, str] | None:
        """A post without a label (classified again from storage) is read by its URL's
        section, the label every channel would have given it."""
        return super().resolve_type(label or self.section_hint(url), url)

    def section_hint(self, url: str, categories: Sequence[str] = ()) -> str | None:
        """A post's type hint: its URL's section, else its first category."""
        return self.section(url) or (section_name(categories[0]) if categories else None)

    # RSS feed

    def parse_feed(self, page: Page, partial: RawItem | None = None) -> Parsed:
        parsed = super().parse_feed(page, partial)
        # With stable_guids off the adapter keeps no guid; read the entries' guids (same
        # bytes, same parser, same order) for the post ids.
        entries = parse_feed(page.body, page.url).entries
        for raw, entry in zip(parsed.items, entries, strict=True):
            self.adjust_post_entry(page, raw, entry.guid)
        if len(entries) >= FEED_PAGE_SIZE:
            parsed.next_page = next_feed_page(page.url)
        return parsed

    def adjust_post_entry(self, page: Page, raw: RawItem, guid: str | None) -> None:
        raw.summary = strip_appeared_first(raw.summary)
        raw.body_text = strip_appeared_first(raw.body_text)
        raw.type_hint = self.section_hint(raw.url, raw.topic_hints)
        section = self.section(raw.url)
        # Categories that only repeat the section ("Research") are not topics.
        raw.topic_hints = [c for c in raw.topic_hints if section_name(c) != section]
        raw.aliases = wp_alias(post_id(guid))
        raw.attachments = raw.attachments + self.fragment_documents(page, raw.body_text)

    # REST API

    def api_records(self, data: Any, page: Page) -> Iterable[Any]:
        if not isinstance(data, list):
            raise ParseError(f"WordPress REST response is not a list of posts: {page.url}")
        return [r for r in data if isinstance(r, dict) and r.get("link")]

    def api_item(self, record: Any, page: Page) -> tuple[RawItem, str | None]:
        link = str(record["link"])
        content = rendered(record.get("content"))
        raw = self.raw(
            page,
            link,
            rendered(record.get("title")),
            summary=rendered(record.get("excerpt")),
            published=utc(record.get("date_gmt")) or local(record.get("date")),
            updated=utc(record.get("modified_gmt")) or local(record.get("modified")),
            type_hint=self.section_hint(link),
            attachments=self.fragment_documents(page, content),
            aliases=wp_alias(str(record["id"]) if record.get("id") is not None else None),
            body_text=content,
            complete=True,
        )
        return raw, None

    # Listings and post pages

    def is_detail_url(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.hostname in self.source.all_hosts() and bool(self.post_path.match(parts.path))

    def listing_region(self, soup: BeautifulSoup) -> Tag:
        """Links inside <main> only (never menus, footers)."""
        return main_element(soup)

    def listing_hint(self, page: Page, anchor: Tag, url: str) -> RawItem | None:
        """A card: its heading is the title (the link also wraps an image and a kicker)."""
        found = anchor.find(["h2", "h3", "h4"])
        title = text_of(found) if isinstance(found, Tag) else text_of(anchor)
        if not title:
            return None
        card = self.post_card(page, anchor, url)
        summary = ""
        if card is not None:
            paragraph = card.find("p")
            summary = text_of(paragraph) if isinstance(paragraph, Tag) else ""
        return self.raw(page, url, title, summary=summary, type_hint=self.section_hint(url))

    def post_card(self, page: Page, anchor: Tag, url: str) -> Tag | None:
        """The card around a listing link: the smallest ancestor that holds more than the link
        (which may wrap the whole card or sit inside its heading), widened while it shows no
        paragraph and links no other post, so an excerpt in a sibling wrapper still counts."""
        own = len(text_of(anchor))
        found: Tag | None = None
        node = anchor.parent
        for _ in range(4):
            if not isinstance(node, Tag) or self.links_other_post(page, node, url):
                break
            if len(text_of(node)) > own + 5:
                found = node
                if node.find("p") is not None:
                    break
            node = node.parent
        return found

    def links_other_post(self, page: Page, node: Tag, url: str) -> bool:
        for anchor in node.find_all("a", href=True):
            other = urljoin(page.url, str(anchor["href"])).split("#")[0]
            if other != url and self.post_path.match(urlsplit(other).path):
                return True
        return False

    def parse_type_hint(self, detail: Detail) -> str | None:
        return self.section_hint(self.site_url(detail) or same_site_url(detail.soup, detail.page))

    def parse_aliases(self, detail: Detail) -> list[str]:
        return wp_alias(shortlink_post_id(detail.soup))

    def fragment_documents(self, page: Page, fragment: str) -> list[RawAttachment]:
        """Documents linked from an HTML fragment (feed content, REST `content.rendered`)."""
        if not fragment or "<a" not in fragment:
            return []
        try:
            check_fragment(fragment)
        except MarkupLimitError:
            return []  # the field itself is refused, with a warning, by SourceParser.parse
        return document_links(page.url, BeautifulSoup(fragment, "lxml"), self.document_labels)


def next_feed_page(url: str) -> str:
    """The feed URL with WordPress's `paged` parameter moved on by one."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    current = query.get("paged", "1")
    query["paged"] = str(int(current) + 1 if current.isdigit() else 2)
    return urlunsplit(parts._replace(query=urlencode(query)))


def post_id(text: str | None) -> str | None:
    if not text:
        return None
    match = POST_ID_QUERY.search(text) or POST_ID_REST.search(text)
    return match.group(1) if match else None


def wp_alias(found: str | None) -> list[str]:
    return [f"wp-post:{found}"] if found else []


def shortlink_post_id(soup: BeautifulSoup) -> str | None:
    """The id in `<link rel="shortlink">`, else in the REST `<link rel="alternate">`."""
    for link in soup.find_all("link", href=True):
        rel = link.get("rel")
        rels = list(rel) if isinstance(rel, list) else [str(rel)]
        if "shortlink" in rels or "alternate" in rels:
            found = post_id(str(link["href"]))
            if found:
                return found
    return None


def section_name(label: str) -> str:
    """A category label as a URL section ("News & blogs" → "news-blogs")."""
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def strip_appeared_first(fragment: str) -> str:
    return APPEARED_FIRST.sub("", fragment).strip()


def rendered(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("rendered") or "")
    return str(value or "")


def utc(value: Any) -> str | None:
    """A REST `*_gmt` timestamp: it has no zone but is UTC."""
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip() + "Z"


def local(value: Any) -> str | None:
    """A REST site-local timestamp (no zone: parse_date reads it as Europe/London)."""
    return value.strip() if isinstance(value, str) and value.strip() else None


PARSER = WordPressParser
