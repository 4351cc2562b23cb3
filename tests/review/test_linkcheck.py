"""The bulletin link check refuses what the crawler's SSRF guard refuses, for the same reason.

The link check (aggregator/review/linkcheck.py) judges each URL and each redirect hop with
netguard's checks, so its "not checked (…)" and "redirect … refused: …" lines carry netguard's
own words. A real loopback server on 127.0.0.2 (allow-listed through AGGREGATOR_ALLOWED_ADDRESSES,
as the crawl tests do) answers the allowed requests and hands out the redirects; every other
non-public address, 127.0.0.1 included, stays refused.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import pytest

from aggregator.fetch import netguard
from aggregator.fetch.netguard import ALLOWED_ENV, NonPublicAddressError, PublicOnlyResolver
from aggregator.review.linkcheck import check_link, check_links

HOST = "127.0.0.2"


class Handler(BaseHTTPRequestHandler):
    """`/ok` answers 200; `/to?target=URL` redirects there (302)."""

    def answer(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/to":
            self.send_response(302)
            self.send_header("Location", parse_qs(parts.query)["target"][0])
        else:
            self.send_response(200 if parts.path == "/ok" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = answer
    do_GET = answer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadingHTTPServer((HOST, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv(ALLOWED_ENV, HOST)
    try:
        yield f"http://{HOST}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def resolver_reasons(name: str) -> set[str]:
    """What the crawler's resolver says of each address `name` resolves to."""
    # Only its check is called: no reactor is needed (nor installed in the test process).
    resolver = PublicOnlyResolver(cast(Any, None), 10, 5)
    reasons = set()
    for info in socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP):
        with pytest.raises(NonPublicAddressError) as refused:
            resolver.check(str(info[4][0]), name)
        reasons.add(str(refused.value))
    return reasons


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/page",  # loopback
        "http://10.1.2.3/intranet",  # RFC 1918
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",  # link-local: cloud metadata
        "http://100.64.0.1/",  # carrier-grade NAT
        "https://[::1]/",
        "http://[fe80::1]/",  # IPv6 link-local
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
        "http://224.0.0.1/",  # multicast
    ],
)
def test_a_non_public_address_is_not_checked_with_netguards_reason(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOWED_ENV, raising=False)
    result = check_link(url, timeout=2)
    expected = netguard.refusal(url)
    assert expected is not None
    assert (result.skipped, result.error) == (True, expected)
    assert result.label == f"not checked ({expected})"


def test_a_name_resolving_to_loopback_is_refused_as_the_resolver_refuses_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ALLOWED_ENV, raising=False)
    result = check_link("http://localhost:9/page", timeout=2)
    assert result.skipped
    assert result.error in resolver_reasons("localhost")


def test_an_allow_listed_loopback_server_is_checked(site: str) -> None:
    # The control: the server answers, so the refusals below are the guard's, not a dead port.
    assert check_link(f"{site}/ok", timeout=5).label == "ok (200)"
    assert check_link(f"{site}/missing", timeout=5).label == "broken (404)"
    assert check_link(f"{site}/to?target={site}/ok", timeout=5).label == "ok (200)"


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:9/ok",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/admin",
        "http://[::1]:9/",
    ],
)
def test_a_redirect_to_a_non_public_address_is_refused(site: str, target: str) -> None:
    result = check_link(f"{site}/to?target={target}", timeout=5)
    assert not result.ok and not result.skipped
    assert result.error == f"redirect to {target} refused: {netguard.refusal(target)}"


def test_a_redirect_to_a_name_resolving_to_loopback_is_refused(site: str) -> None:
    target = "http://localhost:9/ok"
    result = check_link(f"{site}/to?target={target}", timeout=5)
    assert not result.ok
    assert result.error in {
        f"redirect to {target} refused: {reason}" for reason in resolver_reasons("localhost")
    }


def test_loopback_only_mode_fetches_loopback_and_nothing_else(site: str) -> None:
    # LINK_CHECK_LOOPBACK_ONLY (the review tests' mode): loopback is fetched, the rest is not.
    results = check_links(
        [f"{site}/ok", "https://example.org/", f"{site}/to?target=http://93.184.215.14/"],
        timeout=5,
        loopback_only=True,
    )
    labels = [r.label for r in results.values()]
    assert labels == [
        "ok (200)",
        "not checked (loopback only)",
        "broken (redirect to http://93.184.215.14/ refused: loopback only)",
    ]
