"""An item's identity within its source: the key, and the fallback order behind it.

1. **The canonical URL of the publication's own page** (`url_key`: no scheme, no `www.`, no
   trailing slash, no tracking parameters or fragment, host lower-cased). It comes first
   because every channel of a source gives it: GOV.UK's Search API, Content API and Atom
   feeds all carry the base path; a WordPress feed, its REST API and the page itself all carry
   the permalink. Keying on anything only one channel has (a GOV.UK `content_id`, an Atom
   entry id) would duplicate every item on the day the fallback channel is used.
2. **A stable native id**, when the publication has no page of its own (a feed entry with a
   guid but no link): `guid:<id>`.
3. **A content hash** of the source, the normalised title and the published date, when
   nothing else exists, so the same entry seen twice is still one item.

Native ids (`govuk-content-id:…`, `wp-post:…`, `feed-guid:…`) are kept as aliases beside the
key and match too (storage looks items up by key, then by alias), so a renamed URL or a change
of channel finds the same item. Ids that change on every update (GOV.UK organisation feed entry
ids embed a timestamp) are never aliases.
"""

from __future__ import annotations

import hashlib

from aggregator.normalise.text import clean_title
from aggregator.normalise.urls import url_key


def item_key(
    url: str | None, aliases: list[str], *, source: str, title: str, published: str | None
) -> str:
    """The key by the fallback order above (`url` already canonical, or None)."""
    if url:
        return url_key(url)
    for alias in aliases:
        scheme, _, value = alias.partition(":")
        if value and scheme in ("feed-guid", "wp-post", "govuk-content-id"):
            return f"guid:{value}"
    digest = hashlib.sha256(
        "\x1f".join(
            (source, " ".join(clean_title(title).casefold().split()), published or "")
        ).encode("utf-8")
    ).hexdigest()[:32]
    return f"hash:{digest}"
