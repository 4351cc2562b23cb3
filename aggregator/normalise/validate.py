"""Invariants every stored item keeps. Invalid items are dropped with a reason, never fixed."""

from __future__ import annotations

from datetime import datetime

from aggregator.schema import Item, Precision


class ValidationError(ValueError):
    def __init__(self, reason: str, url: str) -> None:
        self.reason = reason
        self.url = url
        super().__init__(f"{reason}: {url}")


def validate(item: Item, fetched_at: datetime, drop_reason: str | None = None) -> Item:
    """Return `item` unchanged, or raise ValidationError with a countable reason.

    Published and updated dates may not be later than the fetch (a future date is a
    publisher's error or a misread); event times may, as webinars are announced in advance.
    """
    if drop_reason:
        raise ValidationError(drop_reason, item.url)
    if not item.title.strip():
        raise ValidationError("missing title", item.url)
    if not item.url.startswith(("https://", "http://")):
        raise ValidationError("url not absolute http(s)", item.url)
    if (item.published is None) != (item.published_precision == Precision.NONE):
        raise ValidationError("date precision inconsistent", item.url)
    if item.published and item.published > fetched_at:
        raise ValidationError("published after fetch time", item.url)
    if item.updated and item.updated > fetched_at:
        raise ValidationError("updated after fetch time", item.url)
    if item.event_start and item.event_end and item.event_end < item.event_start:
        raise ValidationError("event ends before it starts", item.url)
    return item
