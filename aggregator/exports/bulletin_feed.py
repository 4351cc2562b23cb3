"""The feed of published bulletins: one entry per bulletin, its whole email HTML as content.

It is the input for a weekly RSS-driven email campaign (Mailchimp's "RSS to email" sends the
entries dated after its last send; docs/exports.md says how to set it up): an entry is dated
by the bulletin's first publication, so a correction, which moves only Atom's `updated`,
never sends a bulletin twice. The HTML is the revision's frozen rendering, byte for byte what
`aggregator export --bulletin ID --format html` writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from aggregator.exports.syndication import (
    FeedInfo,
    atom_head,
    atom_tail,
    rfc822,
    rfc3339,
    rss_head,
    rss_tail,
    tag_uri,
)
from aggregator.storage.bulletin_revisions import PublishedBulletin

BULLETINS_FEED = FeedInfo(
    name="bulletins",
    title="Safeguarding current awareness: published bulletins",
    description="Each bulletin the editors publish, in full, as it went out.",
)


def bulletin_url(info: FeedInfo, bulletin: PublishedBulletin) -> str:
    """Where the review app serves the bulletin's frozen HTML (no login needed)."""
    return f"{info.base_url}/feeds/bulletins/{bulletin.id}.html"


def bulletin_id_uri(info: FeedInfo, bulletin: PublishedBulletin) -> str:
    return tag_uri(f"bulletin/{bulletin.id}", info.authority)


def newest(bulletins: Iterable[PublishedBulletin]) -> PublishedBulletin | None:
    return max(bulletins, key=lambda b: b.published_at, default=None)


def bulletins_rss(bulletins: list[PublishedBulletin], info: FeedInfo) -> Iterator[str]:
    """RSS 2.0: `pubDate` is the first publication (what RSS-to-email compares with its last
    send), `description` the whole HTML (Mailchimp's *|RSSITEM:CONTENT_FULL|*)."""
    latest = newest(bulletins)
    info = replace(info, updated=latest.published_at if latest else None).resolved("rss")
    xml = rss_head(info)
    yield xml.take()
    for bulletin in bulletins:
        xml.newline(2)
        xml.start("item")
        xml.element(3, "title", bulletin.title)
        xml.element(3, "link", bulletin_url(info, bulletin))
        xml.element(3, "description", bulletin.html)
        xml.element(3, "guid", bulletin_id_uri(info, bulletin), {"isPermaLink": "false"})
        xml.element(3, "pubDate", rfc822(bulletin.first_published_at))
        xml.newline(2)
        xml.end("item")
        yield xml.take()
    yield rss_tail(xml)


def bulletins_atom(bulletins: list[PublishedBulletin], info: FeedInfo) -> Iterator[str]:
    """Atom 1.0: `published` is the first publication, `updated` the latest revision's (a
    correction reaches readers), `content type="html"` the whole HTML."""
    latest = newest(bulletins)
    info = replace(info, updated=latest.published_at if latest else None).resolved("atom")
    xml = atom_head(info)
    yield xml.take()
    for bulletin in bulletins:
        xml.newline(1)
        xml.start("entry")
        xml.element(2, "id", bulletin_id_uri(info, bulletin))
        xml.element(2, "title", bulletin.title, {"type": "text"})
        link = {"rel": "alternate", "type": "text/html", "href": bulletin_url(info, bulletin)}
        xml.element(2, "link", None, link)
        xml.element(2, "published", rfc3339(bulletin.first_published_at))
        xml.element(2, "updated", rfc3339(bulletin.published_at))
        xml.element(2, "content", bulletin.html, {"type": "html"})
        xml.newline(1)
        xml.end("entry")
        yield xml.take()
    yield atom_tail(xml)
