"""RawItem → Item: the one place where a publisher's strings become the item schema."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from urllib.parse import urlsplit

from aggregator.classify import rules as classify
from aggregator.dedupe.identity import item_key
from aggregator.normalise.dates import DateError, parse_date, parse_event_range
from aggregator.normalise.storable import storable
from aggregator.normalise.text import clean_text, clean_title
from aggregator.normalise.urls import canonical_url
from aggregator.parse.raw import RawItem
from aggregator.schema import Attachment, DocType, Item, Link, Precision, Sighting
from aggregator.sources import REGISTRY


class NormaliseError(ValueError):
    """A raw item that cannot become an item; `reason` is counted in the crawl record."""

    def __init__(self, reason: str, url: str) -> None:
        self.reason = reason
        self.url = url
        super().__init__(f"{reason}: {url}")


def normalise(raw: RawItem) -> Item:
    """The normalised item for a raw one, or NormaliseError with a countable reason."""
    return normalise_classified(raw)[0]


def normalise_classified(raw: RawItem) -> tuple[Item, classify.Classification]:
    """`normalise`, plus the classification that filled doc_type, topics and nations.

    The classification reads what only the raw item has (body text, the publisher's type
    label and applicability), so the crawl keeps it to store beside the item.
    """
    storable(raw)  # a NUL byte or lone surrogate would fail the whole batch's store
    # An entry without a page of its own (a feed entry with no link) is shown at the page it
    # was found on; its key then falls back to its native id or a content hash.
    own_page = bool(raw.url.strip())
    try:
        page = raw.url if own_page else raw.fetched_from
        url = canonical_url(page, base=raw.fetched_from or None)
    except ValueError as exc:
        raise NormaliseError("bad url", raw.url or raw.fetched_from) from exc
    try:
        published = parse_date(raw.published)
        updated = parse_date(raw.updated)
        event_start, event_end = _event_times(raw)
        opens = parse_date(raw.opens).value
        closes = parse_date(raw.closes).value
        withdrawn_at = parse_date(raw.withdrawn_at).value
    except DateError as exc:
        raise NormaliseError(f"bad date ({exc.reason})", url) from exc

    title = clean_title(raw.title)
    registered = REGISTRY.get(raw.source)
    # A feed read outside the registry (`aggregator parse feed`) is credited to its host.
    publisher = raw.publisher or (registered.publisher if registered else urlsplit(url).hostname)
    # An attachment or link that is not http(s) (javascript:, data:, a mail or file link) is
    # left out: nothing a bulletin may link to, and never a reason to lose the item.
    attachments = [
        Attachment(
            title=clean_text(a.title) or "Download",
            url=target,
            media_type=a.media_type,
            size=a.size,
        )
        for a in raw.attachments
        if (target := linkable(a.url, url))
    ]
    links = [
        Link(label=clean_text(label), url=target)
        for label, href in raw.links
        if (target := linkable(href, url))
    ]
    item = Item(
        key=item_key(
            url if own_page else None,
            raw.aliases,
            source=raw.source,
            title=raw.title,
            published=raw.published,
        ),
        source=raw.source,
        publisher=publisher or "",
        title=title,
        url=url,
        summary=clean_text(raw.summary),
        doc_type=DocType.OTHER,
        topics=[],
        nations=[],
        published=published.value,
        published_precision=published.precision,
        # An "updated" no later than first publication says nothing new.
        updated=updated.value
        if updated.value and (published.value is None or updated.value > published.value)
        else None,
        change_note=clean_text(raw.change_note) or None,
        event_start=event_start,
        event_end=event_end,
        event_precision=Precision(raw.event_precision) if raw.event_precision else Precision.NONE,
        release_state=raw.release_state,
        opens=opens,
        closes=closes,
        attachments=attachments,
        links=links,
        provenance=[Sighting(raw.source, raw.fetched_from or url, raw.fetched_at)],
        aliases=sorted(set(raw.aliases)),
        withdrawn=(withdrawn_at or raw.fetched_at) if raw.withdrawn_reason else None,
        withdrawn_reason=raw.withdrawn_reason,
    )
    result = classify.classify_item(
        item,
        body_text=clean_text(raw.body_text),
        type_hint=raw.type_hint,
        doc_type_hint=raw.doc_type_hint,
        type_evidence=raw.type_evidence or "",
        nation_hints=list(raw.nation_hints),
    )
    item.doc_type, item.topics, item.nations = result.doc_type, result.topics, result.nations
    result = dataclasses.replace(result, extraction=dict(raw.field_layers))
    return item, result


def _event_times(raw: RawItem) -> tuple[datetime | None, datetime | None]:
    if raw.event_range:
        return parse_event_range(raw.event_range)
    start = parse_date(raw.event_start).value if raw.event_start else None
    end = parse_date(raw.event_end).value if raw.event_end else None
    return start, end


__all__ = ["NormaliseError", "normalise", "normalise_classified", "Precision"]


def linkable(href: str, base: str) -> str | None:
    """`href` as a canonical http(s) URL against `base`, or None if it is not one."""
    try:
        return canonical_url(href, base=base)
    except ValueError:
        return None
