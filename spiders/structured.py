"""What a page declares about itself in markup: meta tags (Open Graph, Yoast, Dublin Core),
the canonical link and JSON-LD, read the same way for every HTML source."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from spiders.base import Page


def meta_content(soup: BeautifulSoup, *names: str) -> str | None:
    """The first non-empty <meta name|property=…> content among `names`."""
    for name in names:
        tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
        if isinstance(tag, Tag) and tag.get("content"):
            return str(tag["content"]).strip()
    return None


def canonical_link(soup: BeautifulSoup) -> str | None:
    tag = soup.find("link", rel="canonical")
    if isinstance(tag, Tag) and tag.get("href"):
        return str(tag["href"])
    return None


def json_ld(soup: BeautifulSoup) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, with @graph containers flattened."""
    found: list[dict[str, Any]] = []
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "")
        except ValueError:
            continue  # broken structured data is common; the page text still counts
        found.extend(_flatten_ld(data))
    return found


def _flatten_ld(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for entry in data:
            yield from _flatten_ld(entry)
    elif isinstance(data, dict):
        if "@graph" in data:
            yield from _flatten_ld(data["@graph"])
        else:
            yield data


def ld_value(objects: Sequence[dict[str, Any]], key: str, types: Sequence[str] = ()) -> str | None:
    """The first `key` of a JSON-LD object (of one of `types`, if given)."""
    for obj in objects:
        kind = obj.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if types and not any(k in types for k in kinds):
            continue
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def same_site_url(soup: BeautifulSoup, page: Page) -> str:
    """The page's canonical URL (<link rel=canonical>, else og:url) when it is on the page's
    own host; else the URL the page was fetched from."""
    return declared_url(soup, page) or page.url


def declared_url(soup: BeautifulSoup, page: Page) -> str | None:
    """The canonical URL the page declares (<link rel=canonical>, else og:url), if it is on
    the page's own host."""
    found = canonical_link(soup) or meta_content(soup, "og:url")
    if found and urlsplit(urljoin(page.url, found)).hostname == urlsplit(page.url).hostname:
        return urljoin(page.url, found)
    return None
