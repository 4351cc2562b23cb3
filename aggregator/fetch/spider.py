"""The Scrapy spider shell: fetches a source's channels and detail pages, hands each response
to the source's parser (spiders/) and yields the raw items it returns.

Everything that talks to Scrapy lives here, so parsers stay pure functions of bytes, URL and
fetch time. The shell also keeps the crawl cheap: it stops paginating at pages of items already
stored, and skips a detail page whose listing entry reads as it did when the page was last
fetched (the listing signature, stored with the conditional-GET state).
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from aggregator.normalise.urls import canonical_url, url_key
from aggregator.parse.raw import RawItem
from aggregator.sources import NOT_OFFERED, Channel, ChannelKind, Source
from aggregator.storage.crawl_state import HttpEntry
from aggregator.storage.repository import Repository
from pipelines.offload import OverBudget, offloader
from spiders.base import Follow, Page, Parsed, ParseError, SourceParser


class SourceSpider(scrapy.Spider):
    """Fetches a source's channels and detail pages and hands each response to its parser.

    Primary channels run first; fallback channels run only when a primary one fails or yields
    nothing. A primary sitemap beside listings or feeds runs once they are done, so it adds
    only the pages they missed and each page keeps the listing it was found on. Failures are
    recorded with their URL (for the crawl record) and never stop the crawl; a detail page
    that fails still yields what its listing showed.
    """

    source: ClassVar[Source]
    parser_class: ClassVar[type[SourceParser]]

    # Pages of one listing followed at most, however new they look.
    max_pages: ClassVar[int] = 10

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parser = self.parser_class(self.source)
        self.errors: list[dict[str, str]] = []
        self._fallback_started = False
        self.known_keys: frozenset[str] = frozenset()
        self.gone: list[tuple[str, str]] = []  # (url, reason) of stored items now 404/410
        self._deferred: list[Channel] = []  # sitemaps to read once the other channels are done

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> Any:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.read_deferred, signal=signals.spider_idle)
        return spider

    def read_deferred(self) -> None:
        """On the first idle moment, the sitemaps held back at the start."""
        if not self._deferred:
            return
        assert self.crawler.engine is not None
        for channel in self._deferred:
            self.crawler.engine.crawl(self._channel_request(channel))
        self._deferred = []
        raise DontCloseSpider

    def load_known_keys(self) -> None:
        """Keys already stored for this source, so pagination stops at what was seen before."""
        url = self.crawler.settings.get("AGGREGATOR_DATABASE_URL")
        if url:
            self.known_keys = frozenset(Repository.from_url(url).keys(self.source.slug))

    async def start(self) -> Any:
        self.load_known_keys()
        # `-a channels=fallback` crawls the fallback channels alone (channel reconciliation).
        role = getattr(self, "channels", "primary")
        if role == "fallback":
            self._fallback_started = True
        chosen = [c for c in self.source.channels if c.role == role]
        others = [c for c in chosen if c.kind != ChannelKind.SITEMAP]
        for channel in chosen:
            if channel.kind == ChannelKind.SITEMAP and others:
                self._deferred.append(channel)
            else:
                yield self._channel_request(channel)

    def _channel_request(self, channel: Channel) -> scrapy.Request:
        return scrapy.Request(
            channel.url,
            callback=self.on_response,
            errback=self.on_error,
            meta={"channel": channel.url, "conditional": True},
            dont_filter=True,
        )

    def _fallbacks(self, reason: str) -> Iterator[scrapy.Request]:
        if self._fallback_started:
            return
        self._fallback_started = True
        for channel in self.source.channels:
            if channel.role == "fallback":
                # Recorded with the errors so the crawl record says which channel served.
                self.record_error(channel.url, f"fallback channel used: {reason}")
                yield self._channel_request(channel)

    def record_error(self, url: str, message: str) -> None:
        self.logger.error("%s: %s: %s", self.name, url, message)
        self.errors.append({"url": url, "message": message})

    def fetched_at(self, response: Response) -> datetime:
        # The fetch layer is the one place that reads the clock; the fixture download handler
        # sets the fixture's own fetch time instead so goldens are stable.
        stamp = response.meta.get("fetched_at")
        return stamp if isinstance(stamp, datetime) else datetime.now(UTC)

    async def on_response(
        self, response: Response, parser: str | None = None, partial: RawItem | None = None
    ) -> AsyncIterator[Any]:
        if response.status == 304:
            return  # unchanged since the last crawl: nothing to parse, nothing to follow
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        page = Page(response.body, response.url, self.fetched_at(response), content_type)
        channel = response.meta.get("channel")
        try:
            # Off the reactor thread, within the CPU budget (pipelines/offload.py).
            parsed = await offloader(self.crawler).run(
                f"parsing {response.url}", self.parser.parse, page, parser, partial
            )
        except (ParseError, ValueError, KeyError, TypeError, OverBudget) as exc:
            failure = str(exc) if isinstance(exc, OverBudget) else f"parse failed: {exc}"
            self.record_error(response.url, failure)
            if partial is not None and not self.is_known(partial):
                yield partial
            if channel:
                for request in self._fallbacks(f"parse failed at {response.url}"):
                    yield request
            return
        for found in self.after_parse(response, parsed, parser, partial):
            yield found

    def after_parse(
        self, response: Response, parsed: Parsed, parser: str | None, partial: RawItem | None
    ) -> Iterator[Any]:
        """The items a parsed response gave, then the requests it leads to."""
        channel = response.meta.get("channel")
        for warning in parsed.warnings:
            self.record_error(response.url, f"warning: {warning}")
        yield from parsed.items
        if partial is not None:
            # Fetched: remember what the listing said of it, to skip it while that stands.
            self.http_entry(response.url).listing_signature = listing_signature(partial)
        for follow in parsed.follow:
            if self.unchanged_since_last_fetch(follow):
                assert self.crawler.stats is not None
                self.crawler.stats.inc_value("aggregator/details_skipped")
                continue
            yield scrapy.Request(
                follow.url,
                callback=self.on_response,
                errback=self.on_error,
                cb_kwargs={"parser": follow.parser, "partial": follow.partial},
            )
        depth = int(response.meta.get("page_depth", 1))
        if parsed.next_page and self.wants_next_page(parsed, depth):
            yield scrapy.Request(
                parsed.next_page,
                callback=self.on_response,
                errback=self.on_error,
                cb_kwargs={"parser": parser},
                meta={"page_depth": depth + 1, "conditional": True},
            )
        if channel and not parsed.items and not parsed.follow:
            self.record_error(response.url, "channel yielded no items")
            yield from self._fallbacks(f"no items at {response.url}")

    def http_entry(self, url: str) -> HttpEntry:
        entries: dict[str, HttpEntry] = getattr(self, "http_entries", None) or {}
        self.http_entries = entries
        return entries.setdefault(url, HttpEntry())

    def unchanged_since_last_fetch(self, follow: Follow) -> bool:
        """A stored item whose listing entry reads as it did when its page was last fetched:
        the page is not fetched again (the listing or feed would say if it changed)."""
        if follow.partial is None or not self.is_known(follow.partial):
            return False
        entries: dict[str, HttpEntry] = getattr(self, "http_entries", None) or {}
        entry = entries.get(follow.url)
        return entry is not None and entry.listing_signature == listing_signature(follow.partial)

    def is_known(self, raw: RawItem) -> bool:
        """Whether the source already has this item stored (by its canonical URL key)."""
        try:
            return url_key(canonical_url(raw.url)) in self.known_keys
        except ValueError:
            return False

    def wants_next_page(self, parsed: Parsed, depth: int) -> bool:
        """Go on to an older page only while this one still shows something not stored yet:
        the listing is newest first, so a page of known items means the rest is older."""
        if depth >= self.max_pages:
            return False
        if not self.known_keys:
            return True
        for raw in parsed.listed():
            try:
                if url_key(canonical_url(raw.url)) not in self.known_keys:
                    return True
            except ValueError:
                continue
        return False

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        status = getattr(getattr(failure.value, "response", None), "status", None)
        fallbacks = {c.url for c in self.source.channels if c.role == "fallback"}
        if status == 404 and request.meta.get("channel") in fallbacks:
            # A fallback the site does not serve (no sitemap, REST turned off): recorded, but
            # no fetch failure of the source's own channels.
            self.record_error(request.url, f"{NOT_OFFERED}: HTTP 404")
        else:
            self.record_error(request.url, describe_failure(failure))
        partial = request.cb_kwargs.get("partial")
        if partial is not None:
            gone = f"HTTP {status} at {request.url}" if status in (404, 410) else None
            if not self.is_known(partial):
                # What the listing showed is kept (flagged if the page is gone).
                partial.withdrawn_reason = gone
                yield partial
            elif gone:
                # A stored item is never overwritten by the listing's thinner copy; it is only
                # flagged as gone (by the crawl recorder, with the fetch time).
                self.gone.append((partial.url, gone))
        if request.meta.get("channel"):
            yield from self._fallbacks(f"{request.url} failed")


def listing_signature(raw: RawItem) -> str:
    """A digest of what a listing, feed or search result says of an item."""
    parts = (
        raw.title,
        raw.summary,
        raw.published,
        raw.updated,
        raw.change_note,
        raw.type_hint,
        raw.event_range,
        raw.withdrawn_reason,
    )
    text = "\x1f".join(" ".join((p or "").split()) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def describe_failure(failure: Failure) -> str:
    """A failed request as the crawl record shows it ("HTTP 404", "TimeoutError: …")."""
    value = failure.value
    response = getattr(value, "response", None)
    if response is not None:
        return f"HTTP {response.status}"
    return f"{type(value).__name__}: {value}".strip()
