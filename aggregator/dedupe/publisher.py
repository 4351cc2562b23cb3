"""The publisher of record: which member of a cluster actually published the publication.

The others become provenance ("via NSPCC"). Pure: decided from the members' URLs,
attachments, links and dates alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from aggregator.dedupe.clusters import Candidate, as_utc
from aggregator.dedupe.url_keys import url_keys

__all__ = ["publisher_of_record"]


def _site(url: str) -> str:
    """The host without "www.": a site and its "www." form are one site."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def _is_gov_uk(url: str) -> bool:
    site = _site(url)
    return site == "gov.uk" or site.endswith(".gov.uk")


def publisher_of_record(members: Sequence[Candidate]) -> Candidate:
    """The member of a cluster whose publisher actually published it.

    The rule, in order:

    1. the original: the member most pointed at by the others, counting another member's
       link to its URL, its URL being another member's attachment, and another member's link
       to one of its attachments (the NSPCC write-up links to the Home Office page, so the
       Home Office page is the original);
    2. then a member sharing an attachment with another member while hosting that file on
       its own site (``assets.publishing.service.gov.uk`` counts as ``gov.uk``);
    3. then a GOV.UK page (``gov.uk`` or a ``*.gov.uk`` site);
    4. then the earliest published (undated members last);
    5. then the lowest ``item_id``.
    """
    if not members:
        raise ValueError("publisher_of_record needs at least one member")

    def keys(urls: Iterable[str]) -> set[str]:
        return {k for k, _ in url_keys(urls)}

    own = {m.item_id: keys([m.url]) for m in members}
    atts = {m.item_id: keys(m.attachment_urls) for m in members}
    links = {m.item_id: keys(m.link_urls) for m in members}

    def pointed_at(m: Candidate) -> int:
        count = 0
        for other in members:
            if other.item_id == m.item_id:
                continue
            if own[m.item_id] & (links[other.item_id] | atts[other.item_id]) or (
                atts[m.item_id] & links[other.item_id]
            ):
                count += 1
        return count

    def hosts_shared_attachment(m: Candidate) -> bool:
        site = _site(m.url)
        shared = set().union(
            *(atts[m.item_id] & atts[o.item_id] for o in members if o.item_id != m.item_id)
        )
        for key in shared:
            host = key.split("/", 1)[0].split("@")[-1].split(":")[0]
            if host == site or host.endswith("." + site):
                return True
        return False

    def rank(m: Candidate) -> tuple[int, int, int, int, float, int]:
        published = as_utc(m.published).timestamp() if m.published is not None else float("inf")
        return (
            -pointed_at(m),
            0 if hosts_shared_attachment(m) else 1,
            0 if _is_gov_uk(m.url) else 1,
            0 if m.published is not None else 1,
            published,
            m.item_id,
        )

    return min(members, key=rank)
