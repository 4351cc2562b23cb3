"""Download handler that sends every request to the fixture server (offline crawls only).

Installed for http and https when AGGREGATOR_FIXTURE_SERVER is set. The response keeps the
real URL, and carries the fixture's own fetch time so parsing stays reproducible.
"""

from __future__ import annotations

from datetime import datetime

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.http import Response

from aggregator.fixtures import FETCHED_AT_HEADER, fixture_path_for


class FixtureDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.server = crawler.settings["AGGREGATOR_FIXTURE_SERVER"].rstrip("/")

    async def download_request(self, request: Request) -> Response:
        served = request.replace(url=self.server + fixture_path_for(request.url))
        response = await super().download_request(served)
        stamp = response.headers.get(FETCHED_AT_HEADER)
        if stamp:
            request.meta["fetched_at"] = datetime.fromisoformat(stamp.decode("ascii"))
        return response.replace(url=request.url)
