"""Items for the classification tests."""

from __future__ import annotations

from aggregator.schema import Item


def make(
    title: str,
    summary: str = "",
    *,
    source: str = "home_office",
    url: str = "https://www.gov.uk/government/publications/example",
    publisher: str = "",
) -> Item:
    return Item(key=url, source=source, publisher=publisher, title=title, url=url, summary=summary)
