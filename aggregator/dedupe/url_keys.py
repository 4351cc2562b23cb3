"""URLs as the cluster matcher compares them: `url_key` forms, computed fast.

Every item brings its own URL, its attachments and its outbound links; the index looks them
all up by `url_key` (no scheme, no `www.`, no trailing slash, no tracking parameters or
fragment), so the common already-canonical shape is keyed here without the full parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from aggregator.normalise.urls import canonical_url, url_key

__all__ = ["shown_url", "url_key_or_none", "url_keys"]


# URLs already in canonical shape apart from scheme, host case, "www." and a trailing slash:
# ASCII, no port, user, query, fragment, escape or dot segment. Their url_key is computed here
# directly (a tenth of the time); everything else goes through url_key. A test checks both
# agree.
_SIMPLE_URL_RE = re.compile(
    r"https?://([a-z0-9-]+(?:\.[a-z0-9-]+)*)(/[a-z0-9._~!$'()*,;=:@/+-]*)?", re.IGNORECASE
)


def url_key_or_none(url: str) -> str | None:
    """The url_key of an http(s) URL, or None for anything else (mailto:, junk)."""
    m = _SIMPLE_URL_RE.fullmatch(url)
    if m is not None:
        host, path = m.group(1).lower(), m.group(2) or ""
        if "//" not in path and "/." not in path:
            host = host.removeprefix("www.")
            return host + path.rstrip("/") if path.strip("/") else host
    try:
        return url_key(url)
    except ValueError:
        return None


def url_keys(urls: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(url_key, url) for each http(s) URL; anything else (mailto:, junk) is skipped."""
    for url in urls:
        key = url_key_or_none(url)
        if key is not None:
            yield key, url


def shown_url(url: str) -> str:
    """A URL as shown in a reason: canonical (the raw form when it cannot be)."""
    try:
        return canonical_url(url)
    except ValueError:
        return url
