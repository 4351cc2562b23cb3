"""The Scrapy spider shell: what it keeps of a listing entry, how it reports a failure, and how
a registry entry becomes a spider over its parser."""

from __future__ import annotations

from datetime import UTC, datetime

from twisted.python.failure import Failure

from aggregator.fetch.spider import SourceSpider, describe_failure, listing_signature
from aggregator.fetch.spider_loader import parser_class, spider_class
from aggregator.parse.raw import RawItem
from aggregator.sources import REGISTRY


def raw(**fields: str) -> RawItem:
    return RawItem(
        source="x",
        url="https://example.org/a",
        title=fields.pop("title", "A title"),
        fetched_at=datetime(2024, 5, 31, tzinfo=UTC),
        **fields,  # type: ignore[arg-type]
    )


def test_listing_signature_reads_what_the_entry_says_not_how_it_is_spaced() -> None:
    assert listing_signature(raw(title="A  title ")) == listing_signature(raw())
    assert listing_signature(raw(summary="Changed")) != listing_signature(raw())
    assert listing_signature(raw(type_hint="news")) != listing_signature(raw())


def test_a_failure_is_described_by_its_status_or_its_error() -> None:
    class Answer:
        status = 404

    class HttpError(Exception):
        response = Answer()

    assert describe_failure(Failure(HttpError())) == "HTTP 404"
    assert describe_failure(Failure(TimeoutError("took too long"))) == (
        "TimeoutError: took too long"
    )


def test_every_registry_entry_is_a_spider_over_its_parser() -> None:
    for slug, source in REGISTRY.items():
        cls = spider_class(slug)
        assert issubclass(cls, SourceSpider)
        assert (cls.name, cls.source, cls.parser_class) == (slug, source, parser_class(slug))
