"""Download handler that sends every request to the fixture server (offline crawls only).

Installed for http and https when AGGREGATOR_FIXTURE_SERVER is set. The response keeps the
real URL, and carries the fixture's own fetch time so parsing stays reproducible. It is the
SSRF-guarded handler with exactly one exception: the fixture server's own loopback address,
allow-listed explicitly (every other non-public address is still refused).
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from aggregator.devtools.fixtures import FETCHED_AT_HEADER, fixture_path_for
from aggregator.fetch.netguard import GuardedDownloadHandler, allowed_networks


class FixtureDownloadHandler(GuardedDownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.server = crawler.settings["AGGREGATOR_FIXTURE_SERVER"].rstrip("/")
        self.allowed += allowed_networks([urlsplit(self.server).hostname or ""])

    async def download_request(self, request: Request) -> Response:
        served = request.replace(url=self.server + fixture_path_for(request.url))
        response = await super().download_request(served)
        stamp = response.headers.get(FETCHED_AT_HEADER)
        if stamp:
            request.meta["fetched_at"] = datetime.fromisoformat(stamp.decode("ascii"))
        return response.replace(url=request.url)
