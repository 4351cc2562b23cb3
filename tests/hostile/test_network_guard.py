"""The fetch settings that bound hostile input, and the SSRF guard.

The guard is tested on addresses directly (pure functions, no lookup, no connection). The
end-to-end checks use the production handler and resolver against loopback servers only,
and assert that the refused server saw no request at all.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from scrapy.utils.misc import load_object

from aggregator.fetch.netguard import (
    GuardedDownloadHandler,
    NonPublicAddressError,
    PublicOnlyResolver,
    address_allowed,
    allowed_networks,
    is_public_address,
    refusal,
)
from aggregator.fetch.process import crawl_settings
from aggregator.fetch.retry import BackoffRetryMiddleware, retry_after_seconds
from tests.crawling import crawl_feed_sources

ROOT = Path(__file__).resolve().parents[2]

NOT_PUBLIC = [
    "127.0.0.1",  # loopback
    "127.1.2.3",
    "10.0.0.1",  # RFC 1918
    "10.255.255.255",
    "172.16.0.1",
    "172.31.255.254",
    "192.168.1.1",
    "169.254.169.254",  # link-local: cloud metadata
    "169.254.0.1",
    "100.64.0.1",  # carrier-grade NAT
    "100.127.255.254",
    "0.0.0.0",  # unspecified
    "0.1.2.3",
    "192.0.2.1",  # documentation
    "198.18.0.1",  # benchmarking
    "240.0.0.1",  # reserved
    "255.255.255.255",  # broadcast
    "224.0.0.1",  # multicast
    "::1",  # IPv6 loopback
    "::",
    "fc00::1",  # unique local
    "fd12:3456::1",
    "fe80::1",  # link-local
    "fe80::1%eth0",
    "fec0::1",  # site-local (deprecated)
    "ff02::1",  # multicast
    "2001:db8::1",  # documentation
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:169.254.169.254",
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "[::1]",
    "not an address",
    "",
    "localhost",
]
# Public examples, as data only: nothing here is ever connected to.
PUBLIC = ["151.101.0.1", "8.8.8.8", "1.1.1.1", "2a04:4e42::1", "2606:4700::1111", "100.128.0.1"]


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address: str) -> None:
    assert is_public_address(address)
    assert is_public_address(ipaddress.ip_address(address))


def test_allow_list_is_explicit_and_exact() -> None:
    allowed = allowed_networks(["127.0.0.1"])
    assert address_allowed("127.0.0.1", allowed)
    assert not address_allowed("127.0.0.2", allowed)
    assert not address_allowed("10.0.0.1", allowed)
    assert not address_allowed("::1", allowed)
    assert address_allowed("151.101.0.1", allowed)
    assert not address_allowed("127.0.0.1", ())


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "https://10.1.2.3:8443/feed",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://[::1]:8080/",
        "http://[fd00::1]/",
        "http://[::ffff:192.168.0.1]/",
        "http://0.0.0.0:6379/",
        "http://100.64.1.1/",
    ],
)
def test_ip_literal_urls_are_refused_without_a_lookup(url: str) -> None:
    reason = refusal(url)
    assert reason is not None and "non-public address" in reason


@pytest.mark.parametrize(
    "url", ["https://www.gov.uk/", "https://learning.nspcc.org.uk/news", "http://151.101.0.1/"]
)
def test_names_and_public_literals_are_left_to_the_resolver(url: str) -> None:
    assert refusal(url) is None


class _NoReactor:
    """A stand-in: the resolver's check needs no reactor, and nothing is resolved here."""


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.7", "169.254.169.254", "192.168.0.2"])
def test_resolver_refuses_a_name_that_resolves_to_a_non_public_address(address: str) -> None:
    resolver = PublicOnlyResolver(_NoReactor(), cache_size=0, timeout=1)  # type: ignore[arg-type]
    with pytest.raises(NonPublicAddressError, match="non-public address"):
        resolver.check(address, "rebound.example.org")
    assert resolver.check("151.101.0.1", "www.gov.uk") == "151.101.0.1"


# --- settings --------------------------------------------------------------------------------


def test_production_settings_bound_every_download(tmp_path: Path) -> None:
    settings = crawl_settings(f"sqlite:///{tmp_path}/a.db")
    assert 0 < settings.getint("DOWNLOAD_MAXSIZE") <= 20 * 1024 * 1024
    assert 0 < settings.getint("DOWNLOAD_WARNSIZE") <= settings.getint("DOWNLOAD_MAXSIZE")
    assert 0 < settings.getfloat("DOWNLOAD_TIMEOUT") <= 30
    assert 0 < settings.getfloat("DNS_TIMEOUT") <= 30
    assert 0 < settings.getint("REDIRECT_MAX_TIMES") <= 5
    assert settings.getbool("DOWNLOAD_FAIL_ON_DATALOSS")
    # Only http(s) can be fetched at all, and only through the guarded handler.
    handlers = {k: v for k, v in settings.getwithbase("DOWNLOAD_HANDLERS").items() if v}
    assert set(handlers) == {"http", "https"}
    assert all(load_object(v) is GuardedDownloadHandler for v in handlers.values())
    assert load_object(settings["TWISTED_DNS_RESOLVER"]) is PublicOnlyResolver
    assert settings.getlist("AGGREGATOR_ALLOWED_ADDRESSES") == []
    middlewares = settings.getwithbase("DOWNLOADER_MIDDLEWARES")
    assert middlewares["scrapy.downloadermiddlewares.retry.RetryMiddleware"] is None
    assert load_object("aggregator.fetch.retry.BackoffRetryMiddleware") is BackoffRetryMiddleware
    assert "aggregator.fetch.retry.BackoffRetryMiddleware" in middlewares


