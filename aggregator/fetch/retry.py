"""Retries that back off and honour Retry-After.

Scrapy's RetryMiddleware retries at once. This one waits before each retry: as long as a 429 or
503 response's `Retry-After` says (seconds or an HTTP date), else an exponential backoff
(RETRY_BACKOFF_BASE seconds, doubled per attempt). A server asking for a longer wait than
RETRY_AFTER_MAX is not retried in this crawl: the response stands (the crawl record names its
status) and the next scheduled crawl tries again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.misc import load_object
from scrapy.utils.response import response_status_message
from twisted.internet.task import deferLater

RETRY_AFTER_STATUSES = frozenset({429, 503})


def retry_after_seconds(value: bytes | str | None, now: datetime) -> float | None:
    """The wait a Retry-After header asks for, in seconds (None when absent or unreadable).

    Delta-seconds ("120") or an HTTP date; a date in the past means no wait.
    """
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class BackoffRetryMiddleware:
    """Replaces Scrapy's RetryMiddleware in DOWNLOADER_MIDDLEWARES; same RETRY_* settings."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        self.crawler = crawler
        self.max_retry_times = settings.getint("RETRY_TIMES")
        self.retry_http_codes = {int(x) for x in settings.getlist("RETRY_HTTP_CODES")}
        self.exceptions_to_retry = tuple(
            load_object(x) if isinstance(x, str) else x
            for x in settings.getlist("RETRY_EXCEPTIONS")
        )
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", 120.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        wait = self.backoff(request)
        if response.status in RETRY_AFTER_STATUSES:
            asked = retry_after_seconds(response.headers.get(b"Retry-After"), datetime.now(UTC))
            if asked is not None:
                if asked > self.retry_after_max:
                    self.back_off_source(request, response.status, asked)
                    return response
                wait = asked
        retry = self.retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await self.sleep(wait)
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry"):
            return None
        retry = self.retry(request, exception)
        if retry is not None:
            await self.sleep(self.backoff(request))
        return retry

    def back_off_source(self, request: Request, status: int, seconds: float) -> None:
        """A wait longer than a crawl should sleep: the source is disabled until then (its
        schedule state says why), and `crawl --due` leaves it alone till the time is up."""
        spider = self.crawler.spider
        url = self.crawler.settings.get("AGGREGATOR_DATABASE_URL")
        if spider is None or not url:
            return
        from aggregator.storage.crawl_state import CrawlState

        until = datetime.now(UTC) + timedelta(seconds=seconds)
        reason = f"HTTP {status} with Retry-After {seconds:g}s at {request.url}"
        CrawlState.from_url(url).disable(spider.name, until, reason)
        if hasattr(spider, "record_error"):
            spider.record_error(request.url, f"Retry-After {seconds:g}s: {reason}")

    def retry(self, request: Request, reason: str | Exception) -> Request | None:
        assert self.crawler.spider is not None
        return get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=reason,
            max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
        )

    def backoff(self, request: Request) -> float:
        return float(self.backoff_base * 2 ** int(request.meta.get("retry_times", 0)))

    async def sleep(self, seconds: float) -> None:
        if seconds > 0:
            from twisted.internet import reactor  # the running one (importing installs one)

            await maybe_deferred_to_future(deferLater(reactor, seconds))
