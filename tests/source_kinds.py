"""Slug lists for tests, derived from the registry and the fixtures on disk (never typed in).

A test that covers "every source of some kind" asks here, so a new registry entry with
fixtures is picked up without editing the test.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from aggregator.devtools.fixtures import FIXTURES_DIR, read_meta
from aggregator.sources import REGISTRY, SourceKind

PAGE_2 = "2"
VARIANT = "variant"


def slugs_with_fixtures() -> list[str]:
    """Registered slugs that have a fixture folder (fixtures/<slug>/meta.json)."""
    return sorted(slug for slug in REGISTRY if (FIXTURES_DIR / slug / "meta.json").exists())


def html_slugs() -> list[str]:
    """Registered sources of the HTML kind: each has its own module and a `variant/` re-skin."""
    return sorted(slug for slug, source in REGISTRY.items() if source.kind == SourceKind.HTML)


def reskinned_slugs() -> list[str]:
    """Registered slugs whose `variant/` snapshot re-skins HTML pages (a class-name redesign).

    Variants of API responses (GOV.UK's reordered keys) hold no HTML and are tested by their
    kind's own tests; every HTML-kind source must have a re-skin (tests/test_sources.py).
    """
    found = []
    for slug in slugs_with_fixtures():
        variant = FIXTURES_DIR / slug / VARIANT
        if (variant / "meta.json").exists() and any(
            "html" in r.content_type.lower() for r in read_meta(variant)
        ):
            found.append(slug)
    return found


def second_pages() -> list[tuple[str, str]]:
    """(slug, URL) for each fixture response that is page 2 of a source's primary channel.

    Page 2 is the channel's scheme, host and path with one more query parameter set to "2"
    (`?page=2`, `?paged=2`); a source whose fixtures hold no such page is not paginated.
    """
    found = []
    for slug in slugs_with_fixtures():
        primaries = [c.url for c in REGISTRY[slug].channels if c.role == "primary"]
        for response in read_meta(FIXTURES_DIR / slug):
            if any(_is_page_2(response.url, channel) for channel in primaries):
                found.append((slug, response.url))
    return found


def _is_page_2(url: str, channel: str) -> bool:
    page, first = urlsplit(url), urlsplit(channel)
    if (page.scheme, page.hostname, page.path) != (first.scheme, first.hostname, first.path):
        return False
    added = set(parse_qsl(page.query)) - set(parse_qsl(first.query))
    return any(value == PAGE_2 for _name, value in added)