def test_fixture_settings_allow_list_only_the_fixture_server(tmp_path: Path) -> None:
    settings = crawl_settings(f"sqlite:///{tmp_path}/a.db", "http://127.0.0.1:8123")
    assert settings.getlist("AGGREGATOR_ALLOWED_ADDRESSES") == ["127.0.0.1"]
    assert settings.getint("DOWNLOAD_MAXSIZE") == 20 * 1024 * 1024
    handlers = {k: v for k, v in settings.getwithbase("DOWNLOAD_HANDLERS").items() if v}
    assert set(handlers) == {"http", "https"}
    handler = load_object(handlers["https"])
    assert issubclass(handler, GuardedDownloadHandler)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("1", 1.0),
        ("120", 120.0),
        ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),
        ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),  # already past
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_header(header: str | None, seconds: float | None) -> None:
    from datetime import UTC, datetime

    now = datetime(2015, 10, 21, 7, 28, tzinfo=UTC)
    assert retry_after_seconds(header, now) == seconds


class _Crawler:
    def __init__(self, **settings: object) -> None:
        from scrapy.settings import Settings

        self.settings = Settings({"RETRY_ENABLED": True, "RETRY_TIMES": 2, **settings})
        self.spider = None


def test_retries_back_off_exponentially() -> None:
    from scrapy import Request

    middleware = BackoffRetryMiddleware(_Crawler(RETRY_BACKOFF_BASE=1.5))  # type: ignore[arg-type]
    waits = [
        middleware.backoff(Request("https://www.gov.uk/", meta={"retry_times": n}))
        for n in range(3)
    ]
    assert waits == [1.5, 3.0, 6.0]


def test_a_retry_after_beyond_the_cap_is_not_waited_for() -> None:
    """Retry-After: 3600 is not slept on: the response stands, for the record to name."""
    import asyncio

    from scrapy import Request
    from scrapy.http import Response

    middleware = BackoffRetryMiddleware(_Crawler(RETRY_AFTER_MAX=120))  # type: ignore[arg-type]
    request = Request("https://www.gov.uk/feed")
    response = Response(request.url, status=429, headers={"Retry-After": "3600"}, request=request)
    assert asyncio.run(middleware.process_response(request, response)) is response


# --- end to end, loopback only ---------------------------------------------------------------


class Counting:
    """A loopback server that counts every request; it may answer with a redirect."""

    def __init__(self, host: str, redirect: str | None = None) -> None:
        self.paths: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                outer.paths.append(self.path)
                if redirect and self.path != "/robots.txt":
                    self.send_response(302)
                    self.send_header("Location", redirect)
                else:
                    self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def secret() -> Iterator[Counting]:
    """The "internal service" every attack aims at: it must never see a request."""
    server = Counting("127.0.0.1")
    yield server
    server.close()


def production_crawl(
    tmp_path: Path, channels: dict[str, str], allowed: list[str]
) -> dict[str, list[dict[str, str]]]:
    """Crawl registry sources with the production handler and resolver; their errors."""
    return crawl_feed_sources(
        f"sqlite:///{tmp_path}/guard.db",
        channels,
        timeout=120,
        AGGREGATOR_ALLOWED_ADDRESSES=allowed,
        DOWNLOAD_DELAY=0,
        AUTOTHROTTLE_ENABLED=False,
        DOWNLOAD_TIMEOUT=10,
        LOG_LEVEL="WARNING",
    )


def test_production_crawl_refuses_loopback_names_and_redirects(
    tmp_path: Path, secret: Counting
) -> None:
    if not socket.gethostbyname("localhost").startswith("127."):
        pytest.skip("localhost does not resolve to loopback here")
    # A public-looking server (127.0.0.2, allow-listed for this test only) redirects inward.
    decoy = Counting("127.0.0.2", redirect=f"http://127.0.0.1:{secret.port}/admin")
    by_name = Counting("127.0.0.2", redirect=f"http://localhost:{secret.port}/admin")
    try:
        errors = production_crawl(
            tmp_path,
            {
                "literal": f"http://127.0.0.1:{secret.port}/feed",
                "named": f"http://localhost:{secret.port}/feed",
                "redirected": f"http://127.0.0.2:{decoy.port}/feed",
                "redirected_name": f"http://127.0.0.2:{by_name.port}/feed",
            },
            allowed=["127.0.0.2"],
        )
    finally:
        decoy.close()
        by_name.close()
    assert secret.paths == []  # not one request reached the internal service
    assert "/feed" in decoy.paths and "/feed" in by_name.paths  # the allow-listed hop happened
    for slug in ("literal", "redirected"):
        assert any("non-public address 127.0.0.1" in e["message"] for e in errors[slug]), errors
    for slug in ("named", "redirected_name"):
        assert any(
            "refused localhost: it resolves to non-public address 127.0.0.1" in e["message"]
            for e in errors[slug]
        ), errors
